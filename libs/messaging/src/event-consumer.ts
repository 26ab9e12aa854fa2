// An idempotent Kafka consumer: each event's effect and its inbox row commit in one transaction,
// so a redelivered event changes nothing. A handler that throws is retried with backoff a
// bounded number of times; an event that cannot be decoded, or keeps failing, goes to the
// consumer group's dead-letter topic with the reason and origin in headers, and the consumer
// moves on. Offsets are committed only after the event's transaction (or its dead letter).
import { Partitioners } from 'kafkajs';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { decodeEnvelope, decodePayload, DecodedEvent, EventType, InvalidEventError } from '@cc/contracts';
import { Metrics, runInFlow } from '@cc/platform';
import { TopicNames } from './kafka';
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
  /** Called when kafkajs gives up on the consumer; services exit so the supervisor restarts them. */
  onCrash?: (error: Error) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return; // kafkajs restarts it by itself
      this.logger.fatal({ err: payload.error, group: this.groupId }, 'consumer crashed');
      this.settings.onCrash?.(payload.error);
    });
    for (const topic of this.settings.subscribe) await this.consumer.subscribe({ topic: this.topics.topic(topic), fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      // offsets go to Kafka at most once a second, not after every partition's batch: a crash
      // redelivers up to a second of events, which the inbox turns away
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      // kafkajs hands over several partitions' batches side by side; their chunks are handled
      // together, one transaction at a time (see handleTogether)
      partitionsConsumedConcurrently: PARTITIONS_SIDE_BY_SIDE,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let i = 0; i < batch.messages.length; i += CHUNK) {
          if (!isRunning() || isStale()) break;
          const chunk = batch.messages.slice(i, i + CHUNK);
          // fast path: the whole chunk in one transaction; if anything in it fails, each message
          // goes again on its own, with its own retries and dead letter
          if (!(await this.handleTogether(chunk))) {
            for (const message of chunk) {
              if (!isRunning() || isStale()) return;
              await this.process(batch.topic, batch.partition, message, heartbeat);
              resolveOffset(message.offset);
              await heartbeat();
            }
            continue;
          }
          resolveOffset(chunk[chunk.length - 1].offset);
          await heartbeat();
        }
      },
    });
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

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async process(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    let event: DecodedEvent;
    let handler: EventHandler | undefined;
    try {
      const envelope = decodeEnvelope(message.value);
      handler = this.settings.handlers[envelope.type as EventType] as EventHandler | undefined;
      if (!handler) {
        this.metrics?.eventsConsumed.inc({ group: this.settings.group, type: envelope.type, outcome: 'ignored' });
        return;
      }
      event = decodePayload(envelope);
    } catch (err) {
      await this.deadLetter(topic, partition, message, err as Error, 1);
      return;
    }
    const labels = { group: this.settings.group, type: event.type };
    for (let attempt = 1; ; attempt++) {
      const stopTimer = this.metrics?.eventHandleDuration.startTimer(labels);
      try {
        const handled = await runInFlow({ correlationId: event.correlationId, causationId: event.id }, () => this.alone(() => this.handleOnce(event, handler!)));
        stopTimer?.();
        this.metrics?.consumerTransactionEvents.observe({ group: this.settings.group }, 1);
        this.metrics?.eventsConsumed.inc({ ...labels, outcome: handled ? 'handled' : 'duplicate' });
        if (handled) this.metrics?.eventHopLatency.observe(labels, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
        return;
      } catch (err) {
        const permanent = err instanceof PermanentEventError || err instanceof InvalidEventError;
        if (permanent || attempt >= this.settings.maxAttempts) {
          await this.deadLetter(topic, partition, message, err as Error, attempt);
          return;
        }
        this.metrics?.eventsConsumed.inc({ ...labels, outcome: 'retried' });
        const delay = Math.min(30_000, this.settings.retryBaseMs * 2 ** (attempt - 1));
        this.logger.warn({ err, eventId: event.id, type: event.type, attempt, delay }, 'event handler failed; retrying');
        await sleep(delay);
        await heartbeat();
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
            await runInFlow({ correlationId: event.correlationId, causationId: event.id }, () => handler(event, tx));
            done.push(event);
            i++;
          }
        }
        await flushOutbox(tx);
        return done;
      });
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
      this.logger.debug({ err, events: work.length }, 'chunk failed; handling its events one by one');
      return false;
    }
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
