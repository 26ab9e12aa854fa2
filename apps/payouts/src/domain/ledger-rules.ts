// The ledger's rules as pure functions: which entries each order event posts. Amounts are signed
// fen, debit positive, credit negative; every list sums to zero.
//
// Read the ledger as money flowing between accounts: a transfer of x from A to B debits A (+x)
// and credits B (−x), so what an account holds is the negated sum of its entries.
//
// Platform accounts:
//   `payments_received`  where buyers' money comes from (the payment provider's capture); its
//                        debits are the money in, so it is the one account that goes positive
//   `escrow`             buyers' money held until the order completes; the seller's part leaves
//                        at once for her pending account, so what stays is unearned commission
//   `commission_revenue` commission earned on completed orders
//   `refunds`            money given back to buyers
// Per store (shown to the seller as the negated sum, positive when the platform owes her):
//   `pending` (paid orders not yet completed), `available` (may be paid out), `in_transit`
//   (sent in a payout run, not yet settled) and `paid_out` (settled at her bank). Payout runs
//   move available → in_transit → paid_out, and back to available when a payout fails.
import { lineTotalFen, OrderLineV1, splitCommission, sumFen } from '@cc/contracts';
import type { Category } from '@cc/contracts';

/** An event the ledger cannot post as given (retrying cannot help: it is dead-lettered for ops to look at). */
export class LedgerRuleError extends Error {}

export const STORE_ACCOUNT_KINDS = ['pending', 'available', 'in_transit', 'paid_out'] as const;
export const PLATFORM_ACCOUNTS = ['payments_received', 'escrow', 'commission_revenue', 'refunds'] as const;
export type StoreAccountKind = (typeof STORE_ACCOUNT_KINDS)[number];
export type PlatformAccount = (typeof PLATFORM_ACCOUNTS)[number];

// lower case, as PostgreSQL prints a uuid, so one store never gets two spellings of an account
export const storeAccount = (storeId: string, kind: StoreAccountKind) => `store:${storeId.toLowerCase()}:${kind}`;
export const platformAccount = (name: PlatformAccount) => `platform:${name}`;

/** Who owns an account and which kind it is, read from its id (`store:<id>:<kind>` or `platform:<kind>`). */
export function describeAccount(accountId: string): { storeId: string | null; kind: string } {
  const [owner, ...rest] = accountId.split(':');
  if (owner === 'store' && rest.length === 2 && (STORE_ACCOUNT_KINDS as readonly string[]).includes(rest[1]))
    return { storeId: rest[0], kind: rest[1] };
  if (owner === 'platform' && rest.length === 1 && (PLATFORM_ACCOUNTS as readonly string[]).includes(rest[0]))
    return { storeId: null, kind: rest[0] };
  throw new LedgerRuleError(`no such ledger account: ${accountId}`);
}

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

export function balanced(entries: Entry[]): boolean {
  return sumFen(entries.map((e) => e.amountFen)) === 0;
}

/** Commission per line at its category's rate (half up to the fen); the seller's share is the rest. */
export function splitOrder(
  order: { orderId: string; storeId: string; totalFen: number; lines: OrderLineV1[] },
  bps: Record<Category, number>,
): OrderSplit {
  const lineTotals = order.lines.map((l) => lineTotalFen(l.unitPriceFen, l.quantity));
  if (sumFen(lineTotals) !== order.totalFen)
    throw new LedgerRuleError(
      `order ${order.orderId}: lines add up to ${sumFen(lineTotals)} fen, total says ${order.totalFen}`,
    );
  const commissionFen = sumFen(
    order.lines.map((l, i) => splitCommission(lineTotals[i], bps[l.category]).commissionFen),
  );
  return {
    orderId: order.orderId,
    storeId: order.storeId,
    totalFen: order.totalFen,
    commissionFen,
    shareFen: order.totalFen - commissionFen,
  };
}

/** Paid: the buyer's money arrives in escrow, and the seller's share moves on to her pending account. */
export function orderPaidEntries(split: OrderSplit): Entry[] {
  return [
    { accountId: platformAccount('payments_received'), amountFen: split.totalFen },
    { accountId: platformAccount('escrow'), amountFen: -split.totalFen },
    { accountId: platformAccount('escrow'), amountFen: split.shareFen },
    { accountId: storeAccount(split.storeId, 'pending'), amountFen: -split.shareFen },
  ].filter((e) => e.amountFen !== 0);
}

/** Completed: what is still pending becomes available; the commission still held is earned. */
export function orderCompletedEntries(
  split: OrderSplit,
  refundedShareFen: number,
  refundedCommissionFen: number,
): Entry[] {
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
export function refundEntries(
  split: OrderSplit,
  refundedBeforeFen: number,
  amountFen: number,
  completed: boolean,
): { entries: Entry[]; shareFen: number; commissionFen: number } {
  if (amountFen <= 0 || refundedBeforeFen + amountFen > split.totalFen) {
    throw new LedgerRuleError(
      `refund of ${amountFen} fen on order ${split.orderId} exceeds what was paid (${split.totalFen - refundedBeforeFen} fen left)`,
    );
  }
  // share × refunded / total, half up; in bigint because the product outgrows 2^53 for large orders
  const shareUpTo = (refunded: number) =>
    split.totalFen === 0
      ? 0
      : Number(
          (2n * BigInt(refunded) * BigInt(split.shareFen) + BigInt(split.totalFen)) / (2n * BigInt(split.totalFen)),
        );
  const shareFen = shareUpTo(refundedBeforeFen + amountFen) - shareUpTo(refundedBeforeFen);
  const commissionFen = amountFen - shareFen;
  const entries: Entry[] = [
    { accountId: storeAccount(split.storeId, completed ? 'available' : 'pending'), amountFen: shareFen },
    { accountId: platformAccount(completed ? 'commission_revenue' : 'escrow'), amountFen: commissionFen },
    { accountId: platformAccount('refunds'), amountFen: -amountFen },
  ].filter((e) => e.amountFen !== 0);
  return { entries, shareFen, commissionFen };
}

/**
 * What a payout run pays a store: her whole available balance once it reaches the minimum,
 * otherwise nothing. A negative balance (a refund after an earlier payout) is simply below the
 * minimum: later sales net it off before she is paid again.
 */
export function payoutDue(availableFen: number, minimumFen: number): number | null {
  return availableFen >= minimumFen && availableFen > 0 ? availableFen : null;
}

/** Sent: the amount leaves available and is in transit to her bank. */
export function payoutSentEntries(storeId: string, amountFen: number): Entry[] {
  return [
    { accountId: storeAccount(storeId, 'available'), amountFen },
    { accountId: storeAccount(storeId, 'in_transit'), amountFen: -amountFen },
  ];
}

/** Settled: in transit becomes paid out. */
export function payoutSettledEntries(storeId: string, amountFen: number): Entry[] {
  return [
    { accountId: storeAccount(storeId, 'in_transit'), amountFen },
    { accountId: storeAccount(storeId, 'paid_out'), amountFen: -amountFen },
  ];
}

/** Failed: the reversal of the send, a new transaction: the money is available again. */
export function payoutFailedEntries(storeId: string, amountFen: number): Entry[] {
  return [
    { accountId: storeAccount(storeId, 'in_transit'), amountFen },
    { accountId: storeAccount(storeId, 'available'), amountFen: -amountFen },
  ];
}
