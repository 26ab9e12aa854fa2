import { IsIn, IsISO8601, IsUUID } from 'class-validator';

export const SHIPMENT_FAILURE_REASONS = [
  'spoiled',
  'courier-failed',
  'undeliverable',
  'lost-in-transit',
  'damaged',
] as const;
export type ShipmentFailureReason = (typeof SHIPMENT_FAILURE_REASONS)[number];

/** Failures of a parcel the courier had already picked up: the order was shipped, and is refunded from there. */
export const IN_TRANSIT_FAILURE_REASONS = [
  'lost-in-transit',
  'damaged',
] as const satisfies readonly ShipmentFailureReason[];
export type InTransitFailureReason = (typeof IN_TRANSIT_FAILURE_REASONS)[number];
export const failedInTransit = (reason: ShipmentFailureReason): reason is InTransitFailureReason =>
  (IN_TRANSIT_FAILURE_REASONS as readonly string[]).includes(reason);

export class ShipmentFailedV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsIn(SHIPMENT_FAILURE_REASONS) reason!: ShipmentFailureReason;
  @IsISO8601() failedAt!: string;
}
