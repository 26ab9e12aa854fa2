// Fulfillment against the real PostgreSQL, Redis and Kafka, in two counties. In the fast one a
// van comes every hour and an hour passes in a second, so a paid order rides its pickup run and
// the simulated courier's signed webhooks all the way to delivered. In the real-time one the
// next van is hours away and nothing moves unless the test says so: the place for exact checks
// of duplicates, capacity, failures, forged and replayed webhooks, and who may see what.
import { randomUUID } from 'node:crypto';
import type { Category } from '@cc/contracts';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish, readTopic, typesOf } from '../support/kafka';
import { DEV_COURIER_SECRET } from '../../apps/fulfillment/src/config';
import { COURIER_SIGNATURE_HEADER, signCourierPayload } from '../../apps/fulfillment/src/domain/courier-signature';
import { localDate } from '../../apps/fulfillment/src/domain/local-time';
import { PickupDispatchService } from '../../apps/fulfillment/src/domain/pickup-dispatch.service';
import {
  COURIER_CALLS_QUEUE,
  DEADLINE_WATCH_QUEUE,
  FulfillmentJobs,
  PICKUP_DISPATCH_QUEUE,
} from '../../apps/fulfillment/src/jobs/catalogue';

const pickupRunJobId = (township: string, startsAt: Date) =>
  FulfillmentJobs.dispatchPickupRun.id({ township, slotStartsAt: startsAt.toISOString() });
const deadlineJobId = (shipmentId: string) => FulfillmentJobs.watchDeadline.id({ shipmentId });

const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');
const HOUR = 3_600_000;
const ops = tokenFor('ops');
const newTownship = () => `t-${randomUUID().slice(0, 8)}`;

/** A paid order to ship (orders.shipment-requested) as the orders service sends it. */
function paidOrder(
  input: Partial<{
    orderId: string;
    storeId: string;
    buyerId: string;
    township: string;
    categories: Category[];
    paidAt: Date;
    perishability: { pickupWithinHours?: number; shelfLifeHours?: number };
  }> = {},
) {
  const categories = input.categories ?? ['fresh'];
  return envelope('orders.shipment-requested', {
    orderId: input.orderId ?? randomUUID(),
    buyerId: input.buyerId ?? `buyer-${randomUUID().slice(0, 8)}`,
    storeId: input.storeId ?? randomUUID(),
    township: input.township ?? newTownship(),
    lines: categories.map((category) => ({
      productId: randomUUID(),
      productName: `A box of ${category}`,
      quantity: 1,
      unitPriceFen: 6800,
      category,
      ...input.perishability,
    })),
    totalFen: 6800 * categories.length,
    paidAt: (input.paidAt ?? new Date()).toISOString(),
  });
}

type PaidOrder = ReturnType<typeof paidOrder>;

/** One county's fulfillment service (started in beforeAll) and the ways a test talks to it. */
function county(env: Record<string, string>) {
  const namespace = newNamespace();
  const county = { namespace, service: undefined as unknown as RunningService };
  const send = (...events: PaidOrder[]) =>
    publish(
      `${namespace}.orders.shipping`,
      events.map((e) => ({ key: e.data.orderId, value: e })),
    );
  const shipmentOf = async (orderId: string, token = ops) =>
    (await call('GET', `${county.service.url}/shipments?orderId=${orderId}`, { token })).body.items?.[0];
  const shipmentMade = (orderId: string) =>
    waitFor(async () => (await shipmentOf(orderId)) ?? false, `a shipment for ${orderId}`);
  const eventsOf = async (orderId: string, last: string) => {
    const mine = (ms: Awaited<ReturnType<typeof readTopic>>) => ms.filter((m) => m.key?.toString() === orderId);
    return mine(await readTopic(`${namespace}.fulfillment.events`, (ms) => typesOf(mine(ms)).includes(last))).map((m) =>
      JSON.parse(m.value!.toString()),
    );
  };
  const query = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> =>
    county.service.dataSource.query(sql, params);
  return { county, env, send, shipmentOf, shipmentMade, eventsOf, query };
}

