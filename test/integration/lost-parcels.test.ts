// Parcels the courier loses, crushes or keeps too long: catalog, orders, fulfillment and payouts
// in-process on the real PostgreSQL, Redis and Kafka, on a real-time clock whose next van is hours
// away, so nothing moves but what the test's signed courier webhooks say. Ambient parcels here
// have a delivery window of 3.6 seconds; fresh ones keep their 72 hours.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { type Category, demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { publish, readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';
import { DEV_COURIER_SECRET } from '../../apps/fulfillment/src/config';
import { COURIER_SIGNATURE_HEADER, signCourierPayload } from '../../apps/fulfillment/src/domain/courier-signature';

const AMBIENT_WINDOW_HOURS = 0.001;

describe('lost, damaged and overdue parcels', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  let payouts: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);
  const ops = tokenFor('ops', undefined, 'ops-night-shift');

  beforeAll(async () => {
    [catalog, payouts, fulfillment] = await Promise.all([
      startService('catalog', { namespace, env: { RESERVATION_TTL_MINUTES: '1440' } }),
      startService('payouts', { namespace }),
      // a courier who takes manifests and never comes: pickups, losses and deliveries are the test's webhooks
      startService('fulfillment', {
        namespace,
        env: { SIMULATED_COURIER_PICKUP: 'false', DELIVERY_WINDOW_HOURS: `ambient:${AMBIENT_WINDOW_HOURS}` },
      }),
    ]);
    orders = await startService('orders', {
      namespace,
      env: { CATALOG_URL: catalog.url, PAYMENT_CALL_TIMEOUT_MS: '2000' },
    });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), fulfillment?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const orderOf = async (id: string) => (await call('GET', `${orders.url}/orders/${id}`, { token: buyer })).body;
  const statusBecomes = (id: string, status: string) =>
    waitFor(async () => {
      const o = await orderOf(id);
      return o.status === status && o;
    }, `order ${id} to become ${status}`);
  const shipmentOf = async (orderId: string) =>
    (await call('GET', `${fulfillment.url}/shipments?orderId=${orderId}`, { token: ops })).body.items[0];
  const balanceOf = async (storeId: string) =>
    (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) })).body;
  const atRisk = async () => (await call('GET', `${fulfillment.url}/admin/at-risk`, { token: ops })).body;
  const courier = (type: string, shipmentId: string, eventId = randomUUID()) => {
    const raw = JSON.stringify({
      eventId,
      type,
      shipmentId,
      courierRef: `c-${shipmentId.slice(0, 8)}`,
      at: new Date().toISOString(),
    });
    return call('POST', `${fulfillment.url}/courier/webhook`, {
      raw,
      headers: { [COURIER_SIGNATURE_HEADER]: signCourierPayload(raw, DEV_COURIER_SECRET) },
    });
  };
  const mine = (orderId: string) => (ms: KafkaMessage[]) => ms.filter((m) => m.key?.toString() === orderId);
  const eventsOn = async (topic: string, orderId: string, last: string) =>
    mine(orderId)(await readTopic(`${namespace}.${topic}`, (ms) => typesOf(mine(orderId)(ms)).includes(last))).map(
      (m) => JSON.parse(m.value!.toString()),
    );

  /** A paid order of one product, scheduled for a pickup hours away. */
  async function scheduledOrder(category: Category, priceFen: number) {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { category, priceFen, stock: 5 });
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
    expect(res.status).toBe(201);
    const orderId: string = res.body.orders[0].id;
    await statusBecomes(orderId, 'scheduled');
    return { orderId, storeId: store.id, shipment: await shipmentOf(orderId) };
  }

  /** The ledger of one store's order: every transaction balanced, and what each account holds from it. */
  async function ledgerOf(orderId: string) {
    const unbalanced = await payouts.dataSource.query(
      `SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_fen) <> 0`,
    );
    expect(unbalanced).toEqual([]);
    const kinds: { kind: string; n: number }[] = await payouts.dataSource.query(
      `SELECT kind, count(*)::int AS n FROM ledger_transactions WHERE order_id = $1 GROUP BY kind ORDER BY kind`,
      [orderId],
    );
    const holds: { account_id: string; holds: string }[] = await payouts.dataSource.query(
      `SELECT e.account_id, -sum(e.amount_fen) AS holds FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.order_id = $1 GROUP BY 1`,
      [orderId],
    );
    return {
      kinds: Object.fromEntries(kinds.map((k) => [k.kind, k.n])),
      holds: Object.fromEntries(holds.map((h) => [h.account_id.replace(/^store:[^:]+:/, 'store:'), Number(h.holds)])),
    };
  }

  it('refunds a parcel the courier reports lost once, however often the report and its events come', async () => {
    const { orderId, storeId, shipment } = await scheduledOrder('fresh', 6800);
    expect((await courier('picked-up', shipment.id)).status).toBe(200);
    await statusBecomes(orderId, 'shipped');
    await waitFor(async () => (await balanceOf(storeId)).pendingFen > 0 || undefined, 'the seller’s share pending');

    // the same report twice, then the same news under another courier event id
    const eventId = randomUUID();
    expect((await courier('lost', shipment.id, eventId)).body).toEqual({ duplicate: false, status: 'failed' });
    expect((await courier('lost', shipment.id, eventId)).body).toEqual({ duplicate: true, status: 'failed' });
    expect((await courier('lost', shipment.id)).body).toEqual({ duplicate: false, status: 'failed' });
    // and a delivery after it changes nothing either
    expect((await courier('delivered', shipment.id)).body).toEqual({ duplicate: false, status: 'failed' });

    const lost = await shipmentOf(orderId);
    expect(lost).toMatchObject({ status: 'failed', failureReason: 'lost-in-transit', overdue: false });
    expect(
      lost.history.map((h: { to: string; reason: string | null; causedBy: string }) => [h.to, h.reason, h.causedBy]),
    ).toEqual([
      ['scheduled', null, expect.stringMatching(/^event:/)],
      ['picked_up', null, expect.stringMatching(/^courier:/)],
      ['failed', 'lost-in-transit', `courier:${eventId}`],
    ]);

    const refunded = await statusBecomes(orderId, 'refunded');
    expect(refunded.refundedFen).toBe(6800);
    expect(refunded.history.at(-1)).toMatchObject({
      from: 'shipped',
      to: 'refunded',
      action: 'shipment-lost',
      reason: 'shipment failed: lost-in-transit',
    });

    // fulfillment announced it once; orders refunded once; payouts reversed once
    const failed = (await eventsOn('fulfillment.events', orderId, 'fulfillment.shipment-failed')).filter(
      (e) => e.type === 'fulfillment.shipment-failed',
    );
    expect(failed.map((e) => e.data.reason)).toEqual(['lost-in-transit']);
    const refundedEvents = (await eventsOn('orders.events', orderId, 'orders.order-refunded')).filter(
      (e) => e.type === 'orders.order-refunded',
    );
    expect(refundedEvents.map((e) => [e.data.amountFen, e.data.full])).toEqual([[6800, true]]);
    await waitFor(
      async () => (await balanceOf(storeId)).pendingFen === 0 || undefined,
      'the seller’s pending share reversed',
    );

    // the events redelivered: shipment-failed to orders, order-refunded to payouts, each as it was and under a new id
    const [failedAgain, refundedAgain] = [
      { ...failed[0], id: randomUUID() },
      { ...refundedEvents[0], id: randomUUID() },
    ];
    await publish(
      `${namespace}.fulfillment.events`,
      [failed[0], failedAgain].map((value) => ({ key: orderId, value })),
    );
    await publish(
      `${namespace}.orders.events`,
      [refundedEvents[0], refundedAgain].map((value) => ({ key: orderId, value })),
    );
    await waitFor(
      async () =>
        (await orders.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [failedAgain.id])).length === 1,
      'orders to take the copy',
    );
    await waitFor(
      async () =>
        (await payouts.dataSource.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [refundedAgain.id])).length === 1,
      'payouts to take the copy',
    );

    expect(
      await orders.dataSource.query(
        `SELECT amount_fen::int AS amount FROM payments WHERE order_id = $1 AND kind = 'refund'`,
        [orderId],
      ),
    ).toEqual([{ amount: 6800 }]);
    expect((await orderOf(orderId)).refundedFen).toBe(6800);
    // the seller's share and the commission held in escrow both went back to the buyer, once
    const ledger = await ledgerOf(orderId);
    expect(ledger.kinds).toEqual({ 'order-paid': 1, 'order-refunded': 1 });
    expect(ledger.holds).toEqual({
      'platform:payments_received': -6800,
      'platform:escrow': 0,
      'store:pending': 0,
      'platform:refunds': 6800,
    });
    expect(await balanceOf(storeId)).toMatchObject({ pendingFen: 0, availableFen: 0 });
  }, 60_000);

  it('refunds a parcel the courier reports damaged, even when that is the first it says of it', async () => {
    const { orderId, storeId, shipment } = await scheduledOrder('fresh', 3000);
    expect((await courier('damaged', shipment.id)).body).toEqual({ duplicate: false, status: 'failed' });
    const damaged = await shipmentOf(orderId);
    expect(damaged).toMatchObject({ status: 'failed', failureReason: 'damaged' });
    expect(damaged.history.map((h: { to: string }) => h.to)).toEqual(['scheduled', 'picked_up', 'failed']);

    const refunded = await statusBecomes(orderId, 'refunded');
    expect(refunded.refundedFen).toBe(3000);
    expect(refunded.history.slice(-2).map((h: { to: string; action: string }) => [h.to, h.action])).toEqual([
      ['shipped', 'shipment-picked-up'],
      ['refunded', 'shipment-lost'],
    ]);
    await waitFor(
      async () => ((await ledgerOf(orderId)).kinds['order-refunded'] === 1 ? true : undefined),
      'the refund reversed in the ledger',
    );
    expect((await ledgerOf(orderId)).holds).toMatchObject({
      'platform:escrow': 0,
      'store:pending': 0,
      'platform:refunds': 3000,
    });
    expect(await balanceOf(storeId)).toMatchObject({ pendingFen: 0 });
  }, 60_000);

  it('lets ops declare a parcel lost, with who and why on record, only while the courier has it', async () => {
    const { orderId, shipment } = await scheduledOrder('fresh', 4500);
    const declare = (body: object, token = ops, id = shipment.id) =>
      call('POST', `${fulfillment.url}/admin/shipments/${id}/declare-lost`, { token, body });

    // not yet picked up: nothing to declare lost (the deadline watch looks after it)
    expect(await declare({ reason: 'nobody has seen it' })).toMatchObject({
      status: 409,
      body: { shipmentStatus: 'scheduled' },
    });
    expect((await declare({ reason: 'mine' }, tokenFor('seller', randomUUID()))).status).toBe(403);
    expect(await courier('picked-up', shipment.id)).toMatchObject({ status: 200 });
    await statusBecomes(orderId, 'shipped');
    const noReason = await declare({});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toMatch(/reason/);
    expect((await declare({ reason: 'x' }, ops, randomUUID())).status).toBe(404);
    expect((await shipmentOf(orderId)).status).toBe('picked_up');

    const declared = await declare({ reason: 'courier cannot find it after three days' });
    expect(declared).toMatchObject({
      status: 200,
      body: { shipmentId: shipment.id, orderId, status: 'failed', failureReason: 'lost-in-transit' },
    });
    expect((await declare({ reason: 'again' })).status).toBe(409);
    const lost = await shipmentOf(orderId);
    expect(lost.history.at(-1)).toMatchObject({
      from: 'picked_up',
      to: 'failed',
      reason: 'lost-in-transit: courier cannot find it after three days',
      causedBy: 'ops:ops-night-shift',
      at: expect.any(String),
    });

    const refunded = await statusBecomes(orderId, 'refunded');
    expect(refunded).toMatchObject({ refundedFen: 4500 });
    expect(refunded.history.at(-1)).toMatchObject({
      action: 'shipment-lost',
      reason: 'shipment failed: lost-in-transit',
    });
  }, 60_000);

  it('flags a parcel overdue once its category’s window has passed, for ops and on /metrics', async () => {
    const { orderId, shipment } = await scheduledOrder('ambient', 2000);
    const fresh = await scheduledOrder('fresh', 2000);
    await courier('picked-up', shipment.id);
    await courier('picked-up', fresh.shipment.id);
    const pickedUp = await shipmentOf(orderId);
    expect(Date.parse(pickedUp.deliveryDueAt) - Date.parse(pickedUp.pickedUpAt)).toBe(AMBIENT_WINDOW_HOURS * 3_600_000);
    expect(pickedUp.overdue).toBe(false);
    expect((await shipmentOf(fresh.orderId)).deliveryDueAt).toBe(
      new Date(Date.parse((await shipmentOf(fresh.orderId)).pickedUpAt) + 72 * 3_600_000).toISOString(),
    );

    const listed = await waitFor(
      async () => {
        const r = await atRisk();
        return r.overdue.some((p: { shipmentId: string }) => p.shipmentId === shipment.id) && r;
      },
      'the ambient parcel overdue',
      15_000,
      250,
    );
    expect(listed.overdue.find((p: { shipmentId: string }) => p.shipmentId === shipment.id)).toEqual({
      shipmentId: shipment.id,
      orderId,
      storeId: shipment.storeId,
      township: shipment.township,
      category: 'ambient',
      courierRef: expect.any(String),
      pickedUpAt: pickedUp.pickedUpAt,
      deliveryDueAt: pickedUp.deliveryDueAt,
    });
    expect(listed.overdueInTransit).toBeGreaterThanOrEqual(1);
    expect(listed.overdue.map((p: { shipmentId: string }) => p.shipmentId)).not.toContain(fresh.shipment.id);
    expect((await shipmentOf(orderId)).overdue).toBe(true);
    const metrics = (await call('GET', `${fulfillment.url}/metrics`)).body as string;
    expect(
      Number(/^fulfillment_shipments_overdue\{[^}]*category="ambient"[^}]*\} (\d+)$/m.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^fulfillment_shipments_overdue\{[^}]*category="fresh"[^}]*\} 0$/m);

    // late is not lost: delivered after all, it leaves the list
    await courier('delivered', shipment.id);
    expect((await atRisk()).overdue.map((p: { shipmentId: string }) => p.shipmentId)).not.toContain(shipment.id);
    expect(await shipmentOf(orderId)).toMatchObject({ status: 'delivered', overdue: false });
    expect((await statusBecomes(orderId, 'delivered')).refundedFen).toBe(0);
  }, 60_000);
});
