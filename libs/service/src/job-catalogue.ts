// Jobs, each declared once, beside the event catalogue's idea: its queue, its name, the data it
// carries, how its id is made, and how often it is retried and how long it is kept. A handler is
// marked `@OnJob(job)` and work is scheduled with `jobs.schedule(tx, job, data)`: the compiler
// checks the data against both. Each service's queues are derived from its catalogue
// (`defineQueues`), so a job cannot be scheduled on a queue that does not carry it.
import type { Schedule } from './schedules';

export interface JobRetention {
  /** Attempts before the job fails for good, and the first backoff (doubling each time). */
  attempts: number;
  backoffMs: number;
  /** How many completed and failed jobs Redis keeps for the console (defaults 1,000 and 5,000). */
  keepCompleted?: number;
  keepFailed?: number;
}

export interface JobSpec<D extends object = object> extends Readonly<JobRetention> {
  readonly queue: string;
  readonly name: string;
  /** The job's deterministic id, `<name>.<key>`: adding a job whose id exists does nothing. */
  readonly id?: (data: D) => string;
  /** Never set: it carries the data's type for the compiler. */
  readonly data?: D;
}

/** A job of any data, where jobs of different data are kept together (a queue's list). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobSpec = JobSpec<any>;

/** A job that code schedules (it has an id made from its data). */
export type KeyedJobSpec<D extends object = object> = JobSpec<D> & { readonly id: (data: D) => string };

/** A job added by its queue's schedule; its data says which occurrence it is. */
export interface Occurrence {
  occurrence: string;
}

/** Declares a job that code schedules; its id is `<name>.<key(data)>`. */
export function defineJob<D extends object>(
  queue: string,
  name: string,
  settings: JobRetention & { key: (data: D) => string },
): KeyedJobSpec<D> {
  const { key, ...retention } = settings;
  return { queue, name, ...retention, id: (data) => `${name}.${key(data)}` };
}

/** Declares a job its queue's schedule adds (a sweep, the daily payout run). */
export function defineRecurringJob(queue: string, name: string, retention: JobRetention): JobSpec<Occurrence> {
  return { queue, name, ...retention };
}

export interface QueueSpec {
  concurrency?: number;
  /** At most `max` jobs per `durationMs` across all workers (e.g. a courier API's rate limit). */
  limiter?: { max: number; durationMs: number };
  /** Jobs of this queue that recur, on the service clock; each must be one of its jobs. */
  schedules?: Schedule[];
}

export interface QueueSettings extends QueueSpec {
  /** The jobs this queue carries. */
  jobs: readonly AnyJobSpec[];
}
export type QueueDefinitions = Record<string, QueueSettings>;

/**
 * A service's queues from its jobs and the settings of each queue; `retention` overrides a job's
 * declared retries where they come from configuration (the courier's). Refuses a job whose queue
 * is not listed, a queue that carries no job, and a name declared twice on one queue.
 */
export function defineQueues(
  jobs: Record<string, AnyJobSpec>,
  queues: Record<string, QueueSpec>,
  retention: Record<string, Partial<JobRetention>> = {},
): QueueDefinitions {
  const definitions: QueueDefinitions = Object.fromEntries(
    Object.entries(queues).map(([name, spec]) => [name, { ...spec, jobs: [] as AnyJobSpec[] }]),
  );
  for (const declared of Object.values(jobs)) {
    const job = { ...declared, ...retention[declared.name] };
    const queue = definitions[job.queue];
    if (!queue) throw new Error(`job ${job.name} is on queue ${job.queue}, which is not declared`);
    if (queue.jobs.some((j) => j.name === job.name)) throw new Error(`job ${job.queue}/${job.name} is declared twice`);
    (queue.jobs as AnyJobSpec[]).push(job);
  }
  const unknown = Object.keys(retention).filter((name) => !Object.values(jobs).some((j) => j.name === name));
  if (unknown.length) throw new Error(`retention given for jobs not declared: ${unknown.join(', ')}`);
  const empty = Object.entries(definitions)
    .filter(([, q]) => q.jobs.length === 0)
    .map(([name]) => name);
  if (empty.length) throw new Error(`queues with no job: ${empty.join(', ')}`);
  return definitions;
}

/** A job to schedule later with what it needs (an order's move carries the jobs that follow it). */
export interface JobToSchedule {
  job: KeyedJobSpec<object>;
  data: object;
  when: { runAt?: Date; delayMs?: number };
}

/** A job with its data, checked against each other now, scheduled later (`jobs.prepare(j.job, j.data, j.when)`). */
export function jobToSchedule<D extends object>(
  job: KeyedJobSpec<D>,
  data: D,
  when: { runAt?: Date; delayMs?: number } = {},
): JobToSchedule {
  return { job: job as unknown as KeyedJobSpec<object>, data, when };
}