const fast = county({ TIME_SCALE: '3600', PICKUP_TIMETABLE: HOURLY, SIMULATED_COURIER_DELIVERY_MINUTES: '60' });
const still = county({ TIME_SCALE: '1', PICKUP_TIMETABLE: '09:00/cold,14:00,18:00', SLOT_CAPACITY: '2' });
// ten minutes a second, a courier who never comes, a sweep every second: for lost jobs
const forgetful = county({
  TIME_SCALE: '600',
  PICKUP_TIMETABLE: HOURLY,
  SIMULATED_COURIER_PICKUP: 'false',
  DEADLINE_SWEEP_SECONDS: '1',
});
// a courier whose API always fails: three quick tries, then the run's parcels fail
const unreachable = county({
  TIME_SCALE: '3600',
  PICKUP_TIMETABLE: HOURLY,
  SIMULATED_COURIER_FAILURE_RATE: '1',
  COURIER_CALL_ATTEMPTS: '3',
  COURIER_CALL_BACKOFF_MS: '50',
});
const counties = [fast, still, forgetful, unreachable];

beforeAll(async () => {
  const services = await Promise.all(
    counties.map((c) => startService('fulfillment', { namespace: c.county.namespace, env: c.env })),
  );
  counties.forEach((c, i) => (c.county.service = services[i]));
});
afterAll(async () => {
  await Promise.all(counties.map((c) => c.county.service?.close()));
});

