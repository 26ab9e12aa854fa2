import { IsBoolean, IsISO8601, IsString, IsUUID } from 'class-validator';

export class OrderCancelledV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  /** e.g. `stock-rejected`, `payment-declined`, `payment-timeout`, `buyer-cancelled`. */
  @IsString() reason!: string;
  /** Whether stock had been reserved for it (catalog releases it). */
  @IsBoolean() stockReserved!: boolean;
  @IsISO8601() cancelledAt!: string;
}
