// The fault suite: the platform under a steady checkout stream while, on a seeded schedule (same
// --seed, same faults in the same order at the same offsets), it kills each service with SIGKILL
// (the supervisor restarts it), kills one of two orders instances behind a front, restarts the
// broker, takes it away for 20 s, restarts Redis and PostgreSQL and holds a service with SIGSTOP
// past its consumer session timeout. Per fault it measures time to healthy, the longest gap with
// no successful checkout and whether the orders placed around it reach `scheduled` in time; then
// it drains and checks, from the databases, that nothing was lost, doubled, stuck or oversold.
//   flock -o /work/heavy.lock npm run chaos -- [--seed 1] [--short] [--rate 30] [--stop-seconds 35]
// It restarts the shared PostgreSQL, Redis and broker: run it only under the lock. However it
// ends (done, failed, interrupted) it brings them back up and stops every process it started.
// Writes .run/chaos/<time>.json and .run/chaos/latest.json; exits 1 when a check fails.
import 'reflect-metadata';
import { demoAddress } from '@cc/contracts';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEV_JWT_SECRET, TokenService } from '@cc/platform';
import { freshDatabases, redisClient } from '../scripts/clients';
import { freePorts, Launcher, Platform, PlatformEvent, SERVICE_NAMES, ServiceName } from '../scripts/platform';
import { PG, seedCounty, skewedPicker, sql } from './county';
import { Front } from './front';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback;
const SHORT = args.includes('--short');
// --gate checks: the exit code follows only what must hold on every run whatever the machine's
// speed (nothing lost, doubled or stuck, ledger balanced, no process exited); the timing targets
// are measured and printed, as the bench's are, not used as a timed test (CI runs it this way)
const GATE_CHECKS_ONLY = opt('gate', 'all') === 'checks';
const SEED = Number(opt('seed', '1'));
const RATE = Number(opt('rate', '30'));
/** How long SIGSTOP holds a service: past the consumers' session timeout (30 s today). */
const STOP_SECONDS = Number(opt('stop-seconds', '35'));
const OUTAGE_SECONDS = 20;
/** After a fault ends, the stream runs this long before the next fault may begin (orders must reach `scheduled` within 20 s). */
const OBSERVE_SECONDS = SHORT ? 22 : 25;
const PAYMENT_TIMEOUT_SECONDS = 30;
const root = join(__dirname, '..', '..');
const sh = promisify(execFile);

// the targets (issue 11): per kill -9, and for every fault
const TARGET = { healthyMs: 5_000, gapOneMs: 6_000, gapTwoMs: 1_000, scheduledMs: 20_000, schedulesBackMs: 30_000 };