function webhook(body: object, options: { secret?: string; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const signature =
    options.signature === undefined ? signCourierPayload(raw, options.secret ?? DEV_COURIER_SECRET) : options.signature;
  return call('POST', `${still.county.service.url}/courier/webhook`, {
    raw,
    headers: signature === null ? {} : { [COURIER_SIGNATURE_HEADER]: signature },
  });
}

describe('fulfillment on a fast clock', () => {
  it('schedules a paid order, sends its pickup run to the courier and follows the signed webhooks to delivered', async () => {
    const { send, shipmentOf, shipmentMade, eventsOf, query } = fast;
    const paid = paidOrder({ categories: ['ambient', 'fresh'] });
    const { orderId, township } = paid.data;
    await send(paid);

    const scheduled = await shipmentMade(orderId);
    expect(scheduled).toMatchObject({
      orderId,
      township,
      category: 'fresh',
      deadlineAt: new Date(Date.parse(paid.data.paidAt) + 24 * HOUR).toISOString(),
    });
    expect(Date.parse(scheduled.slotStartsAt)).toBeLessThanOrEqual(Date.parse(scheduled.deadlineAt));

    const events = await eventsOf(orderId, 'fulfillment.shipment-delivered');
    expect(events.map((e) => e.type)).toEqual([
      'fulfillment.shipment-scheduled',
      'fulfillment.shipment-picked-up',
      'fulfillment.shipment-delivered',
    ]);
    expect(events[0].data).toMatchObject({
      shipmentId: scheduled.id,
      orderId,
      township,
      slotStartsAt: scheduled.slotStartsAt,
      deadlineAt: scheduled.deadlineAt,
    });
    expect(events[1].data).toMatchObject({
      shipmentId: scheduled.id,
      orderId,
      courierRef: expect.stringMatching(/^simrun_/),
    });
    // the courier delivers an hour (of the county's clock) after it picks up
    expect(Date.parse(events[2].data.deliveredAt) - Date.parse(events[1].data.pickedUpAt)).toBe(HOUR);
    expect(Date.parse(events[1].data.pickedUpAt)).toBeGreaterThanOrEqual(Date.parse(scheduled.slotStartsAt));

    const delivered = await shipmentOf(orderId);
    expect(delivered.status).toBe('delivered');
    expect(delivered.history.map((h: { to: string; causedBy: string }) => [h.to, h.causedBy.split(':')[0]])).toEqual([
      ['scheduled', 'event'],
      ['picked_up', 'courier'],
      ['delivered', 'courier'],
    ]);
    const [run] = await query('SELECT manifest FROM pickup_runs WHERE township = $1 AND slot_starts_at = $2', [
      township,
      scheduled.slotStartsAt,
    ]);
    expect(run.manifest.parcels).toEqual([
      expect.objectContaining({ shipmentId: scheduled.id, orderId, category: 'fresh' }),
    ]);
    const [slot] = await query('SELECT booked, closed_at FROM pickup_slots WHERE township = $1 AND starts_at = $2', [
      township,
      scheduled.slotStartsAt,
    ]);
    expect(slot.booked).toBe(1);
    expect(slot.closed_at).not.toBeNull();
  });
});

describe('fulfillment on a real-time clock', () => {
  it('makes one shipment and one pickup-run job however often shipment-requested arrives', async () => {
    const { send, shipmentMade, query } = still;
    const paid = paidOrder();
    const { orderId, township } = paid.data;
    const copy = { ...paid, id: randomUUID() }; // the same order announced again under a new event id
    await send(paid, paid, copy);
    await waitFor(
      async () => (await query('SELECT 1 FROM inbox WHERE event_id = $1', [copy.id])).length === 1,
      'the copy handled',
    );

    const shipment = await shipmentMade(orderId);
    expect(await query('SELECT id FROM shipments WHERE order_id = $1', [orderId])).toEqual([{ id: shipment.id }]);
    expect(await query(`SELECT type FROM outbox WHERE kind = 'event' AND key = $1`, [orderId])).toEqual([
      { type: 'fulfillment.shipment-scheduled' },
    ]);
    const jobId = pickupRunJobId(township, new Date(shipment.slotStartsAt));
    expect(
      await query(`SELECT key FROM outbox WHERE kind = 'job' AND destination = $1 AND key LIKE $2`, [
        PICKUP_DISPATCH_QUEUE,
        `dispatch-pickup-run.${township}.%`,
      ]),
    ).toEqual([{ key: jobId }]);
    expect(
      await query(`SELECT key FROM outbox WHERE kind = 'job' AND destination = $1 AND key = $2`, [
        DEADLINE_WATCH_QUEUE,
        deadlineJobId(shipment.id),
      ]),
    ).toHaveLength(1);
    expect(await query('SELECT booked FROM pickup_slots WHERE township = $1', [township])).toEqual([{ booked: 1 }]);

    // the job reaches BullMQ after the commit, delayed until the slot's time
    const queue = still.county.service.app.get(Jobs).queue(PICKUP_DISPATCH_QUEUE);
    const job = await waitFor(async () => (await queue.getJob(jobId)) ?? false, 'the pickup-run job');
    expect(job.name).toBe('dispatch-pickup-run');
    expect(job.data).toMatchObject({ township, slotStartsAt: shipment.slotStartsAt });
    expect(Math.abs(job.timestamp + (job.opts.delay ?? 0) - Date.parse(shipment.slotStartsAt))).toBeLessThan(5_000);
  });

  it('fills a slot up to its capacity, then takes the next one', async () => {
    const { send, shipmentMade, query } = still;
    const township = newTownship();
    const orders = [
      paidOrder({ township, categories: ['ambient'] }),
      paidOrder({ township, categories: ['ambient'] }),
      paidOrder({ township, categories: ['ambient'] }),
    ];
    await send(...orders);
    const shipments = await Promise.all(orders.map((o) => shipmentMade(o.data.orderId)));
    const slots = [...new Set(shipments.map((s) => s.slotStartsAt))].sort();
    expect(slots).toHaveLength(2);
    expect(shipments.filter((s) => s.slotStartsAt === slots[0])).toHaveLength(2);
    const loads = await query(
      'SELECT starts_at, booked, capacity FROM pickup_slots WHERE township = $1 ORDER BY starts_at',
      [township],
    );
    expect(loads.map((l) => [l.starts_at.toISOString(), l.booked, l.capacity])).toEqual([
      [slots[0], 2, 2],
      [slots[1], 1, 2],
    ]);

    // sellers see the same load on the day's timetable
    const day = await call(
      'GET',
      `${still.county.service.url}/pickup-slots?township=${township}&date=${localDate(new Date(slots[0]), 'Asia/Shanghai')}`,
      { token: tokenFor('seller', randomUUID()) },
    );
    expect(day.status).toBe(200);
    expect(day.body.slots.find((s: { startsAt: string }) => s.startsAt === slots[0])).toMatchObject({
      capacity: 2,
      booked: 2,
      free: 0,
      closed: false,
    });
  });

  it('dispatches a slot’s run once, closes the slot, and books later parcels onto the next one', async () => {
    const { send, shipmentMade, shipmentOf, query } = still;
    const township = newTownship();
    const first = paidOrder({ township, categories: ['ambient'] });
    await send(first);
    const shipment = await shipmentMade(first.data.orderId);
    const slot = new Date(shipment.slotStartsAt);

    // what the delayed dispatch-pickup-run job does at the slot's time, run now (and once more, as a retry would)
    const dispatch = still.county.service.app.get(PickupDispatchService);
    expect(await dispatch.dispatchPickupRun(township, slot)).toEqual({ parcels: 1 });
    expect(await dispatch.dispatchPickupRun(township, slot)).toEqual({ parcels: 0 });
    const runs = await query('SELECT manifest FROM pickup_runs WHERE township = $1', [township]);
    expect(runs.map((r) => r.manifest.parcels.map((p: { shipmentId: string }) => p.shipmentId))).toEqual([
      [shipment.id],
    ]);
    expect(
      await query(`SELECT key FROM outbox WHERE kind = 'job' AND destination = $1 AND key LIKE $2`, [
        COURIER_CALLS_QUEUE,
        `send-manifest.${township}.%`,
      ]),
    ).toEqual([
      {
        key: FulfillmentJobs.sendManifest.id({ manifest: { township, slotStartsAt: slot.toISOString(), parcels: [] } }),
      },
    ]);
    // the simulated courier takes the manifest and calls the signed webhook
    await waitFor(
      async () => (await shipmentOf(first.data.orderId)).status === 'picked_up',
      'picked up by the simulated courier',
    );

    const late = paidOrder({ township, categories: ['ambient'] });
    await send(late);
    const next = await shipmentMade(late.data.orderId);
    expect(Date.parse(next.slotStartsAt)).toBeGreaterThan(slot.getTime()); // the slot had room, but its van had gone
  });

  it('fails an order no slot can take in time as undeliverable', async () => {
    const { send, shipmentMade, eventsOf, query } = still;
    const paid = paidOrder({ categories: ['chilled', 'handicraft'], paidAt: new Date(Date.now() - 13 * HOUR) }); // chilled: 12 hours, gone by
    await send(paid);
    const shipment = await shipmentMade(paid.data.orderId);
    expect(shipment).toMatchObject({
      status: 'failed',
      failureReason: 'undeliverable',
      category: 'chilled',
      slotStartsAt: null,
    });
    const events = await eventsOf(paid.data.orderId, 'fulfillment.shipment-failed');
    expect(events.map((e) => [e.type, e.data.reason])).toEqual([['fulfillment.shipment-failed', 'undeliverable']]);
    expect(await query('SELECT * FROM pickup_slots WHERE township = $1', [paid.data.township])).toEqual([]);
  });

  it('moves a less perishable parcel to a later slot when a fresh one finds no room before its deadline', async () => {
    const { send, shipmentMade, shipmentOf, query } = still;
    const township = newTownship();
    // six boxes of dates fill the next three slots (two places each): all a fresh parcel can reach in 24 hours
    const dates = Array.from({ length: 6 }, () => paidOrder({ township, categories: ['ambient'] }));
    await send(...dates);
    const before = await Promise.all(dates.map((o) => shipmentMade(o.data.orderId)));
    const firstThree = [...new Set(before.map((s) => s.slotStartsAt))].sort();
    expect(firstThree).toHaveLength(3);

    const kiwi = paidOrder({ township, categories: ['fresh'] });
    await send(kiwi);
    const scheduled = await shipmentMade(kiwi.data.orderId);
    expect(scheduled.status).toBe('scheduled');
    expect(Date.parse(scheduled.slotStartsAt)).toBeLessThanOrEqual(Date.parse(scheduled.deadlineAt));

    // exactly one box of dates made way: it moved to a later slot, still within its own deadline, with history and a new event
    const after = await Promise.all(dates.map((o) => shipmentOf(o.data.orderId)));
    const moved = after.filter((s) => !firstThree.includes(s.slotStartsAt));
    expect(moved).toHaveLength(1);
    const [dateBox] = moved;
    expect(before.find((s) => s.id === dateBox.id).slotStartsAt).toBe(scheduled.slotStartsAt);
    expect(Date.parse(dateBox.slotStartsAt)).toBeGreaterThan(Date.parse(scheduled.slotStartsAt));
    expect(Date.parse(dateBox.slotStartsAt)).toBeLessThanOrEqual(Date.parse(dateBox.deadlineAt));
    expect(
      dateBox.history.map((h: { from: string | null; to: string; reason: string | null }) => [h.from, h.to, h.reason]),
    ).toEqual([
      [null, 'scheduled', null],
      ['scheduled', 'scheduled', `made room for the more perishable order ${kiwi.data.orderId}`],
    ]);
    const mine = (ms: Awaited<ReturnType<typeof readTopic>>) =>
      ms.filter((m) => m.key?.toString() === dateBox.orderId).map((m) => JSON.parse(m.value!.toString()));
    const sent = mine(await readTopic(`${still.county.namespace}.fulfillment.events`, (ms) => mine(ms).length === 2));
    // a move is its own event, not a second shipment-scheduled (which orders would have to refuse)
    expect(sent.map((e) => [e.type, e.data.slotStartsAt])).toEqual([
      ['fulfillment.shipment-scheduled', scheduled.slotStartsAt],
      ['fulfillment.shipment-rescheduled', dateBox.slotStartsAt],
    ]);
    expect(sent[1].data).toMatchObject({
      previousSlotStartsAt: scheduled.slotStartsAt,
      deadlineAt: dateBox.deadlineAt,
      reason: `made room for the more perishable order ${kiwi.data.orderId}`,
    });
    // its new slot has its pickup run job, and the slot loads add up
    expect(
      await query(`SELECT key FROM outbox WHERE kind = 'job' AND destination = $1 AND key = $2`, [
        PICKUP_DISPATCH_QUEUE,
        pickupRunJobId(township, new Date(dateBox.slotStartsAt)),
      ]),
    ).toHaveLength(1);
    const loads = await query('SELECT starts_at, booked FROM pickup_slots WHERE township = $1 ORDER BY starts_at', [
      township,
    ]);
    expect(loads.map((l) => [l.starts_at.toISOString(), l.booked])).toEqual([
      ...firstThree.map((at) => [at, 2]),
      [dateBox.slotStartsAt, 1],
    ]);
  });

  describe('the courier webhook', () => {
    const courierEvent = (type: 'picked-up' | 'delivered', shipmentId: string) => ({
      eventId: randomUUID(),
      type,
      shipmentId,
      courierRef: 'sf-001',
      at: new Date().toISOString(),
    });

    it('refuses a forged or missing signature with 401 before looking at the body, and changes nothing', async () => {
      const { send, shipmentMade, shipmentOf, query } = still;
      const paid = paidOrder({ categories: ['handicraft'] });
      await send(paid);
      const shipment = await shipmentMade(paid.data.orderId);
      const pickedUp = courierEvent('picked-up', shipment.id);

      const forged = await webhook(pickedUp, { secret: 'not-the-courier-secret' });
      expect(forged.status).toBe(401);
      expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(forged.body.detail).toMatch(/signature/);
      expect((await webhook(pickedUp, { signature: null })).status).toBe(401);
      expect(
        (
          await webhook(pickedUp, {
            signature: signCourierPayload(JSON.stringify({ ...pickedUp, type: 'delivered' }), DEV_COURIER_SECRET),
          })
        ).status,
      ).toBe(401);
      expect((await webhook({ nonsense: true }, { signature: 'sha256=00' })).status).toBe(401);

      expect((await shipmentOf(paid.data.orderId)).status).toBe('scheduled');
      expect(await query('SELECT * FROM courier_webhook_events WHERE shipment_id = $1', [shipment.id])).toEqual([]);
      expect(
        await query(`SELECT type FROM outbox WHERE key = $1 AND type <> 'fulfillment.shipment-scheduled'`, [
          paid.data.orderId,
        ]),
      ).toEqual([]);

      // signed but malformed: now the body is checked
      const malformed = await webhook({ ...pickedUp, type: 'stolen', at: 'yesterday' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['at', 'type']);
    });

    it('answers 404 for a shipment it does not know', async () => {
      const reply = await webhook(courierEvent('picked-up', randomUUID()));
      expect(reply.status).toBe(404);
      expect(reply.body.detail).toMatch(/shipment .* was not found/);
    });

    it('applies delivered-before-picked-up as both, in order, and ignores replays and late arrivals', async () => {
      const { send, shipmentMade, shipmentOf, eventsOf, query } = still;
      const paid = paidOrder({ categories: ['handicraft'] });
      await send(paid);
      const shipment = await shipmentMade(paid.data.orderId);
      const pickedUp = courierEvent('picked-up', shipment.id);
      const delivered = courierEvent('delivered', shipment.id);

      expect((await webhook(delivered)).body).toEqual({ duplicate: false, status: 'delivered' });
      expect((await webhook(delivered)).body).toEqual({ duplicate: true, status: 'delivered' });
      expect((await webhook(pickedUp)).body).toEqual({ duplicate: false, status: 'delivered' });
      expect((await webhook(pickedUp)).body).toEqual({ duplicate: true, status: 'delivered' });

      const after = await shipmentOf(paid.data.orderId);
      expect(after).toMatchObject({ status: 'delivered', courierRef: 'sf-001' });
      expect(
        after.history.map((h: { from: string | null; to: string; causedBy: string }) => [h.from, h.to, h.causedBy]),
      ).toEqual([
        [null, 'scheduled', expect.stringMatching(/^event:/)],
        ['scheduled', 'picked_up', `courier:${delivered.eventId}`],
        ['picked_up', 'delivered', `courier:${delivered.eventId}`],
      ]);
      const events = await eventsOf(paid.data.orderId, 'fulfillment.shipment-delivered');
      expect(events.map((e) => e.type)).toEqual([
        'fulfillment.shipment-scheduled',
        'fulfillment.shipment-picked-up',
        'fulfillment.shipment-delivered',
      ]);
      expect(await query(`SELECT type FROM outbox WHERE key = $1 ORDER BY seq`, [paid.data.orderId])).toEqual(
        events.map((e) => ({ type: e.type })),
      );
      expect(
        await query('SELECT event_id FROM courier_webhook_events WHERE shipment_id = $1 ORDER BY received_at', [
          shipment.id,
        ]),
      ).toHaveLength(2);
    });
  });

  it('shows a shipment to its buyer, its store and ops only', async () => {
    const { send, shipmentMade } = still;
    const paid = paidOrder({ buyerId: 'buyer-mei' });
    await send(paid);
    await shipmentMade(paid.data.orderId);
    const seen = async (token?: string) => {
      const reply = await call('GET', `${still.county.service.url}/shipments?orderId=${paid.data.orderId}`, { token });
      return reply.status === 200 ? reply.body.items.length : reply.status;
    };
    expect(await seen(tokenFor('buyer', undefined, 'buyer-mei'))).toBe(1);
    expect(await seen(tokenFor('seller', paid.data.storeId))).toBe(1);
    expect(await seen(ops)).toBe(1);
    expect(await seen(tokenFor('buyer', undefined, 'buyer-somebody-else'))).toBe(0);
    expect(await seen(tokenFor('seller', randomUUID()))).toBe(0);
    expect(await seen()).toBe(401);
  });

  it('lays out a township day of slots in county time', async () => {
    const url = `${still.county.service.url}/pickup-slots`;
    const day = await call('GET', `${url}?township=louguan&date=2026-11-29`, { token: ops });
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ township: 'louguan', date: '2026-11-29', timeZone: 'Asia/Shanghai' });
    expect(day.body.slots).toEqual([
      {
        localTime: '09:00',
        startsAt: '2026-11-29T01:00:00.000Z',
        courier: 'cold-chain',
        capacity: 2,
        booked: 0,
        free: 2,
        closed: false,
      },
      {
        localTime: '14:00',
        startsAt: '2026-11-29T06:00:00.000Z',
        courier: 'standard',
        capacity: 2,
        booked: 0,
        free: 2,
        closed: false,
      },
      {
        localTime: '18:00',
        startsAt: '2026-11-29T10:00:00.000Z',
        courier: 'standard',
        capacity: 2,
        booked: 0,
        free: 2,
        closed: false,
      },
    ]);
    expect((await call('GET', `${url}?township=louguan&date=29-11-2026`, { token: ops })).status).toBe(400);
    expect((await call('GET', `${url}?township=louguan&date=2026-02-30`, { token: ops })).status).toBe(400);
    expect((await call('GET', `${url}?township=louguan&date=2026-11-29`, { token: tokenFor('buyer') })).status).toBe(
      403,
    );
  });
});

