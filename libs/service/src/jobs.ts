// BullMQ, typed: each service declares its jobs once (job-catalogue.ts) and derives its queues
// from them; a job handler is a plain service method marked @OnJob(job); start-up refuses to run
// if a declared job has no handler or two. Recurring jobs (sweeps, the daily payout run) are
// declared beside their queue (schedules.ts).
import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Job, JobsOptions, MetricsTime, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import IORedis from 'ioredis';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { jobFlowData, JobFlowData, Outbox, OutboxJobRow, OutboxRow } from '@cc/messaging';
import { Clock, endSpan, Metrics, runInFlow, startConsumerSpan, traceparentOf, withSpan } from '@cc/platform';
import { AnyJobSpec, JobSpec, KeyedJobSpec, QueueDefinitions } from './job-catalogue';
import { Cadence, isOccurrenceOf, nextOccurrence, occurrenceJobId, Schedule, scheduleKey } from './schedules';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JobHandler = (data: any, job: Job) => Promise<unknown>;
const ON_JOB = 'service:on-job';

/** Marks the method that runs `job`; its first parameter must take the job's data. */
export function OnJob<D extends object>(job: JobSpec<D>) {
  return <M extends (data: D, job: Job) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(ON_JOB, { queue: job.queue, name: job.name })(target, key, descriptor);
  };
}

/** When a job runs: at a time of the service clock (scaled in tests and the demo), after real milliseconds, or now. */
export interface When {
  runAt?: Date;
  delayMs?: number;
}

export interface ScheduleSettings extends Omit<Cadence, 'scale'> {
  /** Real ms between checks that each schedule's next occurrence is in Redis. */
  checkMs: number;
}

