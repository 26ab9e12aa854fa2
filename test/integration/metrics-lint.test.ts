// What Prometheus is given is valid: every service's and the console's GET /metrics passes
// `promtool check metrics`, the shipped alert rules and scrape config pass `promtool check`, and
// every metric an alert rule names is really exported by one of them (a renamed metric would
// otherwise leave its alert silently never firing). promtool comes from the Debian package
// `prometheus` (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadLetterHeaders } from '@cc/messaging';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, kafka, publish } from '../support/kafka';
import { startOps } from '../support/ops';

const ROOT = join(__dirname, '../..');
const PROMETHEUS_DIR = join(ROOT, 'deploy/prometheus');

function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (run.error)
    throw new Error(
      `promtool could not be run (${run.error.message}): install the Debian package "prometheus" (apt-get install prometheus; .ci/run does)`,
    );
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return res.text();
}

/** The metric names a PromQL expression reads: what is left once labels, ranges, strings, grouping clauses, functions and keywords are taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\boffset\s+-?\w+/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const keywords = new Set(['and', 'or', 'unless', 'offset', 'bool', 'by', 'without', 'on', 'ignoring']);
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter(([, name, call]) => !call && !keywords.has(name))
    .map(([, name]) => name);
}

/** A sample's value in a /metrics text, or undefined when the series is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Each alert rule's expression from alerts.yml (written one `expr:` per line there). */
const alertExpressions = () =>
  [...readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8').matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1].trim());

describe('metrics and alert rules pass promtool', () => {
  const namespace = newNamespace();
  const services: Record<string, RunningService> = {};
  let ops: Awaited<ReturnType<typeof startOps>>;
  const scraped: Record<string, string> = {};

  beforeAll(async () => {
    // fails here, with how to install it, rather than with five puzzling lint failures
    promtool(['--version']);
    for (const name of ['catalog', 'orders', 'payouts'] as const)
      services[name] = await startService(name, { namespace });
    // an hour of county time every 6 s, a round every hour, and a courier that never collects:
    // a parcel's round passes within seconds and it stays uncollected (pickup missed)
    services.fulfillment = await startService('fulfillment', {
      namespace,
      env: {
        TIME_SCALE: '600',
        PICKUP_TIMETABLE: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(','),
        SIMULATED_COURIER_PICKUP: 'false',
      },
    });
    ops = await startOps(namespace, {
      CATALOG_URL: services.catalog.url,
      ORDERS_URL: services.orders.url,
      FULFILLMENT_URL: services.fulfillment.url,
      PAYOUTS_URL: services.payouts.url,
    });
    // one request each, so the labelled HTTP histogram has series to lint too
    for (const { url } of [...Object.values(services), ops]) await call('GET', `${url}/health`);
    for (const [name, { url }] of Object.entries(services)) scraped[name] = await scrape(url);
    // the console's lag gauge has series once it has sampled the services' consumer groups (LAG_SAMPLE_SECONDS=1 here)
    scraped.ops = await waitFor(async () => {
      const text = await scrape(ops.url);
      return /^kafka_consumer_group_lag\{/m.test(text) && /^dead_letters_waiting\{/m.test(text) && text;
    }, 'the console to report consumer lag and dead letters');
  }, 120_000);

  afterAll(async () => {
    await ops?.close();
    for (const service of Object.values(services)) await service.close();
  });

  it.each(['catalog', 'orders', 'fulfillment', 'payouts', 'ops'])(
    '%s: GET /metrics passes promtool check metrics',
    (name) => {
      expect(scraped[name]).toMatch(/^# TYPE /m);
      expect(promtool(['check', 'metrics'], scraped[name])).toEqual({ status: 0, output: '' });
    },
  );

  it('the alert rules and the scrape config pass promtool check', () => {
    const rules = promtool(['check', 'rules', join(PROMETHEUS_DIR, 'alerts.yml')]);
    expect(rules.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(rules.status).toBe(0);
    expect(promtool(['check', 'config', join(PROMETHEUS_DIR, 'prometheus.yml')]).status).toBe(0);
    expect(promtool(['test', 'rules', join(PROMETHEUS_DIR, 'alerts.test.yml')])).toMatchObject({ status: 0 });
  });

  it('every metric an alert rule reads is exported by a service or the console', () => {
    const exported = new Set(
      Object.values(scraped).flatMap((text) => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1])),
    );
    const read = [...new Set(alertExpressions().flatMap(metricNames))].filter((name) => name !== 'up'); // up: Prometheus' own, per target
    expect(read).toEqual(
      expect.arrayContaining([
        'kafka_consumer_group_lag',
        'dead_letters_waiting',
        'outbox_oldest_unsent_age_seconds',
        'queue_jobs',
        'fulfillment_shipments_pickup_missed',
        'fulfillment_shipments_overdue',
      ]),
    );
    expect(read.filter((name) => !exported.has(name))).toEqual([]);
  });

  describe('the gauges added for the alert rules count what they say', () => {
    it('kafka_consumer_group_lag: a group 5 messages behind reads 5', async () => {
      const topic = `${namespace}.lag-demo`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      await publish(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `m${i}`, headers: {} })),
      );
      await admin.setOffsets({
        groupId: `${namespace}.slow-consumer`,
        topic,
        partitions: [{ partition: 0, offset: '0' }],
      });
      await admin.disconnect();
      await waitFor(
        async () =>
          sample(await scrape(ops.url), 'kafka_consumer_group_lag', { group: `${namespace}.slow-consumer` }) === 5,
        'the lag of 5 on /metrics',
      );
      // the services' own groups are there too, caught up
      expect(sample(await scrape(ops.url), 'kafka_consumer_group_lag', { group: `${namespace}.payouts` })).toBe(0);
    });

    it('dead_letters_waiting: counts dead letters until they are re-driven; an undecodable one keeps waiting', async () => {
      const topic = `${namespace}.catalog.dlq`;
      const placed = envelope('orders.order-placed', {
        orderId: randomUUID(),
        checkoutId: randomUUID(),
        buyerId: 'b',
        storeId: randomUUID(),
        township: 'louguan',
        lines: [{ productId: randomUUID(), quantity: 1, unitPriceFen: 100, category: 'fresh' }],
        totalFen: 100,
        placedAt: new Date().toISOString(),
      });
      const origin = {
        [DeadLetterHeaders.topic]: `${namespace}.orders.events`,
        [DeadLetterHeaders.partition]: '0',
        [DeadLetterHeaders.offset]: '7',
        [DeadLetterHeaders.group]: `${namespace}.catalog`,
        [DeadLetterHeaders.attempts]: '5',
      };
      await publish(topic, [
        {
          key: placed.data.orderId,
          value: placed,
          headers: {
            'event-id': placed.id,
            'event-type': placed.type,
            [DeadLetterHeaders.error]: 'connection terminated unexpectedly',
            [DeadLetterHeaders.errorName]: 'QueryFailedError',
            ...origin,
          },
        },
        {
          key: 'garbage',
          value: '{not json',
          headers: {
            [DeadLetterHeaders.error]: 'Unexpected token n',
            [DeadLetterHeaders.errorName]: 'InvalidEventError',
            ...origin,
          },
        },
      ]);
      expect(sample(await scrape(ops.url), 'dead_letters_waiting', { topic })).toBe(2);
      expect(sample(await scrape(ops.url), 'dead_letters_waiting', { topic: `${namespace}.payouts.dlq` })).toBe(0);
      const dlq = (
        (await call('GET', `${ops.url}/api/dead-letters`, { token: tokenFor('ops') })).body as {
          topic: string;
          latest: { partition: number; offset: string; errorName: string }[];
        }[]
      ).find((t) => t.topic === topic)!;
      const fixable = dlq.latest.find((m) => m.errorName === 'QueryFailedError')!;
      expect(
        (
          await call('POST', `${ops.url}/api/dead-letters/${topic}/redrive`, {
            token: tokenFor('ops'),
            body: { partition: fixable.partition, offset: fixable.offset },
          })
        ).body,
      ).toEqual({ redriven: 1 });
      expect(sample(await scrape(ops.url), 'dead_letters_waiting', { topic })).toBe(1);
    });

    it('fulfillment_shipments_pickup_missed: a fresh parcel whose round passed without the courier counts', async () => {
      const { url, dataSource } = services.fulfillment;
      // the count before the parcel exists: once scheduled, its round (an hour of county time,
      // 6 s here) may pass before the next scrape, so 0 cannot be asserted after scheduling
      expect(sample(await scrape(url), 'fulfillment_shipments_pickup_missed', { category: 'fresh' })).toBe(0);
      const orderId = randomUUID();
      await publish(`${namespace}.orders.shipping`, [
        {
          key: orderId,
          value: envelope('orders.shipment-requested', {
            orderId,
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
                pickupWithinHours: 24,
              },
            ],
            totalFen: 1500,
            paidAt: new Date().toISOString(),
          }),
        },
      ]);
      await waitFor(
        async () =>
          (await dataSource.query(`SELECT 1 FROM shipments WHERE order_id = $1 AND status = 'scheduled'`, [orderId]))
            .length === 1,
        'the parcel scheduled',
      );
      await waitFor(
        async () => sample(await scrape(url), 'fulfillment_shipments_pickup_missed', { category: 'fresh' }) === 1,
        'its round to pass uncollected',
        30_000,
        250,
      );
      expect(sample(await scrape(url), 'fulfillment_shipments_pickup_missed', { category: 'chilled' })).toBe(0);
    });
  });
});
