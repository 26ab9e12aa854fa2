import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { Metrics } from '@cc/platform';
import { TopicNames } from '../kafka';
import { ConsumerMetrics } from './consumer-metrics';
import type { DeadLetterSender } from './dead-letters';
import { EventProcessor } from './event-processor';
import type { EventHandler } from './handlers';
import type { InboxOutcome, InboxTransaction } from './inbox-transaction';
import { PermanentEventError, RetryPolicy } from './retry-policy';

const completed = (type = 'orders.order-completed') =>
  JSON.stringify({
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'orders',
    correlationId: randomUUID(),
    causationId: null,
    data: { orderId: randomUUID(), storeId: randomUUID(), totalFen: 6800, completedAt: '2026-11-29T01:00:00.000Z' },
  });
let offset = 0;
const message = (value: string): KafkaMessage =>
  ({
    key: null,
    value: Buffer.from(value),
    offset: String(offset++),
    timestamp: '0',
    attributes: 0,
    headers: { 'event-type': Buffer.from('orders.order-completed') },
  }) as KafkaMessage;

/** The processor with an inbox that runs the handlers (every event new), a recorded dead-letter topic and real metrics. */
function processorWith(handler: EventHandler, maxAttempts = 3) {
  const metrics = new Metrics('spec');
  const inbox = {
    run: jest.fn(async (work: Parameters<InboxTransaction['run']>[0]): Promise<InboxOutcome> => {
      for (const w of work) await w.handler(w.event, {} as never);
      return { handled: work.map((w) => w.event), duplicates: [] };
    }),
  };
  const deadLetters = { send: jest.fn(async () => undefined) };
  const processor = new EventProcessor({
    groupId: 't.catalog',
    topics: new TopicNames('t'),
    handlers: { 'orders.order-completed': handler },
    inbox: inbox as unknown as InboxTransaction,
    retries: new RetryPolicy(maxAttempts, 1),
    deadLetters: deadLetters as unknown as DeadLetterSender,
    metrics: new ConsumerMetrics('catalog', metrics),
    logger: pino({ enabled: false }),
  });
  const outcomes = async () =>
    Object.fromEntries(
      (await metrics.eventsConsumed.get()).values.map((v) => [`${v.labels.type} ${v.labels.outcome}`, v.value]),
    );
  return { processor, inbox, deadLetters, metrics, outcomes };
}

describe('the fast path', () => {
  it('handles a chunk in one inbox transaction and counts each event and the transaction', async () => {
    const { processor, inbox, metrics, outcomes } = processorWith(async () => undefined);
    await expect(
      processor.handleChunk([
        message(completed()),
        message(completed('orders.order-teleported')),
        message(completed()),
      ]),
    ).resolves.toBe(true);
    expect(inbox.run).toHaveBeenCalledTimes(1);
    expect(inbox.run.mock.calls[0][0]).toHaveLength(2);
    expect(await outcomes()).toEqual({ 'orders.order-completed handled': 2, 'orders.order-teleported ignored': 1 });
    expect(
      (await metrics.consumerTransactionEvents.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value,
    ).toBe(2);
  });

  it('refuses a chunk with a message it cannot decode, touching no database', async () => {
    const { processor, inbox } = processorWith(async () => undefined);
    await expect(processor.handleChunk([message(completed()), message('{oops')])).resolves.toBe(false);
    expect(inbox.run).not.toHaveBeenCalled();
  });

  it('refuses a chunk whose transaction failed', async () => {
    const { processor, outcomes } = processorWith(async () => Promise.reject(new Error('boom')));
    await expect(processor.handleChunk([message(completed())])).resolves.toBe(false);
    expect(await outcomes()).toEqual({});
  });
});

describe('the slow path', () => {
  const going = () => true;

  it('dead-letters a message it cannot decode after one attempt', async () => {
    const { processor, deadLetters, inbox } = processorWith(async () => undefined);
    const bad = message('{oops');
    await expect(processor.handleOne('t.orders.events', 2, bad, going)).resolves.toBe(true);
    expect(deadLetters.send).toHaveBeenCalledWith(
      't.orders.events',
      2,
      bad,
      expect.objectContaining({ name: 'InvalidEventError' }),
      1,
    );
    expect(inbox.run).not.toHaveBeenCalled();
  });

  it('retries a failing handler, each time in an inbox transaction of one event, until it succeeds', async () => {
    let failures = 2;
    const { processor, inbox, deadLetters, outcomes } = processorWith(async () => {
      if (failures-- > 0) throw new Error('flaky');
    });
    await expect(processor.handleOne('t.orders.events', 0, message(completed()), going)).resolves.toBe(true);
    expect(inbox.run).toHaveBeenCalledTimes(3);
    expect(inbox.run.mock.calls.every(([work]) => work.length === 1)).toBe(true);
    expect(deadLetters.send).not.toHaveBeenCalled();
    expect(await outcomes()).toEqual({ 'orders.order-completed retried': 2, 'orders.order-completed handled': 1 });
  });

  it('waits out the database without using attempts', async () => {
    let outages = 4;
    const { processor, deadLetters, outcomes } = processorWith(async () => {
      if (outages-- > 0) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    }, 1);
    await expect(processor.handleOne('t.orders.events', 0, message(completed()), going)).resolves.toBe(true);
    expect(deadLetters.send).not.toHaveBeenCalled();
    expect(await outcomes()).toEqual({ 'orders.order-completed handled': 1 });
  });

  it('dead-letters an event whose attempts are used up, or at once on a permanent error', async () => {
    const failing = processorWith(async () => Promise.reject(new Error('always')), 3);
    const m = message(completed());
    await expect(failing.processor.handleOne('t.orders.events', 1, m, going)).resolves.toBe(true);
    expect(failing.inbox.run).toHaveBeenCalledTimes(3);
    expect(failing.deadLetters.send).toHaveBeenCalledWith(
      't.orders.events',
      1,
      m,
      expect.objectContaining({ message: 'always' }),
      3,
    );

    const permanent = processorWith(async () => Promise.reject(new PermanentEventError('never')), 3);
    await expect(permanent.processor.handleOne('t.orders.events', 1, m, going)).resolves.toBe(true);
    expect(permanent.inbox.run).toHaveBeenCalledTimes(1);
    expect(permanent.deadLetters.send).toHaveBeenCalledWith(
      't.orders.events',
      1,
      m,
      expect.any(PermanentEventError),
      1,
    );
  });

  it('leaves the message (false) when told to stop while backing off', async () => {
    const { processor, deadLetters } = processorWith(async () => Promise.reject(new Error('flaky')), 3);
    await expect(processor.handleOne('t.orders.events', 0, message(completed()), () => false)).resolves.toBe(false);
    expect(deadLetters.send).not.toHaveBeenCalled();
  });
});
