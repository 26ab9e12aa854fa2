import { IsInt, IsISO8601, IsString, IsUUID, Min } from 'class-validator';

export class PayoutFailedV1 {
  @IsUUID() payoutId!: string;
  @IsUUID() storeId!: string;
  @IsInt() @Min(1) amountFen!: number;
  @IsString() reason!: string;
  @IsISO8601() failedAt!: string;
}
