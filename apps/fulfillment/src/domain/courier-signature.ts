// The courier signs every webhook with HMAC-SHA256 of the exact bytes it sends; we recompute it
// over the raw body (never the re-serialised JSON) and compare in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const COURIER_SIGNATURE_HEADER = 'x-courier-signature';

/** The header value for `rawBody`: `sha256=<hex>`. */
export function signCourierPayload(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function isCourierSignatureValid(
  rawBody: Buffer | undefined,
  signature: string | undefined,
  secret: string,
): boolean {
  if (!rawBody || !signature) return false;
  const expected = Buffer.from(signCourierPayload(rawBody, secret));
  const given = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the key
  return given.length === expected.length && timingSafeEqual(given, expected);
}
