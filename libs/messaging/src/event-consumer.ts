// An idempotent Kafka consumer: each event's effect and its inbox row commit in one transaction,
// so a redelivered event changes nothing. A handler that throws is retried with backoff a
// bounded number of times; an event that cannot be decoded, or keeps failing, goes to the
// consumer group's dead-letter topic with the reason and origin in headers, and the consumer
// moves on. Offsets are committed only after the event's transaction (or its dead letter).
// It starts without holding up its service, reports its state, rides out a broker outage (it
// waits, reconnects and resumes) and ends the process only on an error that cannot heal.
import { Partitioners } from 'kafkajs';
import type { Consumer, ConsumerRunConfig, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { decodeEnvelope, decodePayload, DecodedEvent, EventType, InvalidEventError, topicOf } from '@cc/contracts';
import { endSpan, FlowContext, isTraceparent, Metrics, runInFlow, startConsumerSpan, traceparentOf, withSpan } from '@cc/platform';
import type { Span } from '@opentelemetry/api';
import { databaseUnavailable } from './database-faults';
import { TopicNames } from './kafka';
import { cannotHeal, isRebalance } from './kafka-faults';
import { deferOutboxWrites, flushOutbox } from './outbox';

export type EventHandler<T extends EventType = EventType> = ((event: DecodedEvent<T>, tx: EntityManager) => Promise<void>) & {
  /** Set for handlers that take a run of events at once (see `batchHandler`). */
  batch?: BatchEventHandler<T>;
};
export type BatchEventHandler<T extends EventType = EventType> = (events: DecodedEvent<T>[], tx: EntityManager) => Promise<void>;

/** A handler for runs of events; called with one event when the consumer takes events one by one. */
export function batchHandler<T extends EventType>(batch: BatchEventHandler<T>): EventHandler<T> {
  const one: EventHandler<T> = (event, tx) => batch([event], tx);
  one.batch = batch;
  return one;
}
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

/** The trace context of each event while a consumer handles it: its span's, child of the sender's. */
const handling = new WeakMap<DecodedEvent, string>();

/**
 * The flow an event's handler works in: its correlation, the event as the cause, and the trace it
 * continues. Handlers that take a run of events (`batchHandler`) run what they write for each
 * event in that event's flow, so its answer carries the right ids.
 */
export function flowOf(event: DecodedEvent): FlowContext {
  const traceparent = handling.get(event) ?? (isTraceparent(event.traceparent) ? event.traceparent : undefined);
  return { correlationId: event.correlationId, causationId: event.id, ...(traceparent ? { traceparent } : {}) };
}

/** Throw this from a handler when retrying cannot help (the event goes straight to the dead-letter topic). */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

export const DeadLetterHeaders = {
  error: 'dlq-error',
  errorName: 'dlq-error-name',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  group: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

export interface EventConsumerSettings {
  /** Logical consumer group name, e.g. `catalog`; namespaced by `topics`. */
  group: string;
  /** Logical topics, e.g. `orders.events`. */
  subscribe: string[];
  handlers: EventHandlers;
  maxAttempts: number;
  retryBaseMs: number;
  /** Fetches wait for this many bytes or `maxWaitMs`, whichever comes first (defaults 1 byte, 100 ms). */
  minBytes?: number;
  maxWaitMs?: number;
  /** Called on an error that cannot heal (credentials, permissions, configuration); services exit. */
  onCrash?: (error: Error) => void;
}

/**
 * `joining`: connecting, or (re)joining the group; `consuming`: a member with its partitions;
 * `reconnecting`: the broker or coordinator is away, it retries; `stopped`: stopped, or ended by
 * an error that cannot heal.
 */
export type ConsumerState = 'joining' | 'consuming' | 'reconnecting' | 'stopped';

/**
 * Group membership timing. A member that stops heartbeating (kill -9, a frozen host) is dropped
 * by the coordinator SESSION_TIMEOUT_MS after its last heartbeat; the others learn of the
 * rebalance on their next heartbeat (HEARTBEAT_INTERVAL_MS) and rejoin with its partitions, so a
 * dead member's partitions are taken over within about 6 + 1 s (target: 10 s). A restarted
 * instance is a new member: its join completes when the dead one's session ends, the same 6 s
 * (its HTTP side does not wait for that). 6 s is the broker's floor (group.min.session.timeout.ms)
 * and leaves five missed heartbeats before a live member is taken for dead; a member keeps
 * heartbeating while its handlers run and while a retry backs off (see `keepAlive`), so no
 * handler, however slow, starves the heartbeat. REBALANCE_TIMEOUT_MS is how long a rebalance
 * waits for a live member to finish the chunk in hand and rejoin; a member notices a rebalance
 * within a heartbeat and stops at the next chunk, so this only bounds a stuck transaction.
 */
export const SESSION_TIMEOUT_MS = 6_000;
export const HEARTBEAT_INTERVAL_MS = 1_000;
export const REBALANCE_TIMEOUT_MS = 15_000;
/** A retry's backoff never exceeds this (it used to reach 30 s), heartbeating meanwhile. */
const MAX_RETRY_DELAY_MS = 10_000;
/** Restarts after an error that heals: 1 s, doubling, at most 5 s apart, for as long as it takes. */
const RESTART_DELAY_MS = { first: 1_000, max: 5_000 };

/** Sleeps `ms`, returning early (false) as soon as `keepGoing` says to stop. */
async function pause(ms: number, keepGoing: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!keepGoing()) return false;
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
  }
  return keepGoing();
}

