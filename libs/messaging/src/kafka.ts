// Kafka client construction, topic names and topic creation.
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkajsLogLevel } from './kafka-faults';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prefix of every topic and consumer group name (empty in production, unique per test run). */
  namespace: string;
  partitions: number;
  /** SCRAM credentials of this client's principal; absent for a broker without authentication. */
  sasl?: KafkaCredentials;
  /** TLS to the broker (SASL_SSL): set where the broker is remote. */
  ssl?: boolean;
}

export interface KafkaCredentials {
  mechanism: 'scram-sha-256';
  username: string;
  password: string;
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.sasl ? { sasl: settings.sasl } : {}),
    ssl: settings.ssl ?? false,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Every request retries 30 times, backing off from 0.3 s to at most 3 s between attempts: about
    // 80 s before kafkajs gives up on one (a consumer then restarts itself, see EventConsumer), so
    // a broker away for a minute is waited out, and a client notices its return within ~3 s.
    retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 30 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        // kafkajs' own numeric request correlationId must not overwrite the flow's (the services' UUID)
        const {
          message,
          timestamp: _t,
          logger: _l,
          correlationId: kafkaCorrelationId,
          ...rest
        } = entry as LogEntry['log'] & { logger?: string; correlationId?: number };
        log[kafkajsLogLevel(level, message, (rest as { error?: unknown }).error)](
          { ...rest, ...(kafkaCorrelationId !== undefined ? { kafkaCorrelationId } : {}) },
          message,
        );
      },
  });
}

export class TopicNames {
  constructor(private readonly namespace: string) {}
  /** The Kafka topic for a logical topic name such as `orders.events`. */
  topic(name: string): string {
    return this.namespace ? `${this.namespace}.${name}` : name;
  }
  /** The logical name of a namespaced topic. */
  logical(topic: string): string {
    return this.namespace && topic.startsWith(`${this.namespace}.`) ? topic.slice(this.namespace.length + 1) : topic;
  }
  group(name: string): string {
    return this.namespace ? `${this.namespace}.${name}` : name;
  }
  deadLetter(group: string): string {
    return `${group}.dlq`;
  }
}

/**
 * Creates the topics that do not exist yet (replication factor 1 suits the single-node broker;
 * production sets it by config) and waits until every partition of every topic has a leader —
 * also for topics another service created a moment ago.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  partitions: number,
  replicationFactor = 1,
  timeoutMs = 30_000,
): Promise<void> {
  const wanted = [...new Set(topics)];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length) {
      // another process may create the same topics at the same time: "already exists" is fine
      // leaders are awaited below: kafkajs' own wait gives up with "does not host this topic-partition" on a fresh broker
      // on a broker with ACLs a service may not create topics: provisioning (provision.ts) does, so wait for it
      await admin
        .createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
        })
        .catch((e) => {
          if (!/already exists|authoriz/i.test(String(e?.message))) throw e;
        });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: wanted });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline)
        throw new Error(
          `topics have no leaders (or are not provisioned for this principal) after ${timeoutMs} ms: ${wanted.join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
