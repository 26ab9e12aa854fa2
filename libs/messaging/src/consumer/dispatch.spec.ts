import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { InvalidEventError } from '@cc/contracts';
import { dispatch } from './dispatch';
import type { EventHandler, EventHandlers } from './handlers';

const completed = (data: object = {}) => ({
  id: randomUUID(),
  type: 'orders.order-completed',
  version: 1,
  occurredAt: '2026-11-29T01:00:00.000Z',
  source: 'orders',
  correlationId: randomUUID(),
  causationId: null,
  data: {
    orderId: randomUUID(),
    storeId: randomUUID(),
    totalFen: 6800,
    completedAt: '2026-11-29T01:00:00.000Z',
    ...data,
  },
});
const message = (value: string | null): KafkaMessage =>
  ({
    key: null,
    value: value === null ? null : Buffer.from(value),
    offset: '0',
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

describe('decoding a message and finding its handler', () => {
  const onCompleted = (async () => undefined) as EventHandler;
  const handlers = { 'orders.order-completed': onCompleted } as EventHandlers;

  it('gives the decoded event, its payload validated and typed, with its handler', () => {
    const sent = completed();
    const dispatched = dispatch(message(JSON.stringify(sent)), handlers);
    if ('ignored' in dispatched) throw new Error('not dispatched');
    expect(dispatched.handler).toBe(onCompleted);
    expect(dispatched.event).toMatchObject({
      id: sent.id,
      type: 'orders.order-completed',
      correlationId: sent.correlationId,
      data: { totalFen: 6800 },
    });
    expect(dispatched.event.data.constructor.name).toBe('OrderCompletedV1');
  });

  it('ignores a type no handler takes, without decoding its payload', () => {
    expect(dispatch(message(JSON.stringify({ ...completed(), type: 'orders.order-teleported' })), handlers)).toEqual({
      ignored: 'orders.order-teleported',
    });
    // another consumer's event: its payload is not this consumer's to judge
    expect(dispatch(message(JSON.stringify(completed({ totalFen: 'lots' }))), {})).toEqual({
      ignored: 'orders.order-completed',
    });
  });

  it('ignores a message whose event-type header names a type no handler takes, without parsing its value', () => {
    const withHeader = (value: string, type: string): KafkaMessage =>
      ({ ...message(value), headers: { 'event-type': Buffer.from(type) } }) as KafkaMessage;
    // the value is not even JSON: it is never read
    expect(dispatch(withHeader('{not json', 'orders.order-placed'), handlers)).toEqual({
      ignored: 'orders.order-placed',
    });
    // a header naming a handled type: the value is decoded and validated as ever
    expect(() => dispatch(withHeader('{not json', 'orders.order-completed'), handlers)).toThrow(/not JSON/);
    const sent = completed();
    const dispatched = dispatch(withHeader(JSON.stringify(sent), 'orders.order-completed'), handlers);
    expect('ignored' in dispatched ? undefined : dispatched.event.id).toBe(sent.id);
  });

  it('throws InvalidEventError for a message that cannot be decoded', () => {
    expect(() => dispatch(message(null), handlers)).toThrow(InvalidEventError);
    expect(() => dispatch(message('{oops'), handlers)).toThrow(/not JSON/);
    expect(() => dispatch(message(JSON.stringify({ ...completed(), id: 'x' })), handlers)).toThrow(
      /envelope is invalid: id/,
    );
  });

  it('throws InvalidEventError for an invalid payload of a type it handles', () => {
    expect(() => dispatch(message(JSON.stringify(completed({ totalFen: 68.5 }))), handlers)).toThrow(InvalidEventError);
    expect(() => dispatch(message(JSON.stringify({ ...completed(), version: 9 })), handlers)).toThrow(
      /unsupported version 9/,
    );
  });
});
