// Sends committed outbox rows to Kafka in batches with an idempotent producer (and job rows to
// BullMQ through the job sink), then marks them sent. Wakes on NOTIFY (sent at commit) and polls as a backstop. One instance relays at a time
// (advisory lock), so events leave in commit order and one key's events stay in order.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventEnvelope } from '@cc/contracts';
import type { Metrics } from '@cc/platform';
import { headersOf, OUTBOX_CHANNEL, OutboxJobRow } from './outbox';

const RELAY_LOCK = 7_204_301; // any constant: each service has its own database

export interface OutboxRelaySettings {
  databaseUrl: string;
  batchSize: number;
  pollMs: number;
  /** After a wake-up, wait this long before reading, so commits arriving together leave in one batch. */
  coalesceMs?: number;
  /** Sent rows older than this are deleted. */
  retainSentHours?: number;
}

/** Adds jobs to BullMQ; must be idempotent per job id (BullMQ is, for deterministic ids). */
export type JobSink = (jobs: OutboxJobRow[]) => Promise<void>;

interface OutboxRow {
  seq: string;
  kind: 'event' | 'job';
  topic: string;
  key: string;
  type: string;
  envelope: EventEnvelope & { data: Record<string, unknown>; notBefore: number };
}

export class OutboxRelay {
  private readonly producer: Producer;
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private housekeeping?: NodeJS.Timeout;
  private running = false;
  private draining?: Promise<void>;
  private pending = false;

  constructor(
    private readonly dataSource: DataSource,
    kafka: Kafka,
    private readonly settings: OutboxRelaySettings,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    private readonly jobSink?: JobSink,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(): Promise<void> {
    await this.producer.connect();
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
    this.running = false;
    clearInterval(this.timer);
    clearInterval(this.housekeeping);
    await this.draining;
    await this.listener?.end().catch(() => undefined);
    await this.producer.disconnect();
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
        while ((await this.relayBatch()) === this.settings.batchSize && this.running);
      } catch (err) {
        // nothing was marked sent; the next wake or poll sends it again
        this.logger.error({ err }, 'outbox relay failed; will retry');
        return;
      }
    }
  }

  /** Sends one batch; returns how many events it sent (0 when another instance holds the relay). */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK]);
      if (!locked) return 0;
      const rows: OutboxRow[] = await tx.query(
        'SELECT seq, kind, topic, key, type, envelope FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1',
        [this.settings.batchSize],
      );
      if (rows.length === 0) return 0;
      const jobs = rows.filter((r) => r.kind === 'job');
      if (jobs.length) {
        if (!this.jobSink) throw new Error('outbox holds jobs but the relay has no job sink');
        await this.jobSink(jobs.map((r) => ({ queue: r.topic, jobId: r.key, name: r.type, data: r.envelope.data, notBefore: r.envelope.notBefore })));
      }
      const byTopic = new Map<string, Message[]>();
      for (const row of rows.filter((r) => r.kind === 'event')) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({ key: row.key, value: JSON.stringify(row.envelope), headers: headersOf(row.envelope) });
        byTopic.set(row.topic, messages);
      }
      if (byTopic.size) await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      await tx.query('UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
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