/** Raises a schedule's mark (the latest occurrence added) and never lowers it: KEYS[1] hash, ARGV field, occurrence ms. */
const RAISE_MARK = `local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

interface SchedulingState {
  settings: ScheduleSettings;
  timer: NodeJS.Timeout;
  onReady: () => void;
  /** The last pass failed (logged once until one succeeds). */
  failing: boolean;
  legacyRemoved: boolean;
  /** Why the next pass was asked for, if one was. */
  pending?: string;
  inFlight?: Promise<void>;
}

/** The one place jobs are added and workers run (built by ServiceKitModule's factory). */
export class Jobs {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];
  private scheduling?: SchedulingState;
  private readonly returnListeners: (() => void)[] = [];

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
    // retries and retention are each job's (job-catalogue.ts), given whenever one is added
    for (const name of Object.keys(definitions)) this.queues.set(name, new Queue(name, { connection, prefix }));
    this.checkSchedules();
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
  async schedule<D extends object>(tx: EntityManager, job: KeyedJobSpec<D>, data: D, when: When = {}): Promise<void> {
    await this.outbox.addRows(tx, [this.prepare(job, data, when)]);
  }

  /**
   * The job as an outbox row, for a caller that writes it as part of its own statement (an order's
   * move writes the jobs that follow it only if the order moved): the same as `schedule`, written later.
   */
  prepare<D extends object>(job: KeyedJobSpec<D>, data: D, when: When = {}): OutboxRow {
    this.specOf(job.queue, job.name); // refuses a job this service does not declare
    return this.outbox.prepareJobs([
      { queue: job.queue, name: job.name, jobId: job.id(data), data, notBefore: Date.now() + this.delayOf(when) },
    ])[0];
  }

  /** The outbox relay's job sink: adds committed jobs, idempotent by job id. */
  async enqueueFromOutbox(rows: OutboxJobRow[]): Promise<void> {
    const byQueue = new Map<string, OutboxJobRow[]>();
    for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
    const now = Date.now();
    for (const [queue, jobs] of byQueue) {
      await this.queue(queue).addBulk(
        jobs.map((j) => ({
          name: j.name,
          data: j.data,
          opts: {
            ...this.retention(queue, j.name),
            jobId: j.jobId,
            delay: Math.max(0, j.notBefore - now),
          },
        })),
      );
    }
  }

  /** Adds a job now, outside any transaction (e.g. from a job handler). */
  async add<D extends object>(job: KeyedJobSpec<D>, data: D, when: When = {}): Promise<Job> {
    return this.queue(job.queue).add(
      job.name,
      { ...data, ...jobFlowData() },
      { ...this.retention(job.queue, job.name), jobId: job.id(data), delay: this.delayOf(when) },
    );
  }

  /** Adds many jobs of one kind now, in one round trip (a sweep re-adding what Redis lost). */
  async addBulk<D extends object>(job: KeyedJobSpec<D>, items: { data: D; delayMs?: number }[]): Promise<Job[]> {
    const retention = this.retention(job.queue, job.name);
    const flow = jobFlowData();
    return this.queue(job.queue).addBulk(
      items.map((i) => ({
        name: job.name,
        data: { ...i.data, ...flow },
        opts: { ...retention, jobId: job.id(i.data), delay: i.delayMs },
      })),
    );
  }

  /**
   * Keeps each schedule's next occurrence in Redis, as a delayed job whose id names it: now, each
   * time an occurrence starts, whenever the Redis connection is ready again (a restart of a Redis
   * without persistence forgets every delayed job) and every `checkMs`. Every instance does this;
   * the ids make their jobs one, and a mark per schedule in Redis (the latest occurrence added)
   * keeps an occurrence that already ran and was trimmed from being added again.
   */
  async startSchedulers(settings: ScheduleSettings): Promise<void> {
    if (this.scheduling || !this.scheduled().length) return;
    const onReady = () => void this.ensureSchedules('redis ready');
    const timer = setInterval(() => void this.ensureSchedules('check'), settings.checkMs);
    timer.unref();
    this.scheduling = { settings, timer, onReady, failing: false, legacyRemoved: false };
    this.connection.on('ready', onReady);
    await this.ensureSchedules('start');
  }

  /**
   * Calls `restore` each time the Redis connection is ready again after it was lost: a Redis
   * restarted without persistence has forgotten every waiting and delayed job, so a service re-adds
   * those its own records say must exist (under their usual ids: the ones Redis still has are
   * left alone). A failure is logged; the service's sweeps remain the backstop.
   */
  onRedisReturn(what: string, restore: () => Promise<number>): void {
    let seenReady = this.connection.status === 'ready';
    const listener = () => {
      if (!seenReady) {
        seenReady = true;
        return;
      }
      restore().then(
        (count) => this.logger.info({ what, count }, 'redis is back: jobs restored from the service records'),
        (err) =>
          this.logger.warn(
            { err, what },
            'redis is back, but the jobs could not be restored; the sweeps will find what they miss',
          ),
      );
    };
    this.connection.on('ready', listener);
    this.returnListeners.push(() => this.connection.off('ready', listener));
  }

  /** Adds the next occurrence of every schedule that lacks it; never throws (a later check tries again). */
  ensureSchedules(why: string): Promise<void> {
    const state = this.scheduling;
    if (!state) return Promise.resolve();
    // one pass at a time; a request during a pass gets one more pass after it (its clock reading may be newer)
    state.pending = why;
    state.inFlight ??= this.ensurePasses(state);
    return state.inFlight;
  }

  private async ensurePasses(state: SchedulingState): Promise<void> {
    await Promise.resolve(); // inFlight is set before this can finish
    while (state.pending) {
      const why = state.pending;
      state.pending = undefined;
      try {
        if (!state.legacyRemoved) {
          await this.removeLegacySchedulers();
          state.legacyRemoved = true;
        }
        const added: string[] = [];
        for (const { queue, schedule } of this.scheduled()) {
          const jobId = await this.ensureNext(queue, schedule);
          if (jobId) added.push(`${queue}/${jobId}`);
        }
        // an occurrence adding the next is routine; anything else adding one is worth a line
        if (added.length)
          this.logger[why.endsWith(' started') ? 'debug' : 'info']({ why, added }, 'schedules: next occurrences added');
        if (state.failing) this.logger.info({ why }, 'schedules: checked again after a failure');
        state.failing = false;
      } catch (err) {
        // Redis away: said once per outage, then quiet until it is back
        if (!state.failing)
          this.logger.warn(
            { err: (err as Error).message, why },
            'schedules: could not check the next occurrences; trying again',
          );
        state.failing = true;
      }
    }
    state.inFlight = undefined;
  }

  /** Adds the schedule's next occurrence unless it (or a later one) was added already; returns the job id it added. */
  private async ensureNext(queue: string, schedule: Schedule): Promise<string | null> {
    const cadence = this.cadence();
    const at = nextOccurrence(schedule, this.clock.now(), cadence);
    const field = scheduleKey(queue, schedule, cadence);
    const marked = Number((await this.connection.hget(this.marksKey(), field)) ?? 0);
    if (marked >= at.getTime()) return null;
    const jobId = occurrenceJobId(schedule.name, at);
    await this.queue(queue).add(
      schedule.name,
      { occurrence: at.toISOString() },
      { ...this.retention(queue, schedule.name), jobId, delay: this.clock.delayUntil(at) },
    );
    // after the job: a mark always means its job was added
    await this.connection.eval(RAISE_MARK, 1, this.marksKey(), field, String(at.getTime()));
    return jobId;
  }

  /** Earlier versions kept schedules as BullMQ job schedulers on real time; left in a persistent Redis they would run beside ours. */
  private async removeLegacySchedulers(): Promise<void> {
    for (const queue of new Set(this.scheduled().map((s) => s.queue))) {
      for (const legacy of await this.queue(queue).getJobSchedulers()) {
        await this.queue(queue).removeJobScheduler(legacy.key);
        this.logger.info({ queue, scheduler: legacy.key }, 'schedules: removed a job scheduler of an earlier version');
      }
    }
  }

  private scheduled(): { queue: string; schedule: Schedule }[] {
    return Object.entries(this.definitions).flatMap(([queue, s]) =>
      (s.schedules ?? []).map((schedule) => ({ queue, schedule })),
    );
  }

  private cadence(): Cadence {
    return { scale: this.clock.scale, minIntervalMs: this.scheduling?.settings.minIntervalMs ?? 1000 };
  }

  private marksKey(): string {
    return `${this.prefix}:schedule-marks`;
  }

  /** Refuses, at start, a schedule of an undeclared job or with a time that cannot be read. */
  private checkSchedules(): void {
    const problems: string[] = [];
    for (const { queue, schedule } of this.scheduled()) {
      const what = `schedule ${queue}/${schedule.name}`;
      if (!this.definitions[queue].jobs.some((j) => j.name === schedule.name))
        problems.push(`${what}: ${schedule.name} is not a job of queue ${queue}`);
      if ('everySeconds' in schedule && !(Number.isFinite(schedule.everySeconds) && schedule.everySeconds > 0))
        problems.push(`${what}: everySeconds must be above 0`);
      if ('dailyAt' in schedule) {
        if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(schedule.dailyAt))
          problems.push(`${what}: dailyAt must be HH:MM (got ${schedule.dailyAt})`);
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: schedule.timeZone });
        } catch {
          problems.push(`${what}: unknown time zone ${schedule.timeZone}`);
        }
      }
    }
    if (problems.length) throw new Error(`schedules are miswired:\n  ${problems.join('\n  ')}`);
  }

  /** Starts one worker per queue that dispatches by job name to the @OnJob handlers. */
  startWorkers(handlers: Map<string, JobHandler>, options: { lockMs: number } = { lockMs: 30_000 }): void {
    for (const [queue, settings] of Object.entries(this.definitions)) {
      const connection = new IORedis(this.redisUrl, { maxRetriesPerRequest: null });
      this.workerConnections.push(connection);
      const worker = new Worker(
        queue,
        async (job) => {
          const handler = handlers.get(`${queue}/${job.name}`);
          if (!handler) throw new Error(`no handler for job ${queue}/${job.name}`);
          // an occurrence that starts adds the next one, whatever this one's handler does
          if (settings.schedules?.some((s) => isOccurrenceOf(s.name, job.id)))
            void this.ensureSchedules(`${job.name} started`);
          const { _correlationId, _traceparent, ...data } = (job.data ?? {}) as JobFlowData & Record<string, unknown>;
          // a span for the job, child of the work that scheduled it (carried in the job's data)
          const span = startConsumerSpan(`job ${queue}/${job.name}`, _traceparent, {
            'messaging.system': 'bullmq',
            'messaging.destination.name': queue,
            'messaging.message.id': String(job.id),
            'cc.attempt': job.attemptsMade + 1,
            ...(_correlationId ? { 'cc.correlation_id': _correlationId } : {}),
          });
          try {
            const result = await withSpan(span, () =>
              runInFlow({ correlationId: _correlationId, traceparent: traceparentOf(span) }, () => handler(data, job)),
            );
            endSpan(span);
            return result;
          } catch (err) {
            endSpan(span, err);
            throw err;
          }
        },
        {
          connection,
          prefix: this.prefix,
          concurrency: settings.concurrency ?? 4,
          // a dead worker's job is taken over within about 1.5× lockMs (BaseConfig.JOB_LOCK_MS)
          lockDuration: options.lockMs,
          stalledInterval: Math.round(options.lockMs / 2),
          // per-minute completed/failed counts, read by the operations console for throughput
          metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 6 },
          ...(settings.limiter
            ? { limiter: { max: settings.limiter.max, duration: settings.limiter.durationMs } }
            : {}),
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
    for (const off of this.returnListeners.splice(0)) off();
    if (this.scheduling) {
      clearInterval(this.scheduling.timer);
      this.connection.off('ready', this.scheduling.onReady);
      await this.scheduling.inFlight;
      this.scheduling = undefined;
    }
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.workerConnections) connection.disconnect();
  }

  private delayOf(when: When): number {
    return when.runAt ? this.clock.delayUntil(when.runAt) : (when.delayMs ?? 0);
  }

  /** The declared job's retries and how long Redis keeps it, as BullMQ options (throws for a job not declared). */
  private retention(queue: string, name: string): JobsOptions {
    const job = this.specOf(queue, name);
    return {
      attempts: job.attempts,
      backoff: { type: 'exponential', delay: job.backoffMs },
      removeOnComplete: { count: job.keepCompleted ?? 1000 },
      removeOnFail: { count: job.keepFailed ?? 5000 },
    };
  }

  private specOf(queue: string, name: string): AnyJobSpec {
    const spec = this.definitions[queue]?.jobs.find((j) => j.name === name);
    if (!spec) throw new Error(`job ${queue}/${name} is not declared`);
    return spec;
  }
}

export function discoverJobHandlers(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  definitions: QueueDefinitions,
): Map<string, JobHandler> {
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
      list.push({
        handler: (prototype[method] as JobHandler).bind(instance),
        where: `${prototype.constructor.name}.${method}`,
      });
      found.set(key, list);
    }
  }
  const declared = Object.entries(definitions).flatMap(([queue, s]) => s.jobs.map((job) => `${queue}/${job.name}`));
  const problems: string[] = [];
  for (const key of declared) {
    const list = found.get(key) ?? [];
    if (list.length === 0) problems.push(`job ${key} has no @OnJob handler`);
    if (list.length > 1)
      problems.push(`job ${key} has ${list.length} handlers: ${list.map((h) => h.where).join(', ')}`);
  }
  for (const [key, list] of found)
    if (!declared.includes(key)) problems.push(`${list[0].where} handles ${key}, which is not a declared queue/job`);
  if (problems.length) throw new Error(`job handlers are miswired:\n  ${problems.join('\n  ')}`);
  return new Map([...found].map(([key, [{ handler }]]) => [key, handler]));
}
