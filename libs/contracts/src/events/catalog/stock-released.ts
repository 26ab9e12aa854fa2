import { IsString, IsUUID } from 'class-validator';

export class StockReleasedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  /** `order-cancelled`, `reservation-expired`. */
  @IsString() reason!: string;
}
