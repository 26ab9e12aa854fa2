// The transactional outbox: events are rows written in the same transaction as the change
// they announce; the relay sends them to Kafka after commit.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  CURRENT_VERSION,
  EnvelopeHeaders,
  EventEnvelope,
  EventType,
  PayloadOf,
  sourceOf,
  topicOf,
} from '@cc/contracts';
import { Clock, currentFlow, currentTraceparent } from '@cc/platform';
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
    const { envelopes, rows } = this.prepare(events);
    await writeRows(tx, rows);
    return envelopes;
  }

  /**
   * The events as outbox rows, for a caller that writes them in its own statement (with
   * `outboxInsertSql`): a checkout's orders and their events go to PostgreSQL in one round trip.
   */
  prepare(events: NewEvent[]): { envelopes: EventEnvelope[]; rows: OutboxRow[] } {
    const flow = currentFlow();
    const traceparent = currentTraceparent();
    const occurredAt = this.clock.now().toISOString();
    const envelopes = events.map((e): EventEnvelope => ({
      id: randomUUID(),
      type: e.type,
      version: CURRENT_VERSION,
      occurredAt,
      source: sourceOf(e.type),
      correlationId: e.correlationId ?? flow?.correlationId ?? randomUUID(),
      causationId: e.causationId !== undefined ? e.causationId : (flow?.causationId ?? null),
      ...(traceparent ? { traceparent } : {}),
      data: e.data as unknown as Record<string, unknown>,
    }));
    const rows = envelopes.map((env, i): OutboxRow => ({
      id: env.id,
      kind: 'event',
      destination: this.topics.topic(topicOf(events[i].type)),
      key: events[i].key,
      type: env.type,
      payload: JSON.stringify(env),
    }));
    return { envelopes, rows };
  }

  /** Writes jobs into the outbox inside `tx`; the relay adds them to BullMQ after commit. */
  async addJobs(tx: EntityManager, jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await writeRows(tx, this.prepareJobs(jobs));
  }

  /** The jobs as outbox rows (in the current flow), for a caller that writes them with `addRows` or in its own statement. */
  prepareJobs(jobs: OutboxJob[]): OutboxRow[] {
    const trail = jobFlowData();
    return jobs.map((job) => ({
      id: randomUUID(),
      kind: 'job',
      destination: job.queue,
      key: job.jobId,
      type: job.name,
      payload: JSON.stringify({ data: { ...job.data, ...trail }, notBefore: job.notBefore }),
    }));
  }

  /** Writes rows made by `prepare` or `prepareJobs` inside `tx` (held, like any other, while `tx` defers its outbox writes). */
  async addRows(tx: EntityManager, rows: OutboxRow[]): Promise<void> {
    if (rows.length) await writeRows(tx, rows);
  }
}

/** An outbox row as it is written (the relay reads it back as a `StoredOutboxRow`). */
export interface OutboxRow {
  /** The event's id, or the job row's own. */
  id: string;
  kind: 'event' | 'job';
  /** The event's Kafka topic, or the job's BullMQ queue. */
  destination: string;
  /** The event's partition key, or the job's id. */
  key: string;
  /** The event's type, or the job's name. */
  type: string;
  /** The event's envelope, or the job's data and notBefore, as JSON. */
  payload: string;
}

/** Rows held back until the end of a transaction that asked for it (see `deferOutboxWrites`). */
const deferred = new WeakMap<EntityManager, OutboxRow[]>();

/**
 * From now on, outbox rows written in `tx` are held and written by `flushOutbox(tx)` in one
 * statement. A consumer handling a hundred events in one transaction writes one outbox insert
 * instead of one per event. Whoever defers must flush before commit: rows not flushed are lost
 * with the transaction object, so only the code that owns the transaction calls this.
 */
export function deferOutboxWrites(tx: EntityManager): void {
  if (!deferred.has(tx)) deferred.set(tx, []);
}

/**
 * Whether `tx` holds its outbox rows until the end. A statement of its own must then not write
 * rows itself: they would reach the outbox ahead of rows held earlier in the same transaction, and
 * one order's events would leave out of order. It hands them to `Outbox.addRows` instead.
 */
export function outboxWritesDeferred(tx: EntityManager): boolean {
  return deferred.has(tx);
}

/** Writes the rows held for `tx` (in the order they were added) and stops holding. */
export async function flushOutbox(tx: EntityManager): Promise<void> {
  const rows = deferred.get(tx);
  deferred.delete(tx);
  if (rows?.length) await insertRows(tx, rows);
}

async function writeRows(tx: EntityManager, rows: OutboxRow[]): Promise<void> {
  const held = deferred.get(tx);
  if (held) held.push(...rows);
  else await insertRows(tx, rows);
}

