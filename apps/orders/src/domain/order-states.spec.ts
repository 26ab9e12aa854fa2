import { IllegalTransitionError, nextStatus, orderLife, ORDER_STATUSES, ORDER_TRANSITIONS, OrderAction } from './order-states';

describe('order transition table', () => {
  it('starts every order pending stock and lets nothing leave cancelled or refunded', () => {
    expect(orderLife.initial).toEqual(['pending_stock']);
    expect(orderLife.final).toEqual(['cancelled', 'refunded']);
  });

  it('walks the happy path of DESIGN §3', () => {
    const path: OrderAction[] = ['stock-reserved', 'payment-captured', 'shipment-scheduled', 'shipment-picked-up', 'shipment-delivered', 'receipt-confirmed'];
    const statuses = path.reduce((acc, action) => [...acc, nextStatus(acc[acc.length - 1], action)], ['pending_stock' as (typeof ORDER_STATUSES)[number]]);
    expect(statuses).toEqual(['pending_stock', 'awaiting_payment', 'paid', 'scheduled', 'shipped', 'delivered', 'completed']);
  });

  it('refuses every pair not in the table, and allows exactly those in it', () => {
    for (const status of ORDER_STATUSES) {
      for (const action of Object.keys(ORDER_TRANSITIONS) as OrderAction[]) {
        const allowed = (ORDER_TRANSITIONS[action].from as readonly string[]).includes(status);
        if (allowed) expect(nextStatus(status, action)).toBe(ORDER_TRANSITIONS[action].to);
        else expect(() => nextStatus(status, action)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('refunds a parcel lost in transit only from shipped, and a failure before pickup never from shipped', () => {
    expect(nextStatus('shipped', 'shipment-lost')).toBe('refunded');
    for (const status of ['paid', 'scheduled', 'delivered', 'completed', 'refunded'] as const) expect(() => nextStatus(status, 'shipment-lost')).toThrow(IllegalTransitionError);
    expect(() => nextStatus('shipped', 'shipment-failed')).toThrow(IllegalTransitionError);
  });

  it('lets nothing be cancelled once shipped', () => {
    for (const status of ['shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const) expect(() => nextStatus(status, 'cancel')).toThrow(/cannot take 'cancel'/);
  });
});
