import { IllegalTransitionError } from '@cc/platform';
import { payoutLife } from './payout-states';

describe('payout states', () => {
  it('sends, then settles or fails; nothing leaves settled or failed', () => {
    expect(payoutLife.next('sending', 'provider-accepted')).toBe('sent');
    expect(payoutLife.next('sending', 'provider-refused')).toBe('failed');
    expect(payoutLife.next('sent', 'provider-settled')).toBe('settled');
    expect(payoutLife.next('sent', 'provider-returned')).toBe('failed');
    expect(() => payoutLife.next('sending', 'provider-settled')).toThrow(IllegalTransitionError);
    for (const action of ['provider-accepted', 'provider-refused', 'provider-settled', 'provider-returned'] as const) {
      expect(payoutLife.canTake('settled', action)).toBe(false);
      expect(payoutLife.canTake('failed', action)).toBe(false);
    }
  });
});
