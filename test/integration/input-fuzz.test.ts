// Every public endpoint of the four services, fuzzed with fast-check: random and adversarial bodies
// (deep nesting, huge strings, NUL, wrong types, prototype-pollution keys, arrays where objects go,
// numbers at the edges, malformed JSON, gzip), ids, query strings and headers (Content-Type, each
// role's token and none, Idempotency-Key). No answer is a 5xx, every 4xx is problem+json, and a 4xx
// leaves every table of the service's database (outbox and inbox included) as it was.
// FUZZ_RUNS and FUZZ_SEED replay or widen a run.
import { demoAddress } from '@cc/contracts';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DEV_JWT_SECRET, TokenService } from '@cc/platform';
import { DEV_COURIER_SECRET } from '../../apps/fulfillment/src/config';
import { COURIER_SIGNATURE_HEADER } from '../../apps/fulfillment/src/domain/courier-signature';
import { Jobs } from '@cc/service';
import { changedTables, fingerprint } from '../support/db-snapshot';
import { newProduct, newStore, opsToken } from '../support/factories';
import { newNamespace, RunningService, startService } from '../support/harness';
import { call, tokenFor, waitFor } from '../support/http';

type Service = 'catalog' | 'orders' | 'fulfillment' | 'payouts';
type Body = string | Uint8Array | undefined;

interface Endpoint {
  service: Service;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** `:id` is replaced by a generated id. */
  path: string;
  query?: Record<string, fc.Arbitrary<string>>;
  /** Plausible values per field; the body generator mixes them with adversarial ones. */
  fields?: Record<string, fc.Arbitrary<unknown>>;
  /** Content types that reach the handler (others must be refused). */
  takes?: string;
  idempotent?: boolean;
  signed?: boolean;
  /** The service kit's own (/health, /metrics, /admin/outbox): drawn less often, they take no input. */
  kit?: boolean;
}

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on a lone surrogate). */
const enc = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'), (b) =>
    /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');

// ---- values ---------------------------------------------------------------------------------

const ids: Record<'store' | 'product' | 'order' | 'run' | 'reconciliation', string> = {
  store: '',
  product: '',
  order: '',
  run: '',
  reconciliation: '',
};

const strangeStrings = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\u0001\u0002',
  '\u001b[31mred',
  '\u007f',
  'tab\tand\nlines\r\n',
  '\ud800',
  '\udfff\ud800',
  '𝒦iwi 猕猴桃',
  "'; DROP TABLE stores; --",
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '%00',
  '%FF',
  '\\u0000',
  'x'.repeat(201),
  'x'.repeat(501),
  'y'.repeat(70_000),
  '<script>alert(1)</script>',
  'null',
  'true',
  '0x10',
  '1e3',
  ' 12 ',
  '-0',
  'NaN',
  'Infinity',
  '2026-02-30',
  '2026-11-29',
  'tok_ok',
  'tok_timeout',
  '__proto__',
];
const edgeNumbers = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -1.5,
  99.999,
  1000,
  1001,
  1e308,
  -1e308,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  1e21,
  5e-324,
  100_000_000_001,
  1_000_001,
];

const strange: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...strangeStrings),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...edgeNumbers),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.uuid(),
);
const idValue = fc.oneof(
  fc.constantFrom('store', 'product', 'order', 'run', 'reconciliation').map((k) => ids[k as keyof typeof ids]),
  fc.uuid(),
  fc.constant(randomUUID()),
  strange,
);
const mixed = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 2, arbitrary: plausible }, { weight: 1, arbitrary: strange });
const int = (min: number, max: number) => mixed(fc.integer({ min, max }));
const text = (maxLength: number) => mixed(fc.string({ minLength: 1, maxLength }));
const iso = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Adversarial bodies written out by hand: each is text a JSON parser or a validator could choke on. */
const nest = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;
const handMade: Body[] = [
  nest(33),
  nest(10_000),
  `{"name":${nest(100_000)}}`,
  `{"a":`.repeat(20_000),
  `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`,
  '{"__proto__":{"polluted":"yes"},"name":"a","township":"b"}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"name":"a","township":"b"}',
  '{"lines":[{"__proto__":{"polluted":"yes"},"productId":"00000000-0000-4000-8000-000000000000","quantity":1}],"paymentToken":"tok_ok"}',
  '{"name":"a","township":"b","__proto__":[]}',
  `{"name":"${'x'.repeat(1_100_000)}","township":"b"}`,
  `{"paymentToken":"tok_ok","lines":[${Array.from({ length: 20_000 }, () => '{"productId":"00000000-0000-4000-8000-000000000000","quantity":1}').join(',')}]}`,
  '{"name":"a\\u0000b","township":"b"}',
  '{"name":"a","name":"b\\u0000","township":"c"}',
  '{"name": "a", ',
  '{"name": "a"}}',
  "{'name': 'a'}",
  '"a string"',
  '12',
  'null',
  '[]',
  '{}',
  '\u0000',
  '{"name":"\ud800"}',
  new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), // invalid UTF-8 inside a string
  new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // BOM then {}
  gzipSync(Buffer.from(`{"name":"${'0'.repeat(5_000_000)}","township":"b"}`)), // small when sent, 5 MB when inflated
  gzipSync(Buffer.from('{"name":"gz","township":"louguan"}')),
];

