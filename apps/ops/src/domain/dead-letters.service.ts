// The dead-letter panel: per consumer group's dead-letter topic, how many and the latest, with
// their error and origin; re-driving one or all back onto the original topic (the consumers'
// inbox makes sure an event handled before is not applied twice). Kafka keeps messages, so a
// re-driven dead letter is marked and no longer listed.
import { HttpStatus, Injectable } from '@nestjs/common';
import { DeadLetterHeaders } from '@cc/messaging';
import { notFound, Principal, ProblemException } from '@cc/platform';
import { AuditLog } from '../persistence/audit-log';
import { KafkaAdmin, StoredMessage } from '../persistence/kafka-admin';
import { QueueRegistry } from '../persistence/queue-registry';
import { OpsConfig } from '../config';

const describe = (m: StoredMessage) => ({
  partition: m.partition,
  offset: m.offset,
  key: m.key,
  type: m.headers['event-type'] ?? null,
  eventId: m.headers['event-id'] ?? null,
  error: m.headers[DeadLetterHeaders.error] ?? null,
  errorName: m.headers[DeadLetterHeaders.errorName] ?? null,
  originalTopic: m.headers[DeadLetterHeaders.topic] ?? null,
  originalPartition: m.headers[DeadLetterHeaders.partition] ?? null,
  originalOffset: m.headers[DeadLetterHeaders.offset] ?? null,
  attempts: Number(m.headers[DeadLetterHeaders.attempts] ?? 0),
  failedAt: m.headers[DeadLetterHeaders.failedAt] ?? m.timestamp,
});

@Injectable()
export class DeadLettersService {
  private readonly redrivenKey: string;

  constructor(
    private readonly kafka: KafkaAdmin,
    private readonly registry: QueueRegistry,
    private readonly audit: AuditLog,
    config: OpsConfig,
  ) {
    this.redrivenKey = `${config.queuePrefix}-ops:redriven`;
  }

  async overview(latest = 10) {
    const topics = await this.kafka.deadLetterTopics();
    return Promise.all(
      topics.map(async (topic) => {
        const waiting = await this.waiting(topic);
        return { topic, total: await this.kafka.messageCount(topic), waiting: waiting.length, latest: waiting.slice(-latest).reverse().map(describe) };
      }),
    );
  }

  /**
   * How many wait in each dead-letter topic, counted from offsets alone (the metric is scraped
   * every few seconds; reading the topics each time would not do): what the topic still holds,
   * less the re-driven ones among them.
   */
  async waitingCounts(): Promise<{ topic: string; waiting: number }[]> {
    const redriven = await this.registry.redis.smembers(this.redrivenKey);
    return Promise.all(
      (await this.kafka.deadLetterTopics()).map(async (topic) => {
        const ranges = new Map((await this.kafka.offsetRanges(topic)).map((r) => [r.partition, r]));
        const held = [...ranges.values()].reduce((n, r) => n + r.high - r.low, 0);
        const gone = redriven.filter((id) => {
          const [of, partition, offset] = /^(.+)\/(\d+)\/(\d+)$/.exec(id)?.slice(1) ?? [];
          const range = of === topic ? ranges.get(Number(partition)) : undefined;
          return range !== undefined && Number(offset) >= range.low && Number(offset) < range.high;
        }).length;
        return { topic, waiting: Math.max(0, held - gone) };
      }),
    );
  }

  async redriveOne(user: Principal, topic: string, partition: number, offset: string) {
    await this.mustBeDeadLetterTopic(topic);
    const message = (await this.waiting(topic)).find((m) => m.partition === partition && m.offset === offset);
    if (!message) throw notFound(`dead letter ${topic}/${partition}/${offset} (or it was re-driven already)`);
    await this.redrive(user, message);
    return { redriven: 1 };
  }

  async redriveAll(user: Principal, topic: string) {
    await this.mustBeDeadLetterTopic(topic);
    const waiting = (await this.waiting(topic)).filter((m) => m.headers[DeadLetterHeaders.errorName] !== 'InvalidEventError');
    for (const message of waiting) await this.redrive(user, message);
    return { redriven: waiting.length };
  }

  private async redrive(user: Principal, message: StoredMessage): Promise<void> {
    if (message.headers[DeadLetterHeaders.errorName] === 'InvalidEventError') {
      throw new ProblemException(HttpStatus.CONFLICT, `this dead letter could not be decoded (${message.headers[DeadLetterHeaders.error]}); sent again it would fail again`);
    }
    const original = message.headers[DeadLetterHeaders.topic];
    if (!original) throw new ProblemException(HttpStatus.CONFLICT, 'this dead letter does not say which topic it came from');
    const headers = Object.fromEntries(Object.entries(message.headers).filter(([k]) => !k.startsWith('dlq-')));
    headers['redriven-from'] = `${message.topic}/${message.partition}/${message.offset}`;
    await this.kafka.produce(original, { key: message.key, value: message.value, headers });
    await this.registry.redis.sadd(this.redrivenKey, `${message.topic}/${message.partition}/${message.offset}`);
    await this.audit.record({ who: user.sub, action: 'redrive', target: `${message.topic}/${message.partition}/${message.offset}`, detail: { to: original, eventId: message.headers['event-id'] ?? null, type: message.headers['event-type'] ?? null } });
  }

  /** Only this platform's dead-letter topics: a path naming any other topic is not ours to read or re-drive. */
  private async mustBeDeadLetterTopic(topic: string): Promise<void> {
    if (!(await this.kafka.deadLetterTopics()).includes(topic)) throw notFound(`dead-letter topic ${topic}`);
  }

  private async waiting(topic: string): Promise<StoredMessage[]> {
    const all = await this.kafka.readAll(topic);
    if (all.length === 0) return [];
    const redriven = new Set(await this.registry.redis.smembers(this.redrivenKey));
    return all.filter((m) => !redriven.has(`${m.topic}/${m.partition}/${m.offset}`));
  }
}
