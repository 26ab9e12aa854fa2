// Talks to the real broker directly: publish raw messages (good or bad) and read a topic.
// The tests are the broker's super user (`admin`, see adminConnection): they play any producer.
import { KafkaMessage, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { EventType, PayloadOf, sourceOf } from '@cc/contracts';
import { adminKafka, headersOf } from '@cc/messaging';

export const kafka = adminKafka('tests');

export function envelope<T extends EventType>(
  type: T,
  data: PayloadOf<T>,
  extra: { id?: string; correlationId?: string } = {},
) {
  return {
    id: extra.id ?? randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: sourceOf(type),
    correlationId: extra.correlationId ?? randomUUID(),
    causationId: null,
    data,
  };
}

export async function publish(
  topic: string,
  messages: { key: string; value: string | object; headers?: Record<string, string> }[],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: typeof m.value === 'string' ? m.value : JSON.stringify(m.value),
        headers: m.headers ?? (typeof m.value === 'object' ? headersOf(m.value as never) : {}),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Fulfillment's side of a parcel's trip as it would publish it, all at one moment: scheduled,
 * picked up, delivered (publish them to `<namespace>.fulfillment.events`).
 */
export function deliveryEvents(orderId: string, storeId: string, shipmentId = randomUUID()) {
  const now = new Date().toISOString();
  return [
    envelope('fulfillment.shipment-scheduled', {
      shipmentId,
      orderId,
      storeId,
      township: 'louguan',
      slotStartsAt: now,
      deadlineAt: now,
    }),
    envelope('fulfillment.shipment-picked-up', { shipmentId, orderId, storeId, courierRef: 'c-1', pickedUpAt: now }),
    envelope('fulfillment.shipment-delivered', { shipmentId, orderId, storeId, deliveredAt: now }),
  ].map((value) => ({ key: orderId, value }));
}

/** Reads a topic from the beginning until `until` is satisfied by what was collected, or times out. */
export async function readTopic(
  topic: string,
  until: (messages: KafkaMessage[]) => boolean,
  timeoutMs = 20_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out reading ${topic}: ${seen.length} message(s) seen`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message);
          if (until(seen)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

export const headerOf = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
export const typesOf = (messages: KafkaMessage[]) =>
  messages.map((m) => JSON.parse(m.value!.toString()).type as string);
