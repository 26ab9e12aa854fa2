import { canActForStore, TokenService } from './auth';

describe('tokens', () => {
  const tokens = new TokenService('s'.repeat(40));

  it('round-trips each role, sellers bound to a store', () => {
    expect(tokens.verify(tokens.sign({ sub: 'b1', role: 'buyer' }))).toEqual({ sub: 'b1', role: 'buyer' });
    expect(tokens.verify(tokens.sign({ sub: 's1', role: 'seller', storeId: 'st' }))).toEqual({
      sub: 's1',
      role: 'seller',
      storeId: 'st',
    });
  });

  it('refuses a token signed with another secret, expired, or a seller without a store', () => {
    expect(() => new TokenService('o'.repeat(40)).verify(tokens.sign({ sub: 'b', role: 'buyer' }))).toThrow(
      /signature/,
    );
    expect(() => tokens.verify(tokens.sign({ sub: 'b', role: 'buyer' }, -10))).toThrow(/expired/);
    expect(() => tokens.verify(tokens.sign({ sub: 's', role: 'seller' }))).toThrow(/storeId/);
  });

  it('lets sellers act only for their store', () => {
    expect(canActForStore({ sub: 's', role: 'seller', storeId: 'a' }, 'a')).toBe(true);
    expect(canActForStore({ sub: 's', role: 'seller', storeId: 'a' }, 'b')).toBe(false);
    expect(canActForStore({ sub: 'o', role: 'ops' }, 'b')).toBe(true);
    expect(canActForStore({ sub: 'x', role: 'buyer' }, 'b')).toBe(false);
  });
});
