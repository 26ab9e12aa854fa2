import {
  IllegalTransitionError,
  nextStatus,
  orderLife,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  OrderAction,
  OrderStatus,
} from './order-states';

describe('order transition table', () => {
  it('starts every order pending stock and lets nothing leave cancelled or refunded', () => {
    expect(orderLife.initial).toEqual(['pending_stock']);
    expect(orderLife.final).toEqual(['cancelled', 'refunded']);
  });

  it('walks the happy path of docs/design.md, “An order’s life”', () => {
    const path: OrderAction[] = [
      'stock-reserved',
      'payment-captured',
      'shipment-scheduled',
      'shipment-picked-up',
      'shipment-delivered',
      'receipt-confirmed',
    ];
    const statuses = path.reduce(
      (acc, action) => [...acc, nextStatus(acc[acc.length - 1], action)],
      ['pending_stock' as (typeof ORDER_STATUSES)[number]],
    );
    expect(statuses).toEqual([
      'pending_stock',
      'awaiting_payment',
      'paid',
      'scheduled',
      'shipped',
      'delivered',
      'completed',
    ]);
  });

  // The business table written out by hand, not derived from ORDER_TRANSITIONS: a change to the
  // order's life must change this list on purpose.
  const ALLOWED: ReadonlyArray<[OrderStatus, OrderAction, OrderStatus]> = [
    ['pending_stock', 'stock-reserved', 'awaiting_payment'],
    ['pending_stock', 'stock-rejected', 'cancelled'],
    ['pending_stock', 'cancel', 'cancelled'],
    ['awaiting_payment', 'payment-captured', 'paid'],
    ['awaiting_payment', 'payment-declined', 'cancelled'],
    ['awaiting_payment', 'payment-timeout', 'cancelled'],
    ['awaiting_payment', 'reservation-expired', 'cancelled'],
    ['awaiting_payment', 'cancel', 'cancelled'],
    ['paid', 'shipment-scheduled', 'scheduled'],
    ['paid', 'cancel', 'cancelled'],
    ['paid', 'shipment-failed', 'refunded'],
    ['scheduled', 'shipment-picked-up', 'shipped'],
    ['scheduled', 'cancel', 'cancelled'],
    ['scheduled', 'shipment-failed', 'refunded'],
    ['shipped', 'shipment-delivered', 'delivered'],
    ['shipped', 'shipment-lost', 'refunded'],
    ['delivered', 'receipt-confirmed', 'completed'],
    ['delivered', 'confirmation-extended', 'delivered'],
    ['delivered', 'after-sales-refund', 'delivered'],
    ['delivered', 'after-sales-refund-full', 'refunded'],
    ['completed', 'partial-refund', 'completed'],
    ['completed', 'refund', 'refunded'],
  ];

  it('allows exactly the business table, written out, and refuses every other pair', () => {
    const actions = Object.keys(ORDER_TRANSITIONS) as OrderAction[];
    for (const status of ORDER_STATUSES) {
      for (const action of actions) {
        const row = ALLOWED.find(([from, a]) => from === status && a === action);
        if (row) expect([status, action, nextStatus(status, action)]).toEqual(row);
        else expect(() => nextStatus(status, action)).toThrow(IllegalTransitionError);
      }
    }
    expect(actions.sort()).toEqual([...new Set(ALLOWED.map(([, a]) => a))].sort());
  });

  it('refunds a parcel lost in transit only from shipped, and a failure before pickup never from shipped', () => {
    expect(nextStatus('shipped', 'shipment-lost')).toBe('refunded');
    for (const status of ['paid', 'scheduled', 'delivered', 'completed', 'refunded'] as const)
      expect(() => nextStatus(status, 'shipment-lost')).toThrow(IllegalTransitionError);
    expect(() => nextStatus('shipped', 'shipment-failed')).toThrow(IllegalTransitionError);
  });

  it('lets nothing be cancelled once shipped', () => {
    for (const status of ['shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const)
      expect(() => nextStatus(status, 'cancel')).toThrow(/cannot take 'cancel'/);
  });
});
