import { IsISO8601, IsString, IsUUID } from 'class-validator';

export class ShipmentScheduledV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsString() township!: string;
  @IsISO8601() slotStartsAt!: string;
  @IsISO8601() deadlineAt!: string;
}