/** Events a partition contributes to one transaction on the fast path. */
const CHUNK = 100;
/** At most this many events in one transaction, from all partitions together. */
const MAX_TOGETHER = 500;
/** Partitions whose batches kafkajs hands over at once. */
const PARTITIONS_SIDE_BY_SIDE = 12;

export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  readonly groupId: string;
  readonly deadLetterTopic: string;
  private current: ConsumerState = 'joining';
  private since = Date.now();
  /** Last sign of life from the group (a fetch, a heartbeat, a join). */
  private lastSeen = 0;
  private stopping = false;
  private subscribed = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay = RESTART_DELAY_MS.first;
  /** Set when a heartbeat learns of a rebalance mid-batch: the batch stops at the next chunk. */
  private rebalance?: Error;
  private batchesInHand = 0;
  private keepAliveTimer?: NodeJS.Timeout;
  private latestHeartbeat?: () => Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly topics: TopicNames,
    private readonly settings: EventConsumerSettings,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.groupId = topics.group(settings.group);
    this.deadLetterTopic = topics.deadLetter(this.groupId);
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      minBytes: settings.minBytes ?? 1,
      maxWaitTimeInMs: settings.maxWaitMs ?? 100,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      // kafkajs restarts a consumer whose retries ran out; not when the error cannot heal
      retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 30, restartOnFailure: async (e) => !cannotHeal(e) },
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    this.watch();
  }

  /** The consumer's state, for /health: information, not a verdict. */
  state(): { state: ConsumerState; since: string; group: string } {
    let state = this.current;
    // a consumer that hears nothing from its group for a session has lost its broker, whatever kafkajs says yet
    if (state === 'consuming' && Date.now() - this.lastSeen > SESSION_TIMEOUT_MS) state = 'reconnecting';
    return { state, since: new Date(this.since).toISOString(), group: this.groupId };
  }

  /**
   * Starts consuming in the background and returns at once; the returned promise (`joined`)
   * settles when the consumer first joins its group. It keeps trying while the broker is away and
   * calls `onCrash` only on an error that cannot heal.
   */
  start(): { joined: Promise<void> } {
    this.stopping = false;
    this.setState('joining');
    const joined = new Promise<void>((resolve) => {
      const onJoin = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        onJoin();
        resolve();
      });
    });
    void this.connectAndRun();
    return { joined };
  }

  private async connectAndRun(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.producer.connect();
      await this.consumer.connect();
      if (!this.subscribed) {
        await this.consumer.subscribe({ topics: this.settings.subscribe.map((t) => this.topics.topic(t)), fromBeginning: true });
        this.subscribed = true;
      }
      if (this.stopping) return;
      // resolves once the group is joined, or after a crash (handled by the CRASH listener)
      await this.consumer.run(this.runConfig());
    } catch (err) {
      if (this.stopping) return;
      this.onFailure(err as Error, 'consumer could not start');
    }
  }

  /** Decides what a failure means: wait and restart (it heals), or give up (it cannot). */
  private onFailure(error: Error, what: string): void {
    const hopeless = cannotHeal(error);
    if (hopeless) {
      this.setState('stopped');
      this.logger.fatal({ err: error, group: this.groupId, reason: hopeless }, `${what}: an error that cannot heal by waiting (${hopeless}); giving up`);
      this.settings.onCrash?.(error);
      return;
    }
    this.setState('reconnecting');
    const delay = this.restartDelay;
    this.restartDelay = Math.min(RESTART_DELAY_MS.max, this.restartDelay * 2);
    this.logger.warn({ err: { name: error.name, message: error.message }, group: this.groupId, retryInMs: delay }, `${what}; retrying (the broker may be away)`);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.connectAndRun(), delay);
  }

  /** Follows kafkajs' events into `state`, and restarts the consumer when kafkajs will not. */
  private watch(): void {
    const { events } = this.consumer;
    const alive = () => (this.lastSeen = Date.now());
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
      alive();
      this.rebalance = undefined;
      this.restartDelay = RESTART_DELAY_MS.first;
      // every join is a new generation: `since` says when this one began
      this.current = 'consuming';
      this.since = Date.now();
      this.logger.info({ group: this.groupId, memberId: payload.memberId, partitions: Object.values(payload.memberAssignment).flat().length }, 'consumer joined its group');
    });
    this.consumer.on(events.FETCH, alive);
    this.consumer.on(events.HEARTBEAT, alive);
    this.consumer.on(events.REBALANCING, () => this.setState('joining'));
    this.consumer.on(events.STOP, () => this.stopping && this.setState('stopped'));
    this.consumer.on(events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      if (payload.restart) {
        // kafkajs restarts it by itself (its retries ran out: the broker is away)
        this.setState('reconnecting');
        this.logger.warn({ err: { name: payload.error.name, message: payload.error.message }, group: this.groupId }, 'consumer lost its broker or group; restarting it');
        return;
      }
      // kafkajs has disconnected it and will not restart it; some of what it calls non-retriable
      // heals all the same (e.g. "Failed to find group coordinator" while the broker restarts)
      this.onFailure(payload.error, 'consumer stopped');
    });
  }

  private setState(state: ConsumerState): void {
    if (state === this.current) return;
    this.current = state;
    this.since = Date.now();
  }

  private runConfig(): ConsumerRunConfig {
    return {
      autoCommit: true,
      // offsets go to Kafka at most once a second, not after every partition's batch: a crash
      // redelivers up to a second of events, which the inbox turns away
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      // kafkajs hands over several partitions' batches side by side; their chunks are handled
      // together, one transaction at a time (see handleTogether)
      partitionsConsumedConcurrently: PARTITIONS_SIDE_BY_SIDE,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const keepGoing = () => isRunning() && !isStale() && !this.rebalance;
        await this.keepAlive(heartbeat, async () => {
          for (let i = 0; i < batch.messages.length; i += CHUNK) {
            if (!keepGoing()) break;
            const chunk = batch.messages.slice(i, i + CHUNK);
            // fast path: the whole chunk in one transaction; if anything in it fails, each message
            // goes again on its own, with its own retries and dead letter
            if (!(await this.handleTogether(chunk))) {
              for (const message of chunk) {
                if (!keepGoing()) break;
                if (!(await this.process(batch.topic, batch.partition, message, keepGoing))) break;
                resolveOffset(message.offset);
              }
              continue;
            }
            resolveOffset(chunk[chunk.length - 1].offset);
          }
        });
        // a rebalance seen mid-batch: kafkajs rejoins when its heartbeat says so; say so now
        if (this.rebalance && isRunning()) throw this.rebalance;
        await heartbeat();
      },
    };
  }

  /**
   * Heartbeats every half interval while `work` runs, so a slow transaction or a retry's backoff
   * never lets the session lapse; a heartbeat that meets a rebalance makes the batch stop at the
   * next chunk (the group waits for us to rejoin).
   */
  private async keepAlive(heartbeat: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    this.latestHeartbeat = heartbeat;
    if (this.batchesInHand++ === 0) {
      this.keepAliveTimer = setInterval(() => {
        this.latestHeartbeat?.().catch((err) => {
          if (isRebalance(err)) this.rebalance ??= err as Error;
        });
      }, HEARTBEAT_INTERVAL_MS / 2);
    }
    try {
      await work();
    } finally {
      if (--this.batchesInHand === 0) clearInterval(this.keepAliveTimer);
    }
  }

  /** Chunks waiting for the next transaction, from the partitions being consumed side by side. */
  private waiting: { messages: KafkaMessage[]; done: (ok: boolean) => void }[] = [];
  private flushing = false;
  /** Every transaction of this consumer runs alone, in turn (see `alone`). */
  private lane: Promise<unknown> = Promise.resolve();

  /**
   * Group commit: a chunk waits (a turn of the event loop, or until the transaction before it has
   * committed) and goes into one transaction with the chunks other partitions brought meanwhile.
   * At a moderate rate, when each partition has an event or two, this is what makes transactions
   * bigger than one event. Resolves with whether the shared transaction committed; if not, each
   * partition replays its own messages one by one.
   */
  private handleTogether(messages: KafkaMessage[]): Promise<boolean> {
    return new Promise((done) => {
      this.waiting.push({ messages, done });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length) {
      let count = 0;
      let take = 0;
      while (take < this.waiting.length && (take === 0 || count + this.waiting[take].messages.length <= MAX_TOGETHER)) count += this.waiting[take++].messages.length;
      const group = this.waiting.splice(0, take);
      const ok = await this.alone(() => this.handleChunk(group.flatMap((g) => g.messages))).catch(() => false);
      for (const g of group) g.done(ok);
    }
    this.flushing = false;
  }

  /**
   * Runs transactions one after another. Side by side, two transactions hold each other's row and
   * advisory locks (a hot product in catalog, a township's slots in fulfillment) until they
   * commit, and deadlock: measured, 547 deadlocks in one benchmark run, each costing PostgreSQL's
   * one-second detection and a replay.
   */
  private alone<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lane.then(work, work);
    this.lane = run.catch(() => undefined);
    return run;
  }

  /**
   * Finishes the chunk in hand, commits its offsets and leaves the group (so its partitions move
   * at once, not after a session timeout). The caller bounds how long this may take.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // not waiting for a start-up still in progress: with the broker away it may take minutes
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.setState('stopped');
  }

  /** Returns true when the message is done with (handled, a duplicate, ignored or dead-lettered). */
  private async process(topic: string, partition: number, message: KafkaMessage, keepGoing: () => boolean): Promise<boolean> {
    let event: DecodedEvent;
    let handler: EventHandler | undefined;
    try {
      const envelope = decodeEnvelope(message.value);
      handler = this.settings.handlers[envelope.type as EventType] as EventHandler | undefined;
      if (!handler) {
        this.metrics?.eventsConsumed.inc({ group: this.settings.group, type: envelope.type, outcome: 'ignored' });
        return true;
      }
      event = decodePayload(envelope);
    } catch (err) {
      await this.deadLetter(topic, partition, message, err as Error, 1);
      return true;
    }
    const labels = { group: this.settings.group, type: event.type };
    for (let attempt = 1, outage = 0; ; attempt++) {
      const stopTimer = this.metrics?.eventHandleDuration.startTimer(labels);
      const span = this.startSpan(topic, event, attempt);
      try {
        const handled = await withSpan(span, () => runInFlow(flowOf(event), () => this.alone(() => this.handleOnce(event, handler!))));
        endSpan(span);
        stopTimer?.();
        this.metrics?.consumerTransactionEvents.observe({ group: this.settings.group }, 1);
        this.metrics?.eventsConsumed.inc({ ...labels, outcome: handled ? 'handled' : 'duplicate' });
        if (handled) this.metrics?.eventHopLatency.observe(labels, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
        return true;
      } catch (err) {
        endSpan(span, err);
        const permanent = err instanceof PermanentEventError || err instanceof InvalidEventError;
        if (!permanent && databaseUnavailable(err)) {
          // the database is away (restarting, failing over): nothing is wrong with the event, so
          // this uses none of its attempts; wait for the database, however long it takes
          attempt--;
          const delay = Math.min(MAX_RETRY_DELAY_MS, this.settings.retryBaseMs * 2 ** Math.min(outage++, 10));
          this.logger.warn({ err: (err as Error).message, eventId: event.id, type: event.type, delay }, 'database unavailable; waiting to handle the event');
          if (!(await pause(delay, keepGoing))) return false;
          continue;
        }
        if (permanent || attempt >= this.settings.maxAttempts) {
          await this.deadLetter(topic, partition, message, err as Error, attempt);
          return true;
        }
        this.metrics?.eventsConsumed.inc({ ...labels, outcome: 'retried' });
        const delay = Math.min(MAX_RETRY_DELAY_MS, this.settings.retryBaseMs * 2 ** (attempt - 1));
        this.logger.warn({ err, eventId: event.id, type: event.type, attempt, delay }, 'event handler failed; retrying');
        // stopping or rebalancing: leave the message for whoever consumes the partition next (its
        // offset is not resolved, so it is delivered again)
        if (!(await pause(delay, keepGoing))) return false;
      }
    }
  }

  /**
   * Handles a chunk of messages in one transaction: one multi-row inbox insert, then each new
   * event's handler in order. Returns false (having changed nothing) if any message cannot be
   * decoded or any handler throws; the caller then takes the messages one by one.
   */
  private async handleChunk(messages: KafkaMessage[]): Promise<boolean> {
    const work: { event: DecodedEvent; handler: EventHandler }[] = [];
    try {
      for (const message of messages) {
        const envelope = decodeEnvelope(message.value);
        const handler = this.settings.handlers[envelope.type as EventType] as EventHandler | undefined;
        if (!handler) {
          this.metrics?.eventsConsumed.inc({ group: this.settings.group, type: envelope.type, outcome: 'ignored' });
          continue;
        }
        work.push({ event: decodePayload(envelope), handler });
      }
    } catch {
      return false; // a bad message: the slow path dead-letters it
    }
    if (work.length === 0) return true;
    const started = Date.now();
    const spans = new Map(work.map(({ event }) => [event, this.startSpan(this.topics.topic(topicOf(event.type)), event, 1)]));
    try {
      const handled = await this.dataSource.transaction(async (tx) => {
        const inserted: { event_id: string }[] = await tx.query(
          `INSERT INTO inbox (consumer_group, event_id, event_type) SELECT $1, * FROM unnest($2::uuid[], $3::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
          [this.settings.group, work.map((w) => w.event.id), work.map((w) => w.event.type)],
        );
        const fresh = new Set(inserted.map((r) => r.event_id));
        const done: DecodedEvent[] = [];
        deferOutboxWrites(tx); // the chunk's events and jobs leave in one insert, before the commit
        const todo = work.filter(({ event }) => fresh.delete(event.id)); // not handled before, nor twice in this chunk
        for (let i = 0; i < todo.length; ) {
          const { event, handler } = todo[i];
          if (handler.batch) {
            // a run of consecutive events of one type goes to its batch handler at once, in order
            let end = i + 1;
            while (end < todo.length && todo[end].handler === handler) end++;
            const run = todo.slice(i, end).map((w) => w.event);
            await handler.batch(run, tx);
            done.push(...run);
            i = end;
          } else {
            await withSpan(spans.get(event)!, () => runInFlow(flowOf(event), () => handler(event, tx)));
            done.push(event);
            i++;
          }
        }
        await flushOutbox(tx);
        return done;
      });
      for (const span of spans.values()) endSpan(span);
      const perEvent = (Date.now() - started) / 1000 / Math.max(1, work.length);
      this.metrics?.consumerTransactionEvents.observe({ group: this.settings.group }, handled.length);
      for (const { event } of work) {
        const labels = { group: this.settings.group, type: event.type };
        const wasHandled = handled.includes(event);
        this.metrics?.eventsConsumed.inc({ ...labels, outcome: wasHandled ? 'handled' : 'duplicate' });
        if (wasHandled) {
          this.metrics?.eventHandleDuration.observe(labels, perEvent);
          this.metrics?.eventHopLatency.observe(labels, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
        }
      }
      return true;
    } catch (err) {
      // each event is tried again on its own, under a span of its own
      for (const span of spans.values()) endSpan(span, err);
      this.logger.debug({ err, events: work.length }, 'chunk failed; handling its events one by one');
      return false;
    }
  }

  /** A span for handling `event` (a child of the sender's), whose context the event's flow carries while it is handled. */
  private startSpan(topic: string, event: DecodedEvent, attempt: number): Span {
    const span = startConsumerSpan(`process ${event.type}`, isTraceparent(event.traceparent) ? event.traceparent : undefined, {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': this.groupId,
      'messaging.message.id': event.id,
      'cc.event_type': event.type,
      'cc.correlation_id': event.correlationId,
      'cc.attempt': attempt,
    });
    const traceparent = traceparentOf(span);
    if (traceparent) handling.set(event, traceparent);
    return span;
  }

  /** Returns false when the event had been handled before (a redelivery). */
  private async handleOnce(event: DecodedEvent, handler: EventHandler): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        'INSERT INTO inbox (consumer_group, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id',
        [this.settings.group, event.id, event.type],
      );
      if (inserted.length === 0) return false;
      deferOutboxWrites(tx);
      await handler(event, tx);
      await flushOutbox(tx);
      return true;
    });
  }

  private async deadLetter(topic: string, partition: number, message: KafkaMessage, error: Error, attempts: number): Promise<void> {
    this.logger.error({ err: error, topic, partition, offset: message.offset, group: this.groupId }, 'event sent to the dead-letter topic');
    const type = message.headers?.['event-type']?.toString() ?? 'unknown';
    this.metrics?.eventsConsumed.inc({ group: this.settings.group, type, outcome: 'dead-lettered' });
    // if this send fails, the batch fails and the message is delivered again: it is never dropped
    await this.producer.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DeadLetterHeaders.error]: String(error.message).slice(0, 4000),
            [DeadLetterHeaders.errorName]: error.name,
            [DeadLetterHeaders.topic]: topic,
            [DeadLetterHeaders.partition]: String(partition),
            [DeadLetterHeaders.offset]: message.offset,
            [DeadLetterHeaders.group]: this.groupId,
            [DeadLetterHeaders.attempts]: String(attempts),
            [DeadLetterHeaders.failedAt]: new Date().toISOString(),
          },
        },
      ],
    });
  }
}
