// Starts the four services as separate Node processes (from dist/), waits until each answers
// /health, and stops them again. Used by the demo and the end-to-end tests.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_NAMES = ['catalog', 'orders', 'fulfillment', 'payouts'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** The operations console runs beside the services; it has no database. */
export type ProcessName = ServiceName | 'ops';

export interface PlatformOptions {
  /** Repository root (where dist/ is). */
  root: string;
  ports: Record<ServiceName, number> & { ops?: number };
  databaseUrls: Record<ServiceName, string>;
  /** Settings every service gets (NAMESPACE, TIME_SCALE, LOG_LEVEL...). */
  env?: Record<string, string>;
  /** Settings for one service only. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  logDir: string;
}

export interface RunningProcess {
  name: ProcessName;
  url: string;
  child: ChildProcess;
  logFile: string;
}

export class Platform {
  readonly processes = new Map<ProcessName, RunningProcess>();
  constructor(readonly options: PlatformOptions) {}

  url(name: ProcessName): string {
    return `http://127.0.0.1:${this.options.ports[name]}`;
  }

  envFor(name: ProcessName): Record<string, string> {
    const { ports, databaseUrls, env, serviceEnv } = this.options;
    return {
      PORT: String(ports[name]),
      ...(name === 'ops' ? {} : { DATABASE_URL: databaseUrls[name] }),
      CATALOG_URL: this.url('catalog'),
      ORDERS_URL: this.url('orders'),
      FULFILLMENT_URL: this.url('fulfillment'),
      PAYOUTS_URL: this.url('payouts'),
      PUBLIC_URL: this.url('fulfillment'),
      ...env,
      ...(name === 'ops' ? {} : serviceEnv?.[name]),
    };
  }

  async start(names: readonly ServiceName[] = SERVICE_NAMES): Promise<void> {
    await Promise.all(names.map((name) => this.startOne(name)));
  }

  async startOne(name: ProcessName): Promise<RunningProcess> {
    if (this.options.ports[name] === undefined) throw new Error(`no port for ${name}`);
    mkdirSync(this.options.logDir, { recursive: true });
    const logFile = join(this.options.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(this.options.root, 'dist/apps', name, 'src/main.js')], {
      env: { ...process.env, ...this.envFor(name) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const running = { name, url: this.url(name), child, logFile };
    this.processes.set(name, running);
    await this.waitHealthy(running);
    return running;
  }

  /** SIGTERM and wait (graceful shutdown); SIGKILL with `crash`. */
  async stopOne(name: ProcessName, crash = false): Promise<void> {
    const running = this.processes.get(name);
    if (!running || running.child.exitCode !== null) return;
    const exited = new Promise((resolve) => running.child.once('exit', resolve));
    running.child.kill(crash ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    this.processes.delete(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.stopOne(name)));
  }

  private async waitHealthy(running: RunningProcess, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null = null;
    running.child.once('exit', (code) => (exitCode = code ?? -1));
    while (Date.now() < deadline) {
      if (exitCode !== null) throw new Error(`${running.name} exited with code ${exitCode} while starting; see ${running.logFile}`);
      try {
        const res = await fetch(`${running.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${running.name} did not become healthy within ${timeoutMs} ms; see ${running.logFile}`);
  }
}

/** Finds free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
