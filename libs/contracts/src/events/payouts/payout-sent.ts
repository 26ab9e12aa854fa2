import { IsInt, IsISO8601, IsUUID, Min } from 'class-validator';

export class PayoutSentV1 {
  @IsUUID() payoutId!: string;
  @IsUUID() payoutRunId!: string;
  @IsUUID() storeId!: string;
  @IsInt() @Min(1) amountFen!: number;
  @IsISO8601() sentAt!: string;
}
