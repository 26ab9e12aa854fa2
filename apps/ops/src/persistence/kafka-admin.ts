// The console's view into Kafka: group offsets and lag, dead-letter topics, and producing a
// dead letter back onto its original topic.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Admin, IHeaders, Kafka, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { OpsConfig } from '../config';

export const OPS_KAFKA = Symbol('OPS_KAFKA');

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number | null;
  end: number;
  lag: number;
}

export interface StoredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

const headerText = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.map(String).join(',') : (v?.toString() ?? ''),
    ]),
  );

@Injectable()
export class KafkaAdmin implements OnModuleDestroy {
  private admin?: Admin;
  private producer?: Producer;

  constructor(
    @Inject(OPS_KAFKA) private readonly kafka: Kafka,
    private readonly config: OpsConfig,
  ) {}

  /** Names with the console's namespace (empty: the un-namespaced production names). */
  mine(name: string): boolean {
    const ns = this.config.NAMESPACE;
    return ns ? name.startsWith(`${ns}.`) : !/^(t[0-9a-f]{8}|demo-\d+|reader-)/.test(name);
  }

  async connected(): Promise<Admin> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }

  async consumerGroups(): Promise<string[]> {
    const { groups } = await (await this.connected()).listGroups();
    return groups.map((g) => g.groupId).filter((g) => this.mine(g) && !g.startsWith('ops-'));
  }

  /** Each group's state (Stable, Empty, PreparingRebalance…) and how many members it has. */
  async describeGroups(groupIds: string[]): Promise<Map<string, { state: string; members: number }>> {
    if (!groupIds.length) return new Map();
    const { groups } = await (await this.connected()).describeGroups(groupIds);
    return new Map(groups.map((g) => [g.groupId, { state: g.state, members: g.members.length }]));
  }

  async groupLag(groupId: string): Promise<PartitionLag[]> {
    const admin = await this.connected();
    const committed = await admin.fetchOffsets({ groupId });
    const rows: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }]),
      );
      for (const p of partitions) {
        const end = ends.get(p.partition)?.high ?? 0;
        const offset = Number(p.offset);
        const from = offset >= 0 ? offset : (ends.get(p.partition)?.low ?? 0);
        rows.push({
          topic,
          partition: p.partition,
          committed: offset >= 0 ? offset : null,
          end,
          lag: Math.max(0, end - from),
        });
      }
    }
    return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async deadLetterTopics(): Promise<string[]> {
    return (await (await this.connected()).listTopics()).filter((t) => t.endsWith('.dlq') && this.mine(t)).sort();
  }

  async messageCount(topic: string): Promise<number> {
    return (await (await this.connected()).fetchTopicOffsets(topic)).reduce(
      (n, p) => n + Number(p.high) - Number(p.low),
      0,
    );
  }

  /** Each partition's first kept and next offset: what the topic holds, without reading it. */
  async offsetRanges(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    return (await (await this.connected()).fetchTopicOffsets(topic)).map((p) => ({
      partition: p.partition,
      low: Number(p.low),
      high: Number(p.high),
    }));
  }

  /** Reads a (small) topic from its start to its current end. */
  async readAll(topic: string, limit = 2000): Promise<StoredMessage[]> {
    const admin = await this.connected();
    const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.high) > Number(p.low));
    if (ends.length === 0) return [];
    const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
    const groupId = `ops-reader-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const seen: StoredMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} took too long`)), 15_000);
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
            if (Number(message.offset) < (remaining.get(partition) ?? 0)) {
              seen.push({
                topic,
                partition,
                offset: message.offset,
                key: message.key?.toString() ?? null,
                value: message.value,
                headers: headerText(message.headers),
                timestamp: new Date(Number(message.timestamp)).toISOString(),
              });
            }
            if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
            if (remaining.size === 0 || seen.length >= limit) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined); // readers leave no groups behind
    }
    return seen;
  }

  async produce(
    topic: string,
    message: { key: string | null; value: Buffer | null; headers: Record<string, string> },
  ): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages: [message] });
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
