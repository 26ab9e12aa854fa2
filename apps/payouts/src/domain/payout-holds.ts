// Why a payout run holds a store's money instead of paying it: guards as named predicates, checked
// in this order, each with the reason the run reports.
import type { StoreStatus } from '@cc/contracts';

export const HOLD_REASONS = ['store-suspended', 'no-payout-account', 'payout-account-recently-changed'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** What a run knows of a store it would pay. */
export interface Payee {
  /** From catalog's store-changed events; null when catalog has said nothing of the store (active). */
  storeStatus: StoreStatus | null;
  /** When her current payout account was set; null when she has none. */
  accountChangedAt: Date | null;
}

export interface HoldPolicy {
  now: Date;
  accountHoldHours: number;
}

const HOURS = 3_600_000;

export const storeIsSuspended = (p: Payee) => p.storeStatus === 'suspended';
export const hasNoPayoutAccount = (p: Payee) => p.accountChangedAt === null;
/** Changed less than the hold ago: a takeover of her login must not redirect her money at once. */
export const payoutAccountRecentlyChanged = (p: Payee, policy: HoldPolicy) =>
  p.accountChangedAt !== null && policy.now.getTime() - p.accountChangedAt.getTime() < policy.accountHoldHours * HOURS;

const GUARDS: { reason: HoldReason; holds: (p: Payee, policy: HoldPolicy) => boolean }[] = [
  { reason: 'store-suspended', holds: storeIsSuspended },
  { reason: 'no-payout-account', holds: hasNoPayoutAccount },
  { reason: 'payout-account-recently-changed', holds: payoutAccountRecentlyChanged },
];

/** The first reason to hold the store's payout, or null: she is paid. */
export function payoutHold(payee: Payee, policy: HoldPolicy): HoldReason | null {
  return GUARDS.find((g) => g.holds(payee, policy))?.reason ?? null;
}

/** From when a newly changed account is paid to. */
export const payableFrom = (accountChangedAt: Date, accountHoldHours: number) =>
  new Date(accountChangedAt.getTime() + accountHoldHours * HOURS);
