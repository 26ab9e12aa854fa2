import { IsISO8601, IsUUID } from 'class-validator';

export class ShipmentDeliveredV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsISO8601() deliveredAt!: string;
}
