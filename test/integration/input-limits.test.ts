// Bad HTTP input, one rule at a time, against the real services: each answers a clear 4xx
// problem+json and leaves every table of the service's database as it was.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MAX_JSON_DEPTH } from '@cc/platform';
import { DEV_COURIER_SECRET } from '../../apps/fulfillment/src/config';
import { COURIER_SIGNATURE_HEADER, signCourierPayload } from '../../apps/fulfillment/src/domain/courier-signature';
import { changedTables, fingerprint } from '../support/db-snapshot';
import { newProduct, newStore, opsToken } from '../support/factories';
import { newNamespace, RunningService, startService } from '../support/harness';
import { call, Reply, tokenFor, waitFor } from '../support/http';
import { startOps } from '../support/ops';

describe('input limits', () => {
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  let payouts: RunningService;
  let ops: Awaited<ReturnType<typeof startOps>>;
  let store: { id: string };
  const buyer = tokenFor('buyer');

  beforeAll(async () => {
    // each in its own namespace: no events reach another, so only the request can change a database
    [catalog, fulfillment, payouts] = await Promise.all([
      startService('catalog', { namespace: newNamespace() }),
      startService('fulfillment', { namespace: newNamespace() }),
      startService('payouts', { namespace: newNamespace() }),
    ]);
    orders = await startService('orders', { namespace: newNamespace(), env: { CATALOG_URL: catalog.url } });
    ops = await startOps(newNamespace());
    store = await newStore(catalog.url);
    await newProduct(catalog.url, store.id);
    await relayed(catalog);
  });
  afterAll(async () => {
    await Promise.all([catalog?.close(), orders?.close(), fulfillment?.close(), payouts?.close(), ops?.close()]);
  });

  /** After a request that was taken: its events have left the outbox, so the relay changes nothing later. */
  const relayed = (service: RunningService) =>
    waitFor(
      async () =>
        (await service.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`))[0].n === 0,
      `${service.config.NAMESPACE}: outbox relayed`,
    );

  /** Sends the request and checks the answer is `status` as problem+json, with the service's database unchanged. */
  async function refused(
    service: { url: string; dataSource?: DataSource },
    status: number,
    send: (url: string) => Promise<Reply>,
  ): Promise<Reply> {
    const before = service.dataSource && (await fingerprint(service.dataSource));
    const reply = await send(service.url);
    expect({ status: reply.status, body: reply.body }).toMatchObject({
      status,
      body: { status, detail: expect.any(String) },
    });
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (service.dataSource) expect(changedTables(before!, await fingerprint(service.dataSource))).toEqual([]); // the console has no database
    return reply;
  }

  const storeBody = (name: string) => ({ name, township: 'louguan' });

  it('answers 413 for a body over HTTP_BODY_LIMIT_BYTES (1 MiB), and keeps the statement upload’s own larger limit', async () => {
    const reply = await refused(catalog, 413, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), body: storeBody('x'.repeat(2 * 1024 * 1024)) }),
    );
    expect(reply.body.detail).toBe('the request body is larger than 1048576 bytes');
    await refused(orders, 413, (url) =>
      call('POST', `${url}/checkouts`, { token: buyer, raw: `{"lines":[],"paymentToken":"${'y'.repeat(1_100_000)}"}` }),
    );
    // a URL over Node's 16 KB of request head never reaches the app, and is answered as a problem too
    await refused(catalog, 431, (url) => call('GET', `${url}/products?category=${'x'.repeat(20_000)}`));
    await refused(ops, 413, (url) =>
      call('POST', `${url}/login`, {
        raw: `token=${'z'.repeat(1_100_000)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );

    // 2 MB of statement is read (it is refused for what it says, not for its size)
    const statement = `payout_id,provider_reference,amount_fen,status,settled_at\n${`${randomUUID()},r,1,nonsense,2026-06-01T02:00:00Z\n`.repeat(30_000)}`;
    expect(statement.length).toBeGreaterThan(2_000_000);
    const upload = await refused(payouts, 400, (url) =>
      call('POST', `${url}/reconciliations`, {
        token: opsToken(),
        raw: statement,
        headers: { 'content-type': 'text/csv' },
      }),
    );
    expect(upload.body.detail).toMatch(/line 2/);
  });

  it(`answers 400 for JSON nested deeper than ${MAX_JSON_DEPTH}, before validation walks it`, async () => {
    const nested = (depth: number) =>
      `{"name":"a","township":"b","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const deep = await refused(catalog, 400, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), raw: nested(10_000) }),
    );
    expect(deep.body.detail).toBe(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    await refused(catalog, 400, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), raw: nested(MAX_JSON_DEPTH + 1) }),
    );
    // at the bound it is read, and refused for its unknown field
    const atBound = await refused(catalog, 400, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), raw: nested(MAX_JSON_DEPTH) }),
    );
    expect(atBound.body.errors).toEqual([{ field: 'x', messages: ['property x should not exist'] }]);
    // brackets inside strings are text, not depth
    const created = await call('POST', `${catalog.url}/stores`, {
      token: opsToken(),
      body: storeBody(`[{${'['.repeat(100)}`),
    });
    expect(created.status).toBe(201);
    await relayed(catalog);
    // an unauthenticated deep body is refused as deep without touching anything either
    await refused(orders, 400, (url) => call('POST', `${url}/checkouts`, { raw: `{"lines":${'['.repeat(5000)}` }));
  });

  it('answers 400 naming the field for NUL and other control characters in the body, the query and the path', async () => {
    const nul = await refused(catalog, 400, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), body: storeBody('a\u0000b') }),
    );
    expect(nul.body.errors).toEqual([
      { field: 'name', messages: ['name must not contain control characters (U+0000 at character 2)'] },
    ]);
    expect(nul.body.detail).toBe('request is invalid: name');

    const nested = await refused(orders, 400, (url) =>
      call('POST', `${url}/checkouts`, {
        token: buyer,
        body: {
          lines: [
            { productId: randomUUID(), quantity: 1 },
            { productId: `\u001b${randomUUID()}`, quantity: 1 },
          ],
          paymentToken: 'tok_ok',
        },
      }),
    );
    expect(nested.body.errors.map((e: { field: string }) => e.field)).toEqual(['lines.1.productId']);
    const key = await refused(catalog, 400, (url) =>
      call('POST', `${url}/stores`, { token: opsToken(), body: { ...storeBody('a'), 'b\u007f': 1 } }),
    );
    expect(key.body.errors.map((e: { field: string }) => e.field)).toEqual(['bU+007F']);

    const query = await refused(fulfillment, 400, (url) =>
      call('GET', `${url}/pickup-slots?township=lou%0cguan&date=2026-11-29`, { token: opsToken() }),
    );
    expect(query.body.errors.map((e: { field: string }) => e.field)).toEqual(['township']);
    const path = await refused(catalog, 400, (url) => call('GET', `${url}/stores/${randomUUID()}%00`));
    expect(path.body.errors.map((e: { field: string }) => e.field)).toEqual(['id']);
    const opsPath = await refused(ops, 400, (url) =>
      call('POST', `${url}/api/queues/a%00b/pause`, { token: opsToken() }),
    );
    expect(opsPath.body.errors.map((e: { field: string }) => e.field)).toEqual(['queue']);

    const statement = await refused(payouts, 400, (url) =>
      call('POST', `${url}/reconciliations`, {
        token: opsToken(),
        raw: `payout_id,provider_reference,amount_fen,status,settled_at\n${randomUUID()},r\u0000,1,settled,2026-06-01T02:00:00Z`,
        headers: { 'content-type': 'text/csv' },
      }),
    );
    expect(statement.body.errors[0].messages[0]).toMatch(/U\+0000 at line 2/);

    // tab, line feed and carriage return stay allowed in free text
    const tabbed = await call('POST', `${catalog.url}/stores`, {
      token: opsToken(),
      body: storeBody('Auntie Li\t(orchard)\r\nby the river'),
    });
    expect(tabbed.status).toBe(201);
    await relayed(catalog);
  });

  it('answers 415 for a body that is not JSON on a route that takes JSON, and keeps text/csv and the console’s form', async () => {
    const plain = await refused(catalog, 415, (url) =>
      call('POST', `${url}/stores`, {
        token: opsToken(),
        raw: 'name=a&township=b',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expect(plain.body.detail).toBe('send the request body as application/json, not text/plain');
    await refused(orders, 415, (url) =>
      call('POST', `${url}/checkouts`, {
        token: buyer,
        raw: 'lines=1&paymentToken=tok_ok',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    await refused(orders, 415, (url) =>
      fetch(`${url}/checkouts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${buyer}` },
        body: new Uint8Array([123, 125]),
      }).then(asReply),
    );
    const event = JSON.stringify({
      eventId: randomUUID(),
      type: 'picked-up',
      shipmentId: randomUUID(),
      courierRef: 'sf-1',
      at: new Date().toISOString(),
    });
    await refused(fulfillment, 415, (url) =>
      call('POST', `${url}/courier/webhook`, {
        raw: event,
        headers: {
          'content-type': 'text/plain',
          [COURIER_SIGNATURE_HEADER]: signCourierPayload(event, DEV_COURIER_SECRET),
        },
      }),
    );
    await refused(payouts, 415, (url) =>
      call('POST', `${url}/reconciliations`, {
        token: opsToken(),
        raw: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    await refused(payouts, 415, (url) =>
      call('POST', `${url}/payout-runs`, { token: opsToken(), raw: 'go', headers: { 'content-type': 'text/plain' } }),
    );

    // what each route does take still goes through
    const courier = await call('POST', `${fulfillment.url}/courier/webhook`, {
      raw: event,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        [COURIER_SIGNATURE_HEADER]: signCourierPayload(event, DEV_COURIER_SECRET),
      },
    });
    expect(courier.status).toBe(404); // signed and read: the shipment is not known
    const login = await fetch(`${ops.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(opsToken())}`,
    });
    expect(login.status).toBe(303);
    // a POST without a body needs no Content-Type
    expect((await call('POST', `${payouts.url}/payout-runs`, { token: tokenFor('seller', randomUUID()) })).status).toBe(
      403,
    );
  });

  it('answers 404 on the console for a topic that is not one of its dead-letter topics, or a queue it does not know', async () => {
    for (const path of [
      '/api/dead-letters/nonexistent.dlq/redrive-all',
      `/api/dead-letters/${encodeURIComponent('not a topic!')}/redrive-all`,
      '/api/queues/nope/pause',
      '/api/queues/nope/jobs/1/retry',
    ]) {
      await refused(ops, 404, (url) => call('POST', `${url}${path}`, { token: opsToken() }));
    }
    await refused(ops, 404, (url) =>
      call('POST', `${url}/api/dead-letters/orders.events/redrive`, {
        token: opsToken(),
        body: { partition: 0, offset: '0' },
      }),
    );
    await refused(ops, 400, (url) =>
      call('POST', `${url}/api/dead-letters/x.dlq/redrive`, {
        token: opsToken(),
        body: { partition: -1, offset: '1e3' },
      }),
    );
  });

  it('answers 400 with a plain message for malformed JSON', async () => {
    for (const raw of [
      '{"name": "a", ',
      '{"name": "a"}}',
      "{'name': 'a'}",
      '"just a string"',
      '42',
      'null',
      '\u0000',
    ]) {
      const reply = await refused(catalog, 400, (url) => call('POST', `${url}/stores`, { token: opsToken(), raw }));
      expect(reply.body.detail).toBe('the request body is not valid JSON (a JSON object or array is expected)');
      expect(Object.keys(reply.body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
    }
  });

  it('names only the rules a value broke', async () => {
    const empty = await refused(orders, 400, (url) => call('POST', `${url}/checkouts`, { token: buyer, body: {} }));
    expect(empty.body.errors).toEqual([
      { field: 'lines', messages: ['lines is required'] },
      { field: 'paymentToken', messages: ['paymentToken is required'] },
      { field: 'shippingAddress', messages: ['shippingAddress is required'] },
    ]);
    expect(empty.body.detail).toBe('request is invalid: lines, paymentToken, shippingAddress');
    expect(JSON.stringify(empty.body)).not.toMatch(/no more than 100/);

    const wrongKinds = await refused(orders, 400, (url) =>
      call('POST', `${url}/checkouts`, {
        token: buyer,
        body: { lines: 'two kiwis', paymentToken: 7, shippingAddress: demoAddress() },
      }),
    );
    expect(wrongKinds.body.errors).toEqual([
      { field: 'lines', messages: ['lines must be an array'] },
      { field: 'paymentToken', messages: ['paymentToken must be a string'] },
    ]);
    const bounds = await refused(orders, 400, (url) =>
      call('POST', `${url}/checkouts`, {
        token: buyer,
        body: {
          lines: [{ productId: randomUUID(), quantity: 0 }, { quantity: 1.5 }],
          paymentToken: 'tok_ok',
          shippingAddress: demoAddress(),
        },
      }),
    );
    expect(bounds.body.errors).toEqual([
      { field: 'lines.0.quantity', messages: ['quantity must not be less than 1'] },
      { field: 'lines.1.productId', messages: ['lines.1.productId is required'] },
      { field: 'lines.1.quantity', messages: ['quantity must be an integer number'] },
    ]);
    const query = await refused(catalog, 400, (url) => call('GET', `${url}/products?pageSize=many`));
    expect(query.body.errors).toEqual([{ field: 'pageSize', messages: ['pageSize must be an integer number'] }]);
  });
});

async function asReply(res: Response): Promise<Reply> {
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}
