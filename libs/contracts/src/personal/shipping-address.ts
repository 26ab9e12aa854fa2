// A buyer's delivery address: personal data (PIPL). It travels only to fulfillment, in
// orders.shipment-requested on a topic no other service may read, and is shown unmasked only to the
// buyer, the store's seller and ops; logs and the ops console show it masked (masking.ts).
import { IsNotEmpty, IsOptional, IsString, Length, Matches } from 'class-validator';

/** A mainland mobile number: 11 digits starting with 1, optionally written with +86 before it. */
export const MAINLAND_MOBILE = /^(\+86)?1\d{10}$/;

export class ShippingAddressV1 {
  @IsString() @IsNotEmpty() @Length(1, 60) recipientName!: string;
  @IsString()
  @Matches(MAINLAND_MOBILE, {
    message: 'phone must be a mainland mobile number: 11 digits starting with 1, optionally +86 before it',
  })
  phone!: string;
  @IsString() @IsNotEmpty() @Length(1, 40) province!: string;
  @IsString() @IsNotEmpty() @Length(1, 40) city!: string;
  @IsString() @IsNotEmpty() @Length(1, 40) district!: string;
  @IsString() @IsNotEmpty() @Length(1, 200) street!: string;
  @IsOptional() @IsString() @Matches(/^\d{6}$/, { message: 'postcode must be 6 digits' }) postcode?: string;
}

export type ShippingAddress = Omit<ShippingAddressV1, never>;

/** What is kept once an address is erased: a marker saying so and when, nothing of the address. */
export interface ErasedAddress {
  erased: true;
  erasedAt: string;
}

export type StoredAddress = ShippingAddress | ErasedAddress;
export const isErased = (a: StoredAddress | null | undefined): a is ErasedAddress =>
  !!a && (a as ErasedAddress).erased === true;
export const erasedMarker = (at: Date): ErasedAddress => ({ erased: true, erasedAt: at.toISOString() });
