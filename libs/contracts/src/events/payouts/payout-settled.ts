import { IsInt, IsISO8601, IsString, IsUUID, Min } from 'class-validator';

export class PayoutSettledV1 {
  @IsUUID() payoutId!: string;
  @IsUUID() storeId!: string;
  @IsInt() @Min(1) amountFen!: number;
  @IsString() providerReference!: string;
  @IsISO8601() settledAt!: string;
}
