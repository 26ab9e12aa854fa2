import { IllegalTransitionError } from '@cc/platform';
import { PAYOUT_STATUSES, PAYOUT_TRANSITIONS, PayoutAction, payoutLife, PayoutStatus } from './payout-states';

/** Every allowed (status, action) → status, written out: a change to the table must change this on purpose. */
const ALLOWED: [PayoutStatus, PayoutAction, PayoutStatus][] = [
  ['sending', 'provider-accepted', 'sent'],
  ['sending', 'provider-refused', 'failed'],
  ['sent', 'provider-settled', 'settled'],
  ['sent', 'provider-returned', 'failed'],
];

describe('payout states', () => {
  it.each(ALLOWED)('lets a payout that is %s take %s and become %s', (from, action, to) => {
    expect(payoutLife.next(from, action)).toBe(to);
  });

  it('refuses every other (status, action) pair, and knows no other action', () => {
    const actions = Object.keys(PAYOUT_TRANSITIONS) as PayoutAction[];
    expect([...actions].sort()).toEqual([...new Set(ALLOWED.map(([, a]) => a))].sort());
    for (const status of PAYOUT_STATUSES) {
      for (const action of actions) {
        if (ALLOWED.some(([from, a]) => from === status && a === action)) continue;
        expect(() => payoutLife.next(status, action)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('starts sending and ends settled or failed', () => {
    expect(payoutLife.initial).toEqual(['sending']);
    expect(payoutLife.final).toEqual(['settled', 'failed']);
  });
});
