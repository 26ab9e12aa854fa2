// An idempotent Kafka consumer: each event's effect and its inbox row commit in one transaction,
// so a redelivered event changes nothing. A handler that throws is retried with backoff a
// bounded number of times; an event that cannot be decoded, or keeps failing, goes to the
// consumer group's dead-letter topic with the reason and origin in headers, and the consumer
// moves on. Offsets are committed only after the event's transaction (or its dead letter).
// It starts without holding up its service, reports its state, rides out a broker outage (it
// waits, reconnects and resumes) and ends the process only on an error that cannot heal.
//
// This file puts the parts in consumer/ together:
// - KafkaBatchSource (kafkajs: connect, run, state, restarts, heartbeats, offsets) hands chunks to
// - EventProcessor: the fast path (a group commit of chunks) and the slow path (one message at a
//   time, with RetryPolicy and DeadLetterSender), both decoding with `dispatch`, handling in an
//   InboxTransaction, tracing with `startEventSpan` and counting with ConsumerMetrics.
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Metrics } from '@cc/platform';
import { ConsumerMetrics } from './consumer/consumer-metrics';
import { DeadLetterSender } from './consumer/dead-letters';
import { EventProcessor } from './consumer/event-processor';
import type { EventHandlers } from './consumer/handlers';
import { InboxTransaction } from './consumer/inbox-transaction';
import { ConsumerState, KafkaBatchSource } from './consumer/kafka-batch-source';
import { RetryPolicy } from './consumer/retry-policy';
import { TopicNames } from './kafka';

export { batchHandler } from './consumer/handlers';
export type { BatchEventHandler, EventHandler, EventHandlers } from './consumer/handlers';
export { flowOf } from './consumer/tracing';
export { PermanentEventError } from './consumer/retry-policy';
export { DeadLetterHeaders } from './consumer/dead-letters';
export { HEARTBEAT_INTERVAL_MS, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS } from './consumer/kafka-batch-source';
export type { ConsumerState } from './consumer/kafka-batch-source';

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

export class EventConsumer {
  readonly groupId: string;
  readonly deadLetterTopic: string;
  private readonly source: KafkaBatchSource;

  constructor(
    kafka: Kafka,
    dataSource: DataSource,
    topics: TopicNames,
    settings: EventConsumerSettings,
    logger: Logger,
    metrics?: Metrics,
  ) {
    this.groupId = topics.group(settings.group);
    this.deadLetterTopic = topics.deadLetter(this.groupId);
    const counted = new ConsumerMetrics(settings.group, metrics);
    const deadLetters = new DeadLetterSender(kafka, this.deadLetterTopic, this.groupId, logger, counted);
    const processor = new EventProcessor({
      groupId: this.groupId,
      topics,
      handlers: settings.handlers,
      inbox: new InboxTransaction(dataSource, settings.group),
      retries: new RetryPolicy(settings.maxAttempts, settings.retryBaseMs),
      deadLetters,
      metrics: counted,
      logger,
    });
    const source = {
      groupId: this.groupId,
      topics: settings.subscribe.map((t) => topics.topic(t)),
      minBytes: settings.minBytes,
      maxWaitMs: settings.maxWaitMs,
      onCrash: (e: Error) => settings.onCrash?.(e),
    };
    this.source = new KafkaBatchSource(kafka, source, processor, logger, deadLetters);
  }

  /** The consumer's state, for /health: information, not a verdict. */
  state(): { state: ConsumerState; since: string; group: string } {
    return this.source.state();
  }

  /**
   * Starts consuming in the background and returns at once; the returned promise (`joined`)
   * settles when the consumer first joins its group. It keeps trying while the broker is away and
   * calls `onCrash` only on an error that cannot heal.
   */
  start(): { joined: Promise<void> } {
    return this.source.start();
  }

  /**
   * Finishes the chunk in hand, commits its offsets and leaves the group (so its partitions move
   * at once, not after a session timeout). The caller bounds how long this may take.
   */
  stop(): Promise<void> {
    return this.source.stop();
  }
}
