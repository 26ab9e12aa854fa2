import { payableFrom, payoutHold } from './payout-holds';

const now = new Date('2026-06-02T02:00:00Z');
const policy = { now, accountHoldHours: 24 };
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('payout holds', () => {
  it('pays an active (or unknown) store whose account is older than the hold', () => {
    expect(payoutHold({ storeStatus: 'active', accountChangedAt: hoursAgo(24) }, policy)).toBeNull();
    expect(payoutHold({ storeStatus: null, accountChangedAt: hoursAgo(100) }, policy)).toBeNull();
  });

  it('holds a store without an account, or with one changed within the hold', () => {
    expect(payoutHold({ storeStatus: 'active', accountChangedAt: null }, policy)).toBe('no-payout-account');
    expect(payoutHold({ storeStatus: null, accountChangedAt: hoursAgo(23.99) }, policy)).toBe(
      'payout-account-recently-changed',
    );
    expect(payoutHold({ storeStatus: null, accountChangedAt: hoursAgo(0) }, { now, accountHoldHours: 0 })).toBeNull();
  });

  it('names suspension first, whatever the account', () => {
    expect(payoutHold({ storeStatus: 'suspended', accountChangedAt: null }, policy)).toBe('store-suspended');
    expect(payoutHold({ storeStatus: 'suspended', accountChangedAt: hoursAgo(1) }, policy)).toBe('store-suspended');
    expect(payoutHold({ storeStatus: 'suspended', accountChangedAt: hoursAgo(100) }, policy)).toBe('store-suspended');
  });

  it('says from when a changed account is paid', () => {
    expect(payableFrom(hoursAgo(1), 24).toISOString()).toBe('2026-06-03T01:00:00.000Z');
  });
});