function shaped(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const withExtra = fc.record(fields, { requiredKeys: [] });
  return fc
    .tuple(
      withExtra,
      fc.option(
        fc.dictionary(
          fc.constantFrom('sneaky', 'constructor', 'prototype', 'isAdmin', 'id', 'status', 'totalFen'),
          strange,
          { maxKeys: 2 },
        ),
        { nil: undefined },
      ),
    )
    .map(([o, extra]) => ({ ...o, ...extra }));
}

function bodyFor(endpoint: Endpoint): fc.Arbitrary<Body> {
  const fields = endpoint.fields ?? {};
  return fc.oneof(
    { weight: 6, arbitrary: shaped(fields).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: shaped(fields).map((o) => JSON.stringify([o])) }, // an array where an object goes
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.tuple(shaped(fields), fc.nat()).map(([o, n]) => {
        const s = JSON.stringify(o);
        return s.slice(0, n % (s.length + 1));
      }),
    }, // cut short
    { weight: 2, arbitrary: fc.constantFrom(...handMade) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

// ---- the endpoints, from the controllers -------------------------------------------------------

/** Strings as they are, anything else as its JSON text (some generated objects have no prototype to print them). */
const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
const q = (a: fc.Arbitrary<unknown>) => a.map(asText);
const pageQuery = {
  page: q(mixed(fc.integer({ min: -1, max: 100_001 }).map(String))),
  pageSize: q(mixed(fc.integer({ min: -1, max: 600 }).map(String))),
};
const kit = (service: Service): Endpoint[] => [
  { service, method: 'GET', path: '/health', kit: true },
  { service, method: 'GET', path: '/metrics', kit: true },
  { service, method: 'GET', path: '/admin/outbox', kit: true },
];

const ENDPOINTS: Endpoint[] = [
  { service: 'catalog', method: 'POST', path: '/stores', fields: { name: text(200), township: text(100) } },
  { service: 'catalog', method: 'GET', path: '/stores/:id' },
  {
    service: 'catalog',
    method: 'POST',
    path: '/stores/:id/products',
    fields: {
      name: text(200),
      category: mixed(fc.constantFrom('fresh', 'chilled', 'ambient', 'handicraft', 'frozen')),
      priceFen: int(-1, 100_000_001),
      stock: int(-1, 1_000_001),
      pickupWithinHours: int(0, 9000),
      shelfLifeHours: int(0, 50_000),
      leadTimeDays: int(-1, 366),
    },
  },
  {
    service: 'catalog',
    method: 'GET',
    path: '/products',
    query: {
      storeId: q(idValue),
      category: q(mixed(fc.constantFrom('fresh', 'handicraft'))),
      ids: fc.oneof(
        fc.array(q(idValue), { maxLength: 4 }).map((a) => a.join(',')),
        fc.integer({ min: 99, max: 300 }).map((n) => Array.from({ length: n }, randomUUID).join(',')),
      ),
      ...pageQuery,
    },
  },
  { service: 'catalog', method: 'GET', path: '/products/:id' },
  {
    service: 'catalog',
    method: 'PATCH',
    path: '/products/:id',
    fields: {
      name: text(201),
      description: text(2001),
      priceFen: int(-1, 100_000_001),
      pickupWithinHours: mixed(fc.constantFrom(null, 0, 1, 9000)),
      shelfLifeHours: int(0, 50_000),
      leadTimeDays: mixed(fc.constantFrom(null, -1, 0, 5, 366)),
    },
  },
  { service: 'catalog', method: 'POST', path: '/products/:id/archive' },
  { service: 'catalog', method: 'POST', path: '/products/:id/unarchive' },
  { service: 'catalog', method: 'GET', path: '/products/:id/changes' },
  {
    service: 'catalog',
    method: 'GET',
    path: '/stores',
    query: { township: q(text(101)), status: q(mixed(fc.constantFrom('active', 'suspended', 'closed'))), ...pageQuery },
  },
  {
    service: 'catalog',
    method: 'PATCH',
    path: '/stores/:id',
    fields: {
      name: text(201),
      description: text(2001),
      contactPhone: mixed(fc.constantFrom('13812345678', '+8613812345678', '555-1234', '')),
      township: text(101),
    },
  },
  { service: 'catalog', method: 'POST', path: '/stores/:id/suspend', fields: { reason: text(501) } },
  { service: 'catalog', method: 'POST', path: '/stores/:id/reinstate' },
  {
    service: 'catalog',
    method: 'POST',
    path: '/products/:id/stock-adjustments',
    fields: { delta: int(-1_000_001, 1_000_001), reason: text(500) },
  },
  ...kit('catalog'),
  {
    service: 'orders',
    method: 'POST',
    path: '/checkouts',
    idempotent: true,
    fields: {
      lines: mixed(fc.array(mixed(shaped({ productId: idValue, quantity: int(0, 1001) })), { maxLength: 4 })),
      paymentToken: mixed(fc.constantFrom('tok_ok', 'tok_declined', 'tok_timeout', 'x')),
      shippingAddress: mixed(
        shaped({
          recipientName: text(60),
          phone: mixed(fc.constantFrom('13812345678', '+8613812345678', '1381234567', '23812345678', '138-1234-5678')),
          province: text(40),
          city: text(40),
          district: text(40),
          street: text(200),
          postcode: mixed(fc.constantFrom('716000', '71600', 'ABCDEF')),
        }),
      ),
    },
  },
  { service: 'orders', method: 'GET', path: '/orders/:id' },
  {
    service: 'orders',
    method: 'GET',
    path: '/orders',
    query: { storeId: q(idValue), status: q(mixed(fc.constantFrom('paid', 'pending_stock', 'lost'))), ...pageQuery },
  },
  { service: 'orders', method: 'POST', path: '/orders/:id/cancel', fields: { reason: text(500) } },
  { service: 'orders', method: 'POST', path: '/orders/:id/confirm-receipt' },
  { service: 'orders', method: 'POST', path: '/orders/:id/extend-confirmation' },
  {
    service: 'orders',
    method: 'POST',
    path: '/orders/:id/refunds',
    idempotent: true,
    fields: { amountFen: int(0, 100_000_000_001), reason: text(500) },
  },
  {
    service: 'orders',
    method: 'POST',
    path: '/orders/:id/after-sales',
    fields: {
      kind: mixed(fc.constantFrom('refund-only', 'return-and-refund', 'exchange')),
      amountFen: int(0, 100_000_000_001),
      reason: text(500),
    },
  },
  {
    service: 'orders',
    method: 'GET',
    path: '/after-sales',
    query: { storeId: q(idValue), status: q(mixed(fc.constantFrom('open', 'awaiting-return', 'lost'))), ...pageQuery },
  },
  { service: 'orders', method: 'POST', path: '/after-sales/:id/accept' },
  { service: 'orders', method: 'POST', path: '/after-sales/:id/reject', fields: { reason: text(500) } },
  { service: 'orders', method: 'POST', path: '/after-sales/:id/return-received' },
  ...kit('orders'),
  { service: 'fulfillment', method: 'GET', path: '/shipments', query: { orderId: q(idValue) } },
  {
    service: 'fulfillment',
    method: 'GET',
    path: '/pickup-slots',
    query: { township: q(text(101)), date: q(mixed(fc.constantFrom('2026-11-29', '2026-02-30', '29-11-2026'))) },
  },
  {
    service: 'fulfillment',
    method: 'GET',
    path: '/stores/:id/pickups',
    query: {
      date: q(mixed(fc.constantFrom('2026-11-29', '2026-02-30', '29-11-2026'))),
      format: q(mixed(fc.constantFrom('json', 'csv', 'pdf'))),
    },
  },
  { service: 'fulfillment', method: 'GET', path: '/admin/at-risk', query: { withinHours: q(int(0, 169)) } },
  {
    service: 'fulfillment',
    method: 'POST',
    path: '/courier/webhook',
    signed: true,
    fields: {
      eventId: idValue,
      type: mixed(fc.constantFrom('picked-up', 'delivered', 'lost')),
      shipmentId: idValue,
      courierRef: text(200),
      at: mixed(iso),
    },
  },
  ...kit('fulfillment'),
  { service: 'payouts', method: 'GET', path: '/admin/finance' },
  { service: 'payouts', method: 'GET', path: '/stores/:id/balance' },
  { service: 'payouts', method: 'GET', path: '/stores/:id/ledger', query: pageQuery },
  {
    service: 'payouts',
    method: 'PUT',
    path: '/stores/:id/payout-account',
    fields: {
      method: mixed(fc.constantFrom('bank', 'alipay', 'wechat', 'paypal')),
      accountName: text(61),
      accountNumber: mixed(
        fc.constantFrom(
          '6222021234567890',
          '62220212345',
          '13812345678',
          'li@example.com',
          'wxid_abc',
          '1wxid',
          '6222021234560000',
        ),
      ),
    },
  },
  { service: 'payouts', method: 'GET', path: '/stores/:id/payout-account' },
  { service: 'payouts', method: 'GET', path: '/stores/:id/payouts', query: pageQuery },
  { service: 'payouts', method: 'GET', path: '/payouts/:id/lines' },
  { service: 'payouts', method: 'POST', path: '/payout-runs', idempotent: true },
  { service: 'payouts', method: 'GET', path: '/payout-runs/:id' },
  {
    service: 'payouts',
    method: 'POST',
    path: '/reconciliations',
    takes: 'text/csv',
    query: { from: q(mixed(iso)), to: q(mixed(iso)) },
  },
  {
    service: 'payouts',
    method: 'GET',
    path: '/reconciliations/:id',
    query: { format: q(mixed(fc.constantFrom('json', 'csv', 'xml'))) },
  },
  ...kit('payouts'),
];

const ROUTES = new Map(ENDPOINTS.map((e) => [`${e.service} ${e.method} ${e.path}`, e]));

const statement = fc
  .array(
    fc.tuple(
      idValue,
      fc.oneof(fc.constant('ref'), fc.constantFrom(...strangeStrings.slice(0, 12))),
      fc.oneof(fc.integer(), fc.constantFrom('x', '1.5', '-1')),
      fc.constantFrom('settled', 'failed', 'odd'),
      fc.oneof(iso, fc.constant('yesterday')),
    ),
    { maxLength: 4 },
  )
  .chain((rows) =>
    fc.constantFrom(
      ['payout_id,provider_reference,amount_fen,status,settled_at', ...rows.map((r) => r.map(asText).join(','))].join(
        '\n',
      ),
      rows.map((r) => r.map(asText).join(';')).join('\r\n'),
      '',
      'payout_id\n"unterminated',
    ),
  );

// ---- requests -----------------------------------------------------------------------------------

const tokens = new TokenService(DEV_JWT_SECRET);
const stranger = new TokenService('not-the-platform-secret-but-long-enough-to-sign');
const BUYER = 'buyer-fuzz';
// mostly a valid role's token, so most requests get past authentication to the input checks
const authorization = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 8,
    arbitrary: fc
      .constantFrom('buyer', 'seller', 'seller', 'other-seller', 'ops', 'ops', 'expired', 'stranger')
      .map((who) => {
        if (who === 'buyer') return `Bearer ${tokenFor('buyer', undefined, BUYER)}`;
        if (who === 'seller') return `Bearer ${tokenFor('seller', ids.store)}`;
        if (who === 'other-seller') return `Bearer ${tokenFor('seller', randomUUID())}`;
        if (who === 'ops') return `Bearer ${opsToken()}`;
        if (who === 'expired') return `Bearer ${tokens.sign({ role: 'ops', sub: 'ops-old' }, -60)}`;
        return `Bearer ${stranger.sign({ role: 'ops', sub: 'ops-x' })}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer ',
      'Bearer x.y.z',
      'Basic b3BzOm9wcw==',
      'bearer abc',
      `Bearer ${'a'.repeat(5000)}`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  },
);
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'Application/JSON',
      'application/json;;',
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/merge-patch+json',
      '*/*',
      'garbage',
    ),
  },
);
const idempotencyKey = fc.oneof(
  fc.constant(undefined),
  fc.uuid(),
  fc.constantFrom('', ' ', 'k'.repeat(201), 'with space', 'é-latin1', 'ok-key'),
);
const contentEncoding = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown') },
);
const pathId = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('store', 'product', 'order', 'run', 'reconciliation')
      .map((k) => enc(ids[k as keyof typeof ids])),
  },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(enc) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%00',
      '%FF',
      '%E0%A4%A',
      '%2F',
      '%2e%2e',
      'not-a-uuid',
      '00000000-0000-0000-0000-000000000000',
      'A'.repeat(4000),
      '%20',
      '%0D%0A',
      `${randomUUID()}%00`,
    ),
  },
);

const request: fc.Arbitrary<{
  route: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Body;
}> = fc.oneof(...ENDPOINTS.map((e) => ({ weight: e.kit ? 1 : 4, arbitrary: fc.constant(e) }))).chain((endpoint) =>
  fc
    .record({
      id: pathId,
      query: fc.oneof(
        fc
          .record(endpoint.query ?? {}, { requiredKeys: [] })
          .map((o) => Object.entries(o).map(([k, v]) => `${k}=${enc(v as string)}`)),
        fc.array(
          fc
            .tuple(
              fc.constantFrom(...Object.keys(endpoint.query ?? {}), 'x', '__proto__', 'page[0]', 'a%00'),
              fc.oneof(q(strange).map(enc), fc.constantFrom('%00', '%FF', '%', '')),
            )
            .map(([k, v]) => `${k}=${v}`),
          { maxLength: 4 },
        ),
      ),
      // fetch sends no body with GET
      body:
        endpoint.method === 'GET'
          ? fc.constant(undefined)
          : endpoint.takes === 'text/csv'
            ? fc.oneof(
                statement.map((s) => s as Body),
                bodyFor(endpoint),
              )
            : bodyFor(endpoint),
      authorization,
      contentType: endpoint.takes ? fc.oneof(fc.constant(endpoint.takes), contentType) : contentType,
      idempotencyKey: endpoint.idempotent ? idempotencyKey : fc.constant(undefined),
      contentEncoding,
      signature: endpoint.signed ? fc.constantFrom('right', 'right', 'right', 'wrong', 'none') : fc.constant('none'),
      // a versioned edit: the right version, a stale one, junk, or none
      ifMatch:
        endpoint.method === 'PATCH'
          ? fc.option(fc.constantFrom('"1"', '"1"', '"7"', 'W/"1"', '*', '"abc"', '1'), { nil: undefined })
          : fc.constant(undefined),
    })
    .map(({ id, query, body, authorization, contentType, idempotencyKey, contentEncoding, signature, ifMatch }) => {
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      if (body !== undefined && contentType !== undefined) headers['content-type'] = contentType;
      if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      const gzipped = body instanceof Uint8Array && body[0] === 0x1f && body[1] === 0x8b;
      if (body !== undefined && (contentEncoding !== undefined || gzipped))
        headers['content-encoding'] = contentEncoding ?? 'gzip';
      if (signature !== 'none')
        headers[COURIER_SIGNATURE_HEADER] = `sha256=${createHmac(
          'sha256',
          signature === 'right' ? DEV_COURIER_SECRET : 'wrong',
        )
          .update(body ?? '')
          .digest('hex')}`;
      // the endpoint by name: fast-check prints counterexamples, and an endpoint holds arbitraries
      return {
        route: `${endpoint.service} ${endpoint.method} ${endpoint.path}`,
        path: endpoint.path.replace(':id', id),
        query: query.join('&'),
        headers,
        body,
      };
    }),
);

/** A body in a failure message: its start, its length and a digest (some are megabytes). */
const shown = (body: Body) =>
  body === undefined
    ? '(none)'
    : `${JSON.stringify(typeof body === 'string' ? body.slice(0, 200) : Buffer.from(body.subarray(0, 60)).toString('hex'))} (${body.length}, sha1 ${createHash('sha1').update(body).digest('hex').slice(0, 8)})`;

// ---- the run ------------------------------------------------------------------------------------

describe('fuzzed HTTP input', () => {
  const services = {} as Record<Service, RunningService>;

  beforeAll(async () => {
    // each service in its own namespace: its events reach no other, so only the request can change its database
    [services.catalog, services.fulfillment, services.payouts] = await Promise.all([
      startService('catalog', { namespace: newNamespace() }),
      startService('fulfillment', { namespace: newNamespace() }),
      startService('payouts', { namespace: newNamespace() }),
    ]);
    services.orders = await startService('orders', {
      namespace: newNamespace(),
      env: { CATALOG_URL: services.catalog.url },
    });
    const store = await newStore(services.catalog.url);
    ids.store = store.id;
    ids.product = (await newProduct(services.catalog.url, store.id)).id;
    const checkout = await call('POST', `${services.orders.url}/checkouts`, {
      token: tokenFor('buyer', undefined, BUYER),
      body: {
        lines: [{ productId: ids.product, quantity: 1 }],
        paymentToken: 'tok_ok',
        shippingAddress: demoAddress(),
      },
    });
    ids.order = checkout.body.orders[0].id;
    ids.run = (await call('POST', `${services.payouts.url}/payout-runs`, { token: opsToken() })).body.id;
    const upload = await call('POST', `${services.payouts.url}/reconciliations`, {
      token: opsToken(),
      raw: `payout_id,provider_reference,amount_fen,status,settled_at\n${randomUUID()},r,1,settled,2026-06-01T02:00:00Z`,
      headers: { 'content-type': 'text/csv' },
    });
    ids.reconciliation = upload.body.id;
    expect(Object.values(ids).every(Boolean)).toBe(true);
    await Promise.all(Object.values(services).map(settled));
  });
  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s?.close()));
  });

  /**
   * Waits until a service is done with a request it took: outbox relayed, no job waiting or running
   * (delayed ones are the schedules' next runs), and its database unchanged between two looks.
   */
  async function settled(service: RunningService): Promise<void> {
    const jobs = service.app.get(Jobs);
    let last = await fingerprint(service.dataSource);
    await waitFor(
      async () => {
        const [{ unsent }] = await service.dataSource.query(
          `SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL`,
        );
        const counts = await Promise.all(
          jobs.queueNames().map((name) => jobs.queue(name).getJobCounts('waiting', 'active', 'prioritized')),
        );
        const busy = counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
        const now = await fingerprint(service.dataSource);
        const still = unsent === 0 && busy === 0 && changedTables(last, now).length === 0;
        last = now;
        return still;
      },
      'the service to settle',
      10_000,
      100,
    );
  }

  const tally = { requests: 0, byStatus: {} as Record<string, number> };

  it('never answers 5xx, answers every 4xx as problem+json, and a 4xx changes nothing', async () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 250);
    const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const endpoint = ROUTES.get(r.route)!;
        const service = services[endpoint.service];
        const url = `${service.url}${r.path}${r.query ? `?${r.query}` : ''}`;
        const before = await fingerprint(service.dataSource);
        const res = await fetch(url, { method: endpoint.method, headers: r.headers, body: r.body, redirect: 'manual' });
        const text = await res.text();
        tally.requests++;
        tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
        const what = `${endpoint.method} ${url.slice(0, 300)} ${JSON.stringify(r.headers).slice(0, 300)} body ${shown(r.body)} → ${res.status} ${text.slice(0, 300)}`;
        if (res.status >= 500) throw new Error(`server error: ${what}`);
        if (res.status >= 400) {
          if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? ''))
            throw new Error(`4xx not as problem+json: ${what}`);
          const problem = JSON.parse(text);
          if (problem.status !== res.status || typeof problem.detail !== 'string')
            throw new Error(`4xx without status and detail: ${what}`);
          const changed = changedTables(before, await fingerprint(service.dataSource));
          if (changed.length) throw new Error(`refused, yet changed ${changed.join(', ')}: ${what}`);
        } else if (endpoint.method !== 'GET') {
          await settled(service);
        }
      }),
      { numRuns: runs, seed, endOnFailure: false, interruptAfterTimeLimit: 40_000 },
    );
    // nothing of a "__proto__" or "constructor.prototype" key reached a prototype
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    // the run reached handlers, not only the first refusals
    expect(Object.keys(tally.byStatus)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '415']));
    process.stdout.write(`fuzzed ${tally.requests} requests: ${JSON.stringify(tally.byStatus)}\n`);
  }, 90_000);
});
