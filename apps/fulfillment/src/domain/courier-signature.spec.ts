import { createHmac } from 'node:crypto';
import { isCourierSignatureValid, signCourierPayload } from './courier-signature';

const SECRET = 'a-courier-secret-of-some-length';
const body = Buffer.from('{"eventId":"e1","type":"picked-up"}');

describe('courier webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of the raw body>', () => {
    expect(signCourierPayload(body, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    expect(isCourierSignatureValid(body, signCourierPayload(body.toString(), SECRET), SECRET)).toBe(true);
  });

  it('refuses a missing, malformed, foreign or stale signature', () => {
    const good = signCourierPayload(body, SECRET);
    expect(isCourierSignatureValid(body, undefined, SECRET)).toBe(false);
    expect(isCourierSignatureValid(undefined, good, SECRET)).toBe(false);
    expect(isCourierSignatureValid(body, good.slice(7), SECRET)).toBe(false); // without the sha256= prefix
    expect(isCourierSignatureValid(body, good.toUpperCase(), SECRET)).toBe(false);
    expect(isCourierSignatureValid(body, signCourierPayload(body, 'another-secret-entirely'), SECRET)).toBe(false);
    expect(isCourierSignatureValid(Buffer.from(`${body} `), good, SECRET)).toBe(false); // the body changed after signing
  });
});
