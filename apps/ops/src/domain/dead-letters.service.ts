// The dead-letter panel: per consumer group's dead-letter topic, how many and the latest, with
// their error and origin; re-driving one or all back onto the original topic (the consumers'
// inbox makes sure an event handled before is not applied twice). Kafka keeps messages, so a
// re-driven dead letter is marked and no longer listed.
import { HttpStatus, Injectable } from '@nestjs/common';
import { DeadLetterHeaders } from '@cc/messaging';
import { maskForLog, notFound, Principal, ProblemException } from '@cc/platform';
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

/** Re-driving many at once goes at most this fast, so a flood of old events does not swamp a consumer. */
const REDRIVE_PER_SECOND = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idOf = (m: StoredMessage) => `${m.topic}/${m.partition}/${m.offset}`;

export interface RedriveFilter {
  type?: string;
  /** A part of the error text. */
  error?: string;
}

@Injectable()
export class DeadLettersService {
  private readonly redrivenKey: string;
  private readonly parkedKey: string;

  constructor(
    private readonly kafka: KafkaAdmin,
    private readonly registry: QueueRegistry,
    private readonly audit: AuditLog,
    config: OpsConfig,
  ) {
    this.redrivenKey = `${config.queuePrefix}-ops:redriven`;
    this.parkedKey = `${config.queuePrefix}-ops:parked`;
  }

  async overview(latest = 10) {
    const topics = await this.kafka.deadLetterTopics();
    const parked = await this.parkedEntries();
    return Promise.all(
      topics.map(async (topic) => {
        const waiting = await this.waiting(topic);
        return {
          topic,
          total: await this.kafka.messageCount(topic),
          waiting: waiting.length,
          latest: waiting.slice(-latest).reverse().map(describe),
          parked: parked.filter((p) => p.id.startsWith(`${topic}/`)),
        };
      }),
    );
  }

  /**
   * One dead letter in full: its headers and its payload, personal data masked as in the logs (an
   * operator diagnoses the event; she does not need the buyer's phone for that).
   */
  async show(topic: string, partition: number, offset: string) {
    await this.mustBeDeadLetterTopic(topic);
    const message = (await this.kafka.readAll(topic)).find((m) => m.partition === partition && m.offset === offset);
    if (!message) throw notFound(`dead letter ${topic}/${partition}/${offset}`);
    const text = message.value?.toString('utf8') ?? '';
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = { undecodable: text.slice(0, 4000) };
    }
    return { ...describe(message), headers: maskForLog(message.headers), payload: maskForLog(payload) };
  }

  /**
   * Sets a poison message aside with a reason (it would fail again however often it is sent): no
   * longer waiting, listed as parked, audited. Kafka keeps it; nothing is deleted.
   */
  async park(user: Principal, topic: string, partition: number, offset: string, reason: string) {
    await this.mustBeDeadLetterTopic(topic);
    const message = (await this.waiting(topic)).find((m) => m.partition === partition && m.offset === offset);
    if (!message) throw notFound(`dead letter ${topic}/${partition}/${offset} (or it was re-driven or parked already)`);
    await this.registry.redis.hset(
      this.parkedKey,
      idOf(message),
      JSON.stringify({
        at: new Date().toISOString(),
        who: user.sub,
        reason,
        type: message.headers['event-type'] ?? null,
      }),
    );
    await this.audit.record({
      who: user.sub,
      action: 'park',
      target: idOf(message),
      detail: { reason, type: message.headers['event-type'] ?? null },
    });
    return { parked: 1 };
  }

  /**
   * How many wait in each dead-letter topic, counted from offsets alone (the metric is scraped
   * every few seconds; reading the topics each time would not do): what the topic still holds,
   * less the re-driven and parked ones among them.
   */
  async waitingCounts(): Promise<{ topic: string; waiting: number }[]> {
    const redriven = [
      ...(await this.registry.redis.smembers(this.redrivenKey)),
      ...(await this.registry.redis.hkeys(this.parkedKey)),
    ];
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

  /** Re-drives the waiting dead letters of a topic that match the filter (all by default), at most REDRIVE_PER_SECOND a second. */
  async redriveAll(user: Principal, topic: string, filter: RedriveFilter = {}) {
    await this.mustBeDeadLetterTopic(topic);
    const waiting = (await this.waiting(topic)).filter(
      (m) =>
        m.headers[DeadLetterHeaders.errorName] !== 'InvalidEventError' &&
        (!filter.type || m.headers['event-type'] === filter.type) &&
        (!filter.error || (m.headers[DeadLetterHeaders.error] ?? '').includes(filter.error)),
    );
    for (const [i, message] of waiting.entries()) {
      if (i > 0 && i % REDRIVE_PER_SECOND === 0) await sleep(1000);
      await this.redrive(user, message);
    }
    return { redriven: waiting.length };
  }

  private async redrive(user: Principal, message: StoredMessage): Promise<void> {
    if (message.headers[DeadLetterHeaders.errorName] === 'InvalidEventError') {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        `this dead letter could not be decoded (${message.headers[DeadLetterHeaders.error]}); sent again it would fail again`,
      );
    }
    const original = message.headers[DeadLetterHeaders.topic];
    if (!original)
      throw new ProblemException(HttpStatus.CONFLICT, 'this dead letter does not say which topic it came from');
    const headers = Object.fromEntries(Object.entries(message.headers).filter(([k]) => !k.startsWith('dlq-')));
    headers['redriven-from'] = `${message.topic}/${message.partition}/${message.offset}`;
    await this.kafka.produce(original, { key: message.key, value: message.value, headers });
    await this.registry.redis.sadd(this.redrivenKey, `${message.topic}/${message.partition}/${message.offset}`);
    await this.audit.record({
      who: user.sub,
      action: 'redrive',
      target: `${message.topic}/${message.partition}/${message.offset}`,
      detail: {
        to: original,
        eventId: message.headers['event-id'] ?? null,
        type: message.headers['event-type'] ?? null,
      },
    });
  }

  /** Only this platform's dead-letter topics: a path naming any other topic is not ours to read or re-drive. */
  private async mustBeDeadLetterTopic(topic: string): Promise<void> {
    if (!(await this.kafka.deadLetterTopics()).includes(topic)) throw notFound(`dead-letter topic ${topic}`);
  }

  private async waiting(topic: string): Promise<StoredMessage[]> {
    const all = await this.kafka.readAll(topic);
    if (all.length === 0) return [];
    const [redriven, parked] = await Promise.all([
      this.registry.redis.smembers(this.redrivenKey),
      this.registry.redis.hkeys(this.parkedKey),
    ]);
    const setAside = new Set([...redriven, ...parked]);
    return all.filter((m) => !setAside.has(idOf(m)));
  }

  private async parkedEntries(): Promise<
    { id: string; at: string; who: string; reason: string; type: string | null }[]
  > {
    const entries = await this.registry.redis.hgetall(this.parkedKey);
    return Object.entries(entries).map(([id, json]) => ({
      id,
      ...(JSON.parse(json) as { at: string; who: string; reason: string; type: string | null }),
    }));
  }
}
