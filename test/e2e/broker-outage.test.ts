// The runtime lifecycle against a broker of this file's own, with the four services as processes:
// a 20 s broker outage under a stream of checkouts ends no service and loses no order; SIGTERM
// stops a service promptly with its broker up, and within SHUTDOWN_TIMEOUT_MS with it gone.
import { demoAddress } from '@cc/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase } from '../support/databases';
import { newProduct, newStore } from '../support/factories';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace } from '../support/harness';
import { PrivateBroker } from '../support/private-broker';
import { freePorts, Platform, SERVICE_NAMES, ServiceName } from '../../scripts/platform';

const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');
const SHUTDOWN_TIMEOUT_MS = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('services ride out a broker outage and stop within their bound', () => {
  let broker: PrivateBroker;
  let platform: Platform;
  const drops: (() => Promise<void>)[] = [];
  const pids = new Map<ServiceName, number>();
  const child = (name: ServiceName) => platform.processes.get(name)!.child;
  const alive = (name: ServiceName) => child(name).exitCode === null && child(name).signalCode === null;
  const logOf = (name: ServiceName) =>
    readFileSync(platform.processes.get(name)?.logFile ?? join(logDir, `${name}.log`), 'utf8');
  const logDir = join(__dirname, '..', '..', '.run', 'test-logs', `broker-outage-${Date.now()}`);

  beforeAll(async () => {
    broker = await PrivateBroker.start();
    const ports = await freePorts(4);
    const databaseUrls = {} as Record<ServiceName, string>;
    for (const name of SERVICE_NAMES) {
      const db = await freshDatabase(name);
      databaseUrls[name] = db.url;
      drops.push(db.drop);
    }
    platform = new Platform({
      root: join(__dirname, '..', '..'),
      ports: Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>,
      databaseUrls,
      env: {
        NODE_ENV: 'test',
        NAMESPACE: newNamespace(),
        KAFKA_BROKERS: broker.brokers,
        KAFKA_SASL_MECHANISM: 'none',
        KAFKA_PARTITIONS: '3',
        LOG_LEVEL: 'info',
        // real time: no county timer (reservation, payment timeout) runs out during the outage
        TIME_SCALE: '1',
        PICKUP_TIMETABLE: HOURLY,
        SLOT_CAPACITY: '1000',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      logDir,
    });
    await platform.start();
    for (const name of SERVICE_NAMES) pids.set(name, child(name).pid!);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    for (const drop of drops) await drop();
    await broker?.remove();
  });

  it('keeps every service running through a 20 s broker outage, and every order placed around it reaches scheduled', async () => {
    const store = await newStore(platform.url('catalog'));
    const product = await newProduct(platform.url('catalog'), store.id, {
      category: 'ambient',
      name: 'Hongyan dried dates, 1 kg',
      stock: 10_000,
    });
    const buyer = tokenFor('buyer', undefined, 'buyer-outage');
    const placed: string[] = [];
    const refused: number[] = [];
    let streaming = true;
    const stream = (async () => {
      for (let i = 0; streaming; i++) {
        const res = await call('POST', `${platform.url('orders')}/checkouts`, {
          token: buyer,
          body: {
            lines: [{ productId: product.id, quantity: 1 }],
            paymentToken: 'tok_ok',
            shippingAddress: demoAddress(),
          },
          headers: { 'Idempotency-Key': `outage-${i}` },
        }).catch(() => undefined);
        if (res?.status === 201) placed.push(...res.body.orders.map((o: { id: string }) => o.id));
        else refused.push(res?.status ?? 0);
        await sleep(250);
      }
    })();

    await sleep(3000);
    const beforeOutage = placed.length;
    await broker.down();
    const downAt = Date.now();
    await sleep(20_000);
    const duringOutage = placed.length - beforeOutage;
    await broker.up();
    const outage = Date.now() - downAt;
    await sleep(3000);
    streaming = false;
    await stream;

    const status = async (id: string) =>
      (await call('GET', `${platform.url('orders')}/orders/${id}`, { token: buyer })).body.status as string;
    let statuses: string[] = [];
    await waitFor(
      async () => {
        statuses = await Promise.all(placed.map(status));
        return statuses.every((s) => s === 'scheduled');
      },
      'every order scheduled',
      60_000,
      1000,
    ).catch(() => undefined);
    const drainedAfter = Date.now() - downAt - outage;
    console.log(
      `broker away ${(outage / 1000).toFixed(1)} s; ${placed.length} orders placed (${beforeOutage} before, ${duringOutage} while it was away), ` +
        `${refused.length} checkouts refused (${[...new Set(refused)].join(', ') || 'none'}); all scheduled ${(drainedAfter / 1000).toFixed(1)} s after it was back`,
    );

    expect(beforeOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 'scheduled')).toEqual([]);
    for (const name of SERVICE_NAMES) {
      expect({ name, alive: alive(name), pid: child(name).pid }).toEqual({ name, alive: true, pid: pids.get(name) });
      const log = logOf(name);
      expect({ name, fatal: log.split('\n').filter((l) => l.includes('"level":"fatal"')) }).toEqual({
        name,
        fatal: [],
      });
      // what heals is a warning, not an error
      const errors = log
        .split('\n')
        .filter((l) => l.includes('"level":"error"') && /kafkajs|consumer|outbox-relay/.test(l));
      expect({ name, errors }).toEqual({ name, errors: [] });
    }
    // the consumers say they consume again
    for (const name of ['catalog', 'orders', 'fulfillment', 'payouts'] as const) {
      const health = await call('GET', `${platform.url(name)}/health`);
      expect({ name, status: health.status, consumer: health.body.details?.consumer?.state }).toEqual({
        name,
        status: 200,
        consumer: 'consuming',
      });
    }
  }, 100_000);

  /** SIGTERM; resolves with how long the process took to exit, and its exit code. */
  const terminate = async (name: ServiceName) => {
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child(name).once('exit', (code) => resolve(code)));
    child(name).kill('SIGTERM');
    const code = await exited;
    return { name, ms: Date.now() - started, code };
  };

  it('stops a service promptly with exit code 0 on SIGTERM while its broker is up', async () => {
    const results = [await terminate('payouts'), await terminate('catalog')];
    console.log(
      `SIGTERM with the broker up: ${results.map((r) => `${r.name} exited ${r.code} after ${r.ms} ms`).join(', ')}`,
    );
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    expect(logOf('payouts')).toMatch(/"msg":"payouts stopped"/);
  }, 30_000);

  it('stops a service within SHUTDOWN_TIMEOUT_MS on SIGTERM when its broker has gone away', async () => {
    await broker.down();
    await sleep(2000); // the services notice: fetches and heartbeats fail, clients start retrying
    const results = await Promise.all([terminate('orders'), terminate('fulfillment')]);
    console.log(
      `SIGTERM with the broker gone: ${results.map((r) => `${r.name} exited ${r.code} after ${r.ms} ms`).join(', ')}`,
    );
    for (const r of results) expect(r.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 1000);
    // each says how it ended: cleanly, or which step it left behind
    for (const name of ['orders', 'fulfillment'] as const)
      expect(logOf(name)).toMatch(new RegExp(`"msg":"${name} (stopped|did not stop)`));
  }, 30_000);
});
