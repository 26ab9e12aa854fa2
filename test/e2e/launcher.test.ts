// The launcher's promises, with stand-in services (a few lines of node answering /health), so
// they take seconds: a failed start leaves nothing running, a service that dies is restarted, a
// crash loop is reported, a stop that hangs ends in SIGKILL, and a launcher that fails or is
// interrupted stops every process it started and says which.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePorts,
  Platform,
  PlatformEvent,
  PlatformOptions,
  SERVICE_NAMES,
  ServiceName,
} from '../../scripts/platform';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cc-launcher-'));
const fake = join(dir, 'fake-service.js');
// FAKE_MODE: fail-start (exit 1 at once), ignore-term (SIGTERM ignored), exit-soon (exits 150 ms after it is up)
writeFileSync(
  fake,
  `const mode = process.env.FAKE_MODE || '';
   if (mode === 'fail-start') { console.error('cannot reach the broker'); process.exit(1); }
   if (mode === 'ignore-term') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
   require('node:http').createServer((req, res) => res.end('{"status":"ok"}')).listen(Number(process.env.PORT), '127.0.0.1');
   if (mode === 'exit-soon') setTimeout(() => process.exit(3), 150);
   setInterval(() => {}, 1000);`,
);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function fakePlatform(modes: Partial<Record<ServiceName, string>> = {}, extra: Partial<PlatformOptions> = {}) {
  const ports = await freePorts(5);
  const lines: string[] = [];
  const platform = new Platform({
    root,
    ports: Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>,
    databaseUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, 'postgres://unused/x'])) as Record<
      ServiceName,
      string
    >,
    serviceEnv: Object.fromEntries(Object.entries(modes).map(([s, m]) => [s, { FAKE_MODE: m }])),
    logDir: join(dir, 'logs'),
    entryPoint: () => fake,
    log: (line) => lines.push(line),
    healthTimeoutMs: 5000,
    ...extra,
  });
  return { platform, lines, spare: ports[4] };
}
const nextEvent = (platform: Platform, kind: PlatformEvent['kind']) =>
  new Promise<PlatformEvent>((resolve) => platform.on('event', (e: PlatformEvent) => e.kind === kind && resolve(e)));