describe('fulfillment when jobs get lost', () => {
  it('the sweep dispatches a run whose job vanished and spoils a parcel whose watch vanished, once each', async () => {
    const { send, shipmentMade, shipmentOf, eventsOf, query, county: c } = forgetful;
    const jobs = c.service.app.get(Jobs);
    // no pickup-run job of this county runs until the one for this parcel is gone
    await jobs.queue(PICKUP_DISPATCH_QUEUE).pause();
    // paid now on the county's clock, to be collected within two hours (the product says so): a van comes within the hour
    const paid = paidOrder({
      categories: ['fresh'],
      paidAt: c.service.app.get(Clock).now(),
      perishability: { pickupWithinHours: 2 },
    });
    await send(paid);
    const shipment = await shipmentMade(paid.data.orderId);
    expect(Date.parse(shipment.deadlineAt) - Date.parse(paid.data.paidAt)).toBe(2 * HOUR);
    const slot = new Date(shipment.slotStartsAt);

    // both delayed jobs reach BullMQ, and are lost (as if Redis had dropped them)
    for (const [queue, id] of [
      [PICKUP_DISPATCH_QUEUE, pickupRunJobId(paid.data.township, slot)],
      [DEADLINE_WATCH_QUEUE, deadlineJobId(shipment.id)],
    ]) {
      const job = await waitFor(async () => (await jobs.queue(queue).getJob(id)) ?? false, `job ${id}`);
      await job.remove();
    }
    await jobs.queue(PICKUP_DISPATCH_QUEUE).resume();

    const failed = await waitFor(
      async () => ((await shipmentOf(paid.data.orderId)).status === 'failed' ? shipmentOf(paid.data.orderId) : false),
      'the parcel spoiled',
      40_000,
      200,
    );
    expect(failed.failureReason).toBe('spoiled');
    expect(Date.parse(failed.history.at(-1).at)).toBeGreaterThanOrEqual(Date.parse(shipment.deadlineAt)); // never before its deadline
    const runs = await query('SELECT manifest FROM pickup_runs WHERE township = $1', [paid.data.township]);
    expect(runs.map((r) => r.manifest.parcels.map((p: { shipmentId: string }) => p.shipmentId))).toEqual([
      [shipment.id],
    ]);
    const events = await eventsOf(paid.data.orderId, 'fulfillment.shipment-failed');
    expect(events.map((e) => [e.type, e.data.reason ?? null])).toEqual([
      ['fulfillment.shipment-scheduled', null],
      ['fulfillment.shipment-failed', 'spoiled'],
    ]);
    expect(
      await query(`SELECT count(*)::int AS n FROM outbox WHERE key = $1 AND type = 'fulfillment.shipment-failed'`, [
        paid.data.orderId,
      ]),
    ).toEqual([{ n: 1 }]);
  });
});

