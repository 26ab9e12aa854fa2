// Fulfillment against the real PostgreSQL, Redis and Kafka on a fast clock: a paid order gets a
// pickup slot, the slot's run goes to the (simulated) courier, whose signed webhooks carry the
// parcel to delivered. Duplicates, bad signatures and replays change nothing.
import { randomUUID } from 'node:crypto';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish, readTopic, typesOf } from '../support/kafka';
import { signWebhook } from '../../apps/fulfillment/src/persistence/courier.client';
import { DEV_COURIER_SECRET } from '../../apps/fulfillment/src/config';

const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');

describe('fulfillment service', () => {
  const namespace = newNamespace();
  let fulfillment: RunningService;

  beforeAll(async () => {
    fulfillment = await startService('fulfillment', {
      namespace,
      env: { TIME_SCALE: '3600', PICKUP_TIMETABLE: HOURLY, SLOT_CAPACITY: '3', SIMULATED_COURIER_DELIVERY_MINUTES: '60' },
    });
  });
  afterAll(async () => {
    await fulfillment?.close();
  });

  const paid = (orderId: string, category: 'fresh' | 'chilled' | 'ambient' | 'handicraft' = 'fresh', township = 'louguan') =>
    envelope('orders.order-paid', {
      orderId,
      buyerId: 'buyer-1',
      storeId: randomUUID(),
      township,
      lines: [{ productId: randomUUID(), quantity: 1, unitPriceFen: 6800, category }],
      totalFen: 6800,
      paymentId: randomUUID(),
      paidAt: new Date().toISOString(),
    });
  const shipmentOf = async (orderId: string) => (await call('GET', `${fulfillment.url}/shipments?orderId=${orderId}`, { token: tokenFor('ops') })).body.items[0];
  const webhook = (body: object, secret = DEV_COURIER_SECRET) => {
    const raw = JSON.stringify(body);
    return call('POST', `${fulfillment.url}/courier/webhook`, { raw, headers: { 'x-courier-signature': signWebhook(raw, secret) } });
  };

  it('schedules a paid order on a slot, dispatches the run, and follows the courier to delivered', async () => {
    const orderId = randomUUID();
    const event = paid(orderId);
    await publish(`${namespace}.orders.events`, [{ key: orderId, value: event }, { key: orderId, value: event }, { key: orderId, value: { ...event, id: randomUUID() } }]);
    const scheduled = await waitFor(async () => (await shipmentOf(orderId)) ?? false, 'shipment');
    expect(scheduled).toMatchObject({ status: 'scheduled', category: 'fresh', township: 'louguan' });
    expect(new Date(scheduled.slotStartsAt).getTime()).toBeLessThanOrEqual(new Date(scheduled.deadlineAt).getTime());
    await waitFor(async () => (await shipmentOf(orderId)).status === 'delivered', 'delivered', 30_000);
    const events = await readTopic(`${namespace}.fulfillment.events`, (ms) => typesOf(ms.filter((m) => m.key?.toString() === orderId)).includes('fulfillment.shipment-delivered'));
    expect(typesOf(events.filter((m) => m.key?.toString() === orderId))).toEqual(['fulfillment.shipment-scheduled', 'fulfillment.shipment-picked-up', 'fulfillment.shipment-delivered']);
    // three deliveries of order-paid (one a copy with a new id): still one shipment
    const [{ n }] = await fulfillment.dataSource.query('SELECT count(*)::int AS n FROM shipments WHERE order_id = $1', [orderId]);
    expect(n).toBe(1);
    const [{ runs }] = await fulfillment.dataSource.query('SELECT count(*)::int AS runs FROM pickup_runs WHERE township = $1 AND slot_starts_at = $2', ['louguan', scheduled.slotStartsAt]);
    expect(runs).toBe(1);
  });

  it('fills slots up to capacity, then takes the next one that meets the deadline', async () => {
    const township = `t-${randomUUID().slice(0, 6)}`;
    const orderIds = Array.from({ length: 4 }, () => randomUUID());
    await publish(`${namespace}.orders.events`, orderIds.map((id) => ({ key: id, value: paid(id, 'ambient', township) })));
    const shipments = await waitFor(async () => {
      const all = await Promise.all(orderIds.map(shipmentOf));
      return all.every(Boolean) && all;
    }, 'four shipments');
    const bySlot = new Map<string, number>();
    for (const s of shipments) bySlot.set(s.slotStartsAt, (bySlot.get(s.slotStartsAt) ?? 0) + 1);
    expect([...bySlot.values()].sort()).toEqual([1, 3]);
  });

  it('refuses a bad signature and an unknown shipment, and ignores a replayed webhook', async () => {
    const orderId = randomUUID();
    await publish(`${namespace}.orders.events`, [{ key: orderId, value: paid(orderId, 'handicraft') }]);
    const shipment = await waitFor(async () => (await shipmentOf(orderId)) ?? false, 'shipment');
    const pickedUp = { eventId: randomUUID(), type: 'picked-up', shipmentId: shipment.id, courierRef: 'ext-1', at: new Date().toISOString() };

    const forged = await webhook(pickedUp, 'not-the-courier-secret');
    expect(forged.status).toBe(401);
    expect((await call('POST', `${fulfillment.url}/courier/webhook`, { raw: JSON.stringify(pickedUp) })).status).toBe(401);
    expect((await shipmentOf(orderId)).status).toBe('scheduled');

    expect((await webhook({ ...pickedUp, eventId: randomUUID(), shipmentId: randomUUID() })).status).toBe(404);

    // delivered before picked up: both apply, in order
    const delivered = { eventId: randomUUID(), type: 'delivered', shipmentId: shipment.id, courierRef: 'ext-1', at: new Date().toISOString() };
    expect((await webhook(delivered)).body).toEqual({ duplicate: false, status: 'delivered' });
    expect((await webhook(delivered)).body).toEqual({ duplicate: true, status: 'delivered' });
    expect((await webhook(pickedUp)).body).toEqual({ duplicate: false, status: 'delivered' });
    const history = (await shipmentOf(orderId)).history.map((h: { to: string }) => h.to);
    expect(history).toEqual(['scheduled', 'picked_up', 'delivered']);
  });

  it('shows a township day of slots with their load', async () => {
    const slots = await call('GET', `${fulfillment.url}/pickup-slots?township=louguan&date=2026-11-29`, { token: tokenFor('ops') });
    expect(slots.status).toBe(200);
    expect(slots.body.slots).toHaveLength(24);
    expect(slots.body.slots[9]).toMatchObject({ localTime: '09:00', startsAt: '2026-11-29T01:00:00.000Z', capacity: 3 });
    expect((await call('GET', `${fulfillment.url}/pickup-slots?township=louguan&date=29-11-2026`, { token: tokenFor('ops') })).status).toBe(400);
    expect((await call('GET', `${fulfillment.url}/pickup-slots?township=louguan&date=2026-11-29`, { token: tokenFor('buyer') })).status).toBe(403);
  });
});
