// An after-sales request's life as plain data. The buyer opens it on a delivered order; the
// store's seller (or ops, or the clock when she stays silent) accepts or rejects it. Accepting a
// refund-only request refunds at once; accepting a return-and-refund waits for the parcel to come
// back, and the refund is given when its arrival is recorded.
import { IllegalTransitionError, TransitionTable } from '@cc/platform';

export const AFTER_SALES_KINDS = ['refund-only', 'return-and-refund'] as const;
export type AfterSalesKind = (typeof AFTER_SALES_KINDS)[number];

export const AFTER_SALES_STATUSES = ['open', 'awaiting-return', 'refunded', 'rejected'] as const;
export type AfterSalesStatus = (typeof AFTER_SALES_STATUSES)[number];

export const AFTER_SALES_TRANSITIONS = {
  // a refund-only request accepted: the money goes back now
  'accept-refund': { from: ['open'], to: 'refunded' },
  // a return-and-refund request accepted: the buyer sends the parcel back
  'accept-return': { from: ['open'], to: 'awaiting-return' },
  reject: { from: ['open'], to: 'rejected' },
  // the returned parcel arrived at the store: the money goes back
  'return-received': { from: ['awaiting-return'], to: 'refunded' },
} as const satisfies Record<string, { from: readonly AfterSalesStatus[]; to: AfterSalesStatus }>;

export type AfterSalesAction = keyof typeof AFTER_SALES_TRANSITIONS;
/** Still being dealt with: an order has at most one, and its auto-confirmation waits for it. */
export const OPEN_AFTER_SALES: readonly AfterSalesStatus[] = ['open', 'awaiting-return'];

export const afterSalesLife = new TransitionTable<AfterSalesStatus, AfterSalesAction>(
  'after-sales request',
  AFTER_SALES_STATUSES,
  AFTER_SALES_TRANSITIONS,
  ['open'],
  ['refunded', 'rejected'],
);

/** What accepting does for a kind: refund now, or wait for the return. */
export const acceptanceOf = (kind: AfterSalesKind): AfterSalesAction =>
  kind === 'refund-only' ? 'accept-refund' : 'accept-return';

export { IllegalTransitionError };
