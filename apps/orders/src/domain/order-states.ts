// The order's life (docs/design.md, “An order’s life”) as plain data: which action moves an order from which states to
// which. Every status change goes through OrderTransitions (order-transitions.ts), whose one
// guarded statement moves an order only from a status listed here; anything else is refused.
import { IllegalTransitionError, TransitionTable } from '@cc/platform';

export const ORDER_STATUSES = [
  'pending_stock',
  'awaiting_payment',
  'paid',
  'scheduled',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_TRANSITIONS = {
  'stock-reserved': { from: ['pending_stock'], to: 'awaiting_payment' },
  'stock-rejected': { from: ['pending_stock'], to: 'cancelled' },
  'payment-captured': { from: ['awaiting_payment'], to: 'paid' },
  'payment-declined': { from: ['awaiting_payment'], to: 'cancelled' },
  'payment-timeout': { from: ['awaiting_payment'], to: 'cancelled' },
  'reservation-expired': { from: ['awaiting_payment'], to: 'cancelled' },
  'shipment-scheduled': { from: ['paid'], to: 'scheduled' },
  'shipment-picked-up': { from: ['scheduled'], to: 'shipped' },
  'shipment-delivered': { from: ['shipped'], to: 'delivered' },
  'receipt-confirmed': { from: ['delivered'], to: 'completed' },
  'confirmation-extended': { from: ['delivered'], to: 'delivered' },
  cancel: { from: ['pending_stock', 'awaiting_payment', 'paid', 'scheduled'], to: 'cancelled' },
  'shipment-failed': { from: ['paid', 'scheduled'], to: 'refunded' },
  'shipment-lost': { from: ['shipped'], to: 'refunded' }, // lost or damaged in the courier's hands
  // an accepted after-sales request on a delivered order: part of the money back, or all of it
  'after-sales-refund': { from: ['delivered'], to: 'delivered' },
  'after-sales-refund-full': { from: ['delivered'], to: 'refunded' },
  'partial-refund': { from: ['completed'], to: 'completed' },
  refund: { from: ['completed'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['cancelled', 'refunded'];
/**
 * Where the order's purpose is over: nothing will be delivered to the buyer any more, so her
 * address is no longer needed and its retention starts counting (a completed order may still be
 * refunded, but that needs no address).
 */
export const ENDED_STATUSES: readonly OrderStatus[] = ['completed', 'cancelled', 'refunded'];

/** Checked when the module loads: a broken table stops the service before it starts. */
export const orderLife = new TransitionTable<OrderStatus, OrderAction>(
  'order',
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  ['pending_stock'],
  TERMINAL_STATUSES,
);

export const canTake = (status: OrderStatus, action: OrderAction) => orderLife.canTake(status, action);
export const nextStatus = (status: OrderStatus, action: OrderAction) => orderLife.next(status, action);
export { IllegalTransitionError };
