// The broker from deploy/ authenticates every client (SASL/SCRAM-SHA-256) and lets each service's
// principal write only its own topics: a forged `orders.order-paid` from anyone but orders is refused.
import { randomUUID } from 'node:crypto';
import type { DynamicModule, ValueProvider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Kafka, KafkaMessage, logLevel, Partitioners } from 'kafkajs';
import { Source, topicOf } from '@cc/contracts';
import { devPassword } from '@cc/platform';
import { adminConnection, adminKafka, CONSUMED_TOPICS, headersOf, provisionNamespace } from '@cc/messaging';
import { REDIS, SERVICE_OPTIONS, ServiceOptions } from '@cc/service';
import { newNamespace } from '../support/harness';
import { SERVICES } from '../support/services';
import { envelope, readTopic } from '../support/kafka';

const { brokers, sasl, ssl } = adminConnection();
const as = (username: string | null, password = username ? devPassword(username) : '') =>
  new Kafka({
    clientId: `acl-test-${username ?? 'anonymous'}`,
    brokers,
    ssl,
    ...(username ? { sasl: { mechanism: 'scram-sha-256' as const, username, password } } : {}),
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });

const paid = (orderId: string) =>
  envelope('orders.order-paid', {
    orderId,
    buyerId: 'b',
    storeId: randomUUID(),
    township: 'louguan',
    lines: [
      {
        productId: randomUUID(),
        quantity: 1,
        unitPriceFen: 100_000_000,
        category: 'handicraft',
        pickupWithinHours: 72,
      },
    ],
    totalFen: 100_000_000,
    paymentId: randomUUID(),
    paidAt: new Date().toISOString(),
  });

async function produceAs(principal: string, topic: string, value: object): Promise<void> {
  const producer = as(principal).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 0 },
  });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: randomUUID(), value: JSON.stringify(value), headers: headersOf(value as never) }],
    });
  } finally {
    await producer.disconnect();
  }
}

// on a plaintext broker (KAFKA_SASL_MECHANISM=none) there is nothing to prove: the suite says so
(sasl ? describe : describe.skip)('Kafka authentication and ACLs', () => {
  const namespace = newNamespace();
  const topic = (name: string) => `${namespace}.${name}`;

  beforeAll(async () => {
    await provisionNamespace(adminKafka('acl-test-provision'), { namespace, partitions: 1, acls: true });
  });

  it('refuses a client that does not authenticate', async () => {
    const admin = as(null).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });

  it('refuses a wrong password', async () => {
    const admin = as('orders', 'not-the-password').admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await admin.disconnect();
  });

  it("does not let orders write catalog's topic", async () => {
    await expect(
      produceAs(
        'orders',
        topic('catalog.events'),
        envelope('catalog.stock-released', { orderId: randomUUID(), storeId: randomUUID(), reason: 'forged' } as never),
      ),
    ).rejects.toThrow(/authoriz/i);
  });

  it("does not let orders read in payouts' consumer group (its own it joins)", async () => {
    // kafkajs reports a refused FindCoordinator as "coordinator not found"; the broker's reason is in its debug log
    const reasons: string[] = [];
    const ordersClient = new Kafka({
      clientId: 'acl-test-orders-consumer',
      brokers,
      ssl,
      sasl: { mechanism: 'scram-sha-256', username: 'orders', password: devPassword('orders') },
      retry: { retries: 0 },
      logLevel: logLevel.DEBUG,
      logCreator:
        () =>
        ({ log }) => {
          const type = (log as { error?: { type?: string } }).error?.type;
          if (type) reasons.push(type);
        },
    });
    const join = async (groupId: string) => {
      const consumer = ordersClient.consumer({ groupId, retry: { retries: 0 } });
      const outcome = new Promise<string>((resolve) => {
        consumer.on(consumer.events.GROUP_JOIN, () => resolve('joined'));
        consumer.on(consumer.events.CRASH, ({ payload }) => resolve(`crashed: ${payload.error.message}`));
      });
      await consumer.connect();
      await consumer.subscribe({ topic: topic('catalog.events'), fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined }).catch(() => undefined);
      const result = await outcome;
      await consumer.disconnect();
      return result;
    };
    expect(await join(topic('orders'))).toBe('joined');
    expect(await join(topic('payouts'))).toMatch(/^crashed/);
    expect(reasons).toContain('GROUP_AUTHORIZATION_FAILED');
  });

  it("keeps the shipping topic, which carries buyers' addresses, from every service but fulfillment", async () => {
    const offsetsAs = async (principal: string) => {
      const admin = as(principal).admin();
      await admin.connect();
      try {
        return await admin.fetchTopicOffsets(topic('orders.shipping'));
      } finally {
        await admin.disconnect();
      }
    };
    for (const service of ['catalog', 'payouts']) await expect(offsetsAs(service)).rejects.toThrow(/authoriz/i);
    expect((await offsetsAs('fulfillment')).length).toBeGreaterThan(0);
    await expect(produceAs('fulfillment', topic('orders.shipping'), paid(randomUUID()))).rejects.toThrow(/authoriz/i);
  });

  it('closes the forged-money path: catalog cannot produce orders.order-paid, orders can', async () => {
    const forged = paid(randomUUID());
    const genuine = paid(randomUUID());
    await expect(produceAs('catalog', topic('orders.events'), forged)).rejects.toThrow(/authoriz/i);
    await produceAs('orders', topic('orders.events'), genuine);
    const seen: KafkaMessage[] = await readTopic(topic('orders.events'), (ms) =>
      ms.some((m) => JSON.parse(m.value!.toString()).id === genuine.id),
    );
    expect(seen.map((m) => JSON.parse(m.value!.toString()).id)).toEqual([genuine.id]);
  });

  it("lets the operations console read the namespace's groups and re-drive to an event topic, not write a dead-letter topic", async () => {
    const admin = as('ops').admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toEqual(expect.arrayContaining([topic('orders.events'), topic('payouts.dlq')]));
    } finally {
      await admin.disconnect();
    }
    await produceAs('ops', topic('fulfillment.events'), envelope('fulfillment.shipment-delivered', {} as never));
    await expect(produceAs('ops', topic('payouts.dlq'), paid(randomUUID()))).rejects.toThrow(/authoriz/i);
  });
});

describe('the provisioning plan', () => {
  it('lets each service read exactly the topics of the events its module consumes', () => {
    for (const [service, definition] of Object.entries(SERVICES)) {
      const kit = definition
        .module(definition.load({ NODE_ENV: 'test', PORT: '1' }), {})
        .imports!.find((m) =>
          (m as DynamicModule).providers?.some((p) => (p as ValueProvider).provide === SERVICE_OPTIONS),
        ) as DynamicModule;
      const value = (token: symbol) =>
        (kit.providers!.find((p) => (p as ValueProvider).provide === token) as ValueProvider).useValue;
      (value(REDIS) as Redis).disconnect(); // the kit connects when it is assembled
      const consumes = (value(SERVICE_OPTIONS) as ServiceOptions).consumes ?? [];
      expect({ service, reads: [...CONSUMED_TOPICS[service as Source]].sort() }).toEqual({
        service,
        reads: [...new Set(consumes.map(topicOf))].sort(),
      });
    }
  });
});
