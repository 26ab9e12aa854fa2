// Sends committed outbox rows to Kafka in batches with an idempotent producer (and job rows to
// BullMQ through the job sink), then marks them sent. Wakes on NOTIFY (sent at commit) and polls as a backstop. One instance relays at a time
// (advisory lock), so events leave in commit order and one key's events stay in order.
// While the broker is away nothing is marked sent: the relay keeps trying, warns, and resumes.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { PERSONAL_DATA_EVENT_TYPES, type EventEnvelope } from '@cc/contracts';
import type { Metrics } from '@cc/platform';
import { cannotHeal } from './kafka-faults';
import { headersOf, OUTBOX_CHANNEL, OutboxJobRow, OutboxRow } from './outbox';

const RELAY_LOCK = 7_204_301; // any constant: each service has its own database

export interface OutboxRelaySettings {
  databaseUrl: string;
  batchSize: number;
  pollMs: number;
  /** After a wake-up, wait this long before reading, so commits arriving together leave in one batch. */
  coalesceMs?: number;
  /** Sent rows older than this are deleted. */
  retainSentHours?: number;
  /** Called on an error that cannot heal (credentials, permissions, configuration); services exit. */
  onFatal?: (error: Error) => void;
}

/** While sends keep failing, a warning at most this often. */
const WARN_EVERY_MS = 10_000;

/** Adds jobs to BullMQ; must be idempotent per job id (BullMQ is, for deterministic ids). */
export type JobSink = (jobs: OutboxJobRow[]) => Promise<void>;

/**
 * An outbox row as the relay reads it back: the fields of the row that was written (`OutboxRow`),
 * with its place in commit order (`seq`) and its payload as PostgreSQL returns the jsonb column
 * (an event's envelope, or a job's data and notBefore).
 */
type StoredOutboxRow = Pick<OutboxRow, 'kind' | 'destination' | 'key' | 'type'> & {
  seq: string;
  payload: EventEnvelope & { data: Record<string, unknown>; notBefore: number };
};

export class OutboxRelay {
  private readonly producer: Producer;
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private housekeeping?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private draining?: Promise<void>;
  private pending = false;
  private connected?: Promise<void>;
  private failing?: { since: number; attempts: number; warnedAt: number };

