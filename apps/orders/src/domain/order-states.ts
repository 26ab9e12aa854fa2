// The order's life (DESIGN §3) as plain data: which action moves an order from which states to
// which. Every status change goes through `nextStatus`; anything not in the table is refused.

export const ORDER_STATUSES = ['pending_stock', 'awaiting_payment', 'paid', 'scheduled', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const;
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
  cancel: { from: ['pending_stock', 'awaiting_payment', 'paid', 'scheduled'], to: 'cancelled' },
  'shipment-failed': { from: ['paid', 'scheduled'], to: 'refunded' },
  'partial-refund': { from: ['completed'], to: 'completed' },
  refund: { from: ['completed'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['cancelled', 'refunded'];

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly status: OrderStatus,
    readonly action: OrderAction,
  ) {
    super(`an order that is ${status} cannot take '${action}' (allowed from ${ORDER_TRANSITIONS[action].from.join(', ')})`);
  }
}

export function canTake(status: OrderStatus, action: OrderAction): boolean {
  return (ORDER_TRANSITIONS[action].from as readonly OrderStatus[]).includes(status);
}

export function nextStatus(status: OrderStatus, action: OrderAction): OrderStatus {
  if (!canTake(status, action)) throw new IllegalTransitionError(status, action);
  return ORDER_TRANSITIONS[action].to;
}

/** Start-up check: the table names only known statuses, every status is reachable, terminal ones lead nowhere. */
export function checkTransitionTable(): void {
  const known = new Set<string>(ORDER_STATUSES);
  const reachable = new Set<string>(['pending_stock']);
  for (const [action, { from, to }] of Object.entries(ORDER_TRANSITIONS)) {
    for (const s of [...from, to]) if (!known.has(s)) throw new Error(`order transition ${action} names unknown status ${s}`);
    for (const s of from) if (TERMINAL_STATUSES.includes(s)) throw new Error(`order transition ${action} leaves terminal status ${s}`);
    reachable.add(to);
  }
  const unreachable = ORDER_STATUSES.filter((s) => !reachable.has(s));
  if (unreachable.length) throw new Error(`order statuses never reached: ${unreachable.join(', ')}`);
}