/**
 * An INSERT of outbox rows taking six parameters from `$first`, for use as a data-modifying CTE
 * of the caller's statement, which must also select OUTBOX_NOTIFY so the relay wakes.
 */
export function outboxInsertSql(rows: OutboxRow[], first: number): { sql: string; params: unknown[] } {
  const $ = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO outbox (id, kind, destination, key, type, payload)
       SELECT * FROM unnest(${$(0)}::uuid[], ${$(1)}::text[], ${$(2)}::text[], ${$(3)}::text[], ${$(4)}::text[], ${$(5)}::jsonb[])`,
    params: [
      rows.map((r) => r.id),
      rows.map((r) => r.kind),
      rows.map((r) => r.destination),
      rows.map((r) => r.key),
      rows.map((r) => r.type),
      rows.map((r) => r.payload),
    ],
  };
}

/**
 * `outboxInsertSql` for rows that each belong to an owner (an order; a uuid), writing only the rows whose
 * owner is among `ownersSql` (e.g. `SELECT id FROM moved`): seven parameters from `$first`.
 */
export function outboxInsertOfOwnersSql(
  rows: { owner: string; row: OutboxRow }[],
  first: number,
  ownersSql: string,
): { sql: string; params: unknown[] } {
  const $ = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO outbox (id, kind, destination, key, type, payload)
       SELECT id, kind, destination, key, type, payload
       FROM unnest(${$(0)}::uuid[], ${$(1)}::uuid[], ${$(2)}::text[], ${$(3)}::text[], ${$(4)}::text[], ${$(5)}::text[], ${$(6)}::jsonb[]) AS r(owner, id, kind, destination, key, type, payload)
       WHERE r.owner IN (${ownersSql})`,
    params: [
      rows.map((r) => r.owner),
      ...[
        (r: OutboxRow) => r.id,
        (r: OutboxRow) => r.kind,
        (r: OutboxRow) => r.destination,
        (r: OutboxRow) => r.key,
        (r: OutboxRow) => r.type,
        (r: OutboxRow) => r.payload,
      ].map((f) => rows.map((r) => f(r.row))),
    ],
  };
}

/** Wakes the relay; PostgreSQL delivers it when the transaction commits. */
export const OUTBOX_NOTIFY = `pg_notify('${OUTBOX_CHANNEL}', '')`;

/** One statement: the rows, and a NOTIFY so the relay wakes at once. */
async function insertRows(tx: EntityManager, rows: OutboxRow[]): Promise<void> {
  const insert = outboxInsertSql(rows, 1);
  await tx.query(`WITH written AS (${insert.sql}) SELECT ${OUTBOX_NOTIFY}`, insert.params);
}

/**
 * What a job's data carries of the flow that scheduled it, beside its own fields: the correlation
 * id and the trace context, so the worker continues both (see `flowOfJob`).
 */
export interface JobFlowData {
  _correlationId?: string;
  _traceparent?: string;
}

export function jobFlowData(): JobFlowData {
  const traceparent = currentTraceparent();
  return { _correlationId: currentFlow()?.correlationId, ...(traceparent ? { _traceparent: traceparent } : {}) };
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
  if (envelope.traceparent) headers[EnvelopeHeaders.traceparent] = envelope.traceparent;
  return headers;
}

/** What the outbox still holds about one order: its events (keyed by it) and the jobs named after it, oldest first. */
export interface OutboxTrailRow {
  kind: 'event' | 'job';
  /** The event type, or the job's name. */
  type: string;
  /** The event's topic, or the job's queue. */
  topic: string;
  /** The job's id (for events: the order id). */
  key: string;
  createdAt: Date;
  sentAt: Date | null;
}

export async function outboxTrail(tx: EntityManager, orderId: string): Promise<OutboxTrailRow[]> {
  // an event says when it happened on the service's clock (occurredAt); a job row only when it was written
  const rows: {
    kind: 'event' | 'job';
    type: string;
    topic: string;
    key: string;
    created_at: Date;
    sent_at: Date | null;
  }[] = await tx.query(
    `SELECT kind, type, destination AS topic, key, COALESCE((payload ->> 'occurredAt')::timestamptz, created_at) AS created_at, sent_at FROM outbox
      WHERE (kind = 'event' AND key = $1) OR (kind = 'job' AND (key LIKE '%' || $1 || '%' OR payload -> 'data' ->> 'orderId' = $1))
      ORDER BY seq`,
    [orderId],
  );
  return rows.map((r) => ({
    kind: r.kind,
    type: r.type,
    topic: r.topic,
    key: r.key,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}
