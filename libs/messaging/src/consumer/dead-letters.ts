// The consumer group's dead-letter topic: a message that cannot be handled goes there unchanged,
// with its original headers and the reason and origin in headers of its own, so it can be looked
// into and replayed. If the send fails the caller's batch fails and the message comes again.
import { Partitioners } from 'kafkajs';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConsumerMetrics } from './consumer-metrics';

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

/** The headers a dead letter carries beside the message's own. */
export function deadLetterHeaders(
  topic: string,
  partition: number,
  message: KafkaMessage,
  error: Error,
  groupId: string,
  attempts: number,
  failedAt: Date,
): Record<string, string> {
  return {
    [DeadLetterHeaders.error]: String(error.message).slice(0, 4000),
    [DeadLetterHeaders.errorName]: error.name,
    [DeadLetterHeaders.topic]: topic,
    [DeadLetterHeaders.partition]: String(partition),
    [DeadLetterHeaders.offset]: message.offset,
    [DeadLetterHeaders.group]: groupId,
    [DeadLetterHeaders.attempts]: String(attempts),
    [DeadLetterHeaders.failedAt]: failedAt.toISOString(),
  };
}

export class DeadLetterSender {
  private readonly producer: Producer;

  /** `groupId` is the consumer group's full (namespaced) id; `topic` its dead-letter topic. */
  constructor(
    kafka: Kafka,
    readonly topic: string,
    private readonly groupId: string,
    private readonly logger: Logger,
    private readonly metrics: ConsumerMetrics,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Sends `message`, read from `topic`/`partition`, to the dead-letter topic after `attempts` attempts failed with `error`. */
  async send(topic: string, partition: number, message: KafkaMessage, error: Error, attempts: number): Promise<void> {
    this.logger.error(
      { err: error, topic, partition, offset: message.offset, group: this.groupId },
      'event sent to the dead-letter topic',
    );
    const type = message.headers?.['event-type']?.toString() ?? 'unknown';
    this.metrics.deadLettered(type);
    // if this send fails, the batch fails and the message is delivered again: it is never dropped
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            ...deadLetterHeaders(topic, partition, message, error, this.groupId, attempts, new Date()),
          },
        },
      ],
    });
  }
}
