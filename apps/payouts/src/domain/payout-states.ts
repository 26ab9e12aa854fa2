// A payout's life as a transition table (plain data, checked at start-up). Every status change
// goes through `payoutLife.next` and writes a history row.
//
//   sending  the ledger moved the amount to in transit; the provider call is queued
//   sent     the provider accepted it (we hold its reference); settlement is polled
//   settled  the money reached her bank (in transit → paid out)
//   failed   refused or returned by the provider (in transit → available again)
import { TransitionTable } from '@cc/platform';

export const PAYOUT_STATUSES = ['sending', 'sent', 'settled', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export const PAYOUT_TRANSITIONS = {
  'provider-accepted': { from: ['sending'], to: 'sent' },
  'provider-refused': { from: ['sending'], to: 'failed' },
  'provider-settled': { from: ['sent'], to: 'settled' },
  'provider-returned': { from: ['sent'], to: 'failed' },
} as const satisfies Record<string, { from: readonly PayoutStatus[]; to: PayoutStatus }>;
export type PayoutAction = keyof typeof PAYOUT_TRANSITIONS;

/** Checked when the module loads: a broken table stops the service before it starts. */
export const payoutLife = new TransitionTable<PayoutStatus, PayoutAction>(
  'payout',
  PAYOUT_STATUSES,
  PAYOUT_TRANSITIONS,
  ['sending'],
  ['settled', 'failed'],
);
