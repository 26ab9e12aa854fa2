// The transactional outbox: events are rows written in the same transaction as the change
// they announce; the relay sends them to Kafka after commit.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CURRENT_VERSION, EnvelopeHeaders, EventEnvelope, EventType, PayloadOf, sourceOf, topicOf } from '@cc/contracts';
import { Clock, currentFlow } from '@cc/platform';
import { TopicNames } from './kafka';

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  /** Partition key: the order id for an order's life, the store id for store events. */
  key: string;
  data: PayloadOf<T>;
  /** Defaults to the current flow's correlation id. */
  correlationId?: string;
  /** Defaults to the event being handled, if any. */
  causationId?: string | null;
}

/** The channel the relay listens on; NOTIFY is delivered at commit, so the relay wakes as soon as events are visible. */
export const OUTBOX_CHANNEL = 'outbox_events';

export class Outbox {
  constructor(
    private readonly topics: TopicNames,
    private readonly clock: Clock,
  ) {}

  /** Writes events into the outbox inside `tx`; they are sent only if `tx` commits. Returns their envelopes. */
  async add(tx: EntityManager, events: NewEvent[]): Promise<EventEnvelope[]> {
    if (events.length === 0) return [];
    const flow = currentFlow();
    const occurredAt = this.clock.now().toISOString();
    const envelopes = events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      version: CURRENT_VERSION,
      occurredAt,
      source: sourceOf(e.type),
      correlationId: e.correlationId ?? flow?.correlationId ?? randomUUID(),
      causationId: e.causationId !== undefined ? e.causationId : (flow?.causationId ?? null),
      data: e.data as unknown as Record<string, unknown>,
    }));
    const params: unknown[] = [];
    const rows = envelopes.map((env, i) => {
      params.push(env.id, this.topics.topic(topicOf(events[i].type)), events[i].key, env.type, JSON.stringify(env));
      const b = i * 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
    });
    await tx.query(`INSERT INTO outbox (event_id, topic, key, type, envelope) VALUES ${rows.join(', ')}`, params);
    await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
    return envelopes;
  }

  /** Writes jobs into the outbox inside `tx`; the relay adds them to BullMQ after commit. */
  async addJobs(tx: EntityManager, jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const correlationId = currentFlow()?.correlationId;
    const params: unknown[] = [];
    const rows = jobs.map((job, i) => {
      params.push(randomUUID(), job.queue, job.jobId, job.name, JSON.stringify({ data: { ...job.data, _correlationId: correlationId }, notBefore: job.notBefore }));
      const b = i * 5;
      return `($${b + 1}, 'job', $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
    });
    await tx.query(`INSERT INTO outbox (event_id, kind, topic, key, type, envelope) VALUES ${rows.join(', ')}`, params);
    await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  }
}

/** A BullMQ job to add once the transaction commits. */
export interface OutboxJob {
  queue: string;
  name: string;
  /** Deterministic job id: adding it twice makes one job. */
  jobId: string;
  data: object;
  /** Real epoch milliseconds before which the job must not run. */
  notBefore: number;
}

export interface OutboxJobRow {
  queue: string;
  jobId: string;
  name: string;
  data: Record<string, unknown>;
  notBefore: number;
}

export function headersOf(envelope: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = {
    [EnvelopeHeaders.id]: envelope.id,
    [EnvelopeHeaders.type]: envelope.type,
    [EnvelopeHeaders.version]: String(envelope.version),
    [EnvelopeHeaders.source]: envelope.source,
    [EnvelopeHeaders.correlationId]: envelope.correlationId,
  };
  if (envelope.causationId) headers[EnvelopeHeaders.causationId] = envelope.causationId;
  return headers;
}
