import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { ShippingAddressV1 } from '../../personal/shipping-address';
import { OrderLineV1 } from './order-line';

/** A line as the seller packs it: the order line, with the product's name as it was bought. */
export class ShipmentLineV1 extends OrderLineV1 {
  @IsString() @Length(1, 200) productName!: string;
}

/**
 * A paid order to ship: what fulfillment builds the shipment from. Written with order-paid, but
 * on its own topic (orders.shipping) that only fulfillment may read, because it carries the
 * buyer's address; catalog and payouts, which read order-paid, never see it.
 */
export class ShipmentRequestedV1 {
  @IsUUID() orderId!: string;
  @IsString() buyerId!: string;
  @IsUUID() storeId!: string;
  @IsString() township!: string;
  @ValidateNested({ each: true }) @Type(() => ShipmentLineV1) @ArrayMinSize(1) lines!: ShipmentLineV1[];
  @IsInt() @Min(0) totalFen!: number;
  @IsISO8601() paidAt!: string;
  /** Absent only for orders placed before checkouts took an address. */
  @IsOptional() @ValidateNested() @Type(() => ShippingAddressV1) shippingAddress?: ShippingAddressV1;
}
