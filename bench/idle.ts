// The platform at rest: starts the four services and the operations console with their default
// settings (fresh bench databases, a fresh namespace, no load), lets them settle, and reads from
// /proc how much CPU each process — and the broker, PostgreSQL and Redis — uses while nothing
// happens: the polling, fetch loops, sweeps and timers that a quiet county pays for all night.
//   npm run bench:idle                   settle 20 s, measure 60 s
//   options: --settle 20 --seconds 60
//            --profile   CPU-profile each service during the measured window (.cpuprofile files
//                        under .run/profiles/<namespace>/, summary printed)
//   BENCH_SERVICES_ROOT=<dir>  runs another build of the services, for side-by-side comparisons
import 'reflect-metadata';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabases } from '../scripts/clients';
import { freePorts, Launcher, Platform, SERVICE_NAMES, ServiceName } from '../scripts/platform';
import { cpuTicks, infraTicks } from './cpu';
import { PG } from './county';
import { print as printProfile, summarise } from './profile-summary';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback;
const SETTLE_SECONDS = Number(opt('settle', '20'));
const SECONDS = Number(opt('seconds', '60'));
const PROFILE = args.includes('--profile');
const root = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const ns = `bench-idle-${Math.floor(Date.now() / 1000)}`;
  const databaseUrls = await freshDatabases(PG, 'bench', SERVICE_NAMES);
  const ports = await freePorts(5);
  const profileDir = join(root, '.run', 'profiles', ns);
  const platform = launcher.owns(
    new Platform({
      root: process.env.BENCH_SERVICES_ROOT ?? root,
      ports: {
        ...(Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>),
        ops: ports[4],
      },
      databaseUrls,
      // the defaults a deployment runs with; only the log level is quiet
      env: { NAMESPACE: ns, LOG_LEVEL: 'warn', ...(PROFILE ? { CPU_PROFILE_DIR: profileDir } : {}) },
      logDir: join(root, '.run', 'bench-logs'),
    }),
  );
  console.log(`idle bench — starting the four services and the console (namespace ${ns})`);
  await platform.start();
  await platform.startOne('ops');
  console.log(`settling ${SETTLE_SECONDS} s, then measuring ${SECONDS} s at rest`);
  await sleep(SETTLE_SECONDS * 1000);

  const names = [...SERVICE_NAMES, 'ops'] as const;
  const pids = new Map(names.map((s) => [s, platform.processes.get(s)!.child.pid!]));
  const toggleProfilers = () => PROFILE && SERVICE_NAMES.forEach((s) => process.kill(pids.get(s)!, 'SIGUSR2'));
  toggleProfilers();
  const before = new Map([...pids].map(([s, pid]) => [s, cpuTicks(pid)]));
  const infraBefore = infraTicks();
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const elapsedTicks = ((Date.now() - t0) / 1000) * 100;
  const infraAfter = infraTicks();
  const percent = (ticks: number) => Number(((100 * ticks) / elapsedTicks).toFixed(2));
  const cpu: Record<string, number> = {
    ...Object.fromEntries([...pids].map(([s, pid]) => [s, percent(cpuTicks(pid) - before.get(s)!)])),
    ...Object.fromEntries(Object.keys(infraAfter).map((k) => [k, percent(infraAfter[k] - infraBefore[k])])),
  };
  toggleProfilers();
  const total = Number(
    Object.values(cpu)
      .reduce((a, b) => a + b, 0)
      .toFixed(2),
  );

  console.log('\n── at rest ─────────────────────────────────────────────');
  console.log(
    `CPU (% of one core over ${SECONDS} s): ${Object.entries(cpu)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`whole platform at rest: ${total} % of one core`);
  if (PROFILE) {
    for (let i = 0; i < 50 && (!existsSync(profileDir) || readdirSync(profileDir).length < SERVICE_NAMES.length); i++)
      await sleep(200);
    for (const f of readdirSync(profileDir)) printProfile(summarise(join(profileDir, f), 12));
    console.log(`profiles (open in Chrome DevTools): ${profileDir}`);
  }
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `idle-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        servicesRoot: process.env.BENCH_SERVICES_ROOT ?? root,
        seconds: SECONDS,
        cpuPercentOfOneCore: cpu,
        total,
      },
      null,
      2,
    ),
  );
  console.log(`written to ${file}`);
}

const launcher = new Launcher('idle bench');
launcher.run(main);
