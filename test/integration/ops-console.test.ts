// The operations console against the real Kafka, Redis and PostgreSQL, with seeded trouble: a
// lagging consumer group, a failed job, a dead letter. Its JSON API, re-driving, access rules,
// and a real browser (headless Chromium) that signs in, sees the numbers and retries the job.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { chromium } from 'playwright-core';
import { demoAddress } from '@cc/contracts';
import { DeadLetterHeaders } from '@cc/messaging';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, kafka, publish } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';
import { startOps } from '../support/ops';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('operations console', () => {
  const namespace = newNamespace();
  const prefix = `cc-${namespace}`;
  const ops = tokenFor('ops', undefined, 'night-shift');
  let catalog: RunningService;
  let fulfillment: RunningService;
  let consoleApp: Awaited<ReturnType<typeof startOps>>;
  let queue: Queue;
  let worker: Worker;
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  let failing = true;
  let productId: string;
  let storeId: string;
  const lagTopic = `${namespace}.lag-demo`;

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
    const hourly = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');
    fulfillment = await startService('fulfillment', {
      namespace,
      env: { PICKUP_TIMETABLE: hourly, SIMULATED_COURIER_PICKUP: 'false' },
    });
    consoleApp = await startOps(namespace, { CATALOG_URL: catalog.url, FULFILLMENT_URL: fulfillment.url });

    // fresh produce at risk: a box of greens that must be collected within three hours
    const greens = randomUUID();
    await publish(`${namespace}.orders.shipping`, [
      {
        key: greens,
        value: envelope('orders.shipment-requested', {
          orderId: greens,
          buyerId: 'b',
          storeId: randomUUID(),
          township: 'louguan',
          lines: [
            {
              productId: randomUUID(),
              productName: 'Greens, 1 kg',
              quantity: 1,
              unitPriceFen: 1500,
              category: 'fresh',
              pickupWithinHours: 3,
            },
          ],
          totalFen: 1500,
          paidAt: new Date().toISOString(),
        }),
      },
    ]);
    await waitFor(
      async () =>
        (
          await fulfillment.dataSource.query(`SELECT 1 FROM shipments WHERE order_id = $1 AND status = 'scheduled'`, [
            greens,
          ])
        ).length === 1,
      'the greens scheduled',
    );

    // a failed job: the courier API was down when it ran
    queue = new Queue('courier-calls-demo', { connection: redis, prefix });
    worker = new Worker(
      'courier-calls-demo',
      async () => {
        if (failing) throw new Error('courier API answered 503');
        return 'sent';
      },
      { connection: redis, prefix },
    );
    await queue.add('send-manifest', { township: 'louguan' }, { jobId: 'manifest-1', attempts: 1 });
    await waitFor(async () => (await queue.getFailedCount()) === 1, 'the job to fail');

    // a lagging consumer group: 5 events it has not read
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: lagTopic, numPartitions: 1 }] });
    await publish(
      lagTopic,
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `m${i}`, headers: {} })),
    );
    await admin.setOffsets({
      groupId: `${namespace}.slow-consumer`,
      topic: lagTopic,
      partitions: [{ partition: 0, offset: '0' }],
    });
    await admin.disconnect();

    // a dead letter: an order-placed whose handler failed (say, a database outage), now fixable
    const store = await newStore(catalog.url);
    storeId = store.id;
    productId = (await newProduct(catalog.url, store.id, { stock: 6 })).id;
    const orderId = randomUUID();
    const placed = envelope('orders.order-placed', {
      orderId,
      checkoutId: randomUUID(),
      buyerId: 'b',
      storeId,
      township: 'louguan',
      lines: [{ productId, quantity: 2, unitPriceFen: 6800, category: 'fresh' }],
      totalFen: 13600,
      placedAt: new Date().toISOString(),
    });
    await publish(`${namespace}.catalog.dlq`, [
      {
        key: orderId,
        value: placed,
        headers: {
          'event-id': placed.id,
          'event-type': placed.type,
          [DeadLetterHeaders.error]: 'connection terminated unexpectedly',
          [DeadLetterHeaders.errorName]: 'QueryFailedError',
          [DeadLetterHeaders.topic]: `${namespace}.orders.events`,
          [DeadLetterHeaders.partition]: '0',
          [DeadLetterHeaders.offset]: '41',
          [DeadLetterHeaders.group]: `${namespace}.catalog`,
          [DeadLetterHeaders.attempts]: '5',
        },
      },
    ]);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await consoleApp?.close();
    await fulfillment?.close();
    await catalog?.close();
    redis.disconnect();
  });

  const api = (path: string, method = 'GET', body?: unknown, token = ops) =>
    call(method, `${consoleApp.url}/api/${path}`, { token, body });

  it('answers 401 without a token and 403 for another role, on every page and API', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/queues'],
      ['GET', '/api/kafka'],
      ['GET', '/api/dead-letters'],
      ['GET', '/api/outbox'],
      ['GET', '/api/audit'],
      ['POST', '/api/queues/x/pause'],
      ['GET', '/bull-board/'],
    ]) {
      expect([path, (await call(method, `${consoleApp.url}${path}`)).status]).toEqual([path, 401]);
      expect([
        path,
        (await call(method, `${consoleApp.url}${path}`, { token: tokenFor('seller', randomUUID()) })).status,
      ]).toEqual([path, 403]);
    }
  });

  it('shows every queue with its counts and the failed job with its error', async () => {
    const queues = (await api('queues')).body as {
      name: string;
      counts: Record<string, number>;
      failedJobs: { id: string; failedReason: string }[];
    }[];
    const demo = queues.find((q) => q.name === 'courier-calls-demo')!;
    expect(demo.counts.failed).toBe(1);
    expect(demo.failedJobs[0]).toMatchObject({ id: 'manifest-1', failedReason: 'courier API answered 503' });
    expect(queues.map((q) => q.name)).toContain('reservation-expiry'); // catalog's own queue
  });

  it('shows a lagging group with its lag per partition and a trend', async () => {
    const groups = await waitFor(async () => {
      const body = (await api('kafka')).body as {
        groupId: string;
        totalLag: number;
        partitions: unknown[];
        history: unknown[];
      }[];
      const slow = body.find((g) => g.groupId === `${namespace}.slow-consumer`);
      return slow && slow.history.length >= 2 && slow;
    }, 'two lag samples');
    expect(groups.totalLag).toBe(5);
    expect(groups.partitions).toEqual([{ topic: lagTopic, partition: 0, committed: 0, end: 5, lag: 5 }]);
  });

  it('lists the dead letter and re-drives it: handled once by its consumer, gone from the list, audited', async () => {
    const [dlq] = (
      (await api('dead-letters')).body as {
        topic: string;
        waiting: number;
        latest: { partition: number; offset: string; type: string; error: string; originalTopic: string }[];
      }[]
    ).filter((t) => t.topic === `${namespace}.catalog.dlq`);
    expect(dlq.waiting).toBe(1);
    expect(dlq.latest[0]).toMatchObject({
      type: 'orders.order-placed',
      error: 'connection terminated unexpectedly',
      originalTopic: `${namespace}.orders.events`,
    });
    const { partition, offset } = dlq.latest[0];
    expect((await api(`dead-letters/${dlq.topic}/redrive`, 'POST', { partition, offset })).body).toEqual({
      redriven: 1,
    });
    await waitFor(
      async () => (await call('GET', `${catalog.url}/products/${productId}`)).body.stock.reserved === 2,
      'catalog to reserve the re-driven order',
    );
    expect((await api(`dead-letters/${dlq.topic}/redrive`, 'POST', { partition, offset })).status).toBe(404);
    const after = ((await api('dead-letters')).body as { topic: string; waiting: number; total: number }[]).find(
      (t) => t.topic === dlq.topic,
    )!;
    expect(after).toMatchObject({ waiting: 0, total: 1 });
    expect((await api('audit')).body[0]).toMatchObject({
      who: 'night-shift',
      action: 'redrive',
      target: `${dlq.topic}/${partition}/${offset}`,
    });
    // redelivered once more by Kafka or an operator, it changes nothing: the inbox has it
    const [{ n }] = await catalog.dataSource.query(
      'SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1 AND kind = $2',
      [productId, 'reservation'],
    );
    expect(n).toBe(1);
  });

  it('shows a poison dead letter with its payload masked, and parks it with a reason', async () => {
    const poison = envelope('orders.shipment-requested', {
      orderId: randomUUID(),
      buyerId: 'b',
      storeId,
      township: 'louguan',
      lines: [{ productId, productName: 'Greens, 1 kg', quantity: 1, unitPriceFen: 1500, category: 'fresh' }],
      totalFen: 1500,
      paidAt: 'yesterday', // not a date: it can never be decoded
      shippingAddress: demoAddress(7),
    });
    const topic = `${namespace}.fulfillment.dlq`;
    await publish(topic, [
      {
        key: poison.data.orderId,
        value: poison,
        headers: {
          'event-id': poison.id,
          'event-type': poison.type,
          [DeadLetterHeaders.error]: 'paidAt must be a valid ISO 8601 date string',
          [DeadLetterHeaders.errorName]: 'InvalidEventError',
          [DeadLetterHeaders.topic]: `${namespace}.orders.shipping`,
          [DeadLetterHeaders.partition]: '0',
          [DeadLetterHeaders.offset]: '7',
        },
      },
    ]);
    const listed = await waitFor(
      async () =>
        (
          (await api('dead-letters')).body as {
            topic: string;
            waiting: number;
            latest: { partition: number; offset: string }[];
          }[]
        ).find((t) => t.topic === topic && t.waiting === 1),
      'the poison listed',
    );
    const { partition, offset } = listed.latest[0];

    const shown = (await api(`dead-letters/${topic}/${partition}/${offset}`)).body;
    expect(shown).toMatchObject({
      type: 'orders.shipment-requested',
      errorName: 'InvalidEventError',
      payload: { data: { orderId: poison.data.orderId, paidAt: 'yesterday' } },
    });
    expect(shown.payload.data.shippingAddress).toMatchObject({ phone: '138****0007', street: '***', city: '延安市' });
    expect(JSON.stringify(shown)).not.toContain(demoAddress(7).phone);
    // re-driving it would fail again: refused; parking it needs a reason
    expect((await api(`dead-letters/${topic}/redrive`, 'POST', { partition, offset })).status).toBe(409);
    expect((await api(`dead-letters/${topic}/park`, 'POST', { partition, offset })).status).toBe(400);
    expect(
      (
        await api(`dead-letters/${topic}/park`, 'POST', {
          partition,
          offset,
          reason: 'paidAt is not a date; orders fixed the writer in 1.4',
        })
      ).body,
    ).toEqual({ parked: 1 });
    const after = (
      (await api('dead-letters')).body as {
        topic: string;
        waiting: number;
        parked: { reason: string; who: string }[];
      }[]
    ).find((t) => t.topic === topic)!;
    expect(after).toMatchObject({
      waiting: 0,
      parked: [{ reason: 'paidAt is not a date; orders fixed the writer in 1.4', who: 'night-shift' }],
    });
    expect((await api('audit')).body[0]).toMatchObject({
      who: 'night-shift',
      action: 'park',
      target: `${topic}/${partition}/${offset}`,
    });
    expect((await api(`dead-letters/${topic}/park`, 'POST', { partition, offset, reason: 'again' })).status).toBe(404);
  });

  it('says at a glance what is down: a red banner for the services that do not answer and their silent consumer groups', async () => {
    const status = (await api('status')).body as {
      level: string;
      banner: string;
      items: { name: string; level: string; detail: string }[];
    };
    const item = (name: string) => status.items.find((i) => i.name === name);
    // this test runs catalog and fulfillment only: orders and payouts are down, and nobody reads their events
    expect(status.level).toBe('red');
    expect(status.banner).toMatch(/orders: down/);
    expect(status.banner).toMatch(/payouts consumers: (no consumer group|group \w+, no members)/);
    expect(item('catalog')).toMatchObject({ level: 'green' });
    expect(item('fulfillment consumers')).toMatchObject({
      level: 'green',
      detail: expect.stringMatching(/^\d+ members?$/),
    });
    expect(item('dead letters')).toMatchObject({ level: 'green' });
    expect(item('jobs')).toMatchObject({ level: 'amber', detail: '1 failed' });
  });

  it('shows the outbox backlog of the services it can reach', async () => {
    const outbox = (await api('outbox')).body as { service: string; unsent?: number; unavailable?: string }[];
    expect(outbox.find((o) => o.service === 'catalog')).toMatchObject({ unsent: expect.any(Number) });
    expect(outbox.find((o) => o.service === 'payouts')?.unavailable).toMatch(/did not answer|answered/);
  });

  it('shows fresh produce at risk by township', async () => {
    const fresh = (await api('fresh-at-risk')).body;
    expect(fresh).toMatchObject({
      withinHours: 6,
      atRisk: 1,
      spoiledToday: 0,
      byTownship: [{ township: 'louguan', atRisk: 1, earliestDeadlineAt: expect.any(String) }],
    });
    expect((await call('GET', `${fulfillment.url}/admin/at-risk`, { token: tokenFor('buyer') })).status).toBe(403);
  });

  it('works in a real browser: sign in, see the panels, retry the failed job by clicking', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (Debian package chromium)`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      const first = await page.goto(consoleApp.url);
      expect(first?.status()).toBe(401);
      await page.fill('textarea[name=token]', ops);
      await page.click('button[type=submit]');
      await page.waitForSelector('#queues table');
      await page.waitForSelector('#kafka table');
      await page.waitForSelector('#dlq b'); // each panel loads on its own: the dead letters are read from their topics
      expect(await page.textContent('#queues')).toContain('courier-calls-demo');
      expect(await page.textContent('#queues')).toContain('courier API answered 503');
      expect(await page.textContent('#kafka')).toContain(`${namespace}.slow-consumer`);
      expect(await page.textContent('#dlq')).toContain(`${namespace}.catalog.dlq`);
      await page.waitForSelector('#status .banner.red');
      expect(await page.textContent('#status .banner')).toMatch(/orders: down/);
      await page.waitForSelector('#fresh table');
      expect(await page.textContent('#fresh')).toContain('louguan');
      const docs = join(__dirname, '..', '..', 'docs');
      mkdirSync(docs, { recursive: true });
      await page.screenshot({ path: join(docs, 'ops-console.png'), fullPage: true });
      failing = false; // the courier API is back
      await page.click('#queues .failed-job button');
      await waitFor(async () => (await queue.getCompletedCount()) === 1, 'the retried job to run');
      await page.waitForFunction(
        `!document.querySelector('#queues')?.textContent?.includes('courier API answered 503')`,
        undefined,
        { timeout: 15_000 },
      );
      expect((await api('audit')).body[0]).toMatchObject({
        action: 'retry-job',
        target: 'courier-calls-demo/manifest-1',
      });
    } finally {
      await browser.close();
    }
  });
});
