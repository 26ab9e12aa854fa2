// A Redis without persistence restarted under running services: every delayed job and schedule is
// gone, and the schedules come back by themselves, with no service restarted: each sweep's next
// occurrence and the next daily payout run are in Redis again, and a sweep does what the lost
// job would have done (a reservation whose expiry job was lost is released).
import { demoAddress } from '@cc/contracts';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import IORedis from 'ioredis';
import { isOccurrenceOf, Jobs } from '@cc/service';
import { CatalogJobs, RESERVATION_QUEUE } from '../../apps/catalog/src/jobs/catalogue';

import {
  AUTO_CONFIRM_QUEUE,
  OrdersJobs,
  PAYMENT_TIMEOUTS_QUEUE,
  PAYMENTS_QUEUE,
} from '../../apps/orders/src/jobs/catalogue';
import { DEADLINE_WATCH_QUEUE } from '../../apps/fulfillment/src/jobs/catalogue';
import { PAYOUT_RUNS_QUEUE } from '../../apps/payouts/src/jobs/catalogue';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';

const expiryJobId = (orderId: string) => CatalogJobs.expireReservation.id({ orderId });

const sparePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** A private redis-server that keeps nothing on disk, as the platform's does; never the shared one. */
class PrivateRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new IORedis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await waitFor(
        async () => {
          await probe.connect().catch(() => undefined);
          return (await probe.ping()) === 'PONG';
        },
        `redis-server on ${this.port}`,
        10_000,
        50,
      );
    } finally {
      probe.disconnect();
    }
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

