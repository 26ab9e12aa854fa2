import { IsISO8601, IsString, IsUUID } from 'class-validator';

/**
 * A scheduled parcel moved to a later pickup round (to make room for a more perishable one), still
 * before its deadline. The parcel stays scheduled: the order's status does not change, so orders
 * does not consume it; it tells whoever shows the buyer or the seller when the van comes.
 */
export class ShipmentRescheduledV1 {
  @IsUUID() shipmentId!: string;
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsString() township!: string;
  /** The round it had. */
  @IsISO8601() previousSlotStartsAt!: string;
  /** The round it has now. */
  @IsISO8601() slotStartsAt!: string;
  @IsISO8601() deadlineAt!: string;
  @IsString() reason!: string;
}
