// Starts the four services as separate Node processes (from dist/), waits until each answers
// /health, supervises them (a process that dies without being asked to is started again) and
// stops them again — always all of them, saying which. Used by the demo, the end-to-end tests,
// the bench and the fault suite; `Launcher` below is what makes each of those clean up when it
// fails or is interrupted.
import 'reflect-metadata'; // @cc/messaging (provisioning) brings the contracts' decorators
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { adminConnection, adminKafka, provisionNamespace } from '@cc/messaging';

export const SERVICE_NAMES = ['catalog', 'orders', 'fulfillment', 'payouts'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** The operations console runs beside the services; it has no database. */
export type ProcessName = ServiceName | 'ops';

/**
 * When the supervisor restarts a process that died: after `backoffMs`, doubled for each restart
 * already made within `windowMs` (up to `maxBackoffMs`); after `maxRestarts` restarts within
 * `windowMs` it gives up and reports a crash loop rather than spin.
 */
export interface SupervisorPolicy {
  backoffMs: number;
  maxBackoffMs: number;
  maxRestarts: number;
  windowMs: number;
}
export const DEFAULT_SUPERVISOR: SupervisorPolicy = {
  backoffMs: 250,
  maxBackoffMs: 5_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

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
  /** Restart a process that exits without being asked to (true: DEFAULT_SUPERVISOR). Off by default. */
  supervise?: boolean | Partial<SupervisorPolicy>;
  /** The supervisor writes every process's state here (JSON); the console reads it (PLATFORM_STATUS_FILE). */
  statusFile?: string;
  /** What the platform says (starts, exits, restarts, stops), one line each. Default: stderr. */
  log?: (line: string) => void;
  /** How long a stopping process gets after SIGTERM before SIGKILL (above the services' own shutdown bound). */
  stopTimeoutMs?: number;
  /** How long a starting process gets to answer /health. */
  healthTimeoutMs?: number;
  /** Where a process's entry point is (tests give stand-ins); default dist/apps/<name>/src/main.js. */
  entryPoint?: (name: ProcessName) => string;
}

export type ProcessState = 'starting' | 'running' | 'restarting' | 'crash-loop' | 'exited' | 'stopping' | 'stopped';

export interface RunningProcess {
  /** `orders` for a service's first instance, `orders-2` for its second... */
  id: string;
  name: ProcessName;
  port: number;
  url: string;
  /** The current child; replaced when the supervisor restarts it. */
  child: ChildProcess;
  logFile: string;
  state: ProcessState;
  /** When the current child was spawned and when it first answered /health (epoch ms). */
  startedAt: number;
  healthyAt?: number;
  /** Times of the supervisor's restarts (epoch ms), most recent last. */
  restarts: number[];
  lastExit?: { at: number; code: number | null; signal: NodeJS.Signals | null };
  /** Set by stopOne/stop: the exit that follows is asked for, not a crash. */
  stopRequested: boolean;
  everHealthy: boolean;
  restartTimer?: NodeJS.Timeout;
}

export interface PlatformEvent {
  at: number;
  id: string;
  kind: 'started' | 'exited' | 'restarted' | 'restart-failed' | 'crash-loop' | 'stopped';
  message: string;
  signal?: NodeJS.Signals | null;
  code?: number | null;
  /** restarted: from the new child's spawn to its first healthy /health; and from the exit. */
  healthyAfterMs?: number;
  downForMs?: number;
}

export interface StopReport {
  /** Exited after SIGTERM within the bound. */
  stopped: string[];
  /** Needed SIGKILL. */
  killed: string[];
  /** Were not running any more (had exited earlier). */
  gone: string[];
}

const exitText = (code: number | null, signal: NodeJS.Signals | null) => (signal ? signal : `code ${code}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export class Platform extends EventEmitter {
  readonly processes = new Map<string, RunningProcess>();
  private stopping = false;
  private readonly policy: SupervisorPolicy | null;
  private readonly log: (line: string) => void;

  constructor(readonly options: PlatformOptions) {
    super();
    this.policy = options.supervise
      ? { ...DEFAULT_SUPERVISOR, ...(options.supervise === true ? {} : options.supervise) }
      : null;
    this.log = options.log ?? ((line) => process.stderr.write(`platform: ${line}\n`));
  }

  /** The URL of a process by id (`orders`, `orders-2`) or of a service's first instance. */
  url(id: string): string {
    const port = this.processes.get(id)?.port ?? this.options.ports[id as ProcessName];
    return `http://127.0.0.1:${port}`;
  }

  /** The running instances of one service. */
  instances(name: ProcessName): RunningProcess[] {
    return [...this.processes.values()].filter((p) => p.name === name);
  }

  envFor(name: ProcessName, port = this.options.ports[name]!): Record<string, string> {
    const { databaseUrls, env, serviceEnv } = this.options;
    return {
      PORT: String(port),
      ...(name === 'ops' ? {} : { DATABASE_URL: databaseUrls[name] }),
      CATALOG_URL: this.url('catalog'),
      ORDERS_URL: this.url('orders'),
      FULFILLMENT_URL: this.url('fulfillment'),
      PAYOUTS_URL: this.url('payouts'),
      PUBLIC_URL: this.url('fulfillment'),
      ...(name === 'ops' && this.options.statusFile ? { PLATFORM_STATUS_FILE: this.options.statusFile } : {}),
      ...env,
      ...(name === 'ops' ? {} : serviceEnv?.[name]),
    };
  }

  /**
   * Starts the services side by side. If any fails to start, every process already started is
   * stopped (and said so) before the error is thrown: a failed start leaves nothing running.
   */
  async start(names: readonly ServiceName[] = SERVICE_NAMES): Promise<void> {
    // the namespace's topics and ACLs, made by the broker's super user before any service asks for
    // them (launchers always name a namespace; an un-namespaced platform is provisioned by scripts/kafka-provision)
    const env = { ...process.env, ...this.options.env };
    if (this.options.env?.NAMESPACE)
      await provisionNamespace(adminKafka('platform-provision', env), {
        namespace: env.NAMESPACE!,
        partitions: Number(env.KAFKA_PARTITIONS ?? 12),
        acls: adminConnection(env).sasl !== undefined,
      });
    const results = await Promise.allSettled(names.map((name) => this.startOne(name)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length) {
      const report = await this.stop();
      throw new Error(`${failures.join('; ')} — ${describeStop(report)}`);
    }
  }

  /** Starts one process: a service's first instance, or (with `port`) a further instance. */
  async startOne(name: ProcessName, port?: number): Promise<RunningProcess> {
    const first = port === undefined;
    port ??= this.options.ports[name];
    if (port === undefined) throw new Error(`no port for ${name}`);
    if (this.stopping) throw new Error(`the platform is stopping; ${name} not started`);
    const id = first ? name : `${name}-${this.instances(name).length + 1}`;
    mkdirSync(this.options.logDir, { recursive: true });
    const running: RunningProcess = {
      id,
      name,
      port,
      url: `http://127.0.0.1:${port}`,
      child: undefined as unknown as ChildProcess,
      logFile: join(this.options.logDir, `${id}.log`),
      state: 'starting',
      startedAt: 0,
      restarts: [],
      stopRequested: false,
      everHealthy: false,
    };
    this.processes.set(id, running);
    this.spawnChild(running);
    await this.waitHealthy(running);
    running.everHealthy = true;
    running.state = 'running';
    this.event(
      {
        at: Date.now(),
        id,
        kind: 'started',
        message: `${id} healthy after ${seconds(Date.now() - running.startedAt)}`,
      },
      false,
    );
    return running;
  }

  /** Sends a signal to a process as an outsider would (`kill -9`, SIGSTOP): the supervisor sees what follows. */
  signal(id: string, signal: NodeJS.Signals): number {
    const running = this.processes.get(id);
    if (!running || !alive(running.child)) throw new Error(`${id} is not running`);
    process.kill(running.child.pid!, signal);
    return running.child.pid!;
  }

  /** SIGTERM and wait (graceful shutdown), SIGKILL after the bound; SIGKILL at once with `crash`. */
  async stopOne(id: string, crash = false): Promise<'stopped' | 'killed' | 'gone'> {
    const running = this.processes.get(id);
    if (!running) return 'gone';
    running.stopRequested = true;
    clearTimeout(running.restartTimer);
    const outcome = await this.terminate(running, crash);
    running.state = 'stopped';
    this.processes.delete(id);
    this.writeStatus();
    return outcome;
  }

  /** Stops every process this platform started (all at once), and says which and how. */
  async stop(): Promise<StopReport> {
    this.stopping = true;
    const ids = [...this.processes.keys()];
    const outcomes = await Promise.all(ids.map(async (id) => [id, await this.stopOne(id)] as const));
    const report: StopReport = { stopped: [], killed: [], gone: [] };
    for (const [id, outcome] of outcomes) report[outcome].push(id);
    if (ids.length) this.log(describeStop(report));
    return report;
  }

  /** Last resort (a second Ctrl-C, an exit handler): SIGKILL everything at once, synchronously. */
  killAll(): string[] {
    this.stopping = true;
    const killed: string[] = [];
    for (const running of this.processes.values()) {
      clearTimeout(running.restartTimer);
      if (alive(running.child)) {
        running.stopRequested = true;
        running.child.kill('SIGKILL');
        killed.push(running.id);
      }
    }
    return killed;
  }

  private spawnChild(running: RunningProcess): void {
    const entry =
      this.options.entryPoint?.(running.name) ?? join(this.options.root, 'dist/apps', running.name, 'src/main.js');
    const log = createWriteStream(running.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...this.envFor(running.name, running.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    running.child = child;
    running.startedAt = Date.now();
    running.healthyAt = undefined;
    child.once('exit', (code, signal) => this.exited(running, child, code, signal));
    this.writeStatus();
  }

  /** A child ended. Asked for, or before it was ever healthy: recorded. Otherwise: restarted. */
  private exited(
    running: RunningProcess,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (running.child !== child) return;
    const at = Date.now();
    running.lastExit = { at, code, signal };
    if (this.stopping || running.stopRequested || !running.everHealthy) {
      if (running.state !== 'stopping') running.state = 'exited';
      this.writeStatus();
      return;
    }
    if (!this.policy) {
      running.state = 'exited';
      this.event({
        at,
        id: running.id,
        kind: 'exited',
        signal,
        code,
        message: `${running.id} exited (${exitText(code, signal)}); not supervised, not restarted`,
      });
      return;
    }
    const recent = running.restarts.filter((t) => at - t < this.policy!.windowMs);
    if (recent.length >= this.policy.maxRestarts) {
      running.state = 'crash-loop';
      this.event({
        at,
        id: running.id,
        kind: 'crash-loop',
        signal,
        code,
        message: `${running.id} exited (${exitText(code, signal)}) after ${recent.length} restarts within ${seconds(this.policy.windowMs)}: a crash loop, not restarted again; see ${running.logFile}`,
      });
      return;
    }
    running.state = 'restarting';
    const backoff = Math.min(this.policy.maxBackoffMs, this.policy.backoffMs * 2 ** recent.length);
    this.event({
      at,
      id: running.id,
      kind: 'exited',
      signal,
      code,
      message: `${running.id} exited (${exitText(code, signal)}); restarting in ${seconds(backoff)}`,
    });
    running.restartTimer = setTimeout(() => void this.restart(running, at), backoff);
  }

  private async restart(running: RunningProcess, exitedAt: number): Promise<void> {
    if (this.stopping || running.stopRequested) return;
    running.restarts.push(Date.now());
    this.spawnChild(running);
    const child = running.child;
    try {
      await this.waitHealthy(running);
    } catch (e) {
      // exited while starting: its exit handler schedules the next try; hung: kill it, and so will it
      if (alive(child) && !running.stopRequested && !this.stopping) child.kill('SIGKILL');
      this.event({
        at: Date.now(),
        id: running.id,
        kind: 'restart-failed',
        message: `${running.id} restart failed: ${(e as Error).message}`,
      });
      return;
    }
    if (running.child !== child) return;
    const now = Date.now();
    running.state = 'running';
    const exit = running.lastExit!;
    this.event({
      at: now,
      id: running.id,
      kind: 'restarted',
      signal: exit.signal,
      code: exit.code,
      healthyAfterMs: now - running.startedAt,
      downForMs: now - exitedAt,
      message: `${running.id} exited (${exitText(exit.code, exit.signal)}); restarted, healthy after ${seconds(now - running.startedAt)} (down ${seconds(now - exitedAt)})`,
    });
  }

  private async terminate(running: RunningProcess, crash: boolean): Promise<'stopped' | 'killed' | 'gone'> {
    const child = running.child;
    if (!child || !alive(child)) return 'gone';
    running.state = 'stopping';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (crash) {
      child.kill('SIGKILL');
      await exited;
      return 'killed';
    }
    child.kill('SIGTERM');
    child.kill('SIGCONT'); // a process held by SIGSTOP (the fault suite) cannot act on SIGTERM until it runs again
    const bound = this.options.stopTimeoutMs ?? 15_000;
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, bound);
    await exited;
    clearTimeout(timer);
    if (killed) this.log(`${running.id} did not stop within ${seconds(bound)} of SIGTERM: killed (SIGKILL)`);
    return killed ? 'killed' : 'stopped';
  }

  private async waitHealthy(
    running: RunningProcess,
    timeoutMs = this.options.healthTimeoutMs ?? 60_000,
  ): Promise<void> {
    const child = running.child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!alive(child))
        throw new Error(
          `${running.id} exited with ${exitText(child.exitCode, child.signalCode)} while starting; see ${running.logFile}`,
        );
      if (running.child !== child || running.stopRequested) throw new Error(`${running.id} stopped while starting`);
      try {
        const res = await fetch(`${running.url}/health`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        if (res.status === 200 && alive(child)) {
          running.healthyAt = Date.now();
          return;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${running.id} did not become healthy within ${seconds(timeoutMs)}; see ${running.logFile}`);
  }

  private event(event: PlatformEvent, say = true): void {
    if (say) this.log(event.message);
    this.writeStatus();
    this.emit('event', event);
  }

  /** The processes' state for the operations console; written whole and renamed, so never read half-written. */
  private writeStatus(): void {
    const file = this.options.statusFile;
    if (!file) return;
    const processes = [...this.processes.values()].map((p) => ({
      id: p.id,
      service: p.name,
      port: p.port,
      pid: p.child?.pid ?? null,
      state: p.state,
      startedAt: p.startedAt ? new Date(p.startedAt).toISOString() : null,
      restarts: p.restarts.length,
      lastRestartAt: p.restarts.length ? new Date(p.restarts[p.restarts.length - 1]).toISOString() : null,
      lastExit: p.lastExit
        ? { at: new Date(p.lastExit.at).toISOString(), code: p.lastExit.code, signal: p.lastExit.signal }
        : null,
    }));
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        `${file}.tmp`,
        JSON.stringify({ updatedAt: new Date().toISOString(), launcherPid: process.pid, processes }, null, 2),
      );
      renameSync(`${file}.tmp`, file);
    } catch {
      /* the console then says it has no status; the platform itself is unaffected */
    }
  }
}

/** "stopped catalog, orders; killed fulfillment (SIGKILL after the bound); payouts had already exited". */
export function describeStop(report: StopReport): string {
  const parts: string[] = [];
  if (report.stopped.length) parts.push(`stopped ${report.stopped.join(', ')}`);
  if (report.killed.length) parts.push(`killed ${report.killed.join(', ')} (SIGKILL: did not stop on SIGTERM in time)`);
  if (report.gone.length) parts.push(`${report.gone.join(', ')} had already exited`);
  return parts.length ? parts.join('; ') : 'no process was running';
}

type Cleanup = { what: string; run: () => Promise<unknown>; force?: () => void };

/**
 * What every launcher (demo, bench, fault suite) runs under: its cleanups run, last registered
 * first, however it ends — done, failed (an exception, a rejected promise) or interrupted
 * (SIGINT, SIGTERM, SIGHUP). A second interrupt while cleaning up forces: each cleanup's `force`
 * (SIGKILL for a platform) runs at once and the launcher exits.
 */
export class Launcher {
  private readonly cleanups: Cleanup[] = [];
  private ending_ = false;

  constructor(
    readonly name: string,
    private readonly say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** True once the launcher is on its way out: work still running should stop acting (the cleanups own the machine now). */
  get ending(): boolean {
    return this.ending_;
  }

  onCleanup(what: string, run: () => Promise<unknown>, force?: () => void): void {
    this.cleanups.push({ what, run, force });
  }

  /** Stops the platform on the way out, and says which processes it stopped. */
  owns(platform: Platform): Platform {
    this.onCleanup(
      'the platform',
      () => platform.stop(),
      () => {
        const killed = platform.killAll();
        if (killed.length) this.say(`${this.name}: killed ${killed.join(', ')} (SIGKILL)`);
      },
    );
    return platform;
  }

  /** Runs `main`; its number is the exit code; 'keep-running' waits for an interrupt (the demo). */
  run(main: () => Promise<number | void | 'keep-running'>): void {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      process.on(signal, () => void this.end(code, `interrupted (${signal})`));
    }
    process.on('uncaughtException', (e) => void this.end(1, `failed: ${e.stack ?? e.message}`));
    process.on('unhandledRejection', (e) => void this.end(1, `failed: ${(e as Error)?.stack ?? String(e)}`));
    main().then(
      (result) => {
        if (result !== 'keep-running') void this.end(typeof result === 'number' ? result : 0);
      },
      (e) => void this.end(1, `failed: ${(e as Error).message}`),
    );
  }

  private async end(code: number, why?: string): Promise<void> {
    if (this.ending_) {
      if (why?.startsWith('interrupted')) {
        this.say(`${this.name}: ${why} again — forcing`);
        for (const c of [...this.cleanups].reverse()) c.force?.();
        process.exit(code);
      }
      return;
    }
    this.ending_ = true;
    if (why) this.say(`${this.name} ${why}`);
    for (const c of [...this.cleanups].reverse()) {
      try {
        await c.run();
      } catch (e) {
        this.say(`${this.name}: cleaning up ${c.what} failed: ${(e as Error).message}`);
        c.force?.();
      }
    }
    process.exit(code);
  }
}

/** Finds free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
