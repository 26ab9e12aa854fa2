import { checkPayoutTransitions, nextPayoutStatus } from './payout-states';

describe('payout states', () => {
  it('is a table that passes its own start-up check', () => {
    expect(() => checkPayoutTransitions()).not.toThrow();
  });

  it('sends, then settles or fails; nothing leaves settled or failed', () => {
    expect(nextPayoutStatus('sending', 'provider-accepted')).toBe('sent');
    expect(nextPayoutStatus('sending', 'provider-refused')).toBe('failed');
    expect(nextPayoutStatus('sent', 'provider-settled')).toBe('settled');
    expect(nextPayoutStatus('sent', 'provider-returned')).toBe('failed');
    expect(nextPayoutStatus('sending', 'provider-settled')).toBeNull();
    for (const action of ['provider-accepted', 'provider-refused', 'provider-settled', 'provider-returned'] as const) {
      expect(nextPayoutStatus('settled', action)).toBeNull();
      expect(nextPayoutStatus('failed', action)).toBeNull();
    }
  });
});
