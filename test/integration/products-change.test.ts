// A seller runs her store: products that change and stores ops can suspend. Catalog, orders and
// payouts in-process on the real PostgreSQL, Redis and Kafka; orders caches product reads for a
// long time here, so only product-changed can make a new price reach checkout in time.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { readTopic } from '../support/kafka';
import { newProduct, newStore, opsToken } from '../support/factories';
import { givePayoutAccount, sellCompleted } from '../support/payouts';

describe('products and stores that change', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;
  let payouts: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);
  const ops = opsToken();

  beforeAll(async () => {
    [catalog, payouts] = await Promise.all([
      startService('catalog', { namespace }),
      startService('payouts', {
        namespace,
        env: { PAYOUT_ACCOUNT_HOLD_HOURS: '0', SIMULATED_PAYOUT_SETTLE_SECONDS: '0' },
      }),
    ]);
    orders = await startService('orders', {
      namespace,
      env: {
        CATALOG_URL: catalog.url,
        CATALOG_CACHE_MS: '300000',
        RESERVATION_TTL_MINUTES: '1440',
        PAYMENT_CALL_TIMEOUT_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const product = (id: string, token?: string) => call('GET', `${catalog.url}/products/${id}`, { token });
  const edit = (id: string, body: object, token: string, ifMatch?: string) =>
    call('PATCH', `${catalog.url}/products/${id}`, { token, body, headers: ifMatch ? { 'If-Match': ifMatch } : {} });
  const checkout = (productId: string) =>
    call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
  const changedEvents = async (productId: string, count: number) => {
    const mine = (ms: KafkaMessage[]) =>
      ms
        .map((m) => JSON.parse(m.value!.toString()))
        .filter((e) => e.type === 'catalog.product-changed' && e.data.productId === productId);
    return mine(await readTopic(`${namespace}.catalog.events`, (ms) => mine(ms).length >= count));
  };

  it('edits a product on the version it was read at: stale 412, missing 428, another seller 403, and keeps who changed what', async () => {
    const store = await newStore(catalog.url);
    const seller = tokenFor('seller', store.id);
    const peaches = await newProduct(catalog.url, store.id, { name: 'Honey peaches, 3 kg', priceFen: 6800 });
    const read = await product(peaches.id);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toMatchObject({ version: 1, archived: false, storeStatus: 'active' });

    expect((await edit(peaches.id, { priceFen: 5800 }, seller)).status).toBe(428);
    expect((await edit(peaches.id, { priceFen: 5800 }, tokenFor('seller', randomUUID()), '"1"')).status).toBe(403);
    expect((await edit(peaches.id, {}, seller, '"1"')).status).toBe(400);
    expect((await edit(peaches.id, { priceFen: -1 }, seller, '"1"')).status).toBe(400);
    const edited = await edit(
      peaches.id,
      { priceFen: 5800, description: 'picked this morning', shelfLifeHours: 96 },
      seller,
      '"1"',
    );
    expect(edited.status).toBe(200);
    expect(edited.headers.get('etag')).toBe('"2"');
    expect(edited.body).toMatchObject({
      version: 2,
      priceFen: 5800,
      description: 'picked this morning',
      shelfLifeHours: 96,
    });
    // someone still on version 1 changes nothing
    const stale = await edit(peaches.id, { priceFen: 9900 }, ops, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ version: 2 });
    expect((await product(peaches.id)).body.priceFen).toBe(5800);

    const history = (await call('GET', `${catalog.url}/products/${peaches.id}/changes`, { token: seller })).body;
    expect(history.items).toEqual([
      {
        version: 2,
        by: expect.stringMatching(/^seller:/),
        at: expect.any(String),
        changes: {
          priceFen: { from: 6800, to: 5800 },
          description: { from: null, to: 'picked this morning' },
          shelfLifeHours: { from: null, to: 96 },
        },
      },
    ]);
    expect(
      (await call('GET', `${catalog.url}/products/${peaches.id}/changes`, { token: tokenFor('seller', randomUUID()) }))
        .status,
    ).toBe(403);

    // one event per change, with what changed and the new version
    const events = await changedEvents(peaches.id, 2);
    expect(events.map((e) => [e.data.version, e.data.changed])).toEqual([
      [1, ['created']],
      [2, ['description', 'priceFen', 'shelfLifeHours']],
    ]);
  });

  it('charges the new price from the next checkout after product-changed, while orders placed before keep theirs', async () => {
    const store = await newStore(catalog.url);
    const seller = tokenFor('seller', store.id);
    const kiwi = await newProduct(catalog.url, store.id, { priceFen: 6800, stock: 20 });
    const before = await checkout(kiwi.id);
    expect(before.body.totalFen).toBe(6800); // read from catalog, now in orders' cache for five minutes
    expect((await edit(kiwi.id, { priceFen: 7200 }, seller, '"1"')).status).toBe(200);
    const after = await waitFor(async () => {
      const res = await checkout(kiwi.id);
      return res.body.totalFen === 7200 && res;
    }, 'a checkout at the new price');
    expect(after.status).toBe(201);
    const earlier = (await call('GET', `${orders.url}/orders/${before.body.orders[0].id}`, { token: buyer })).body;
    expect(earlier.lines[0].unitPriceFen).toBe(6800);
  });

  it('takes an archived product off sale: hidden from the public, refused at checkout, back on sale when unarchived', async () => {
    const store = await newStore(catalog.url);
    const seller = tokenFor('seller', store.id);
    const honey = await newProduct(catalog.url, store.id, {
      name: 'Wild honey, 500 g',
      category: 'ambient',
      priceFen: 4500,
    });
    await checkout(honey.id); // cached in orders
    const archived = await call('POST', `${catalog.url}/products/${honey.id}/archive`, { token: seller });
    expect(archived.body).toMatchObject({ archived: true, version: 2 });
    const listed = async (query: string, token?: string) =>
      (await call('GET', `${catalog.url}/products?storeId=${store.id}${query}`, { token })).body.items?.map(
        (p: { id: string }) => p.id,
      );
    expect(await listed('')).toEqual([]);
    expect(await listed('&includeArchived=true', seller)).toEqual([honey.id]);
    expect(
      (await call('GET', `${catalog.url}/products?storeId=${store.id}&includeArchived=true`, { token: buyer })).status,
    ).toBe(403);
    const refused = await waitFor(async () => {
      const res = await checkout(honey.id);
      return res.status === 422 && res;
    }, 'checkout refusing the archived honey');
    expect(refused.body.detail).toContain('Wild honey, 500 g');
    expect(refused.body.notForSale).toEqual([{ productId: honey.id, name: 'Wild honey, 500 g', why: 'archived' }]);
    expect((await call('POST', `${catalog.url}/products/${honey.id}/unarchive`, { token: seller })).body).toMatchObject(
      { archived: false, version: 3 },
    );
    await waitFor(async () => (await checkout(honey.id)).status === 201, 'the honey on sale again');
  });

  it('lets ops suspend a store: its products refused at checkout and its payouts held; reinstated, paid at the next run', async () => {
    const store = await newStore(catalog.url);
    const seller = tokenFor('seller', store.id);
    const quilt = await newProduct(catalog.url, store.id, {
      name: 'Patchwork quilt',
      category: 'handicraft',
      priceFen: 48_800,
    });
    // her details: hers to change, the township only ops'
    expect(
      (
        await call('PATCH', `${catalog.url}/stores/${store.id}`, {
          token: seller,
          body: { description: 'quilts from old cloth', contactPhone: '13900001111' },
        })
      ).body,
    ).toMatchObject({ description: 'quilts from old cloth', contactPhone: '13900001111', version: 2 });
    expect(
      (await call('PATCH', `${catalog.url}/stores/${store.id}`, { token: seller, body: { township: 'elsewhere' } }))
        .status,
    ).toBe(403);
    expect(
      (await call('PATCH', `${catalog.url}/stores/${store.id}`, { token: seller, body: { contactPhone: '555-1234' } }))
        .status,
    ).toBe(400);
    expect((await call('GET', `${catalog.url}/stores/${store.id}`)).body).not.toHaveProperty('contactPhone');
    await givePayoutAccount(payouts.url, store.id);
    await sellCompleted(payouts, store.id, 48_800);

    const suspended = await call('POST', `${catalog.url}/stores/${store.id}/suspend`, {
      token: ops,
      body: { reason: 'sold synthetic silk as hand-woven; under review' },
    });
    expect(suspended.body).toMatchObject({ status: 'suspended', version: 3 });
    expect(
      (await call('POST', `${catalog.url}/stores/${store.id}/suspend`, { token: ops, body: { reason: 'again' } }))
        .status,
    ).toBe(409);
    expect(
      (await call('POST', `${catalog.url}/stores/${store.id}/suspend`, { token: seller, body: { reason: 'x' } }))
        .status,
    ).toBe(403);
    const refused = await checkout(quilt.id);
    expect(refused.status).toBe(422);
    expect(refused.body.notForSale).toEqual([{ productId: quilt.id, name: 'Patchwork quilt', why: 'store-suspended' }]);
    const listedByOps = (await call('GET', `${catalog.url}/stores?status=suspended&pageSize=200`, { token: ops })).body;
    expect(listedByOps.items.map((s: { id: string }) => s.id)).toContain(store.id);
    expect((await call('GET', `${catalog.url}/stores`, { token: seller })).status).toBe(403);

    // payouts heard of it (store-changed) and holds her money at the run
    const held = await waitFor(async () => {
      const run = (
        await call('POST', `${payouts.url}/payout-runs`, { token: ops, headers: { 'Idempotency-Key': randomUUID() } })
      ).body;
      const report = (await call('GET', `${payouts.url}/payout-runs/${run.id}`, { token: ops })).body;
      return report.held?.some((h: { storeId: string }) => h.storeId === store.id) && report;
    }, 'the suspended store held at a payout run');
    expect(held.held.find((h: { storeId: string }) => h.storeId === store.id)).toMatchObject({
      reason: 'store-suspended',
    });

    expect((await call('POST', `${catalog.url}/stores/${store.id}/reinstate`, { token: ops })).body).toMatchObject({
      status: 'active',
      suspendedReason: null,
      version: 4,
    });
    await waitFor(async () => (await checkout(quilt.id)).status === 201, 'the quilt for sale again');
    const paid = await waitFor(async () => {
      const run = (
        await call('POST', `${payouts.url}/payout-runs`, { token: ops, headers: { 'Idempotency-Key': randomUUID() } })
      ).body;
      const report = (await call('GET', `${payouts.url}/payout-runs/${run.id}`, { token: ops })).body;
      return report.payouts?.some((p: { storeId: string }) => p.storeId === store.id) && report;
    }, 'the reinstated store paid at the next run');
    expect(paid.held?.some((h: { storeId: string }) => h.storeId === store.id) ?? false).toBe(false);
  });
});
