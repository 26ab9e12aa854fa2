// Fulfillment stops (SIGTERM: the service kit closes its workers) with pickup runs and deadline
// watches still waiting in BullMQ; a second instance on the same database and namespace takes
// over, and every run and every deadline fires exactly once. Ten county minutes pass in a second;
// the courier never comes, so every parcel spoils at its deadline.
import { randomUUID } from 'node:crypto';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { freshDatabase } from '../support/databases';
import { waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish, readTopic } from '../support/kafka';
import {
  DEADLINE_WATCH_QUEUE,
  FulfillmentJobs,
  PICKUP_DISPATCH_QUEUE,
} from '../../apps/fulfillment/src/jobs/catalogue';

const pickupRunJobId = (township: string, startsAt: Date) =>
  FulfillmentJobs.dispatchPickupRun.id({ township, slotStartsAt: startsAt.toISOString() });
const deadlineJobId = (shipmentId: string) => FulfillmentJobs.watchDeadline.id({ shipmentId });

const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');

describe('fulfillment restarted with jobs waiting', () => {
  const namespace = newNamespace();
  const env = {
    TIME_SCALE: '600',
    CLOCK_ANCHOR: String(Date.now()),
    PICKUP_TIMETABLE: HOURLY,
    SLOT_CAPACITY: '2',
    SIMULATED_COURIER_PICKUP: 'false',
    // the backstop stays out of it (at most one sweep a real hour): the delayed jobs themselves must survive
    DEADLINE_SWEEP_SECONDS: '3600',
    SCHEDULE_MIN_INTERVAL_MS: '3600000',
  };
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let first: RunningService | undefined;
  let second: RunningService | undefined;

  beforeAll(async () => {
    db = await freshDatabase('fulfillment');
  });
  afterAll(async () => {
    await first?.app.close().catch(() => undefined);
    await second?.app.close();
    await db?.drop();
  });

  it('fires every pickup run and every deadline exactly once across the restart', async () => {
    first = await startService('fulfillment', { namespace, env, databaseUrl: db.url });
    const query = <T = any>(service: RunningService, sql: string, params: unknown[] = []): Promise<T[]> =>
      service.dataSource.query(sql, params);
    const paid = (township: string, category: 'fresh' | 'ambient', paidAt: Date) =>
      envelope('orders.shipment-requested', {
        orderId: randomUUID(),
        buyerId: 'buyer-restart',
        storeId: randomUUID(),
        township,
        // three county hours to be collected: the restart fits in well before
        lines: [
          {
            productId: randomUUID(),
            productName: 'Greens',
            quantity: 1,
            unitPriceFen: 6800,
            category,
            ...(category === 'fresh' ? { pickupWithinHours: 3 } : {}),
          },
        ],
        totalFen: 6800,
        paidAt: paidAt.toISOString(),
      });
    const send = (events: ReturnType<typeof paid>[]) =>
      publish(
        `${namespace}.orders.shipping`,
        events.map((e) => ({ key: e.data.orderId, value: e })),
      );
    // the consumer has joined its group once a first (durable) box is scheduled; only then does the county clock matter
    const probe = paid('probe', 'ambient', first.app.get(Clock).now());
    await send([probe]);
    await waitFor(
      async () =>
        (await query(first!, 'SELECT 1 FROM shipments WHERE order_id = $1', [probe.data.orderId])).length === 1,
      'the consumer ready',
    );

    // four boxes per township: two vans' worth
    const townships = [`t-${randomUUID().slice(0, 8)}`, `t-${randomUUID().slice(0, 8)}`];
    const paidAt = first.app.get(Clock).now();
    const orders = townships.flatMap((township) => Array.from({ length: 4 }, () => paid(township, 'fresh', paidAt)));
    await send(orders);
    const shipments = await waitFor(async () => {
      const rows = await query(
        first!,
        `SELECT id, township, slot_starts_at FROM shipments WHERE status = 'scheduled' AND township = ANY($1)`,
        [townships],
      );
      return rows.length === orders.length && rows;
    }, 'every order scheduled');
    const slots = [...new Set(shipments.map((s) => `${s.township}|${s.slot_starts_at.toISOString()}`))];
    const runIds = slots.map((s) => pickupRunJobId(s.split('|')[0], new Date(s.split('|')[1])));
    // the jobs are in BullMQ, waiting for their time
    const jobs = first.app.get(Jobs);
    await waitFor(async () => {
      const watches = await Promise.all(
        shipments.map((s) => jobs.queue(DEADLINE_WATCH_QUEUE).getJob(deadlineJobId(s.id))),
      );
      const runs = await Promise.all(runIds.map((id) => jobs.queue(PICKUP_DISPATCH_QUEUE).getJob(id)));
      return watches.every(Boolean) && runs.every(Boolean);
    }, 'the jobs enqueued');
    const stillWaiting = async (queue: string, ids: string[]) =>
      (await Promise.all(ids.map(async (id) => (await jobs.queue(queue).getJob(id))?.getState()))).filter(
        (state) => state === 'delayed',
      ).length;
    const waitingRuns = await stillWaiting(PICKUP_DISPATCH_QUEUE, runIds);
    const waitingWatches = await stillWaiting(
      DEADLINE_WATCH_QUEUE,
      shipments.map((s) => deadlineJobId(s.id)),
    );

    // the kill: the first instance goes away with its jobs waiting
    await first.app.close();
    expect(waitingRuns).toBeGreaterThan(0); // the later van's run at least was still to come
    expect(waitingWatches).toBe(orders.length);

    second = await startService('fulfillment', { namespace, env, databaseUrl: db.url });
    await waitFor(
      async () =>
        (
          await query(
            second!,
            `SELECT count(*)::int AS n FROM shipments WHERE status = 'failed' AND township = ANY($1)`,
            [townships],
          )
        )[0].n === orders.length,
      'every parcel spoiled',
      60_000,
      200,
    );

    // one run per booked slot, each with exactly its parcels
    const runs = await query(
      second,
      'SELECT township, slot_starts_at, manifest FROM pickup_runs WHERE township = ANY($1)',
      [townships],
    );
    expect(runs.map((r) => `${r.township}|${r.slot_starts_at.toISOString()}`).sort()).toEqual([...slots].sort());
    for (const run of runs) {
      const riding = shipments
        .filter((s) => s.township === run.township && s.slot_starts_at.getTime() === run.slot_starts_at.getTime())
        .map((s) => s.id);
      expect(run.manifest.parcels.map((p: { shipmentId: string }) => p.shipmentId).sort()).toEqual(riding.sort());
    }
    // every deadline watch fired once and did the spoiling itself (the sweep was not needed)
    const secondJobs = second.app.get(Jobs);
    for (const s of shipments) {
      const watch = await secondJobs.queue(DEADLINE_WATCH_QUEUE).getJob(deadlineJobId(s.id));
      expect(await watch?.getState()).toBe('completed');
      expect(watch?.returnvalue).toBe(true);
    }
    const history = await query(
      second,
      `SELECT shipment_id, count(*)::int AS n FROM shipment_history WHERE to_status = 'failed' AND reason = 'spoiled' AND caused_by = 'deadline-watch' GROUP BY shipment_id`,
    );
    expect(history.map((h) => h.shipment_id).sort()).toEqual(shipments.map((s) => s.id).sort());
    expect(history).toHaveLength(orders.length);
    expect(history.every((h) => h.n === 1)).toBe(true);

    // on the topic: each order scheduled once and failed as spoiled once
    await waitFor(
      async () => (await query(second!, 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL'))[0].n === 0,
      'the outbox drained',
    );
    const [{ n: sent }] = await query(second, `SELECT count(*)::int AS n FROM outbox WHERE kind = 'event'`);
    const events = (await readTopic(`${namespace}.fulfillment.events`, (ms) => ms.length >= sent)).map((m) =>
      JSON.parse(m.value!.toString()),
    );
    for (const order of orders) {
      const mine = events
        .filter((e) => e.data.orderId === order.data.orderId)
        .map((e) => [e.type, e.data.reason ?? null]);
      expect(mine).toEqual([
        ['fulfillment.shipment-scheduled', null],
        ['fulfillment.shipment-failed', 'spoiled'],
      ]);
    }
    const ours = new Set(orders.map((o) => o.data.orderId));
    expect(events.filter((e) => ours.has(e.data.orderId))).toHaveLength(2 * orders.length);
  });
});
