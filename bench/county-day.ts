// A county's busiest day on one machine: seeds a county (2,000 stores in 40 townships, 20,000
// products, a few best sellers taking most orders), starts the four services as processes and
// drives the public checkout API; then reads, from the services' own databases and metrics, how
// many orders went end to end (paid → shipment scheduled → seller credited), and compares with
// pgbench on the same PostgreSQL.
//   npm run bench                         fixed rate (200/s for 30 s), then max throughput
//   npm run bench -- --smoke              a few seconds, asserts only that nothing was lost
//   options: --rate 200 --seconds 30 --steps 8,16,32,64 --step-seconds 10
//            --overload <checkouts/s>  after the steps, offer this rate (default twice the max the steps
//                        measured; 0: skip) for --overload-seconds 15: accepted, refused (429) and
//                        the latency of the accepted
//            --profile   CPU-profile each service during the max-throughput steps, or the fixed rate
//                        when --steps '' (summary printed,
//                        .cpuprofile files kept under .run/profiles/<namespace>/)
import 'reflect-metadata';
import { demoAddress } from '@cc/contracts';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEV_JWT_SECRET, TokenService } from '@cc/platform';
import { kafkaClient } from '../scripts/clients';
import { freePorts, Launcher, Platform, SERVICE_NAMES, ServiceName } from '../scripts/platform';
import { cpuTicks, infraTicks } from './cpu';
import { PG, seedCounty, skewedPicker, sql } from './county';
import { print as printProfile, ProfileSummary, summarise } from './profile-summary';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback;
const SMOKE = args.includes('--smoke');
const PROFILE = args.includes('--profile');
const RATE = Number(opt('rate', SMOKE ? '20' : '200'));
const SECONDS = Number(opt('seconds', SMOKE ? '3' : '30'));
const STEPS = opt('steps', SMOKE ? '' : '8,16,32,64')
  .split(',')
  .filter(Boolean)
  .map(Number);
const STEP_SECONDS = Number(opt('step-seconds', '10'));
const OVERLOAD = opt('overload', '');
const OVERLOAD_SECONDS = Number(opt('overload-seconds', '15'));
const root = join(__dirname, '..', '..');
const STORES = SMOKE ? 50 : 2000;
const PRODUCTS = SMOKE ? 500 : 20000;

const cpuCount = availableParallelism();
const tokens = new TokenService(process.env.JWT_SECRET ?? DEV_JWT_SECRET);
const quantile = (xs: number[], q: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commits and rows written so far in each service's database (from pg_stat_database). */
async function databaseWork(): Promise<Record<string, { commits: number; rowsWritten: number }>> {
  const rows = await sql<{ datname: string; commits: string; written: string }>(
    'postgres',
    `SELECT datname, xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written FROM pg_stat_database WHERE datname LIKE 'bench\\_%'`,
  );
  return Object.fromEntries(
    rows.map((r) => [r.datname.replace('bench_', ''), { commits: Number(r.commits), rowsWritten: Number(r.written) }]),
  );
}

/** A service's /metrics, read once and parsed by the functions below. */
async function metricsOf(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** A histogram's sum and count (all label sets together). */
function sumAndCount(text: string, name: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}_(sum|count)(?:\\{.*\\})? ([\\d.e+-]+)`).exec(line);
    if (m?.[1] === 'sum') sum += Number(m[2]);
    else if (m) count += Number(m[2]);
  }
  return { sum, count };
}

/** A histogram's buckets, summed over its label sets (those whose line holds `labelFilter`). */
function histogram(text: string, name: string, labelFilter = ''): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (labelFilter && !line.includes(labelFilter)) continue;
    const m = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\d+)`).exec(line);
    if (m)
      buckets.set(
        m[1] === '+Inf' ? Infinity : Number(m[1]),
        (buckets.get(m[1] === '+Inf' ? Infinity : Number(m[1])) ?? 0) + Number(m[2]),
      );
  }
  return buckets;
}

function histogramQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1];
  if (!total) return NaN;
  const i = counts.findIndex((c) => c >= q * total);
  return les[i]; // the bucket's upper bound: coarse but honest
}

async function main(): Promise<void> {
  const started = Date.now();
  const ns = `bench-${Math.floor(started / 1000)}`;
  for (const s of SERVICE_NAMES) {
    await sql('postgres', `DROP DATABASE IF EXISTS bench_${s} WITH (FORCE)`);
    await sql('postgres', `CREATE DATABASE bench_${s}`);
    // BENCH_LOG_STATEMENTS=1: PostgreSQL logs every statement of the services (to count them per order; slows everything)
    if (process.env.BENCH_LOG_STATEMENTS === '1')
      await sql('postgres', `ALTER DATABASE bench_${s} SET log_statement = 'all'`);
  }
  const ports = await freePorts(4);
  const profileDir = join(root, '.run', 'profiles', ns);
  const platform = launcher.owns(
    new Platform({
      // BENCH_SERVICES_ROOT: run another build of the services (an older commit's checkout, built) under this bench, for side-by-side comparisons
      root: process.env.BENCH_SERVICES_ROOT ?? root,
      ports: Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>,
      databaseUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `${PG}/bench_${s}`])) as Record<
        ServiceName,
        string
      >,
      env: {
        NAMESPACE: ns,
        LOG_LEVEL: 'warn',
        DATABASE_POOL_SIZE: '20',
        OUTBOX_POLL_MS: '200',
        ...(process.env.KAFKA_PARTITIONS ? { KAFKA_PARTITIONS: process.env.KAFKA_PARTITIONS } : {}),
        ...(PROFILE ? { CPU_PROFILE_DIR: profileDir } : {}),
      },
      logDir: join(root, '.run', 'bench-logs'),
    }),
  );
  console.log(`bench ${SMOKE ? '(smoke) ' : ''}— starting the four services (namespace ${ns})`);
  await platform.start();
  try {
    // the county, straight into catalog's database (the API would take minutes for 22,000 rows)
    const productIds = await seedCounty('bench_catalog', STORES, PRODUCTS);
    const pick = skewedPicker(productIds);
    console.log(`county: ${STORES} stores in 40 townships, ${PRODUCTS} products`);

    const buyers = Array.from({ length: 500 }, (_, i) => tokens.sign({ role: 'buyer', sub: `bench-buyer-${i}` }));
    const ordersUrl = platform.url('orders');
    const checkoutTimes = new Map<string, number>();
    let declined = 0;
    let retryAfterSeconds = 1; // the last refusal's Retry-After
    /** The checkout's latency in ms, or null when it was refused (429: admission control). */
    const checkout = async (): Promise<number | null> => {
      const lines = [{ productId: pick(), quantity: 1 }];
      if (Math.random() < 0.15) lines.push({ productId: pick(), quantity: 1 }); // some carts span two stores
      const paymentToken = Math.random() < 0.03 ? 'tok_declined' : 'tok_ok';
      if (paymentToken === 'tok_declined') declined++;
      const t0 = performance.now();
      const res = await fetch(`${ordersUrl}/checkouts`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${buyers[Math.floor(Math.random() * buyers.length)]}`,
        },
        body: JSON.stringify({
          lines: lines.filter((l, i) => i === 0 || l.productId !== lines[0].productId),
          paymentToken,
          shippingAddress: demoAddress(Math.floor(Math.random() * 10_000)),
        }),
      });
      const body = (await res.json()) as { orders?: { id: string }[] };
      if (res.status === 429) {
        retryAfterSeconds = Number(res.headers.get('retry-after')) || 1;
        return null;
      }
      if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(body)}`);
      const now = Date.now();
      for (const o of body.orders ?? []) checkoutTimes.set(o.id, now);
      return performance.now() - t0;
    };

    const pids = new Map(SERVICE_NAMES.map((s) => [s, platform.processes.get(s)!.child.pid!]));
    const cpuBefore = new Map([...pids].map(([s, pid]) => [s, cpuTicks(pid)]));
    const infraBefore = infraTicks();
    const benchBefore = process.cpuUsage();
    const dbBefore = await databaseWork();
    const loadStarted = Date.now();
    const metricsBefore = new Map(
      await Promise.all(SERVICE_NAMES.map(async (s) => [s, await metricsOf(platform.url(s))] as const)),
    );

    // fixed rate, open loop: requests leave on schedule whatever came back, latency from the scheduled time
    console.log(`fixed rate: ${RATE} checkouts/s for ${SECONDS} s`);
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    const failed = (e: unknown) => {
      const reason = String((e as Error).cause ? ((e as Error).cause as Error).message : (e as Error).message).slice(
        0,
        80,
      );
      errors.set(reason, (errors.get(reason) ?? 0) + 1);
    };
    const toggleProfilers = () => PROFILE && [...pids.values()].forEach((pid) => process.kill(pid, 'SIGUSR2'));
    if (!STEPS.length) toggleProfilers(); // without steps, the profile covers the fixed rate
    let fixedRefused = 0;
    const fixedStart = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < RATE * SECONDS; i++) {
      const due = fixedStart + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        checkout().then((ms) => void (ms === null ? fixedRefused++ : latencies.push(performance.now() - due)), failed),
      );
    }
    await Promise.all(inFlight);
    const fixedSeconds = (performance.now() - fixedStart) / 1000;

    // max throughput, closed loop: more concurrent buyers until checkouts per second stop rising
    const steps: { concurrency: number; checkoutsPerSecond: number }[] = [];
    if (STEPS.length) toggleProfilers();
    for (const concurrency of STEPS) {
      let done = 0;
      const until = performance.now() + STEP_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) {
            try {
              // a refused buyer comes back after Retry-After, as a well-behaved client does (one
              // that retries at once only adds refusals for the service to answer)
              if ((await checkout()) !== null) done++;
              else await sleep(retryAfterSeconds * 1000);
            } catch (e) {
              failed(e);
            }
          }
        }),
      );
      const rate = done / STEP_SECONDS;
      steps.push({ concurrency, checkoutsPerSecond: Number(rate.toFixed(1)) });
      console.log(`  ${concurrency} buyers at once: ${rate.toFixed(1)} checkouts/s`);
      if (steps.length > 1 && rate < steps[steps.length - 2].checkoutsPerSecond * 1.05) break;
    }

    // overload, open loop: twice what the pipeline carried (or --overload), to see admission refuse
    // early and what it accepted keep its latency
    const overloadRate =
      OVERLOAD !== '' ? Number(OVERLOAD) : steps.length ? 2 * Math.max(...steps.map((s) => s.checkoutsPerSecond)) : 0;
    let overload: {
      offeredPerSecond: number;
      seconds: number;
      offered: number;
      accepted: number;
      refused: number;
      errors: number;
      acceptedLatencyMs: { p50: number; p95: number; p99: number };
    } | null = null;
    if (overloadRate > 0) {
      console.log(`overload: ${overloadRate} checkouts/s for ${OVERLOAD_SECONDS} s`);
      const accepted: number[] = [];
      let refused = 0;
      const errorsBefore = [...errors.values()].reduce((a, b) => a + b, 0);
      const start = performance.now();
      const sent: Promise<void>[] = [];
      for (let i = 0; i < overloadRate * OVERLOAD_SECONDS; i++) {
        const due = start + (i * 1000) / overloadRate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        sent.push(
          checkout().then((ms) => void (ms === null ? refused++ : accepted.push(performance.now() - due)), failed),
        );
      }
      await Promise.all(sent);
      const errorCount = [...errors.values()].reduce((a, b) => a + b, 0) - errorsBefore;
      overload = {
        offeredPerSecond: overloadRate,
        seconds: OVERLOAD_SECONDS,
        offered: sent.length,
        accepted: accepted.length,
        refused,
        errors: errorCount,
        acceptedLatencyMs: {
          p50: quantile(accepted, 0.5),
          p95: quantile(accepted, 0.95),
          p99: quantile(accepted, 0.99),
        },
      };
    }
    const loadEnded = Date.now();
    const infraAfter = infraTicks();
    const benchCpu = process.cpuUsage(benchBefore);
    const cpuAfter = new Map([...pids].map(([s, pid]) => [s, cpuTicks(pid)]));
    toggleProfilers();

    // let the events drain, then read what happened from each service's own database
    const expected = checkoutTimes.size;
    let settled = 0;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(1000)) {
      const [{ n }] = await sql<{ n: number }>(
        'bench_orders',
        `SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('pending_stock', 'awaiting_payment')`,
      );
      settled = n;
      if (settled >= expected) break;
    }
    const paid = await sql<{ id: string; paid_at: Date }>(
      'bench_orders',
      `SELECT o.id, h.at AS paid_at FROM orders o JOIN order_history h ON h.order_id = o.id AND h.to_status = 'paid'`,
    );
    const paidIds = paid.map((p) => p.id);
    // every paid order must reach fulfillment and payouts; wait until none is missing (or give up after 5 minutes)
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; await sleep(1000)) {
      const [{ n: shipped }] = await sql<{ n: number }>(
        'bench_fulfillment',
        `SELECT count(DISTINCT order_id)::int AS n FROM shipments WHERE order_id = ANY($1::uuid[])`,
        [paidIds],
      );
      const [{ n: credited }] = await sql<{ n: number }>(
        'bench_payouts',
        `SELECT count(DISTINCT order_id)::int AS n FROM ledger_transactions WHERE kind = 'order-paid' AND order_id = ANY($1::uuid[])`,
        [paidIds],
      );
      if (shipped === paidIds.length && credited === paidIds.length) break;
    }
    // every process's CPU from the start of the load until the last order was carried through
    const infraDrained = infraTicks();
    const benchDrained = process.cpuUsage(benchBefore);
    const drainedCpuSeconds: Record<string, number> = {
      ...Object.fromEntries([...pids].map(([s, pid]) => [s, (cpuTicks(pid) - cpuBefore.get(s)!) / 100])),
      ...Object.fromEntries(Object.keys(infraDrained).map((k) => [k, (infraDrained[k] - infraBefore[k]) / 100])),
      'load generator': (benchDrained.user + benchDrained.system) / 1e6,
    };
    await sleep(1000); // statistics reach pg_stat_database within a second
    const dbAfter = await databaseWork();
    const perOrder = (n: number) => Number((n / Math.max(1, paid.length)).toFixed(1));
    const database = Object.fromEntries(
      SERVICE_NAMES.map((s) => [
        s,
        {
          commitsPerOrder: perOrder(dbAfter[s].commits - dbBefore[s].commits),
          rowsWrittenPerOrder: perOrder(dbAfter[s].rowsWritten - dbBefore[s].rowsWritten),
        },
      ]),
    );
    const shipments = await sql<{ order_id: string; n: number; at: Date }>(
      'bench_fulfillment',
      `SELECT order_id, count(*)::int AS n, min(created_at) AS at FROM shipments GROUP BY order_id`,
    );
    const credits = await sql<{ order_id: string; n: number; at: Date }>(
      'bench_payouts',
      `SELECT order_id, count(*)::int AS n, min(created_at) AS at FROM ledger_transactions WHERE kind = 'order-paid' GROUP BY order_id`,
    );
    const shipmentOf = new Map(shipments.map((s) => [s.order_id, s]));
    const creditOf = new Map(credits.map((c) => [c.order_id, c]));
    const endToEnd = paid
      .filter((p) => shipmentOf.has(p.id) && creditOf.has(p.id))
      .map((p) => Math.max(p.paid_at.getTime(), shipmentOf.get(p.id)!.at.getTime(), creditOf.get(p.id)!.at.getTime()));
    const firstCheckout = Math.min(...checkoutTimes.values());
    const lastDone = Math.max(...endToEnd);
    const e2eSpans = paid
      .filter((p) => shipmentOf.has(p.id) && creditOf.has(p.id) && checkoutTimes.has(p.id))
      .map(
        (p) =>
          Math.max(p.paid_at.getTime(), shipmentOf.get(p.id)!.at.getTime(), creditOf.get(p.id)!.at.getTime()) -
          checkoutTimes.get(p.id)!,
      );
    const lost = paidIds.filter((id) => !shipmentOf.has(id) || !creditOf.has(id)).length;
    const duplicated = shipments.filter((s) => s.n > 1).length + credits.filter((c) => c.n > 1).length;

    const percentOfCore = (ticks: number) =>
      Number(((ticks / 100 / ((loadEnded - loadStarted) / 1000)) * 100).toFixed(1));
    const cpu = {
      ...Object.fromEntries([...pids].map(([s]) => [s, percentOfCore(cpuAfter.get(s)! - cpuBefore.get(s)!)])),
      ...Object.fromEntries(Object.keys(infraAfter).map((k) => [k, percentOfCore(infraAfter[k] - infraBefore[k])])),
      'load generator': percentOfCore((benchCpu.user + benchCpu.system) / 10_000),
    };
    const metricsAfter = new Map(
      await Promise.all(SERVICE_NAMES.map(async (s) => [s, await metricsOf(platform.url(s))] as const)),
    );
    const hopQuantiles = (s: ServiceName, labelFilter = '') => {
      const before = histogram(metricsBefore.get(s)!, 'event_hop_latency_seconds', labelFilter);
      const after = histogram(metricsAfter.get(s)!, 'event_hop_latency_seconds', labelFilter);
      return {
        p50Ms: histogramQuantile(before, after, 0.5) * 1000,
        p99Ms: histogramQuantile(before, after, 0.99) * 1000,
      };
    };
    const hop = Object.fromEntries(SERVICE_NAMES.map((s) => [s, hopQuantiles(s)]));
    // the hops of one order's way, each by the service that consumes it
    const hopByType: Record<string, { p50Ms: number; p99Ms: number }> = {};
    for (const s of SERVICE_NAMES) {
      for (const t of [
        'orders.order-placed',
        'catalog.stock-reserved',
        'orders.order-paid',
        'fulfillment.shipment-scheduled',
      ]) {
        const q = hopQuantiles(s, `type="${t}"`);
        if (Number.isFinite(q.p50Ms)) hopByType[`${t} → ${s}`] = q;
      }
    }
    const batching: Record<string, { rowsPerRelayBatch: number; eventsPerConsumerTransaction: number }> = {};
    for (const s of SERVICE_NAMES) {
      const relay = sumAndCount(metricsAfter.get(s)!, 'outbox_relay_batch_rows');
      const consumer = sumAndCount(metricsAfter.get(s)!, 'event_consumer_transaction_events');
      batching[s] = {
        rowsPerRelayBatch: Number((relay.sum / Math.max(1, relay.count)).toFixed(1)),
        eventsPerConsumerTransaction: Number((consumer.sum / Math.max(1, consumer.count)).toFixed(1)),
      };
    }
    const kafka = kafkaClient('bench').admin();
    await kafka.connect();
    const lag: Record<string, number> = {};
    for (const group of ['catalog', 'orders', 'fulfillment', 'payouts'].map((g) => `${ns}.${g}`)) {
      let total = 0;
      for (const { topic, partitions } of await kafka.fetchOffsets({ groupId: group })) {
        const ends = new Map((await kafka.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        for (const p of partitions) total += Math.max(0, (ends.get(p.partition) ?? 0) - Math.max(0, Number(p.offset)));
      }
      lag[group] = total;
    }
    await kafka.disconnect();

    let pgbenchTps: number | null = null;
    const clients = SMOKE ? 4 : 16;
    if (!SMOKE) {
      await sql('postgres', 'DROP DATABASE IF EXISTS bench_pgbench WITH (FORCE)');
      await sql('postgres', 'CREATE DATABASE bench_pgbench');
      execFileSync('pgbench', ['-i', '-q', '-s', '10', '-h', '127.0.0.1', '-U', 'postgres', 'bench_pgbench'], {
        stdio: 'ignore',
      });
      const out = execFileSync(
        'pgbench',
        ['-c', String(clients), '-j', '2', '-T', '15', '-h', '127.0.0.1', '-U', 'postgres', 'bench_pgbench'],
        { encoding: 'utf8' },
      );
      pgbenchTps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
    }

    let profiles: ProfileSummary[] = [];
    if (PROFILE) {
      for (let i = 0; i < 50 && (!existsSync(profileDir) || readdirSync(profileDir).length < SERVICE_NAMES.length); i++)
        await sleep(200);
      profiles = readdirSync(profileDir).map((f) => summarise(join(profileDir, f), 12));
    }

    const result = {
      at: new Date().toISOString(),
      mode: SMOKE ? 'smoke' : 'full',
      county: { stores: STORES, products: PRODUCTS },
      checkoutErrors: Object.fromEntries(errors),
      fixedRate: {
        offeredPerSecond: RATE,
        seconds: SECONDS,
        answered: latencies.length,
        answeredPerSecond: Number((latencies.length / fixedSeconds).toFixed(1)),
        checkoutLatencyMs: {
          p50: quantile(latencies, 0.5),
          p95: quantile(latencies, 0.95),
          p99: quantile(latencies, 0.99),
        },
      },
      fixedRateRefused: fixedRefused,
      maxThroughput: steps,
      overload,
      orders: {
        placed: expected,
        paid: paid.length,
        declinedPaymentsOffered: declined,
        endToEnd: endToEnd.length,
        lostAfterPayment: lost,
        duplicated,
      },
      endToEndPerSecond: Number((endToEnd.length / ((lastDone - firstCheckout) / 1000)).toFixed(1)),
      endToEndLatencyMs: { p50: quantile(e2eSpans, 0.5), p99: quantile(e2eSpans, 0.99) },
      eventHopLatency: hop,
      eventHopLatencyByType: hopByType,
      kafkaLagAtEnd: lag,
      batching,
      cpuPercentOfOneCore: cpu,
      databaseWorkPerPaidOrder: database,
      cpuMsPerEndToEndOrder: Number(
        ((Object.values(drainedCpuSeconds).reduce((a, b) => a + b, 0) * 1000) / Math.max(1, endToEnd.length)).toFixed(
          2,
        ),
      ),
      cpuMsPerEndToEndOrderByProcess: Object.fromEntries(
        Object.entries(drainedCpuSeconds).map(([k, v]) => [
          k,
          Number(((v * 1000) / Math.max(1, endToEnd.length)).toFixed(2)),
        ]),
      ),
      pgbench: { clients, tps: pgbenchTps },
      profiles,
    };
    const round = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
    console.log('\n── results ─────────────────────────────────────────────');
    console.log(
      `fixed rate ${RATE}/s: ${latencies.length} of ${RATE * SECONDS} answered, checkout latency p50 ${round(result.fixedRate.checkoutLatencyMs.p50)} ms, p95 ${round(result.fixedRate.checkoutLatencyMs.p95)} ms, p99 ${round(result.fixedRate.checkoutLatencyMs.p99)} ms`,
    );
    if (errors.size) console.log(`checkout errors: ${[...errors].map(([r, n]) => `${n}× ${r}`).join('; ')}`);
    if (fixedRefused) console.log(`fixed rate: ${fixedRefused} refused (429)`);
    if (overload)
      console.log(
        `overload ${overload.offeredPerSecond}/s for ${overload.seconds} s: ${overload.accepted} accepted (${round(overload.accepted / overload.seconds)}/s), ${overload.refused} refused (429), ${overload.errors} errors; accepted checkout latency p50 ${round(overload.acceptedLatencyMs.p50)} ms, p95 ${round(overload.acceptedLatencyMs.p95)} ms, p99 ${round(overload.acceptedLatencyMs.p99)} ms`,
      );
    if (steps.length)
      console.log(
        `max checkouts/s: ${Math.max(...steps.map((s) => s.checkoutsPerSecond))} (${steps.map((s) => `${s.concurrency}→${s.checkoutsPerSecond}`).join(', ')})`,
      );
    console.log(
      `orders: ${expected} placed, ${paid.length} paid, ${endToEnd.length} end to end, ${lost} lost after payment, ${duplicated} duplicated`,
    );
    console.log(
      `end to end: ${result.endToEndPerSecond} orders/s over the run; checkout → credited p50 ${round(result.endToEndLatencyMs.p50)} ms, p99 ${round(result.endToEndLatencyMs.p99)} ms`,
    );
    console.log(
      `event hop p50/p99 (bucket bounds): ${SERVICE_NAMES.map((s) => `${s} ${hop[s].p50Ms}/${hop[s].p99Ms} ms`).join(', ')}`,
    );
    console.log(
      `  by hop: ${Object.entries(hopByType)
        .map(([k, v]) => `${k} ${v.p50Ms}/${v.p99Ms} ms`)
        .join(', ')}`,
    );
    console.log(
      `batching (outbox rows per relay batch / events per consumer transaction): ${SERVICE_NAMES.map((s) => `${s} ${batching[s].rowsPerRelayBatch} / ${batching[s].eventsPerConsumerTransaction}`).join(', ')}`,
    );
    console.log(
      `kafka lag at end: ${Object.entries(lag)
        .map(([g, n]) => `${g.split('.').pop()} ${n}`)
        .join(', ')}`,
    );
    console.log(
      `CPU (% of one core during the load): ${Object.entries(cpu)
        .map(([s, c]) => `${s} ${c}`)
        .join(', ')}`,
    );
    console.log(
      `CPU per end-to-end order, all processes from the first checkout to the last credit: ${result.cpuMsPerEndToEndOrder} ms (so ${cpuCount} cores carry at most ~${Math.round((cpuCount * 1000) / result.cpuMsPerEndToEndOrder)} orders/s)`,
    );
    console.log(
      `  by process (ms): ${Object.entries(result.cpuMsPerEndToEndOrderByProcess)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    console.log(
      `database work per paid order (commits / rows written): ${SERVICE_NAMES.map((s) => `${s} ${database[s].commitsPerOrder} / ${database[s].rowsWrittenPerOrder}`).join(', ')}`,
    );
    if (pgbenchTps !== null)
      console.log(`pgbench (TPC-B-like, ${clients} clients, same PostgreSQL): ${pgbenchTps.toFixed(0)} tps`);
    for (const p of profiles) printProfile(p);
    if (PROFILE) console.log(`profiles (open in Chrome DevTools): ${profileDir}`);
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const file = join(root, 'bench', 'results', `county-day-${result.mode}-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`written to ${file}`);
    if (lost || duplicated || endToEnd.length !== paid.length)
      throw new Error(`orders lost (${lost}) or duplicated (${duplicated}) after payment`);
  } finally {
    await platform.stop();
  }
}

// failed or interrupted at any point, the bench stops every service it started (and says which)
const launcher = new Launcher('bench');
launcher.run(main);
