import type { Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { Metrics } from '@cc/platform';
import { ConsumerMetrics } from './consumer-metrics';
import { DeadLetterHeaders, DeadLetterSender } from './dead-letters';

describe('the dead-letter sender', () => {
  it('sends the message unchanged to the dead-letter topic, its own headers kept and the reason and origin added, and counts it', async () => {
    const producer = { send: jest.fn(async () => []), connect: jest.fn(), disconnect: jest.fn() };
    const kafka = { producer: jest.fn(() => producer) } as unknown as Kafka;
    const metrics = new Metrics('spec');
    const sender = new DeadLetterSender(
      kafka,
      't.catalog.dlq',
      't.catalog',
      pino({ enabled: false }),
      new ConsumerMetrics('catalog', metrics),
    );
    const message = {
      key: Buffer.from('order-1'),
      value: Buffer.from('{"id":1}'),
      offset: '42',
      timestamp: '0',
      attributes: 0,
      headers: { 'event-type': Buffer.from('orders.order-completed') },
    } as KafkaMessage;
    await sender.send('t.orders.events', 5, message, new TypeError('x'.repeat(5000)), 3);
    expect(producer.send).toHaveBeenCalledTimes(1);
    const [{ topic, acks, messages }] = producer.send.mock.calls[0] as unknown as [
      { topic: string; acks: number; messages: { key: Buffer; value: Buffer; headers: Record<string, unknown> }[] },
    ];
    expect({ topic, acks }).toEqual({ topic: 't.catalog.dlq', acks: -1 });
    expect(messages[0].key).toBe(message.key);
    expect(messages[0].value).toBe(message.value);
    const headers = messages[0].headers;
    expect(headers['event-type']).toEqual(Buffer.from('orders.order-completed'));
    expect(headers).toMatchObject({
      [DeadLetterHeaders.errorName]: 'TypeError',
      [DeadLetterHeaders.topic]: 't.orders.events',
      [DeadLetterHeaders.partition]: '5',
      [DeadLetterHeaders.offset]: '42',
      [DeadLetterHeaders.group]: 't.catalog',
      [DeadLetterHeaders.attempts]: '3',
    });
    expect(headers[DeadLetterHeaders.error]).toHaveLength(4000);
    expect(Date.parse(headers[DeadLetterHeaders.failedAt] as string)).toBeGreaterThan(Date.now() - 60_000);
    const counted = (await metrics.eventsConsumed.get()).values;
    expect(counted).toEqual([
      expect.objectContaining({
        value: 1,
        labels: { group: 'catalog', type: 'orders.order-completed', outcome: 'dead-lettered' },
      }),
    ]);
  });

  it('fails when the send fails, so the message is not resolved and comes again', async () => {
    const producer = { send: jest.fn(async () => Promise.reject(new Error('broker away'))) };
    const sender = new DeadLetterSender(
      { producer: () => producer } as unknown as Kafka,
      't.catalog.dlq',
      't.catalog',
      pino({ enabled: false }),
      new ConsumerMetrics('catalog'),
    );
    await expect(
      sender.send(
        't.orders.events',
        0,
        { key: null, value: null, offset: '1', headers: {} } as unknown as KafkaMessage,
        new Error('bad'),
        1,
      ),
    ).rejects.toThrow('broker away');
  });
});
