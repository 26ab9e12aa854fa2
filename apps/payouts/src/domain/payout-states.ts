// A payout's life as a transition table (plain data, checked at start-up). Every status change
// goes through `nextPayoutStatus` and writes a history row.
//
//   sending  the ledger moved the amount to in transit; the provider call is queued
//   sent     the provider accepted it (we hold its reference); settlement is polled
//   settled  the money reached her bank (in transit → paid out)
//   failed   refused or returned by the provider (in transit → available again)
export const PAYOUT_STATUSES = ['sending', 'sent', 'settled', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export const PAYOUT_TRANSITIONS = [
  { action: 'provider-accepted', from: ['sending'], to: 'sent' },
  { action: 'provider-refused', from: ['sending'], to: 'failed' },
  { action: 'provider-settled', from: ['sent'], to: 'settled' },
  { action: 'provider-returned', from: ['sent'], to: 'failed' },
] as const satisfies readonly { action: string; from: readonly PayoutStatus[]; to: PayoutStatus }[];
export type PayoutAction = (typeof PAYOUT_TRANSITIONS)[number]['action'];

/** The status `action` leads to from `from`, or null if the table does not allow it. */
export function nextPayoutStatus(from: PayoutStatus, action: PayoutAction): PayoutStatus | null {
  const t = PAYOUT_TRANSITIONS.find((x) => x.action === action);
  return t && (t.from as readonly PayoutStatus[]).includes(from) ? t.to : null;
}

/** Refuses to start on a table that names an unknown status, repeats an action, or leaves a final status. */
export function checkPayoutTransitions(): void {
  const actions = new Set<string>();
  for (const t of PAYOUT_TRANSITIONS) {
    if (actions.has(t.action)) throw new Error(`payout action ${t.action} is listed twice`);
    actions.add(t.action);
    for (const s of [...t.from, t.to]) if (!(PAYOUT_STATUSES as readonly string[]).includes(s)) throw new Error(`payout transition ${t.action} names unknown status ${s}`);
    for (const s of t.from as readonly PayoutStatus[]) if (s === 'settled' || s === 'failed') throw new Error(`payout transition ${t.action} leaves final status ${s}`);
  }
}
