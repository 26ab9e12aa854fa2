import { IsBoolean, IsInt, IsISO8601, IsString, IsUUID, Min } from 'class-validator';

export class OrderRefundedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsUUID() refundId!: string;
  @IsInt() @Min(1) amountFen!: number;
  /** True when the refund brings the refunded total up to the whole order. */
  @IsBoolean() full!: boolean;
  @IsString() reason!: string;
  @IsISO8601() refundedAt!: string;
}
