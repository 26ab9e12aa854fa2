// After-sales requests on delivered orders: catalog, orders and payouts in-process on the real
// PostgreSQL, Redis and Kafka, orders and catalog on a county clock running an hour a second
// (fulfillment's side is published by hand, as fulfillment would). A fresh order confirms itself
// 0.2 county days (4.8 real seconds) after delivery; a store has 8 county hours (8 real seconds)
// to answer a request.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { deliveryEvents, publish, readTopic } from '../support/kafka';
import { newProduct, newStore, opsToken } from '../support/factories';

const SCALE = 3600;
const FRESH_DAYS = 0.2;
const RESPONSE_HOURS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('after-sales requests before confirmation', () => {
  const namespace = newNamespace();
  const clock = {
    TIME_SCALE: String(SCALE),
    CLOCK_ANCHOR: String(Date.now()),
    RESERVATION_TTL_MINUTES: '1440',
    PAYMENT_CALL_TIMEOUT_MS: '2000',
  };
  let catalog: RunningService;
  let orders: RunningService;
  let payouts: RunningService;
  const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
  const buyer = tokenFor('buyer', undefined, buyerId);

  beforeAll(async () => {
    [catalog, payouts] = await Promise.all([
      startService('catalog', { namespace, env: clock }),
      startService('payouts', { namespace }),
    ]);
    orders = await startService('orders', {
      namespace,
      env: {
        ...clock,
        CATALOG_URL: catalog.url,
        ADMISSION_MAX_BACKLOG_MS: '0', // no fulfillment here: paid orders never get a shipment from it
        AUTO_CONFIRM_DAYS: '1',
        AUTO_CONFIRM_DAYS_BY_CATEGORY: `fresh:${FRESH_DAYS}`,
        AUTO_CONFIRM_SWEEP_SECONDS: '36000',
        AFTER_SALES_RESPONSE_HOURS: String(RESPONSE_HOURS),
        AFTER_SALES_SWEEP_SECONDS: '36000',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const orderOf = async (id: string, token = buyer) =>
    (await call('GET', `${orders.url}/orders/${id}`, { token })).body;
  const statusBecomes = (id: string, status: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const o = await orderOf(id);
        return o.status === status && o;
      },
      `order ${id} to become ${status}`,
      timeoutMs,
      200,
    );
  const open = (orderId: string, body: object, token = buyer) =>
    call('POST', `${orders.url}/orders/${orderId}/after-sales`, { token, body });
  const decide = (requestId: string, decision: string, token: string, body?: object) =>
    call('POST', `${orders.url}/after-sales/${requestId}/${decision}`, { token, body });
  const balanceOf = async (storeId: string) =>
    (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) })).body;
  const refundEvents = async (orderId: string, count: number) => {
    const mine = (ms: KafkaMessage[]) =>
      ms
        .filter((m) => m.key?.toString() === orderId)
        .map((m) => JSON.parse(m.value!.toString()))
        .filter((e) => e.type === 'orders.order-refunded');
    return mine(await readTopic(`${namespace}.orders.events`, (ms) => mine(ms).length >= count));
  };

  /** A paid order of one product, carried to delivered the way fulfillment's events would. */
  async function deliveredOrder(category: 'fresh' | 'ambient', priceFen = 5000) {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { category, priceFen, stock: 5 });
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
    expect(res.status).toBe(201);
    const orderId: string = res.body.orders[0].id;
    await statusBecomes(orderId, 'paid');
    await publish(`${namespace}.fulfillment.events`, deliveryEvents(orderId, store.id));
    const delivered = await statusBecomes(orderId, 'delivered');
    await waitFor(async () => (await balanceOf(store.id)).pendingFen > 0, 'the seller’s share pending');
    return {
      orderId,
      storeId: store.id,
      seller: tokenFor('seller', store.id),
      dueAt: new Date(delivered.autoConfirmation.dueAt),
    };
  }

  it('accepts a refund-only request: part of the money back at once, the seller’s pending share reduced, then the order confirms itself', async () => {
    const { orderId, storeId, seller } = await deliveredOrder('fresh', 5000);
    const opened = await open(orderId, {
      kind: 'refund-only',
      amountFen: 1200,
      reason: 'four of the twelve peaches arrived bruised',
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ orderId, storeId, kind: 'refund-only', amountFen: 1200, status: 'open' });
    expect((await orderOf(orderId)).autoConfirmation.pausedAt).not.toBeNull();
    // the store sees it among her open requests
    const listed = (await call('GET', `${orders.url}/after-sales?storeId=${storeId}`, { token: seller })).body;
    expect(listed.items.map((r: { id: string }) => r.id)).toEqual([opened.body.id]);

    const accepted = await decide(opened.body.id, 'accept', seller);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'refunded', refundedFen: 1200, refundId: expect.any(String) });
    const order = await orderOf(orderId);
    expect(order).toMatchObject({ status: 'delivered', refundedFen: 1200 });
    expect(order.autoConfirmation.pausedAt).toBeNull();
    expect(
      order.afterSales[0].history.map((h: { from: string | null; to: string; causedBy: string }) => [
        h.from,
        h.to,
        h.causedBy.split(':')[0],
      ]),
    ).toEqual([
      [null, 'open', 'buyer'],
      ['open', 'refunded', 'seller'],
    ]);
    // a second click changes nothing
    expect((await decide(opened.body.id, 'accept', seller)).status).toBe(409);
    const [refunded] = await refundEvents(orderId, 1);
    expect(refunded.data).toMatchObject({ amountFen: 1200, full: false });
    // fresh: 5 % commission; 1,140 of the 4,750 share goes back with the 1,200
    await waitFor(async () => (await balanceOf(storeId)).pendingFen === 3610, 'the pending share reduced');

    const completed = await statusBecomes(orderId, 'completed', 30_000);
    expect(completed.history.at(-1)).toMatchObject({ action: 'receipt-confirmed', reason: 'auto-confirmed' });
    await waitFor(async () => (await balanceOf(storeId)).availableFen === 3610, 'the rest available');
    expect(await refundEvents(orderId, 1)).toHaveLength(1);
  });

  it('pauses auto-confirmation while a request is open, and a rejection resumes it with the time it had left', async () => {
    const { orderId, seller, dueAt } = await deliveredOrder('fresh');
    const opened = await open(orderId, { kind: 'refund-only', amountFen: 500, reason: 'one kiwi was soft' });
    const pausedAt = new Date((await orderOf(orderId)).autoConfirmation.pausedAt);
    // past the order's due time: paused, it does not complete, and the buyer cannot confirm over it
    await sleep((dueAt.getTime() - pausedAt.getTime()) / SCALE + 1500);
    expect((await orderOf(orderId)).status).toBe('delivered');
    expect((await call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer })).status).toBe(409);

    expect((await decide(opened.body.id, 'reject', seller)).status).toBe(400); // a rejection needs a reason
    const rejected = await decide(opened.body.id, 'reject', seller, {
      reason: 'the photos show the box was opened after delivery',
    });
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decisionReason: 'the photos show the box was opened after delivery',
      refundedFen: null,
    });
    const resumed = (await orderOf(orderId)).autoConfirmation;
    const rejectedAt = new Date((await orderOf(orderId)).afterSales[0].history.at(-1).at);
    expect(resumed.pausedAt).toBeNull();
    // the time left at the pause is the time left now (to a county minute: the two are read a few real ms apart)
    const leftNow = new Date(resumed.dueAt).getTime() - rejectedAt.getTime();
    expect(Math.abs(leftNow - (dueAt.getTime() - pausedAt.getTime()))).toBeLessThan(60_000);
    const completed = await statusBecomes(orderId, 'completed', 30_000);
    expect(completed.refundedFen).toBe(0);
  });

  it('accepts a request the store does not answer in time, as the big marketplaces do', async () => {
    const { orderId } = await deliveredOrder('ambient', 3000);
    const opened = await open(orderId, {
      kind: 'refund-only',
      amountFen: 3000,
      reason: 'the jar of honey arrived broken',
    });
    expect(new Date(opened.body.respondBy).getTime() - new Date(opened.body.createdAt).getTime()).toBe(
      RESPONSE_HOURS * 3_600_000,
    );
    const refunded = await statusBecomes(orderId, 'refunded', 30_000);
    expect(refunded.refundedFen).toBe(3000);
    expect(refunded.afterSales[0]).toMatchObject({
      status: 'refunded',
      decisionReason: `the store did not answer within ${RESPONSE_HOURS} hours`,
    });
    expect(['after-sales-timeout', 'after-sales-sweep']).toContain(refunded.afterSales[0].history.at(-1).causedBy);
    expect(refunded.history.at(-1)).toMatchObject({
      from: 'delivered',
      to: 'refunded',
      action: 'after-sales-refund-full',
    });
    const [event] = await refundEvents(orderId, 1);
    expect(event.data).toMatchObject({ amountFen: 3000, full: true });
  });

  it('gives the money of a return-and-refund back only when the returned parcel arrives', async () => {
    const { orderId, storeId, seller } = await deliveredOrder('ambient', 8000);
    const opened = await open(orderId, {
      kind: 'return-and-refund',
      amountFen: 8000,
      reason: 'the embroidery is not the pattern I ordered',
    });
    const accepted = await decide(opened.body.id, 'accept', seller);
    expect(accepted.body).toMatchObject({ status: 'awaiting-return', refundId: null });
    expect(await orderOf(orderId)).toMatchObject({ status: 'delivered', refundedFen: 0 });
    // waiting for the parcel is still in progress: no second request, no confirmation
    expect((await open(orderId, { kind: 'refund-only', amountFen: 100, reason: 'and another thing' })).status).toBe(
      409,
    );
    expect((await call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer })).status).toBe(409);

    const back = await decide(opened.body.id, 'return-received', opsToken());
    expect(back.body).toMatchObject({ status: 'refunded', refundedFen: 8000 });
    expect(await orderOf(orderId)).toMatchObject({ status: 'refunded', refundedFen: 8000 });
    // ambient: 8 % commission; the whole pending share goes back
    await waitFor(async () => (await balanceOf(storeId)).pendingFen === 0, 'the pending share reversed');
    const kinds: { kind: string; n: number }[] = await payouts.dataSource.query(
      `SELECT kind, count(*)::int AS n FROM ledger_transactions WHERE order_id = $1 GROUP BY kind ORDER BY kind`,
      [orderId],
    );
    expect(kinds).toEqual([
      { kind: 'order-paid', n: 1 },
      { kind: 'order-refunded', n: 1 },
    ]);
  });

  it('refuses what is not allowed: too much, a second request, another store’s seller, another buyer, an order not delivered', async () => {
    const { orderId, seller } = await deliveredOrder('ambient', 2000);
    const tooMuch = await open(orderId, { kind: 'refund-only', amountFen: 2001, reason: 'everything and more' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ refundableFen: 2000 });
    expect((await open(orderId, { kind: 'exchange', amountFen: 100, reason: 'x' })).status).toBe(400);
    expect((await open(orderId, { kind: 'refund-only', amountFen: 0, reason: 'x' })).status).toBe(400);
    expect(
      (
        await open(
          orderId,
          { kind: 'refund-only', amountFen: 100, reason: 'x' },
          tokenFor('buyer', undefined, 'someone-else'),
        )
      ).status,
    ).toBe(404);
    const first = await open(orderId, { kind: 'refund-only', amountFen: 100, reason: 'a torn label' });
    expect(first.status).toBe(201);
    const second = await open(orderId, { kind: 'refund-only', amountFen: 100, reason: 'a torn label, again' });
    expect(second.status).toBe(409);
    expect(second.body.requestId).toBe(first.body.id);
    expect((await decide(first.body.id, 'accept', tokenFor('seller', randomUUID()))).status).toBe(403);
    expect((await decide(first.body.id, 'accept', buyer)).status).toBe(403);
    expect((await call('GET', `${orders.url}/after-sales?storeId=${randomUUID()}`, { token: seller })).status).toBe(
      403,
    );
    expect((await decide(first.body.id, 'return-received', seller)).status).toBe(409); // not a return

    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 2 });
    const paid = (
      await call('POST', `${orders.url}/checkouts`, {
        token: buyer,
        body: {
          lines: [{ productId: product.id, quantity: 1 }],
          paymentToken: 'tok_ok',
          shippingAddress: demoAddress(),
        },
      })
    ).body.orders[0].id;
    await statusBecomes(paid, 'paid');
    expect((await open(paid, { kind: 'refund-only', amountFen: 100, reason: 'not here yet' })).status).toBe(409);
  });
});