describe('fulfillment when the courier cannot be reached', () => {
  it('retries the courier call with backoff, then fails the run’s parcels as courier-failed', async () => {
    const { send, shipmentMade, shipmentOf, eventsOf, county: c } = unreachable;
    const paid = paidOrder({ categories: ['ambient'], paidAt: c.service.app.get(Clock).now() });
    await send(paid);
    const shipment = await shipmentMade(paid.data.orderId);
    const failed = await waitFor(
      async () => ((await shipmentOf(paid.data.orderId)).status === 'failed' ? shipmentOf(paid.data.orderId) : false),
      'the run given up',
      40_000,
      200,
    );
    expect(failed.failureReason).toBe('courier-failed');
    const events = await eventsOf(paid.data.orderId, 'fulfillment.shipment-failed');
    expect(events.map((e) => [e.type, e.data.reason ?? null])).toEqual([
      ['fulfillment.shipment-scheduled', null],
      ['fulfillment.shipment-failed', 'courier-failed'],
    ]);
    // the courier call was tried three times and is kept as a failed job
    const job = await c.service.app
      .get(Jobs)
      .queue(COURIER_CALLS_QUEUE)
      .getJob(
        FulfillmentJobs.sendManifest.id({
          manifest: {
            township: paid.data.township,
            slotStartsAt: new Date(shipment.slotStartsAt).toISOString(),
            parcels: [],
          },
        }),
      );
    expect(job?.attemptsMade).toBe(3);
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toMatch(/simulated courier/);
  });
});
