// The ledger's rules as pure functions: which entries each order event posts. Amounts are signed
// fen, debit positive, credit negative; every list sums to zero.
//
// Accounts. Platform: `payments_received` (buyer money at the payment provider), `escrow` (held
// for the platform until the order completes: its commission), `commission_revenue` (earned),
// `refunds` (paid back to buyers). Per store: `pending` (paid orders not yet completed),
// `available` (may be paid out), `in_transit` and `paid_out` (payout runs). A store account's
// balance shown to the seller is the negated sum (credit-normal: what the platform owes her).
import { lineTotalFen, OrderLineV1, splitCommission, sumFen } from '@cc/contracts';
import type { Category } from '@cc/contracts';

export type StoreAccountKind = 'pending' | 'available' | 'in_transit' | 'paid_out';
export type PlatformAccount = 'payments_received' | 'escrow' | 'commission_revenue' | 'refunds';

export const storeAccount = (storeId: string, kind: StoreAccountKind) => `store:${storeId}:${kind}`;
export const platformAccount = (name: PlatformAccount) => `platform:${name}`;

export interface Entry {
  accountId: string;
  amountFen: number;
}

/** How one order's money divides between the seller and the platform. */
export interface OrderSplit {
  orderId: string;
  storeId: string;
  totalFen: number;
  commissionFen: number;
  shareFen: number;
}

export class LedgerRuleError extends Error {}

export function balanced(entries: Entry[]): boolean {
  return sumFen(entries.map((e) => e.amountFen)) === 0;
}

/** Commission per line at its category's rate (half up to the fen); the seller's share is the rest. */
export function splitOrder(order: { orderId: string; storeId: string; totalFen: number; lines: OrderLineV1[] }, bps: Record<Category, number>): OrderSplit {
  const lineTotals = order.lines.map((l) => lineTotalFen(l.unitPriceFen, l.quantity));
  if (sumFen(lineTotals) !== order.totalFen) throw new LedgerRuleError(`order ${order.orderId}: lines add up to ${sumFen(lineTotals)} fen, total says ${order.totalFen}`);
  const commissionFen = sumFen(order.lines.map((l, i) => splitCommission(lineTotals[i], bps[l.category]).commissionFen));
  return { orderId: order.orderId, storeId: order.storeId, totalFen: order.totalFen, commissionFen, shareFen: order.totalFen - commissionFen };
}

/** Paid: the buyer's money arrives; the seller's share is pending, the commission held in escrow. */
export function orderPaidEntries(split: OrderSplit): Entry[] {
  return [
    { accountId: platformAccount('payments_received'), amountFen: split.totalFen },
    { accountId: storeAccount(split.storeId, 'pending'), amountFen: -split.shareFen },
    { accountId: platformAccount('escrow'), amountFen: -split.commissionFen },
  ];
}

/** Completed: what is still pending becomes available; the commission still held is earned. */
export function orderCompletedEntries(split: OrderSplit, refundedShareFen: number, refundedCommissionFen: number): Entry[] {
  const share = split.shareFen - refundedShareFen;
  const commission = split.commissionFen - refundedCommissionFen;
  return [
    { accountId: storeAccount(split.storeId, 'pending'), amountFen: share },
    { accountId: storeAccount(split.storeId, 'available'), amountFen: -share },
    { accountId: platformAccount('escrow'), amountFen: commission },
    { accountId: platformAccount('commission_revenue'), amountFen: -commission },
  ].filter((e) => e.amountFen !== 0);
}

/**
 * A refund of `amountFen` after `refundedBeforeFen` was already refunded. The seller and the
 * platform give back in proportion to their parts; the cumulative share is rounded half up, so
 * after a full refund exactly the whole share and commission have been reversed. Before
 * completion it comes out of pending and escrow; after, out of available (which may go
 * negative: the next payout nets it off) and commission revenue.
 */
export function refundEntries(split: OrderSplit, refundedBeforeFen: number, amountFen: number, completed: boolean): { entries: Entry[]; shareFen: number; commissionFen: number } {
  if (amountFen <= 0 || refundedBeforeFen + amountFen > split.totalFen) {
    throw new LedgerRuleError(`refund of ${amountFen} fen on order ${split.orderId} exceeds what was paid (${split.totalFen - refundedBeforeFen} fen left)`);
  }
  const shareUpTo = (refunded: number) => (split.totalFen === 0 ? 0 : Math.floor((refunded * split.shareFen * 2 + split.totalFen) / (2 * split.totalFen)));
  const shareFen = shareUpTo(refundedBeforeFen + amountFen) - shareUpTo(refundedBeforeFen);
  const commissionFen = amountFen - shareFen;
  const entries: Entry[] = [
    { accountId: storeAccount(split.storeId, completed ? 'available' : 'pending'), amountFen: shareFen },
    { accountId: platformAccount(completed ? 'commission_revenue' : 'escrow'), amountFen: commissionFen },
    { accountId: platformAccount('refunds'), amountFen: -amountFen },
  ].filter((e) => e.amountFen !== 0);
  return { entries, shareFen, commissionFen };
}
