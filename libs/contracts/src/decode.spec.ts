import { randomUUID } from 'node:crypto';
import { decodeEvent, InvalidEventError } from './decode';

const valid = () => ({
  id: randomUUID(),
  type: 'orders.order-completed',
  version: 1,
  occurredAt: '2026-11-29T01:00:00.000Z',
  source: 'orders',
  correlationId: randomUUID(),
  causationId: null,
  data: { orderId: randomUUID(), storeId: randomUUID(), totalFen: 6800, completedAt: '2026-11-29T01:00:00.000Z' },
});

describe('event envelope validation', () => {
  it('accepts a valid event and types its payload', () => {
    const event = decodeEvent<'orders.order-completed'>(JSON.stringify(valid()));
    expect(event.data.totalFen).toBe(6800);
    expect(event.data.constructor.name).toBe('OrderCompletedV1');
  });

  it.each([
    ['no value', null, /no value/],
    ['not JSON', '{oops', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['a bad id', JSON.stringify({ ...valid(), id: 'x' }), /envelope is invalid: id/],
    ['an unknown source', JSON.stringify({ ...valid(), source: 'mars' }), /source/],
    ['an unknown type', JSON.stringify({ ...valid(), type: 'orders.order-teleported' }), /unknown event type/],
    ['an unknown version', JSON.stringify({ ...valid(), version: 9 }), /unsupported version 9/],
    ['a float amount', JSON.stringify({ ...valid(), data: { ...valid().data, totalFen: 68.5 } }), /totalFen/],
    ['a missing field', JSON.stringify({ ...valid(), data: { ...valid().data, storeId: undefined } }), /storeId/],
  ])('refuses %s', (_, raw, reason) => {
    expect(() => decodeEvent(raw)).toThrow(InvalidEventError);
    expect(() => decodeEvent(raw)).toThrow(reason);
  });

  it('validates nested lines', () => {
    const placed = {
      ...valid(),
      type: 'orders.order-placed',
      data: {
        orderId: randomUUID(),
        checkoutId: randomUUID(),
        buyerId: 'b',
        storeId: randomUUID(),
        township: 't',
        totalFen: 1,
        placedAt: '2026-11-29T01:00:00Z',
        lines: [{ productId: randomUUID(), quantity: 0, unitPriceFen: 1, category: 'fresh' }],
      },
    };
    expect(() => decodeEvent(JSON.stringify(placed))).toThrow(/lines\.0\.quantity/);
  });
});