describe('the local launcher (scripts/platform.ts)', () => {
  it('stops the services already up when one fails to start, and says which', async () => {
    const { platform, lines } = await fakePlatform({ payouts: 'fail-start' });
    const started: number[] = [];
    platform.on(
      'event',
      (e: PlatformEvent) => e.kind === 'started' && started.push(platform.processes.get(e.id)?.child.pid ?? 0),
    );
    await expect(platform.start()).rejects.toThrow(
      /payouts exited with code 1 while starting.*stopped (catalog|orders|fulfillment)/,
    );
    expect(platform.processes.size).toBe(0);
    for (const pid of started) expect(alive(pid)).toBe(false);
    expect(lines.join('\n')).toMatch(/stopped .*catalog/);
  });

  it('restarts a service killed with SIGKILL and records it for the console; runs a second instance', async () => {
    const statusFile = join(dir, 'status.json');
    const { platform, spare } = await fakePlatform({}, { supervise: { backoffMs: 50 }, statusFile });
    try {
      await platform.start(['catalog', 'orders']);
      const second = await platform.startOne('orders', spare);
      expect(second.id).toBe('orders-2');
      expect(platform.instances('orders').map((p) => p.port)).toEqual([platform.options.ports.orders, spare]);
      const before = platform.processes.get('orders')!.child.pid!;
      const restarted = nextEvent(platform, 'restarted');
      platform.signal('orders', 'SIGKILL');
      const event = await restarted;
      expect(event).toMatchObject({ id: 'orders', signal: 'SIGKILL' });
      expect(event.message).toMatch(/orders exited \(SIGKILL\); restarted, healthy after \d+\.\d s/);
      const after = platform.processes.get('orders')!.child.pid!;
      expect(after).not.toBe(before);
      expect((await fetch(`${platform.url('orders')}/health`)).status).toBe(200);
      const status = JSON.parse(readFileSync(statusFile, 'utf8'));
      expect(status.processes.find((p: { id: string }) => p.id === 'orders')).toMatchObject({
        state: 'running',
        restarts: 1,
        pid: after,
        lastExit: { signal: 'SIGKILL' },
      });
      expect(alive(platform.processes.get('orders-2')!.child.pid!)).toBe(true);
    } finally {
      await platform.stop();
    }
  });

  it('reports a crash loop instead of restarting without end', async () => {
    const { platform } = await fakePlatform({}, { supervise: { backoffMs: 10, maxRestarts: 2, windowMs: 30_000 } });
    try {
      await platform.start(['catalog']);
      platform.options.serviceEnv = { catalog: { FAKE_MODE: 'exit-soon' } }; // from now on every start of catalog dies at once
      const loop = nextEvent(platform, 'crash-loop');
      platform.signal('catalog', 'SIGKILL');
      expect((await loop).message).toMatch(/catalog exited \(code 3\) after 2 restarts within 30\.0 s: a crash loop/);
      expect(platform.processes.get('catalog')!.state).toBe('crash-loop');
    } finally {
      await platform.stop();
    }
  });

  it('kills a service that ignores SIGTERM once the bound has passed, and says it had to', async () => {
    const { platform, lines } = await fakePlatform({ fulfillment: 'ignore-term' }, { stopTimeoutMs: 500 });
    await platform.start(['catalog', 'fulfillment']);
    const report = await platform.stop();
    expect(report).toEqual({ stopped: ['catalog'], killed: ['fulfillment'], gone: [] });
    expect(lines.join('\n')).toMatch(/fulfillment did not stop within 0\.5 s of SIGTERM: killed \(SIGKILL\)/);
  });

  // a launcher script over the built platform (dist/), as the demo, bench and fault suite are
  const runLauncher = async (how: 'interrupt' | 'throw') => {
    const ports = await freePorts(2);
    const script = join(dir, `launcher-${how}.js`);
    writeFileSync(
      script,
      `const { Launcher, Platform } = require(${JSON.stringify(join(root, 'dist/scripts/platform.js'))});
       const launcher = new Launcher('fake-launcher', (line) => console.log(line));
       launcher.run(async () => {
         const platform = launcher.owns(new Platform({ root: '', ports: { catalog: ${ports[0]}, orders: ${ports[1]} }, databaseUrls: {}, logDir: ${JSON.stringify(join(dir, 'logs'))},
           entryPoint: () => ${JSON.stringify(fake)}, supervise: true, log: (line) => console.log(line) }));
         await platform.start(['catalog', 'orders']);
         console.log('PIDS ' + [...platform.processes.values()].map((p) => p.child.pid).join(' '));
         ${how === 'throw' ? "throw new Error('the load generator broke');" : "return 'keep-running';"}
       });`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // loading the built platform (and its Kafka client) takes a few seconds on a busy machine
    for (let i = 0; i < 300 && !/PIDS/.test(out) && child.exitCode === null; i++)
      await new Promise((r) => setTimeout(r, 100));
    const listed = /PIDS ([\d ]+)/.exec(out);
    if (!listed) throw new Error(`the launcher did not start its services: ${out}`);
    const pids = listed[1].trim().split(' ').map(Number);
    if (how === 'interrupt') child.kill('SIGINT');
    return { code: await code, out, pids };
  };

  it('a launcher interrupted stops every process it started and says so', async () => {
    const { code, out, pids } = await runLauncher('interrupt');
    expect(code).toBe(130);
    expect(out).toMatch(/fake-launcher interrupted \(SIGINT\)/);
    expect(out).toMatch(/stopped catalog, orders/);
    expect(out).not.toMatch(/restart/); // asked to stop: not a crash for the supervisor
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('a launcher that fails stops every process it started and says so', async () => {
    const { code, out, pids } = await runLauncher('throw');
    expect(code).toBe(1);
    expect(out).toMatch(/fake-launcher failed: the load generator broke/);
    expect(out).toMatch(/stopped catalog, orders/);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});
