// BullMQ, typed: each service declares its queues and their job names; a job handler is a plain
// service method marked @OnJob; start-up refuses to run if a declared job has no handler or two.
import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Job, JobsOptions, MetricsTime, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import IORedis from 'ioredis';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { Outbox, OutboxJobRow } from '@cc/messaging';
import { Clock, currentFlow, Metrics, runInFlow } from '@cc/platform';

export interface QueueSettings {
  /** The job names this queue carries. */
  jobs: readonly string[];
  concurrency?: number;
  attempts?: number;
  backoffMs?: number;
  /** At most `max` jobs per `durationMs` across all workers (e.g. a courier API's rate limit). */
  limiter?: { max: number; durationMs: number };
  keepCompleted?: number;
  keepFailed?: number;
  /** Jobs of this queue that run on a fixed interval (a BullMQ job scheduler each, upserted at start). */
  every?: { name: string; ms: number }[];
}
export type QueueDefinitions = Record<string, QueueSettings>;

type JobHandler = (data: any, job: Job) => Promise<unknown>;
const ON_JOB = 'service:on-job';

export const OnJob = (queue: string, name: string) => SetMetadata(ON_JOB, { queue, name });

export interface AddJobOptions {
  /** Deterministic id (no ':'): adding a job whose id exists already does nothing. */
  jobId?: string;
  delayMs?: number;
  priority?: number;
}

export interface ScheduleOptions {
  /** Deterministic id (no ':'): scheduling a job whose id exists already does nothing. */
  jobId: string;
  /** Run at this time of the service clock (scaled in tests and the demo)... */
  runAt?: Date;
  /** ...or after this many real milliseconds. */
  delayMs?: number;
}

