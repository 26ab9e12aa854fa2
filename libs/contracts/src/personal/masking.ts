// Personal data as logs and the ops console show it: enough to tell two parcels apart, not enough
// to call or find the buyer. `13812345678` → `138****5678`; `Zhang San` → `Z**`.
import { isErased, StoredAddress } from './shipping-address';

export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+86/, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}

/** The first character, then two stars whatever the length (the length says something too). */
export const maskName = (name: string): string => (name ? `${Array.from(name)[0]}**` : '**');

/** Province and city stay (they route the parcel and say little); district, street and postcode do not. */
export function maskAddress(address: StoredAddress | null | undefined): Record<string, string> | null {
  if (!address) return null;
  if (isErased(address)) return { erased: address.erasedAt };
  return { recipientName: maskName(address.recipientName), phone: maskPhone(address.phone), province: address.province, city: address.city, district: '***', street: '***' };
}

/** Field names that hold personal data wherever they appear in a log line (the logger masks them). */
export const PERSONAL_FIELDS = ['shippingAddress', 'shipTo', 'address', 'phone', 'recipientName', 'street'] as const;

/** Masks a value found under one of PERSONAL_FIELDS. */
export function maskPersonal(value: unknown, field: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return field === 'phone' ? maskPhone(value) : field === 'recipientName' ? maskName(value) : '***';
  if (typeof value === 'object' && 'recipientName' in (value as object)) return maskAddress(value as StoredAddress);
  return '***';
}
