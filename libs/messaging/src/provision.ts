// Provisioning one namespace on a broker with ACLs, run as the super user `admin`: creates its
// topics and grants each service's principal exactly what it needs. A service may write only its
// own topic and its dead-letter topic and read the topics it consumes, in its own consumer group;
// the operations console reads everything of the namespace and re-drives dead letters (so it may
// write the four event topics). Services never get CREATE: they find their topics made here.
//
// Resource patterns: the services' ACLs name each topic and group LITERALLY (`<ns>.orders.events`,
// `<ns>.orders.dlq`, group `<ns>.orders`), so nothing else under the namespace is theirs; the
// console's reads use one PREFIXED pattern `<ns>.` (in production, with no namespace, the `*`
// wildcard) because it looks at every topic and group of its platform, including ones it does
// not know in advance. Its short-lived reader groups (`ops-reader-<uuid>`) are a prefix of their own.
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { Source, topicOf, Topics, topicsWrittenBy } from '@cc/contracts';
import { devPassword } from '@cc/platform';
import { ensureTopics, KafkaCredentials, TopicNames } from './kafka';

/** The logical topics each service consumes: those of the event types in its module's `consumes:` (topicOf). */
export const CONSUMED_TOPICS: Record<Source, string[]> = {
  catalog: [Topics.orders],
  orders: [Topics.catalog, Topics.fulfillment],
  fulfillment: [topicOf('orders.shipment-requested')], // its only event: it carries the buyer's address
  payouts: [Topics.orders, Topics.catalog],
};
export const SERVICE_PRINCIPALS = Object.keys(CONSUMED_TOPICS) as Source[];
export const OPS_PRINCIPAL = 'ops';
const OPS_READER_GROUP_PREFIX = 'ops-reader-';

export interface AclGrant {
  principal: string;
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER';
  resourceName: string;
  pattern: 'LITERAL' | 'PREFIXED';
  operation: 'READ' | 'WRITE' | 'DESCRIBE' | 'DELETE' | 'IDEMPOTENT_WRITE';
}

/** Every ACL one namespace needs, as data (the unit test reads it; `provisionNamespace` applies it). */
export function namespaceGrants(namespace: string): AclGrant[] {
  const names = new TopicNames(namespace);
  const grants: AclGrant[] = [];
  const grant = (
    principal: string,
    resourceType: AclGrant['resourceType'],
    resourceName: string,
    operation: AclGrant['operation'],
    pattern: AclGrant['pattern'] = 'LITERAL',
  ) => grants.push({ principal, resourceType, resourceName, pattern, operation });
  for (const service of SERVICE_PRINCIPALS) {
    // WRITE and READ imply DESCRIBE; the idempotent producers' InitProducerId needs IDEMPOTENT_WRITE
    for (const topic of topicsWrittenBy(service)) grant(service, 'TOPIC', names.topic(topic), 'WRITE');
    grant(service, 'TOPIC', names.deadLetter(names.group(service)), 'WRITE');
    for (const topic of CONSUMED_TOPICS[service]) grant(service, 'TOPIC', names.topic(topic), 'READ');
    grant(service, 'GROUP', names.group(service), 'READ');
    grant(service, 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE');
  }
  const all = namespace ? `${namespace}.` : '*';
  const allPattern = namespace ? 'PREFIXED' : 'LITERAL';
  grant(OPS_PRINCIPAL, 'TOPIC', all, 'READ', allPattern);
  grant(OPS_PRINCIPAL, 'GROUP', all, 'DESCRIBE', allPattern);
  grant(OPS_PRINCIPAL, 'GROUP', OPS_READER_GROUP_PREFIX, 'READ', 'PREFIXED');
  grant(OPS_PRINCIPAL, 'GROUP', OPS_READER_GROUP_PREFIX, 'DELETE', 'PREFIXED');
  // re-driving a dead letter produces it to its original topic: one of the services' event topics
  for (const service of SERVICE_PRINCIPALS)
    for (const topic of topicsWrittenBy(service)) grant(OPS_PRINCIPAL, 'TOPIC', names.topic(topic), 'WRITE');
  grant(OPS_PRINCIPAL, 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE');
  return grants;
}

/** The topics of one namespace: each service's event topic and dead-letter topic. */
export function namespaceTopics(namespace: string): string[] {
  const names = new TopicNames(namespace);
  return SERVICE_PRINCIPALS.flatMap((s) => [
    ...topicsWrittenBy(s).map((t) => names.topic(t)),
    names.deadLetter(names.group(s)),
  ]);
}

export interface ProvisionOptions {
  namespace: string;
  partitions: number;
  replicationFactor?: number;
  /** false: the broker has no authorizer (KAFKA_SASL_MECHANISM=none); only the topics are made. */
  acls: boolean;
}

/** Creates the namespace's topics and ACLs; idempotent (an ACL that exists is left as it is). */
export async function provisionNamespace(kafka: Kafka, options: ProvisionOptions): Promise<void> {
  await ensureTopics(kafka, namespaceTopics(options.namespace), options.partitions, options.replicationFactor ?? 1);
  if (!options.acls) return;
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: namespaceGrants(options.namespace).map((g) => ({
        principal: `User:${g.principal}`,
        host: '*',
        resourceType: AclResourceTypes[g.resourceType],
        resourceName: g.resourceName,
        resourcePatternType: ResourcePatternTypes[g.pattern],
        operation: AclOperationTypes[g.operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

export interface AdminConnection {
  brokers: string[];
  sasl?: KafkaCredentials;
  ssl: boolean;
}

/**
 * How tools (provisioning, tests, the demo, the bench) reach the broker as its super user:
 * KAFKA_BROKERS, KAFKA_SASL_MECHANISM (scram-sha-256 | none), KAFKA_ADMIN_USERNAME (admin),
 * KAFKA_ADMIN_PASSWORD (the development cc-dev-admin), KAFKA_SSL. Services never use this.
 */
export function adminConnection(env: NodeJS.ProcessEnv = process.env): AdminConnection {
  const mechanism = env.KAFKA_SASL_MECHANISM || 'scram-sha-256';
  if (mechanism !== 'none' && mechanism !== 'scram-sha-256')
    throw new Error(`KAFKA_SASL_MECHANISM must be scram-sha-256 or none (got ${mechanism})`);
  const username = env.KAFKA_ADMIN_USERNAME || 'admin';
  return {
    brokers: (env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    ...(mechanism === 'none'
      ? {}
      : { sasl: { mechanism, username, password: env.KAFKA_ADMIN_PASSWORD || devPassword(username) } }),
    ssl: env.KAFKA_SSL === 'true',
  };
}

/** A quiet kafkajs client as the super user, for tools and tests. */
export function adminKafka(clientId: string, env: NodeJS.ProcessEnv = process.env): Kafka {
  const { brokers, sasl, ssl } = adminConnection(env);
  return new Kafka({ clientId, brokers, ...(sasl ? { sasl } : {}), ssl, logLevel: logLevel.NOTHING });
}
