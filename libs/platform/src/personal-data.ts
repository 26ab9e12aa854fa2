// Personal data as logs and the ops console show it: enough to tell two parcels apart, not enough
// to call or find the buyer. `13812345678` → `138****5678`; `Zhang San` → `Z**`. The logger
// (logger.ts) masks every log line with `maskForLog`, so no code path has to remember to.

/** Mainland mobile numbers anywhere in a text: 11 digits starting with 1, maybe after +86 or 86. */
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86[- ]?)?(1\d{2})[- ]?\d{4}[- ]?(\d{4})(?!\d)/g;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+?86/, '').replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}

/** The first character, then two stars whatever the length (the length says something too). */
export const maskName = (name: string): string => (name ? `${Array.from(name)[0]}**` : '**');

/** Every phone number in a text masked. */
export const maskPhonesIn = (text: string): string => text.replace(PHONE_IN_TEXT, '$1****$2');

interface AddressLike {
  recipientName?: unknown;
  phone?: unknown;
  province?: unknown;
  city?: unknown;
  erased?: unknown;
  erasedAt?: unknown;
}

/** Province and city stay (they route the parcel and say little); the rest does not. An erased address shows its marker. */
export function maskAddress(address: AddressLike | null | undefined): Record<string, unknown> | null {
  if (!address) return null;
  if (address.erased === true) return { erased: true, erasedAt: address.erasedAt };
  return {
    recipientName: typeof address.recipientName === 'string' ? maskName(address.recipientName) : '**',
    phone: typeof address.phone === 'string' ? maskPhone(address.phone) : '****',
    province: address.province,
    city: address.city,
    district: '***',
    street: '***',
  };
}

/** Field names that hold personal data wherever they appear in a log line. */
const PERSONAL_FIELDS = new Set([
  'shippingAddress',
  'deliverTo',
  'address',
  'phone',
  'recipientName',
  'street',
  'district',
  'postcode',
  'accountNumber',
]);
const MAX_DEPTH = 8;

function maskField(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string')
    return key === 'phone'
      ? maskPhone(value)
      : key === 'recipientName'
        ? maskName(value)
        : key === 'accountNumber'
          ? `****${value.slice(-4)}`
          : '***';
  if (typeof value === 'object' && ('recipientName' in value || 'erased' in value))
    return maskAddress(value as AddressLike);
  return '***';
}

/**
 * A copy of a log line's fields with personal data masked: fields named in PERSONAL_FIELDS
 * wherever they are, and phone numbers inside any text (an error's message or detail, a payload
 * quoted in a reason). Errors become plain objects with their message, stack and own fields.
 */
export function maskForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhonesIn(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => maskForLog(v, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const source: Record<string, unknown> =
    value instanceof Error
      ? { ...value, name: value.name, message: value.message, stack: value.stack }
      : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source))
    out[k] = PERSONAL_FIELDS.has(k) ? maskField(k, v) : maskForLog(v, depth + 1);
  return out;
}
