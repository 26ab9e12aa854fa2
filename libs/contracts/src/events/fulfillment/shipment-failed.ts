import { IsIn, IsISO8601, IsUUID } from 'class-validator';

export const SHIPMENT_FAILURE_REASONS = ['spoiled', 'courier-failed', 'undeliverable'] as const;
export type ShipmentFailureReason = (typeof SHIPMENT_FAILURE_REASONS)[number];

export class ShipmentFailedV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsIn(SHIPMENT_FAILURE_REASONS) reason!: ShipmentFailureReason;
  @IsISO8601() failedAt!: string;
}