const started = Date.now();
const clock = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
const say = (line: string) => console.log(`${clock()} ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');

/** mulberry32: a small seeded generator, so a seed gives the same schedule on any machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FaultKind =
  'kill' | 'kill-one-of-two' | 'broker-restart' | 'broker-outage' | 'redis-restart' | 'postgres-restart' | 'sigstop';
interface PlannedFault {
  kind: FaultKind;
  /** A process id (`orders`, `orders-2`) or the infrastructure piece. */
  target: string;
  label: string;
  /** Seconds after the stream starts at which the fault is injected. */
  offsetSeconds: number;
}

/** The seeded schedule: which faults, in which order, at which offsets. */
export function schedule(seed: number, short: boolean): PlannedFault[] {
  const random = seeded(seed);
  const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const faults: Omit<PlannedFault, 'offsetSeconds'>[] = short
    ? [
        { kind: 'kill', target: 'orders', label: 'kill -9 orders' },
        { kind: 'kill', target: 'catalog', label: 'kill -9 catalog' },
        { kind: 'redis-restart', target: 'redis', label: 'Redis restart' },
        { kind: 'broker-outage', target: 'kafka', label: `broker outage ${OUTAGE_SECONDS} s` },
      ]
    : [
        ...SERVICE_NAMES.map((s) => ({ kind: 'kill' as const, target: s, label: `kill -9 ${s}` })),
        { kind: 'kill-one-of-two', target: pickOf(['orders', 'orders-2']), label: 'kill -9 one of two orders' },
        { kind: 'broker-restart', target: 'kafka', label: 'broker restart' },
        { kind: 'broker-outage', target: 'kafka', label: `broker outage ${OUTAGE_SECONDS} s` },
        { kind: 'redis-restart', target: 'redis', label: 'Redis restart' },
        { kind: 'postgres-restart', target: 'postgres', label: 'PostgreSQL restart' },
        { kind: 'sigstop', target: pickOf(SERVICE_NAMES), label: `SIGSTOP ${STOP_SECONDS} s` },
      ];
  for (let i = faults.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [faults[i], faults[j]] = [faults[j], faults[i]];
  }
  // the fault itself plus the observation after it; a second orders instance needs starting first
  const lasts = (k: FaultKind) =>
    ({
      kill: 10,
      'kill-one-of-two': 10,
      'broker-restart': 25,
      'broker-outage': OUTAGE_SECONDS + 30,
      'redis-restart': 15,
      'postgres-restart': 15,
      sigstop: STOP_SECONDS + 10,
    })[k] + OBSERVE_SECONDS;
  let at = 10;
  return faults.map((f) => {
    const offsetSeconds = at + (f.kind === 'kill-one-of-two' ? 40 : 0) + Math.round(random() * 5);
    at = offsetSeconds + lasts(f.kind);
    return { ...f, offsetSeconds };
  });
}

interface Checkout {
  sentAt: number;
  doneAt: number;
  status: number; // 0: no answer (connection refused, reset, timed out)
  orderIds: string[];
  scarce: boolean;
}

/** The checkout stream: open loop at RATE/s through the front, each answer recorded. */
class Stream {
  readonly results: Checkout[] = [];
  private running = true;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private readonly tokens = new TokenService(process.env.JWT_SECRET ?? DEV_JWT_SECRET);
  private readonly buyers = Array.from({ length: 200 }, (_, i) =>
    this.tokens.sign({ role: 'buyer', sub: `chaos-buyer-${i}` }),
  );

  constructor(
    private readonly url: string,
    private readonly pick: () => string,
    private readonly scarce: string[],
  ) {}

  start(): void {
    this.loop = (async () => {
      const t0 = performance.now();
      for (let i = 0; this.running; i++) {
        const wait = t0 + (i * 1000) / RATE - performance.now();
        if (wait > 0) await sleep(wait);
        const p = this.one(i);
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  private async one(i: number): Promise<void> {
    // one checkout in 20 buys one of a few products with little stock: stock is contended, and must not be oversold
    const scarce = i % 20 === 7;
    const lines = scarce
      ? [{ productId: this.scarce[i % this.scarce.length], quantity: 1 }]
      : [{ productId: this.pick(), quantity: 1 }];
    if (!scarce && i % 7 === 3) {
      const second = this.pick();
      if (second !== lines[0].productId) lines.push({ productId: second, quantity: 1 }); // some carts span two stores
    }
    const sentAt = Date.now();
    let status: number;
    let orderIds: string[] = [];
    try {
      const res = await fetch(`${this.url}/checkouts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.buyers[i % this.buyers.length]}` },
        body: JSON.stringify({ lines, paymentToken: 'tok_ok', shippingAddress: demoAddress(i) }),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      const body = (await res.json().catch(() => ({}))) as { orders?: { id: string }[] };
      if (status === 201) orderIds = (body.orders ?? []).map((o) => o.id);
    } catch {
      status = 0;
    }
    this.results.push({ sentAt, doneAt: Date.now(), status, orderIds, scarce });
  }
}

interface FaultRun extends PlannedFault {
  startedOffsetSeconds: number;
  injectAt: number;
  /** When the fault was over: the kill itself, the broker or Redis or PostgreSQL answering again, SIGCONT. */
  endAt: number;
  /** When every service instance answered /health again (NaN: not within the bound). */
  recoveredAt: number;
  /** kill: the restarted process's spawn → healthy; otherwise fault over → all healthy. */
  healthyAfterMs: number;
  windowEnd: number;
  instances: number;
  schedulesBackMs?: number;
  notes: string[];
}

interface Row {
  fault: string;
  target: string;
  measured: string;
  pass: boolean | null; // null: reported, no target
}

async function main(): Promise<number> {
  const plan = schedule(SEED, SHORT);
  const ns = `chaos-${Math.floor(started / 1000)}`;
  const databaseUrls = await freshDatabases(PG, 'chaos', SERVICE_NAMES);
  const db = (s: ServiceName) => `chaos_${s}`;
  const [catalogPort, ordersPort, fulfillmentPort, payoutsPort, secondOrdersPort] = await freePorts(5);
  const ports = { catalog: catalogPort, orders: ordersPort, fulfillment: fulfillmentPort, payouts: payoutsPort };
  const outDir = join(root, '.run', 'chaos');
  mkdirSync(outDir, { recursive: true });
  const events: PlatformEvent[] = [];
  const platform = launcher.owns(
    new Platform({
      root,
      ports,
      databaseUrls,
      env: {
        NAMESPACE: ns,
        LOG_LEVEL: 'warn',
        OUTBOX_POLL_MS: '200',
        PAYMENT_TIMEOUT_SECONDS: String(PAYMENT_TIMEOUT_SECONDS),
        PAYMENT_CALL_TIMEOUT_MS: '2000',
        SLOT_CAPACITY: '100000', // pickup rounds never fill: an order not scheduled is the platform's doing
        ...(process.env.KAFKA_PARTITIONS ? { KAFKA_PARTITIONS: process.env.KAFKA_PARTITIONS } : {}),
      },
      // a cold-chain round every hour: with the default three rounds a day, a run after the last
      // one (18:00 in the county) failed fresh parcels as undeliverable until morning, and their
      // refunds read as orders the faults had kept from being scheduled
      serviceEnv: {
        fulfillment: {
          PICKUP_TIMETABLE: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00/cold`).join(','),
        },
      },
      logDir: join(outDir, 'logs', ns),
      supervise: { backoffMs: 250, maxRestarts: 10, windowMs: 60_000 },
      statusFile: join(outDir, 'platform-status.json'),
      log: say,
    }),
  );
  platform.on('event', (e: PlatformEvent) => events.push(e));
  let front: Front | undefined;
  launcher.onCleanup('the front', async () => front?.close());
  launcher.onCleanup('PostgreSQL, Redis and the broker', restoreInfra, () => restoreInfraNow());

  console.log(`chaos ${SHORT ? '(short) ' : ''}— seed ${SEED}, ${RATE} checkouts/s, namespace ${ns}`);
  console.log(
    `schedule: ${plan.map((f) => `${f.offsetSeconds} s ${f.label}${f.kind === 'sigstop' || f.kind === 'kill-one-of-two' ? ` (${f.target})` : ''}`).join(' · ')}`,
  );
  await platform.start();
  const productIds = await seedCounty(db('catalog'), 50, 500);
  const scarce = (
    await sql<{ id: string }>(
      db('catalog'),
      `WITH p AS (
         INSERT INTO products (id, store_id, name, category, price_fen, on_hand, reserved)
         SELECT gen_random_uuid(), (SELECT id FROM stores ORDER BY name LIMIT 1), 'scarce ' || g, 'handicraft', 9900, 40, 0 FROM generate_series(1, 3) g RETURNING id)
       , m AS (INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, reason, actor) SELECT id, 'initial', 40, 0, 'initial stock', 'seed' FROM p)
       SELECT id FROM p`,
    )
  ).map((r) => r.id);
  front = await Front.start([ports.orders]);
  const stream = new Stream(front.url, skewedPicker(productIds), scarce);
  say(`county: 50 stores, 500 products (and 3 with 40 each); checkouts through the front ${front.url}`);
  stream.start();
  const streamStart = Date.now();

  const runs: FaultRun[] = [];
  for (const [i, f] of plan.entries()) {
    const run = await inject(f, i, plan.length, streamStart, platform, front, ports, secondOrdersPort);
    runs.push(run);
  }
  say('faults done; stopping the stream and draining');
  await stream.stop();
  const drainStart = Date.now();
  const drained = await drain(db);
  const drainMs = Date.now() - drainStart;
  say(drained ? `drained in ${secs(drainMs)}` : `not drained after ${secs(drainMs)}; checking what is there`);

  // ── measurements per fault, then the checks over everything ──
  const results = stream.results;
  const accepted = results.filter((r) => r.status === 201);
  const scheduledAt = new Map(
    (
      await sql<{ order_id: string; at: Date }>(
        db('orders'),
        `SELECT order_id, min(at) AS at FROM order_history WHERE to_status = 'scheduled' GROUP BY order_id`,
      )
    ).map((r) => [r.order_id, r.at.getTime()]),
  );
  const finalStatus = new Map(
    (await sql<{ id: string; status: string }>(db('orders'), `SELECT id, status FROM orders`)).map((r) => [
      r.id,
      r.status,
    ]),
  );
  const histories = new Map<string, string[]>();
  for (const h of await sql<{ order_id: string; step: string }>(
    db('orders'),
    `SELECT order_id, to_status || ' (' || action || coalesce(': ' || reason, '') || ') ' || to_char(at, 'HH24:MI:SS.MS') AS step FROM order_history WHERE order_id IN (SELECT id FROM orders WHERE status NOT IN ('scheduled', 'shipped', 'delivered', 'completed')) ORDER BY id`,
  )) {
    histories.set(h.order_id, [...(histories.get(h.order_id) ?? []), h.step]);
  }
  const rows: Row[] = [];
  const faultsJson = runs.map((run) => {
    const name = `${run.label}${run.kind === 'sigstop' || run.kind === 'kill-one-of-two' ? ` (${run.target})` : ''}`;
    const over = Math.max(run.endAt, Number.isFinite(run.recoveredAt) ? run.recoveredAt : run.endAt);
    // the longest time with no successful checkout answered, from just before the fault to the end of its window
    const ok = accepted
      .map((r) => r.doneAt)
      .filter((t) => t >= run.injectAt - 2000 && t <= run.windowEnd)
      .sort((a, b) => a - b);
    let gapMs = ok.length < 2 ? run.windowEnd - run.injectAt : 0;
    for (let k = 1; k < ok.length; k++) gapMs = Math.max(gapMs, ok[k] - ok[k - 1]);
    const inWindow = results.filter((r) => r.sentAt >= run.injectAt && r.sentAt <= run.windowEnd);
    const refused = inWindow.filter((r) => r.status === 429).length;
    const failed = inWindow.filter((r) => r.status !== 201 && r.status !== 429).length;
    // orders placed around the fault: each must reach `scheduled` within 20 s of its placing or of the fault's end, whichever is later
    const around = accepted.filter((r) => !r.scarce && r.doneAt >= run.injectAt - 2000 && r.doneAt <= over + 2000);
    const lateIds: string[] = [];
    let late = 0;
    let worstMs = 0;
    let count = 0;
    for (const r of around) {
      for (const id of r.orderIds) {
        count++;
        const at = scheduledAt.get(id);
        const within = at === undefined ? Infinity : at - Math.max(r.doneAt, run.endAt);
        worstMs = Math.max(worstMs, within);
        if (!(within <= TARGET.scheduledMs)) {
          late++;
          lateIds.push(id);
        }
      }
    }
    const exits = events.filter(
      (e) =>
        (e.kind === 'exited' || e.kind === 'crash-loop') &&
        e.at >= run.injectAt &&
        e.at <= run.windowEnd &&
        !(run.kind.startsWith('kill') && e.id === run.target && e.at - run.injectAt < 2000),
    );
    const isKill = run.kind === 'kill' || run.kind === 'kill-one-of-two';
    const gapTarget = run.kind === 'kill-one-of-two' ? TARGET.gapTwoMs : TARGET.gapOneMs;
    rows.push({
      fault: name,
      target: isKill ? `healthy ≤ ${secs(TARGET.healthyMs)} after restart` : 'all healthy after (reported)',
      measured: secs(run.healthyAfterMs),
      pass: isKill ? run.healthyAfterMs <= TARGET.healthyMs : Number.isFinite(run.healthyAfterMs) ? null : false,
    });
    rows.push({
      fault: name,
      target: isKill
        ? `no checkout gap > ${secs(gapTarget)} (${run.instances} instance${run.instances > 1 ? 's' : ''})`
        : 'longest checkout gap (reported)',
      measured: `${secs(gapMs)} (${failed} failed, ${refused} refused)`,
      pass: isKill ? gapMs <= gapTarget : null,
    });
    const ended = lateIds.map((id) => finalStatus.get(id) ?? 'missing');
    const endedText = [...new Set(ended)].map((st) => `${ended.filter((e) => e === st).length} ${st}`).join(', ');
    rows.push({
      fault: name,
      target: `orders around reach scheduled ≤ ${secs(TARGET.scheduledMs)}`,
      measured: `${count - late}/${count}, worst ${Number.isFinite(worstMs) ? secs(worstMs) : 'never'}${late ? ` (late ones now: ${endedText})` : ''}`,
      pass: late === 0 && count > 0,
    });
    if (!isKill)
      rows.push({
        fault: name,
        target: 'no service process exited',
        measured: exits.length ? exits.map((e) => e.message.split(';')[0]).join(', ') : 'none',
        pass: exits.length === 0,
      });
    if (run.kind === 'redis-restart')
      rows.push({
        fault: name,
        target: `schedules back in Redis ≤ ${secs(TARGET.schedulesBackMs)} (suite's bound)`,
        measured: run.schedulesBackMs === undefined ? 'none in Redis before' : secs(run.schedulesBackMs),
        pass: run.schedulesBackMs === undefined ? null : run.schedulesBackMs <= TARGET.schedulesBackMs,
      });
    return {
      ...run,
      name,
      gapMs,
      refused,
      failed,
      ordersAround: count,
      ordersLate: late,
      lateOrders: lateIds
        .slice(0, 20)
        .map((id) => ({ id, status: finalStatus.get(id) ?? 'missing', history: histories.get(id) ?? [] })),
      worstToScheduledMs: Number.isFinite(worstMs) ? worstMs : null,
      exits: exits.map((e) => e.message),
    };
  });

  const checks = await finalChecks(db, accepted, scarce);
  for (const c of checks) rows.push({ fault: 'after the drain', target: c.target, measured: c.measured, pass: c.pass });

  const width = (k: keyof Row) => Math.max(...rows.map((r) => String(r[k]).length), k.length);
  const [wf, wt, wm] = [width('fault'), width('target'), width('measured')];
  console.log(`\n── chaos results (seed ${SEED}${SHORT ? ', short' : ''}) ${'─'.repeat(40)}`);
  console.log(`${'fault'.padEnd(wf)}  ${'target'.padEnd(wt)}  ${'measured'.padEnd(wm)}  result`);
  for (const r of rows)
    console.log(
      `${r.fault.padEnd(wf)}  ${r.target.padEnd(wt)}  ${r.measured.padEnd(wm)}  ${r.pass === null ? '–' : r.pass ? 'pass' : 'FAIL'}`,
    );
  const failedRows = rows.filter((r) => r.pass === false);
  const gated = GATE_CHECKS_ONLY
    ? failedRows.filter((r) => r.fault === 'after the drain' || r.target === 'no service process exited')
    : failedRows;
  console.log(
    `\ncheckouts: ${results.length} sent, ${accepted.length} accepted, ${results.filter((r) => r.status === 429).length} refused (429), ${results.filter((r) => r.status !== 201 && r.status !== 429).length} failed · drain ${secs(drainMs)} · ${failedRows.length ? `${failedRows.length} FAILED` : 'all passed'}${GATE_CHECKS_ONLY ? ` · gate: the checks only (${gated.length} failed)` : ''}`,
  );

  const report = {
    at: new Date().toISOString(),
    seed: SEED,
    mode: SHORT ? 'short' : 'full',
    ratePerSecond: RATE,
    namespace: ns,
    targets: TARGET,
    schedule: plan,
    checkouts: {
      sent: results.length,
      accepted: accepted.length,
      refused: results.filter((r) => r.status === 429).length,
      failed: results.filter((r) => r.status !== 201 && r.status !== 429).length,
    },
    drain: { drained, ms: drainMs },
    faults: faultsJson,
    checks,
    rows,
    supervisorEvents: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    passed: failedRows.length === 0,
  };
  const file = join(outDir, `${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2));
  console.log(`written to ${file} (and .run/chaos/latest.json)`);
  return gated.length ? 1 : 0;
}

/** Every instance of every service answers /health 200 (each asked at most 1.5 s). */
async function allHealthy(platform: Platform): Promise<boolean> {
  const answers = await Promise.all(
    [...platform.processes.values()].map((p) =>
      fetch(`${p.url}/health`, { signal: AbortSignal.timeout(1500) }).then(
        async (r) => (await r.body?.cancel(), r.status === 200),
        () => false,
      ),
    ),
  );
  return answers.every(Boolean);
}

async function untilHealthy(platform: Platform, boundMs = 90_000): Promise<number> {
  for (const deadline = Date.now() + boundMs; Date.now() < deadline; await sleep(100))
    if (await allHealthy(platform)) return Date.now();
  return NaN;
}

const nextEvent = (platform: Platform, id: string, boundMs = 90_000) =>
  new Promise<PlatformEvent | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), boundMs);
    const on = (e: PlatformEvent) => {
      if (e.id === id && (e.kind === 'restarted' || e.kind === 'crash-loop')) {
        clearTimeout(timer);
        platform.off('event', on);
        resolve(e);
      }
    };
    platform.on('event', on);
  });

/** Runs a fault's next step unless the suite is ending: then its cleanups alone touch the infrastructure. */
function step<T>(fn: () => Promise<T>): Promise<T> {
  if (launcher.ending) return new Promise<T>(() => undefined); // never settles: the launcher exits after its cleanups
  return fn();
}
const pgVersion = () =>
  readdirSync('/etc/postgresql')
    .sort((a, b) => Number(a) - Number(b))
    .pop()!;
const brokerStop = () => step(() => sh('bash', [join(root, 'deploy/kafka.sh'), 'stop']));
const brokerStart = () => step(() => sh('bash', [join(root, 'deploy/kafka.sh'), 'start']));
/** deploy/infra.sh up starts whatever of PostgreSQL, Redis and the broker is down (and re-applies what they need). */
const infraUp = () => sh('bash', [join(root, 'deploy/infra.sh'), 'up']);
const faultInfraUp = () => step(infraUp);
let infraTouched = false;
async function restoreInfra(): Promise<void> {
  if (!infraTouched) return;
  say('bringing PostgreSQL, Redis and the broker back (deploy/infra.sh up)');
  await infraUp();
}
function restoreInfraNow(): void {
  if (infraTouched) execFileSync('bash', [join(root, 'deploy/infra.sh'), 'up'], { stdio: 'inherit' });
}

/** The schedules' jobs (and any BullMQ job scheduler) in Redis under the namespace's prefix, as queue/name. */
async function schedulesInRedis(prefix: string): Promise<Set<string>> {
  const redis = redisClient();
  try {
    const found = new Set<string>();
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      for (const key of keys) {
        const m = new RegExp(`^${prefix}:(.+):(delayed|wait|active|prioritized|paused|repeat)$`).exec(key);
        if (!m) continue;
        const type = await redis.type(key);
        const ids =
          type === 'zset' ? await redis.zrange(key, 0, -1) : type === 'list' ? await redis.lrange(key, 0, -1) : [];
        for (const id of ids)
          if (m[2] === 'repeat' || id.includes('@'))
            found.add(`${m[1]}/${m[2] === 'repeat' ? id.split(':')[0] : id.split('@')[0]}`);
      }
      if ((cursor = next) === '0') break;
    }
    return found;
  } finally {
    redis.disconnect();
  }
}

async function inject(
  f: PlannedFault,
  i: number,
  n: number,
  streamStart: number,
  platform: Platform,
  front: Front,
  ports: Record<ServiceName, number>,
  secondOrdersPort: number,
): Promise<FaultRun> {
  const notes: string[] = [];
  let instances = 1;
  if (f.kind === 'kill-one-of-two') {
    say(`fault ${i + 1}/${n}: starting a second orders instance first`);
    await platform.startOne('orders', secondOrdersPort);
    front.setBackends([ports.orders, secondOrdersPort]);
    instances = 2;
  }
  const due = streamStart + f.offsetSeconds * 1000;
  if (Date.now() < due) await sleep(due - Date.now());
  else if (Date.now() - due > 1000)
    notes.push(`started ${secs(Date.now() - due)} late (the previous fault took longer than planned)`);
  say(`fault ${i + 1}/${n}: ${f.label}${f.kind === 'sigstop' || f.kind === 'kill-one-of-two' ? ` (${f.target})` : ''}`);
  const injectAt = Date.now();
  let endAt = injectAt;
  let recoveredAt = NaN;
  let healthyAfterMs = NaN;
  let schedulesBackMs: number | undefined;
  switch (f.kind) {
    case 'kill':
    case 'kill-one-of-two': {
      const restarted = nextEvent(platform, f.target);
      platform.signal(f.target, 'SIGKILL');
      const e = await restarted;
      if (e?.kind === 'restarted') {
        recoveredAt = e.at;
        healthyAfterMs = e.healthyAfterMs!;
      } else notes.push(e ? e.message : `${f.target} not restarted within 90 s`);
      break;
    }
    case 'broker-restart':
    case 'broker-outage': {
      infraTouched = true;
      await brokerStop();
      const down = Date.now();
      // the outage runs from the broker's exit (its controlled shutdown takes a while) to its start
      if (f.kind === 'broker-outage') await step(() => sleep(OUTAGE_SECONDS * 1000));
      const starting = Date.now();
      await brokerStart();
      endAt = Date.now();
      notes.push(`broker stop took ${secs(down - injectAt)}, start ${secs(endAt - starting)}`);
      break;
    }
    case 'redis-restart': {
      const prefix = `cc-${platform.options.env!.NAMESPACE}`;
      const before = await schedulesInRedis(prefix);
      infraTouched = true;
      await step(() => sh('redis-cli', ['shutdown', 'nosave']).catch(() => undefined)); // the connection closes under it
      await faultInfraUp();
      endAt = Date.now();
      if (before.size) {
        for (const bound = endAt + 60_000; Date.now() < bound; await sleep(250)) {
          const now = await schedulesInRedis(prefix).catch(() => new Set<string>());
          if ([...before].every((s) => now.has(s))) {
            schedulesBackMs = Date.now() - endAt;
            break;
          }
        }
        if (schedulesBackMs === undefined) {
          schedulesBackMs = Infinity;
          notes.push(`schedules not back within 60 s: ${[...before].join(', ')}`);
        }
      }
      break;
    }
    case 'postgres-restart': {
      infraTouched = true;
      await step(() => sh('pg_ctlcluster', ['--skip-systemctl-redirect', pgVersion(), 'main', 'restart']));
      endAt = Date.now();
      break;
    }
    case 'sigstop': {
      platform.signal(f.target, 'SIGSTOP');
      await step(() => sleep(STOP_SECONDS * 1000));
      try {
        platform.signal(f.target, 'SIGCONT');
      } catch (e) {
        notes.push((e as Error).message);
      }
      endAt = Date.now();
      break;
    }
  }
  if (f.kind !== 'kill' && f.kind !== 'kill-one-of-two') {
    recoveredAt = await untilHealthy(platform);
    healthyAfterMs = recoveredAt - endAt;
  }
  say(
    `  ${f.label}: ${Number.isFinite(healthyAfterMs) ? `healthy after ${secs(healthyAfterMs)}` : 'not healthy again within 90 s'}${notes.length ? ` (${notes.join('; ')})` : ''}`,
  );
  const windowEnd = Math.max(endAt, Number.isFinite(recoveredAt) ? recoveredAt : endAt) + OBSERVE_SECONDS * 1000;
  await sleep(Math.max(0, windowEnd - Date.now()));
  if (f.kind === 'kill-one-of-two') {
    front.setBackends([ports.orders]);
    await platform.stopOne('orders-2');
  }
  return {
    ...f,
    startedOffsetSeconds: Math.round((injectAt - streamStart) / 100) / 10,
    injectAt,
    endAt,
    recoveredAt,
    healthyAfterMs,
    windowEnd,
    instances,
    schedulesBackMs,
    notes,
  };
}

/** Waits until no order is on its way (all paid orders shipped and credited) and no outbox holds a row. */
async function drain(db: (s: ServiceName) => string): Promise<boolean> {
  for (const deadline = Date.now() + (PAYMENT_TIMEOUT_SECONDS + 150) * 1000; Date.now() < deadline; await sleep(2000)) {
    try {
      const [{ n: open }] = await sql<{ n: number }>(
        db('orders'),
        `SELECT count(*)::int AS n FROM orders WHERE status IN ('pending_stock', 'awaiting_payment', 'paid')`,
      );
      const unsent = await Promise.all(
        SERVICE_NAMES.map(
          async (s) =>
            (await sql<{ n: number }>(db(s), `SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`))[0].n,
        ),
      );
      if (open === 0 && unsent.every((u) => u === 0)) return true;
    } catch {
      /* PostgreSQL still coming back */
    }
  }
  return false;
}

async function finalChecks(
  db: (s: ServiceName) => string,
  accepted: Checkout[],
  scarce: string[],
): Promise<{ target: string; measured: string; pass: boolean }[]> {
  const checks: { target: string; measured: string; pass: boolean }[] = [];
  const acceptedIds = accepted.flatMap((r) => r.orderIds);
  const [{ n: present }] = await sql<{ n: number }>(
    db('orders'),
    `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])`,
    [acceptedIds],
  );
  checks.push({
    target: 'no accepted checkout lost (every 201 order in orders)',
    measured: `${acceptedIds.length - present} of ${acceptedIds.length} missing`,
    pass: present === acceptedIds.length,
  });

  const stuck = await sql<{ status: string; n: number }>(
    db('orders'),
    `SELECT status, count(*)::int AS n FROM orders WHERE status IN ('pending_stock', 'awaiting_payment') AND created_at < now() - make_interval(secs => $1) GROUP BY status`,
    [PAYMENT_TIMEOUT_SECONDS + 90],
  );
  checks.push({
    target: `no order stuck in pending_stock/awaiting_payment past its timers (${PAYMENT_TIMEOUT_SECONDS} s + 90 s)`,
    measured: stuck.length ? stuck.map((s) => `${s.n} ${s.status}`).join(', ') : 'none',
    pass: stuck.length === 0,
  });

  const paid = (
    await sql<{ order_id: string }>(
      db('orders'),
      `SELECT DISTINCT order_id FROM order_history WHERE to_status = 'paid'`,
    )
  ).map((r) => r.order_id);
  const paidSet = new Set(paid);
  const shipments = await sql<{ order_id: string; n: number }>(
    db('fulfillment'),
    `SELECT order_id, count(*)::int AS n FROM shipments GROUP BY order_id`,
  );
  const shipped = new Map(shipments.map((s) => [s.order_id, s.n]));
  const noShipment = paid.filter((id) => !shipped.has(id)).length;
  const doubleShipment = shipments.filter((s) => s.n > 1).length;
  const strayShipment = shipments.filter((s) => !paidSet.has(s.order_id)).length;
  checks.push({
    target: 'exactly one shipment per paid order',
    measured: `${paid.length} paid: ${noShipment} without, ${doubleShipment} with more than one, ${strayShipment} for unpaid orders`,
    pass: noShipment + doubleShipment + strayShipment === 0,
  });

  const postings = await sql<{ order_id: string; n: number }>(
    db('payouts'),
    `SELECT order_id, count(*)::int AS n FROM ledger_transactions WHERE idempotency_key LIKE 'order-paid:%' GROUP BY order_id`,
  );
  const posted = new Map(postings.map((p) => [p.order_id, p.n]));
  const noPosting = paid.filter((id) => !posted.has(id)).length;
  const doublePosting = postings.filter((p) => p.n > 1).length;
  const strayPosting = postings.filter((p) => !paidSet.has(p.order_id)).length;
  checks.push({
    target: 'exactly one ledger posting per paid order (order-paid:<id>)',
    measured: `${noPosting} without, ${doublePosting} with more than one, ${strayPosting} for unpaid orders`,
    pass: noPosting + doublePosting + strayPosting === 0,
  });

  const [{ n: unbalanced }] = await sql<{ n: number }>(
    db('payouts'),
    `SELECT count(*)::int AS n FROM ledger_transactions t LEFT JOIN (SELECT transaction_id, sum(amount_fen) AS s, count(*) AS c FROM ledger_entries GROUP BY transaction_id) e ON e.transaction_id = t.id WHERE e.c IS NULL OR e.s <> 0`,
  );
  checks.push({
    target: 'every ledger transaction balanced',
    measured: `${unbalanced} unbalanced or empty`,
    pass: unbalanced === 0,
  });

  // stock: running sums of each product's movements never negative, reserved never above on hand, and the rows agree with them
  const [stock] = await sql<{ negative: number; drift: number }>(
    db('catalog'),
    `WITH running AS (
       SELECT product_id, sum(on_hand_delta) OVER w AS on_hand, sum(reserved_delta) OVER w AS reserved FROM stock_movements WINDOW w AS (PARTITION BY product_id ORDER BY id))
     SELECT (SELECT count(*)::int FROM running WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand) AS negative,
            (SELECT count(*)::int FROM products p LEFT JOIN (SELECT product_id, sum(on_hand_delta) AS h, sum(reserved_delta) AS r FROM stock_movements GROUP BY product_id) m ON m.product_id = p.id
              WHERE coalesce(m.h, 0) <> p.on_hand OR coalesce(m.r, 0) <> p.reserved) AS drift`,
  );
  // oversold: the scarce products' paid quantities (orders) against what catalog had (40 each)
  const paidScarce = await sql<{ product_id: string; q: number }>(
    db('orders'),
    `SELECT l.product_id, sum(l.quantity)::int AS q FROM order_lines l WHERE l.product_id = ANY($1::uuid[]) AND l.order_id IN (SELECT order_id FROM order_history WHERE to_status = 'paid') GROUP BY l.product_id`,
    [scarce],
  );
  const oversold = paidScarce.filter((p) => p.q > 40);
  checks.push({
    target: 'stock never negative nor oversold (catalog movements; scarce products)',
    measured: `${stock.negative} negative steps, ${stock.drift} products off their movements, scarce paid ${paidScarce.map((p) => p.q).join('/') || '0'} of 40 each`,
    pass: stock.negative === 0 && stock.drift === 0 && oversold.length === 0,
  });

  const unsent = await Promise.all(
    SERVICE_NAMES.map(
      async (s) =>
        [
          s,
          (await sql<{ n: number }>(db(s), `SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`))[0].n,
        ] as const,
    ),
  );
  checks.push({
    target: 'nothing left in any outbox',
    measured: unsent.map(([s, n]) => `${s} ${n}`).join(', '),
    pass: unsent.every(([, n]) => n === 0),
  });
  return checks;
}

// failed or interrupted at any point, the suite brings PostgreSQL, Redis and the broker back and
// stops every process it started (cleanups run last registered first: infrastructure, front, platform)
const launcher = new Launcher('chaos', (line) => console.log(`${clock()} ${line}`));
if (require.main === module) launcher.run(main);
