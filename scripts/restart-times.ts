// Measures the runtime lifecycle of each service as a process: time from spawn to the first 200
// on /health (cold, and right after a `kill -9` while the dead member is still in its consumer
// group), time until its consumer is consuming again, and how long a SIGTERM takes to end it.
//   npm run -s build && node dist/scripts/restart-times.js [--rounds 2]
// Uses the broker in KAFKA_BROKERS (default 127.0.0.1:9092) with a namespace of its own, and
// databases rt_<service> (dropped and created again).
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';

const SERVICES = ['catalog', 'orders', 'fulfillment', 'payouts'] as const;
type Service = (typeof SERVICES)[number];
const PG = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const root = join(__dirname, '..', '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 2;

async function sql(statement: string): Promise<void> {
  const client = new Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Health {
  status: number;
  consumer?: string;
}

async function health(port: number): Promise<Health | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json().catch(() => ({}))) as {
      info?: { consumer?: { state?: string } };
      details?: { consumer?: { state?: string } };
    };
    return { status: res.status, consumer: body.details?.consumer?.state ?? body.info?.consumer?.state };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const namespace = `rt-${Date.now()}`;
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
  ) as Record<Service, number>;
  for (const s of SERVICES) {
    await sql(`DROP DATABASE IF EXISTS rt_${s} WITH (FORCE)`);
    await sql(`CREATE DATABASE rt_${s}`);
  }
  const children = new Map<Service, ChildProcess>();
  const env = (s: Service) => ({
    ...process.env,
    PORT: String(ports[s]),
    DATABASE_URL: `${PG}/rt_${s}`,
    NAMESPACE: namespace,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    CATALOG_URL: `http://127.0.0.1:${ports.catalog}`,
    ORDERS_URL: `http://127.0.0.1:${ports.orders}`,
    FULFILLMENT_URL: `http://127.0.0.1:${ports.fulfillment}`,
    PAYOUTS_URL: `http://127.0.0.1:${ports.payouts}`,
    PUBLIC_URL: `http://127.0.0.1:${ports.fulfillment}`,
  });

  /** Spawns a service; resolves with seconds to the first 200 on /health and to `consuming`. */
  async function spawnTimed(s: Service): Promise<{ healthy: number; consuming?: number; stateAtFirst200?: string }> {
    const started = Date.now();
    const child = spawn(process.execPath, [join(root, 'dist/apps', s, 'src/main.js')], {
      env: env(s),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.set(s, child);
    let healthy: number | undefined;
    let stateAtFirst200: string | undefined;
    while (Date.now() - started < 90_000) {
      if (child.exitCode !== null) throw new Error(`${s} exited with ${child.exitCode}`);
      const h = await health(ports[s]);
      if (h?.status === 200 && healthy === undefined) {
        healthy = (Date.now() - started) / 1000;
        stateAtFirst200 = h.consumer;
      }
      // before the consumer state was reported, a 200 meant the consumer had joined
      if (healthy !== undefined && (h?.consumer === undefined || h.consumer === 'consuming')) {
        return { healthy, stateAtFirst200, consuming: (Date.now() - started) / 1000 };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${s} not healthy and consuming within 90 s`);
  }

  /** A second instance of `s` on another port, once it consumes (its group then has two members). */
  async function spawnSecond(s: Service): Promise<{ child: ChildProcess; port: number }> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'dist/apps', s, 'src/main.js')], {
      env: { ...env(s), PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      if ((await health(port))?.consumer === 'consuming') return { child, port };
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`second ${s} not consuming within 60 s`);
  }

  /** Seconds from `since` until the instance on `port` has rejoined (consuming, in a generation that began after `since`). */
  async function tookOver(port: number, since: number): Promise<number> {
    while (Date.now() - since < 60_000) {
      try {
        const body = (await (
          await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })
        ).json()) as { details?: { consumer?: { state?: string; since?: string } } };
        const c = body.details?.consumer;
        if (c?.state === 'consuming' && c.since && Date.parse(c.since) > since)
          return (Date.parse(c.since) - since) / 1000;
      } catch {
        /* busy */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no takeover within 60 s');
  }

  async function stopTimed(
    s: Service,
    signal: NodeJS.Signals,
  ): Promise<{ seconds: number; code: number | null; signal: string | null }> {
    const child = children.get(s)!;
    const started = Date.now();
    const exited = new Promise<[number | null, string | null]>((r) =>
      child.once('exit', (code, sig) => r([code, sig])),
    );
    child.kill(signal);
    const [code, sig] = await exited;
    children.delete(s);
    return { seconds: (Date.now() - started) / 1000, code, signal: sig };
  }

  try {
    const cold = await Promise.all(SERVICES.map((s) => spawnTimed(s)));
    for (const [i, s] of SERVICES.entries())
      console.log(
        `cold start   ${s.padEnd(12)} /health 200 after ${cold[i].healthy.toFixed(2)} s (consumer ${cold[i].stateAtFirst200 ?? 'n/a'}), consuming after ${cold[i].consuming?.toFixed(2)} s`,
      );
    for (let round = 1; round <= rounds; round++) {
      for (const s of SERVICES) {
        await new Promise((r) => setTimeout(r, 1500)); // let the group settle and heartbeat
        await stopTimed(s, 'SIGKILL');
        const t = await spawnTimed(s);
        console.log(
          `kill -9 #${round}  ${s.padEnd(12)} /health 200 after ${t.healthy.toFixed(2)} s (consumer ${t.stateAtFirst200 ?? 'n/a'}), consuming after ${t.consuming?.toFixed(2)} s`,
        );
      }
    }
    // two instances: how long after a kill -9 of one the other holds all the partitions
    for (const s of SERVICES) {
      const second = await spawnSecond(s);
      await new Promise((r) => setTimeout(r, 1500));
      const killedAt = Date.now();
      await stopTimed(s, 'SIGKILL');
      const takenOver = await tookOver(second.port, killedAt);
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
      console.log(
        `takeover     ${s.padEnd(12)} the other instance consumes all partitions ${takenOver.toFixed(2)} s after the kill -9`,
      );
      await spawnTimed(s);
    }
    for (const s of SERVICES) {
      const t = await stopTimed(s, 'SIGTERM');
      console.log(
        `SIGTERM      ${s.padEnd(12)} exited after ${t.seconds.toFixed(2)} s (code ${t.code}${t.signal ? `, signal ${t.signal}` : ''})`,
      );
    }
  } finally {
    for (const child of children.values()) child.kill('SIGKILL');
    for (const s of SERVICES) await sql(`DROP DATABASE IF EXISTS rt_${s} WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
