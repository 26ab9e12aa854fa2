// Orders with catalog, both in-process on the real PostgreSQL, Redis and Kafka: checkout split
// per store, idempotency, payment outcomes, access rules and the transition table over HTTP.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { deliveryEvents, envelope, publish, readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';
import { ORDER_TRANSITIONS } from '../../apps/orders/src/domain/order-states';

describe('orders service', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;
  const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
  const buyer = tokenFor('buyer', undefined, buyerId);

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
    // no fulfillment runs here, so paid orders never get a shipment: admission control would read
    // that as fulfillment falling behind and refuse checkouts (test/integration/checkout-admission.test.ts)
    orders = await startService('orders', {
      namespace,
      env: {
        CATALOG_URL: catalog.url,
        PAYMENT_TIMEOUT_SECONDS: '2',
        PAYMENT_CALL_TIMEOUT_MS: '300',
        ADMISSION_MAX_BACKLOG_MS: '0',
      },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  const checkout = (
    lines: { productId: string; quantity: number }[],
    paymentToken = 'tok_ok',
    headers: Record<string, string> = {},
    token = buyer,
  ) =>
    call('POST', `${orders.url}/checkouts`, {
      token,
      body: { lines, paymentToken, shippingAddress: demoAddress() },
      headers,
    });
  const orderOf = async (id: string, token = buyer) =>
    (await call('GET', `${orders.url}/orders/${id}`, { token })).body;
  const statusBecomes = (id: string, status: string) =>
    waitFor(async () => (await orderOf(id)).status === status && orderOf(id), `order ${id} to become ${status}`);
  const stockOf = async (productId: string) => (await call('GET', `${catalog.url}/products/${productId}`)).body.stock;
  /** The event types published for one order on a topic, once `last` has appeared. */
  const eventsOf = async (topic: 'orders' | 'catalog', orderId: string, last: string) => {
    const mine = (ms: KafkaMessage[]) => ms.filter((m) => m.key?.toString() === orderId);
    return typesOf(mine(await readTopic(`${namespace}.${topic}.events`, (ms) => typesOf(mine(ms)).includes(last))));
  };

  it('carries a paid checkout to paid, with the stock sold and the events out', async () => {
    const store = await newStore(catalog.url);
    const kiwi = await newProduct(catalog.url, store.id, { priceFen: 6800, stock: 10 });
    const res = await checkout([{ productId: kiwi.id, quantity: 2 }]);
    expect(res.status).toBe(201);
    expect(res.body.orders).toHaveLength(1);
    expect(res.body.totalFen).toBe(13600);
    const orderId = res.body.orders[0].id;
    const paid = await statusBecomes(orderId, 'paid');
    expect(paid.history.map((h: { to: string }) => h.to)).toEqual(['pending_stock', 'awaiting_payment', 'paid']);
    expect(paid.lines[0]).toMatchObject({ productId: kiwi.id, quantity: 2, unitPriceFen: 6800 });
    await waitFor(async () => (await stockOf(kiwi.id)).onHand === 8, 'stock sold');
    expect(await stockOf(kiwi.id)).toEqual({ onHand: 8, reserved: 0, available: 8 });
    const events = await readTopic(`${namespace}.orders.events`, (ms) =>
      typesOf(ms.filter((m) => m.key?.toString() === orderId)).includes('orders.order-paid'),
    );
    expect(typesOf(events.filter((m) => m.key?.toString() === orderId))).toEqual([
      'orders.order-placed',
      'orders.order-paid',
    ]);
  });

  it('splits a checkout into one order per store', async () => {
    const [a, b] = [await newStore(catalog.url), await newStore(catalog.url)];
    const [pa, pb] = [
      await newProduct(catalog.url, a.id, { priceFen: 100 }),
      await newProduct(catalog.url, b.id, { priceFen: 250, category: 'handicraft' }),
    ];
    const res = await checkout([
      { productId: pa.id, quantity: 1 },
      { productId: pb.id, quantity: 2 },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.orders.map((o: { storeId: string; totalFen: number }) => [o.storeId, o.totalFen]).sort()).toEqual(
      [
        [a.id, 100],
        [b.id, 500],
      ].sort(),
    );
    for (const o of res.body.orders) await statusBecomes(o.id, 'paid');
  });

  it('answers a repeated Idempotency-Key with the same checkout, also when the requests race', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 50 });
    const key = randomUUID();
    const lines = [{ productId: p.id, quantity: 1 }];
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => checkout(lines, 'tok_ok', { 'Idempotency-Key': key })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.checkoutId)).size).toBe(1);
    const [{ n }] = await orders.dataSource.query('SELECT count(*)::int AS n FROM orders WHERE checkout_id = $1', [
      answers[0].body.checkoutId,
    ]);
    expect(n).toBe(1);
    const other = await checkout([{ productId: p.id, quantity: 2 }], 'tok_ok', { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.body.detail).toMatch(/different request body/);
  });

  it('cancels a declined payment and gives the stock back', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 3 });
    const res = await checkout([{ productId: p.id, quantity: 3 }], 'tok_declined');
    const cancelled = await statusBecomes(res.body.orders[0].id, 'cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'payment-declined' });
    await waitFor(async () => (await stockOf(p.id)).reserved === 0, 'stock released');
    expect((await stockOf(p.id)).available).toBe(3);
    expect(await eventsOf('orders', cancelled.id, 'orders.order-cancelled')).toEqual([
      'orders.order-placed',
      'orders.order-cancelled',
    ]);
    expect(await eventsOf('catalog', cancelled.id, 'catalog.stock-released')).toEqual([
      'catalog.stock-reserved',
      'catalog.stock-released',
    ]);
  });

  it('cancels a payment that never answers once the timeout passes', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 2 });
    const res = await checkout([{ productId: p.id, quantity: 1 }], 'tok_timeout');
    const cancelled = await statusBecomes(res.body.orders[0].id, 'cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'payment-timeout' });
    await waitFor(async () => (await stockOf(p.id)).reserved === 0, 'stock released');
    expect(await eventsOf('orders', cancelled.id, 'orders.order-cancelled')).toEqual([
      'orders.order-placed',
      'orders.order-cancelled',
    ]);
    expect(await eventsOf('catalog', cancelled.id, 'catalog.stock-released')).toEqual([
      'catalog.stock-reserved',
      'catalog.stock-released',
    ]);
  });

  it('cancels when stock runs out', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 1 });
    const res = await checkout([{ productId: p.id, quantity: 2 }]);
    const cancelled = await statusBecomes(res.body.orders[0].id, 'cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'stock-rejected', reason: 'insufficient-stock' });
    expect(await eventsOf('catalog', cancelled.id, 'catalog.stock-rejected')).toEqual(['catalog.stock-rejected']);
    expect(await eventsOf('orders', cancelled.id, 'orders.order-cancelled')).toEqual([
      'orders.order-placed',
      'orders.order-cancelled',
    ]);
  });

  it('refuses bad input, unknown products, strangers and illegal moves without changing anything', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id);
    expect((await checkout([{ productId: 'nope', quantity: 0 }])).status).toBe(400);
    const unknown = await checkout([{ productId: randomUUID(), quantity: 1 }]);
    expect(unknown.status).toBe(422);
    expect(
      (await checkout([{ productId: p.id, quantity: 1 }], 'tok_ok', {}, tokenFor('seller', store.id))).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `${orders.url}/checkouts`, {
          body: { lines: [], paymentToken: 'x', shippingAddress: demoAddress() },
        })
      ).status,
    ).toBe(401);

    const res = await checkout([{ productId: p.id, quantity: 1 }]);
    const orderId = res.body.orders[0].id;
    await statusBecomes(orderId, 'paid');
    expect((await call('GET', `${orders.url}/orders/${orderId}`, { token: tokenFor('buyer') })).status).toBe(404);
    expect(
      (await call('GET', `${orders.url}/orders/${orderId}`, { token: tokenFor('seller', randomUUID()) })).status,
    ).toBe(404);
    expect((await call('GET', `${orders.url}/orders/${orderId}`, { token: tokenFor('seller', store.id) })).status).toBe(
      200,
    );
    const listed = await call('GET', `${orders.url}/orders?storeId=${store.id}`, {
      token: tokenFor('seller', store.id),
    });
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([orderId]);
    expect(
      (await call('GET', `${orders.url}/orders?storeId=${randomUUID()}`, { token: tokenFor('seller', store.id) }))
        .status,
    ).toBe(403);

    const early = await call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer });
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await orderOf(orderId)).status).toBe('paid');
  });

  it('refunds in full when a paid order is cancelled', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { priceFen: 990 });
    const res = await checkout([{ productId: p.id, quantity: 1 }]);
    const orderId = res.body.orders[0].id;
    await statusBecomes(orderId, 'paid');
    const cancelled = await call('POST', `${orders.url}/orders/${orderId}/cancel`, { token: buyer, body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refundedFen: 990 });
    const events = await readTopic(`${namespace}.orders.events`, (ms) =>
      typesOf(ms.filter((m) => m.key?.toString() === orderId)).includes('orders.order-refunded'),
    );
    expect(typesOf(events.filter((m) => m.key?.toString() === orderId))).toEqual([
      'orders.order-placed',
      'orders.order-paid',
      'orders.order-cancelled',
      'orders.order-refunded',
    ]);
    await waitFor(async () => {
      const [row] = await orders.dataSource.query(
        `SELECT status FROM payments WHERE order_id = $1 AND kind = 'refund'`,
        [orderId],
      );
      return row?.status === 'succeeded';
    }, 'refund paid back');
  });

  it('refunds a completed order in parts, never more than was paid, once per Idempotency-Key', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { priceFen: 5000 });
    const res = await checkout([{ productId: p.id, quantity: 2 }]);
    const orderId = res.body.orders[0].id;
    await statusBecomes(orderId, 'paid');
    // fulfillment's side of the story, as it would publish it
    await publish(`${namespace}.fulfillment.events`, deliveryEvents(orderId, store.id));
    await statusBecomes(orderId, 'delivered');
    expect((await call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer })).body.status).toBe(
      'completed',
    );

    const seller = tokenFor('seller', store.id);
    const refund = (amountFen: number, key?: string, token = seller) =>
      call('POST', `${orders.url}/orders/${orderId}/refunds`, {
        token,
        body: { amountFen, reason: 'bruised fruit' },
        headers: key ? { 'Idempotency-Key': key } : {},
      });
    expect((await refund(100, undefined, buyer)).status).toBe(403);
    expect((await refund(100, undefined, tokenFor('seller', randomUUID()))).status).toBe(403);
    const first = await refund(3000, 'r-1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amountFen: 3000, refundedFen: 3000, status: 'completed' });
    expect((await refund(3000, 'r-1')).status).toBe(200); // a double click
    const tooMuch = await refund(7001);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.refundableFen).toBe(7000);
    const rest = await refund(7000);
    expect(rest.body).toMatchObject({ refundedFen: 10000, status: 'refunded' });
    expect((await refund(1)).status).toBe(422);
    const events = await readTopic(
      `${namespace}.orders.events`,
      (ms) =>
        typesOf(ms.filter((m) => m.key?.toString() === orderId)).filter((t) => t === 'orders.order-refunded').length ===
        2,
    );
    const refunds = events
      .filter((m) => m.key?.toString() === orderId)
      .map((m) => JSON.parse(m.value!.toString()))
      .filter((e) => e.type === 'orders.order-refunded');
    expect(refunds.map((e) => [e.data.amountFen, e.data.full])).toEqual([
      [3000, false],
      [7000, true],
    ]);
  });

  it('takes a run of stock-reserved events in one go: each order moves once, repeats and strangers change nothing', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 900, stock: 20 });
    // three orders reach awaiting_payment (and pay) the ordinary way
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await checkout([{ productId: product.id, quantity: 1 }])).body.orders[0].id);
    for (const id of ids) await statusBecomes(id, 'paid');
    // then a burst in one partition batch: the same reservations again (new event ids), and one for an order nobody placed
    const stranger = randomUUID();
    const again = [...ids, stranger].map((orderId) =>
      envelope('catalog.stock-reserved', {
        orderId,
        storeId: store.id,
        lines: [{ productId: product.id, quantity: 1 }],
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    await publish(
      `${namespace}.catalog.events`,
      again.map((e) => ({ key: e.data.orderId, value: e })),
    );
    // handled: every one of them is in the orders consumer's inbox
    await waitFor(
      async () =>
        (
          await orders.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE event_id = ANY($1::uuid[])`, [
            again.map((e) => e.id),
          ])
        )[0].n === again.length,
      'the burst to be handled',
    );
    for (const id of ids) {
      const order = await orderOf(id);
      expect(order.status).toBe('paid');
      expect(order.history.map((h: { to: string }) => h.to)).toEqual(['pending_stock', 'awaiting_payment', 'paid']);
    }
    const [{ n }] = await orders.dataSource.query(`SELECT count(*)::int AS n FROM orders WHERE id = $1`, [stranger]);
    expect(n).toBe(0);
    const [{ captures }] = await orders.dataSource.query(
      `SELECT count(*)::int AS captures FROM payments WHERE order_id = ANY($1::uuid[]) AND kind = 'capture'`,
      [ids],
    );
    expect(captures).toBe(3);
  });

  it('recorded only transitions from the table, for every order the tests above made', async () => {
    const rows: { from_status: string | null; to_status: string; action: string }[] = await orders.dataSource.query(
      'SELECT from_status, to_status, action FROM order_history',
    );
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      if (row.from_status === null) {
        expect(row).toMatchObject({ action: 'checkout', to_status: 'pending_stock' });
        continue;
      }
      const rule = ORDER_TRANSITIONS[row.action as keyof typeof ORDER_TRANSITIONS];
      expect(rule).toBeDefined();
      expect(rule.from as readonly string[]).toContain(row.from_status);
      expect(row.to_status).toBe(rule.to);
    }
  });
});