describe('schedules after a Redis restart', () => {
  const namespace = newNamespace();
  let redis: PrivateRedis;
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  let payouts: RunningService;
  const crashes: Error[] = [];

  beforeAll(async () => {
    redis = new PrivateRedis(await sparePort());
    await redis.start();
    // a county minute a real second (all four on one clock): sweeps every county minute, so every real second
    const env = { REDIS_URL: redis.url, TIME_SCALE: '60', CLOCK_ANCHOR: String(Date.now()), SCHEDULE_CHECK_MS: '2000' };
    const overrides = { onConsumerCrash: (e: Error) => void crashes.push(e) };
    // five county minutes (five real seconds) of reservation: it runs out after the restart
    catalog = await startService('catalog', {
      namespace,
      env: { ...env, RESERVATION_TTL_MINUTES: '5', SWEEP_INTERVAL_SECONDS: '60' },
      overrides,
    });
    [orders, fulfillment, payouts] = await Promise.all([
      startService('orders', { namespace, env: { ...env, CATALOG_URL: catalog.url }, overrides }),
      startService('fulfillment', { namespace, env, overrides }),
      startService('payouts', { namespace, env, overrides }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([orders?.close(), fulfillment?.close(), payouts?.close()]);
    await catalog?.close();
    await redis?.stop();
  });

  const schedules = [
    { service: () => catalog, queue: RESERVATION_QUEUE, job: 'sweep-expired-reservations' },
    { service: () => orders, queue: PAYMENT_TIMEOUTS_QUEUE, job: 'sweep-unpaid' },
    { service: () => orders, queue: AUTO_CONFIRM_QUEUE, job: 'sweep-auto-confirm' },
    { service: () => fulfillment, queue: DEADLINE_WATCH_QUEUE, job: 'sweep-overdue' },
    { service: () => payouts, queue: PAYOUT_RUNS_QUEUE, job: 'start-payout-run' },
  ];
  /** The ids of each schedule's occurrences waiting in Redis. */
  const waitingOccurrences = async () =>
    Promise.all(
      schedules.map(async ({ service, queue, job }) => {
        const delayed = await service().app.get(Jobs).queue(queue).getJobs(['delayed', 'waiting', 'prioritized']);
        return delayed.filter((j) => j.name === job && isOccurrenceOf(job, j.id)).map((j) => j.id!);
      }),
    );
  const stockOf = async (productId: string) => (await call('GET', `${catalog.url}/products/${productId}`)).body.stock;

  it('brings back every sweep and the next payout run by itself, and a sweep releases what a lost job would have', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 5 });
    const orderId = randomUUID();
    await publish(`${namespace}.orders.events`, [
      {
        key: orderId,
        value: envelope('orders.order-placed', {
          orderId,
          checkoutId: randomUUID(),
          buyerId: 'b',
          storeId: store.id,
          township: 'louguan',
          lines: [{ productId: product.id, quantity: 2, unitPriceFen: 6800, category: 'fresh' }],
          totalFen: 13_600,
          placedAt: new Date().toISOString(),
        }),
      },
    ]);
    await waitFor(async () => (await stockOf(product.id)).reserved === 2, 'reserved');
    const expiryQueue = catalog.app.get(Jobs).queue(RESERVATION_QUEUE);
    await waitFor(async () => (await expiryQueue.getJob(expiryJobId(orderId))) !== undefined, 'the expiry job');
    const before = await waitFor(async () => {
      const found = await waitingOccurrences();
      return found.every((ids) => ids.length > 0) && found;
    }, 'every schedule waiting');
    const payoutRun = schedules.findIndex((s) => s.job === 'start-payout-run');
    const [nextPayoutRun] = before[payoutRun];

    await redis.stop();
    await redis.start();
    const restartedAt = Date.now();

    const after = await waitFor(
      async () => {
        const found = await waitingOccurrences();
        return found.every((ids) => ids.length > 0) && found;
      },
      'every schedule back',
      15_000,
    );
    const backInMs = Date.now() - restartedAt;
    // the payout run is the same occurrence as before: its id names it, so it was not moved or doubled
    expect(after[payoutRun]).toEqual([nextPayoutRun]);
    for (const ids of after) expect(ids).toHaveLength(1);
    console.log(`schedules back ${backInMs} ms after the Redis restart`);

    // the reservation's expiry job went with Redis (nothing adds it again); the sweep releases it once it is past its time
    expect(await expiryQueue.getJob(expiryJobId(orderId))).toBeUndefined();
    await waitFor(
      async () => (await stockOf(product.id)).reserved === 0,
      'the reservation released by the sweep',
      20_000,
    );
    expect(await stockOf(product.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    const [reservation] = await catalog.dataSource.query(
      `SELECT status, expires_at, closed_at FROM reservations WHERE order_id = $1`,
      [orderId],
    );
    expect(reservation.status).toBe('released');
    expect(reservation.closed_at.getTime()).toBeGreaterThanOrEqual(reservation.expires_at.getTime());
    expect(crashes).toEqual([]);
  }, 60_000);

  it('brings them back within SCHEDULE_CHECK_MS when Redis loses them without a reconnect', async () => {
    const client = new IORedis(redis.url);
    try {
      await client.flushall();
    } finally {
      client.disconnect();
    }
    const flushedAt = Date.now();
    const after = await waitFor(
      async () => {
        const found = await waitingOccurrences();
        return found.every((ids) => ids.length > 0) && found;
      },
      'every schedule back',
      10_000,
    );
    for (const ids of after) expect(ids).toHaveLength(1);
    expect(Date.now() - flushedAt).toBeLessThan(2000 + 1500); // the check's period (2 s here), and some slack
    expect(crashes).toEqual([]);
  });
});

// Orders whose capture and timeout jobs a Redis restart took away are captured within seconds of
// Redis coming back (their jobs are added again from orders' own records), not left for the sweep
// and its timeout, and not cancelled.
describe('payment jobs after a Redis restart', () => {
  const namespace = newNamespace();
  let redis: PrivateRedis;
  let catalog: RunningService;
  let orders: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);

  beforeAll(async () => {
    redis = new PrivateRedis(await sparePort());
    await redis.start();
    catalog = await startService('catalog', { namespace, env: { REDIS_URL: redis.url } });
    orders = await startService('orders', {
      namespace,
      env: { REDIS_URL: redis.url, CATALOG_URL: catalog.url, PAYMENT_TIMEOUT_SECONDS: '600' },
    });
  }, 60_000);
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
    await redis?.stop();
  });

  it('captures the orders whose jobs Redis forgot, once it is back', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 3300, stock: 10 });
    const captures = orders.app.get(Jobs).queue(PAYMENTS_QUEUE);
    await captures.pause(); // the captures wait in Redis, untried, when it goes
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', `${orders.url}/checkouts`, {
        token: buyer,
        body: {
          lines: [{ productId: product.id, quantity: 1 }],
          paymentToken: 'tok_ok',
          shippingAddress: demoAddress(),
        },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.orders[0].id);
    }
    const statuses = async () =>
      (await orders.dataSource.query(`SELECT status FROM orders WHERE id = ANY($1) ORDER BY id`, [ids])).map(
        (r: { status: string }) => r.status,
      );
    await waitFor(async () => (await statuses()).every((s: string) => s === 'awaiting_payment'), 'awaiting payment');
    await waitFor(
      async () =>
        (await Promise.all(ids.map((id) => captures.getJob(OrdersJobs.capturePayment.id({ orderId: id }))))).every(
          Boolean,
        ),
      'capture jobs waiting',
    );

    await redis.stop();
    await redis.start();
    const backAt = Date.now();

    // nothing of them is left in Redis but what orders adds again; the timeout (600 s) is far off
    await waitFor(
      async () => (await statuses()).every((s: string) => s === 'paid'),
      'paid after Redis came back',
      15_000,
    );
    console.log(`orders paid ${Date.now() - backAt} ms after Redis came back`);
    const history = await orders.dataSource.query(
      `SELECT caused_by FROM order_history WHERE order_id = ANY($1) AND to_status = 'paid'`,
      [ids],
    );
    expect(history.map((h: { caused_by: string }) => h.caused_by)).toEqual([
      'payment-provider',
      'payment-provider',
      'payment-provider',
    ]);
    // each timeout is back too, due when it was due before
    for (const id of ids) {
      const timeout = await orders.app
        .get(Jobs)
        .queue(PAYMENT_TIMEOUTS_QUEUE)
        .getJob(OrdersJobs.cancelUnpaid.id({ orderId: id }));
      expect(timeout).toBeDefined();
      expect(timeout!.delay).toBeGreaterThan(590_000);
    }
  }, 60_000);
});
