import { IsISO8601, IsUUID } from 'class-validator';

export class OrderDeliveredV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsISO8601() deliveredAt!: string;
}
