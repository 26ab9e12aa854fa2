import { IsISO8601, IsString, IsUUID } from 'class-validator';

export class ShipmentPickedUpV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsString() courierRef!: string;
  @IsISO8601() pickedUpAt!: string;
}