  constructor(
    private readonly dataSource: DataSource,
    kafka: Kafka,
    private readonly settings: OutboxRelaySettings,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    private readonly jobSink?: JobSink,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // a send gives up after ~8 s instead of retrying forever inside the batch's transaction; the
      // relay then tries again on its next poll, so a broker away for minutes is waited out all the
      // same, and a stop never waits on a send longer than that. Duplicates a retry may make are
      // turned away by the consumers' inbox.
      retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 5 },
    });
  }

  /** Starts listening and polling; Kafka is connected on the first send, so a broker away does not hold this up. */
  async start(): Promise<void> {
    if (this.stopped) return; // stopped before it started (a shutdown while the broker was away)
    this.running = true;
    this.listener = new Client({ connectionString: this.settings.databaseUrl });
    this.listener.on('notification', () => this.wake());
    this.listener.on('error', (e) => this.logger.warn({ err: e }, 'outbox listener connection failed; polling only'));
    await this.listener.connect();
    await this.listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.timer = setInterval(() => this.wake(), this.settings.pollMs);
    this.housekeeping = setInterval(() => void this.deleteOldSent(), 10 * 60_000);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    clearInterval(this.timer);
    clearInterval(this.housekeeping);
    await this.draining;
    await this.listener?.end().catch(() => undefined);
    await this.producer.disconnect();
  }

  /** What the relay was doing, for the shutdown log. */
  describe(): string {
    return this.failing
      ? `relaying (failing for ${Math.round((Date.now() - this.failing.since) / 1000)} s)`
      : this.draining
        ? 'relaying a batch'
        : 'idle';
  }

  /** Asks the relay to send what is waiting; returns when the current drain is done. */
  wake(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.pending = true;
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    if (this.settings.coalesceMs) await new Promise((r) => setTimeout(r, this.settings.coalesceMs));
    while (this.pending && this.running) {
      this.pending = false;
      try {
        await (this.connected ??= this.producer.connect().catch((err) => {
          this.connected = undefined;
          throw err;
        }));
        while ((await this.relayBatch()) === this.settings.batchSize && this.running);
        this.recovered();
      } catch (err) {
        // nothing was marked sent; the next wake or poll sends it again
        this.failed(err as Error);
        return;
      }
    }
  }

  private failed(error: Error): void {
    const hopeless = cannotHeal(error);
    if (hopeless) {
      this.logger.fatal(
        { err: error, reason: hopeless },
        `outbox relay: an error that cannot heal by waiting (${hopeless}); giving up`,
      );
      this.running = false;
      this.settings.onFatal?.(error);
      return;
    }
    const now = Date.now();
    const failing = (this.failing ??= { since: now, attempts: 0, warnedAt: 0 });
    failing.attempts++;
    if (now - failing.warnedAt >= WARN_EVERY_MS) {
      failing.warnedAt = now;
      const detail = {
        err: { name: error.name, message: error.message },
        attempts: failing.attempts,
        failingForMs: now - failing.since,
      };
      this.logger.warn(detail, 'outbox relay cannot send (Kafka, Redis or the database away?); retrying');
    }
  }

  private recovered(): void {
    if (!this.failing) return;
    this.logger.info(
      { attempts: this.failing.attempts, failedForMs: Date.now() - this.failing.since },
      'outbox relay sends again',
    );
    this.failing = undefined;
  }

  /**
   * Sends one batch; returns how many rows it relayed, events and jobs together (0 when another
   * instance holds the relay). One statement takes the relay's lock, picks the oldest unsent rows
   * and marks them sent (deleting those carrying personal data: no copy is kept once sent),
   * returning them; they are sent, then the transaction commits. A send that fails rolls the
   * marks back, so nothing is marked sent that did not leave. Three round trips a batch (BEGIN,
   * the statement, COMMIT), where lock, read and mark were five.
   */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const rows: StoredOutboxRow[] = await tx.query(
        `WITH relay AS (SELECT pg_try_advisory_xact_lock($1) AS locked),
           batch AS (SELECT seq FROM outbox WHERE sent_at IS NULL AND (SELECT locked FROM relay) ORDER BY seq LIMIT $2),
           gone AS (DELETE FROM outbox o USING batch b WHERE o.seq = b.seq AND o.kind = 'event' AND o.type = ANY($3::text[])
             RETURNING o.seq, o.kind, o.destination, o.key, o.type, o.payload),
           kept AS (UPDATE outbox o SET sent_at = now() FROM batch b WHERE o.seq = b.seq AND NOT (o.kind = 'event' AND o.type = ANY($3::text[]))
             RETURNING o.seq, o.kind, o.destination, o.key, o.type, o.payload)
         SELECT * FROM gone UNION ALL SELECT * FROM kept ORDER BY seq`,
        [RELAY_LOCK, this.settings.batchSize, PERSONAL_DATA_EVENT_TYPES],
      );
      if (rows.length === 0) return 0;
      const jobs = rows.filter((r) => r.kind === 'job');
      if (jobs.length) {
        if (!this.jobSink) throw new Error('outbox holds jobs but the relay has no job sink');
        await this.jobSink(
          jobs.map((r) => ({
            queue: r.destination,
            jobId: r.key,
            name: r.type,
            data: r.payload.data,
            notBefore: r.payload.notBefore,
          })),
        );
      }
      const byTopic = new Map<string, Message[]>();
      for (const row of rows.filter((r) => r.kind === 'event')) {
        const messages = byTopic.get(row.destination) ?? [];
        messages.push({ key: row.key, value: JSON.stringify(row.payload), headers: headersOf(row.payload) });
        byTopic.set(row.destination, messages);
      }
      if (byTopic.size)
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      for (const row of rows) if (row.kind === 'event') this.metrics?.eventsProduced.inc({ type: row.type });
      this.metrics?.relayBatchRows.observe(rows.length);
      return rows.length;
    });
  }

  private async deleteOldSent(): Promise<void> {
    const hours = this.settings.retainSentHours ?? 24;
    try {
      await this.dataSource.query(`DELETE FROM outbox WHERE sent_at < now() - make_interval(hours => $1)`, [hours]);
      await this.dataSource.query(`DELETE FROM inbox WHERE handled_at < now() - interval '7 days'`);
    } catch (err) {
      this.logger.warn({ err }, 'outbox housekeeping failed');
    }
  }
}