/** The one place jobs are added and workers run (built by ServiceKitModule's factory). */
export class Jobs {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  constructor(
    private readonly definitions: QueueDefinitions,
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly redisUrl: string,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {
    for (const [name, settings] of Object.entries(definitions)) {
      this.queues.set(
        name,
        new Queue(name, {
          connection,
          prefix,
          defaultJobOptions: {
            attempts: settings.attempts ?? 5,
            backoff: { type: 'exponential', delay: settings.backoffMs ?? 1000 },
            removeOnComplete: { count: settings.keepCompleted ?? 1000 },
            removeOnFail: { count: settings.keepFailed ?? 5000 },
          },
        }),
      );
    }
  }

  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  /**
   * Schedules a job as part of the transaction `tx`: it reaches BullMQ through the outbox only
   * if `tx` commits, so a worker never sees state that is not committed yet, and a crash right
   * after the commit loses nothing. Use this from any code that runs inside a transaction.
   */
  async schedule(tx: EntityManager, queue: string, name: string, data: object, options: ScheduleOptions): Promise<void> {
    this.assertDeclared(queue, name);
    const delay = options.runAt ? this.clock.delayUntil(options.runAt) : (options.delayMs ?? 0);
    await this.outbox.addJobs(tx, [{ queue, name, jobId: options.jobId, data, notBefore: Date.now() + delay }]);
  }

  /** The outbox relay's job sink: adds committed jobs, idempotent by job id. */
  async enqueueFromOutbox(rows: OutboxJobRow[]): Promise<void> {
    const byQueue = new Map<string, OutboxJobRow[]>();
    for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
    const now = Date.now();
    for (const [queue, jobs] of byQueue) {
      await this.queue(queue).addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId, delay: Math.max(0, j.notBefore - now) } })));
    }
  }

  /** Adds a job now, outside any transaction (e.g. from a job handler). */
  async add(queue: string, name: string, data: object, options: AddJobOptions = {}): Promise<Job> {
    this.assertDeclared(queue, name);
    return this.queue(queue).add(name, { ...data, _correlationId: currentFlow()?.correlationId }, this.jobOptions(options));
  }

  async addBulk(queue: string, jobs: { name: string; data: object; options?: AddJobOptions }[]): Promise<Job[]> {
    for (const j of jobs) this.assertDeclared(queue, j.name);
    const correlationId = currentFlow()?.correlationId;
    return this.queue(queue).addBulk(jobs.map((j) => ({ name: j.name, data: { ...j.data, _correlationId: correlationId }, opts: this.jobOptions(j.options ?? {}) })));
  }

  /** Upserts the interval jobs (idempotent: one scheduler per queue and job name, however many instances start). */
  async startSchedulers(): Promise<void> {
    for (const [queue, settings] of Object.entries(this.definitions)) {
      for (const { name, ms } of settings.every ?? []) {
        this.assertDeclared(queue, name);
        await this.queue(queue).upsertJobScheduler(`every.${name}`, { every: ms }, { name, data: {} });
      }
    }
  }

  /** Starts one worker per queue that dispatches by job name to the @OnJob handlers. */
  startWorkers(handlers: Map<string, JobHandler>): void {
    for (const [queue, settings] of Object.entries(this.definitions)) {
      const connection = new IORedis(this.redisUrl, { maxRetriesPerRequest: null });
      this.workerConnections.push(connection);
      const worker = new Worker(
        queue,
        async (job) => {
          const handler = handlers.get(`${queue}/${job.name}`);
          if (!handler) throw new Error(`no handler for job ${queue}/${job.name}`);
          const { _correlationId, ...data } = job.data ?? {};
          return runInFlow({ correlationId: _correlationId }, () => handler(data, job));
        },
        {
          connection,
          prefix: this.prefix,
          concurrency: settings.concurrency ?? 4,
          // per-minute completed/failed counts, read by the operations console for throughput
          metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 6 },
          ...(settings.limiter ? { limiter: { max: settings.limiter.max, duration: settings.limiter.durationMs } } : {}),
        },
      );
      worker.on('completed', (job) => this.metrics.jobsProcessed.inc({ queue, name: job.name, outcome: 'completed' }));
      worker.on('failed', (job, err) => {
        this.metrics.jobsProcessed.inc({ queue, name: job?.name ?? 'unknown', outcome: 'failed' });
        this.logger.warn({ err, queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade }, 'job failed');
      });
      worker.on('error', (err) => this.logger.error({ err, queue }, 'worker error'));
      this.workers.push(worker);
    }
  }

  /** Lets running jobs finish (BullMQ hands unfinished ones back), then closes the queues. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.workerConnections) connection.disconnect();
  }

  private jobOptions(options: AddJobOptions): JobsOptions {
    return { jobId: options.jobId, delay: options.delayMs, priority: options.priority };
  }

  private assertDeclared(queue: string, name: string): void {
    if (!this.definitions[queue]?.jobs.includes(name)) throw new Error(`job ${queue}/${name} is not declared`);
  }
}

export function discoverJobHandlers(discovery: DiscoveryService, scanner: MetadataScanner, definitions: QueueDefinitions): Map<string, JobHandler> {
  const found = new Map<string, { handler: JobHandler; where: string }[]>();
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance);
    for (const method of scanner.getAllMethodNames(prototype)) {
      const meta = Reflect.getMetadata(ON_JOB, prototype[method]) as { queue: string; name: string } | undefined;
      if (!meta) continue;
      const key = `${meta.queue}/${meta.name}`;
      const list = found.get(key) ?? [];
      list.push({ handler: (prototype[method] as JobHandler).bind(instance), where: `${prototype.constructor.name}.${method}` });
      found.set(key, list);
    }
  }
  const declared = Object.entries(definitions).flatMap(([queue, s]) => s.jobs.map((name) => `${queue}/${name}`));
  const problems: string[] = [];
  for (const key of declared) {
    const list = found.get(key) ?? [];
    if (list.length === 0) problems.push(`job ${key} has no @OnJob handler`);
    if (list.length > 1) problems.push(`job ${key} has ${list.length} handlers: ${list.map((h) => h.where).join(', ')}`);
  }
  for (const [key, list] of found) if (!declared.includes(key)) problems.push(`${list[0].where} handles ${key}, which is not a declared queue/job`);
  if (problems.length) throw new Error(`job handlers are miswired:\n  ${problems.join('\n  ')}`);
  return new Map([...found].map(([key, [{ handler }]]) => [key, handler]));
}
