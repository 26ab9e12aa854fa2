// What the consumer does with the messages its batch source hands over. The fast path takes a
// chunk in one inbox transaction (shared with other partitions' chunks, see GroupCommit); if
// anything in it fails, the slow path takes its messages one by one, each in an inbox transaction
// of its own with retries, and dead-letters what cannot be handled.
import type { Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { DecodedEvent, topicOf } from '@cc/contracts';
import { endSpan, runInFlow, withSpan } from '@cc/platform';
import type { TopicNames } from '../kafka';
import type { ChunkProcessor } from './kafka-batch-source';
import type { ConsumerMetrics } from './consumer-metrics';
import type { DeadLetterSender } from './dead-letters';
import { dispatch } from './dispatch';
import { GroupCommit } from './group-commit';
import type { EventHandlers, EventWork } from './handlers';
import type { InboxTransaction } from './inbox-transaction';
import { Lane } from './lane';
import { pause, RetryPolicy } from './retry-policy';
import { flowOf, startEventSpan } from './tracing';

export interface EventProcessorParts {
  /** The consumer group's full (namespaced) id, for spans. */
  groupId: string;
  topics: TopicNames;
  handlers: EventHandlers;
  inbox: InboxTransaction;
  retries: RetryPolicy;
  deadLetters: DeadLetterSender;
  metrics: ConsumerMetrics;
  logger: Logger;
}

export class EventProcessor implements ChunkProcessor {
  /** Every transaction of this consumer runs alone, in turn. */
  private readonly lane = new Lane();
  private readonly together = new GroupCommit(this.lane, (messages) => this.handleTogether(messages));

  constructor(private readonly parts: EventProcessorParts) {}

  /** The fast path: resolves with whether the chunk's transaction (shared with other chunks) committed. */
  handleChunk(messages: KafkaMessage[]): Promise<boolean> {
    return this.together.add(messages);
  }

  /** The slow path: returns true when the message is done with (handled, a duplicate, ignored or dead-lettered). */
  async handleOne(topic: string, partition: number, message: KafkaMessage, keepGoing: () => boolean): Promise<boolean> {
    const { inbox, retries, deadLetters, metrics, logger } = this.parts;
    let dispatched: EventWork | undefined;
    try {
      dispatched = this.dispatch(message);
      if (!dispatched) return true;
    } catch (err) {
      await deadLetters.send(topic, partition, message, err as Error, 1);
      return true;
    }
    const work = dispatched;
    const { event } = work;
    for (let attempt = 1, outages = 0; ;) {
      const started = performance.now();
      const span = startEventSpan(this.parts.groupId, topic, event, attempt);
      try {
        const { handled } = await withSpan(span, () =>
          runInFlow(flowOf(event), () => this.lane.alone(() => inbox.run([work], new Map([[event, span]])))),
        );
        endSpan(span);
        metrics.transaction(1);
        metrics.done(event, handled.length > 0, (performance.now() - started) / 1000);
        return true;
      } catch (err) {
        endSpan(span, err);
        const decision = retries.decide(err, attempt, outages);
        if (decision.action === 'wait-for-database') {
          // the database is away (restarting, failing over): nothing is wrong with the event, so
          // this uses none of its attempts
          outages++;
          logger.warn(
            { err: (err as Error).message, eventId: event.id, type: event.type, delay: decision.delay },
            'database unavailable; waiting to handle the event',
          );
          if (!(await pause(decision.delay, keepGoing))) return false;
          continue;
        }
        if (decision.action === 'dead-letter') {
          await deadLetters.send(topic, partition, message, err as Error, attempt);
          return true;
        }
        metrics.retried(event);
        logger.warn(
          { err, eventId: event.id, type: event.type, attempt, delay: decision.delay },
          'event handler failed; retrying',
        );
        // stopping or rebalancing: leave the message for whoever consumes the partition next (its
        // offset is not resolved, so it is delivered again)
        if (!(await pause(decision.delay, keepGoing))) return false;
        attempt++;
      }
    }
  }

  /** The message's event and handler; undefined (counted) when no handler takes its type. Throws when it cannot be decoded. */
  private dispatch(message: KafkaMessage): EventWork | undefined {
    const dispatched = dispatch(message, this.parts.handlers);
    if ('ignored' in dispatched) {
      this.parts.metrics.ignored(dispatched.ignored);
      return undefined;
    }
    return dispatched;
  }

  /**
   * Handles the chunks of one group commit in one inbox transaction. Returns false (having
   * changed nothing) if any message cannot be decoded or any handler throws; the caller then
   * takes the messages one by one.
   */
  private async handleTogether(messages: KafkaMessage[]): Promise<boolean> {
    const { inbox, metrics, logger, topics, groupId } = this.parts;
    const work: EventWork[] = [];
    try {
      for (const message of messages) {
        const one = this.dispatch(message);
        if (one) work.push(one);
      }
    } catch {
      return false; // a bad message: the slow path dead-letters it
    }
    if (work.length === 0) return true;
    const started = Date.now();
    const spans = new Map<DecodedEvent, Span>(
      work.map(({ event }) => [event, startEventSpan(groupId, topics.topic(topicOf(event.type)), event, 1)]),
    );
    try {
      const { handled } = await inbox.run(work, spans);
      for (const span of spans.values()) endSpan(span);
      const perEvent = (Date.now() - started) / 1000 / Math.max(1, work.length);
      metrics.transaction(handled.length);
      for (const { event } of work) {
        const wasHandled = handled.includes(event);
        metrics.done(event, wasHandled, wasHandled ? perEvent : undefined);
      }
      return true;
    } catch (err) {
      // each event is tried again on its own, under a span of its own
      for (const span of spans.values()) endSpan(span, err);
      logger.debug({ err, events: work.length }, 'chunk failed; handling its events one by one');
      return false;
    }
  }
}
