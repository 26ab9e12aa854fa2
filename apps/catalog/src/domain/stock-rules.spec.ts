import { checkAdjustment, decideReservation } from './stock-rules';

const level = (id: string, onHand: number, reserved = 0, storeId = 'S') => ({ id, storeId, onHand, reserved });

describe('stock rules', () => {
  it('reserves all lines or none', () => {
    expect(
      decideReservation(
        'S',
        [
          { productId: 'a', quantity: 2 },
          { productId: 'b', quantity: 1 },
        ],
        [level('a', 2), level('b', 1)],
      ),
    ).toEqual({
      ok: true,
      lines: [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 1 },
      ],
    });
    expect(
      decideReservation(
        'S',
        [
          { productId: 'a', quantity: 2 },
          { productId: 'b', quantity: 2 },
        ],
        [level('a', 5), level('b', 3, 2)],
      ),
    ).toEqual({
      ok: false,
      reason: 'insufficient-stock',
      lines: [{ productId: 'b', requested: 2, available: 1 }],
    });
  });

  it('judges repeated lines of one product on their sum', () => {
    const d = decideReservation(
      'S',
      [
        { productId: 'a', quantity: 2 },
        { productId: 'a', quantity: 2 },
      ],
      [level('a', 3)],
    );
    expect(d).toMatchObject({ ok: false, lines: [{ productId: 'a', requested: 4, available: 3 }] });
  });

  it('refuses unknown products and products of another store', () => {
    expect(decideReservation('S', [{ productId: 'x', quantity: 1 }], [])).toMatchObject({
      ok: false,
      reason: 'unknown-product',
    });
    expect(decideReservation('S', [{ productId: 'a', quantity: 1 }], [level('a', 3, 0, 'T')])).toMatchObject({
      ok: false,
      reason: 'store-mismatch',
    });
  });

  it('never lets an adjustment take stock below zero or below what is reserved', () => {
    expect(checkAdjustment(level('a', 5, 2), -3)).toBeNull();
    expect(checkAdjustment(level('a', 5, 2), -4)).toMatch(/reserved/);
    expect(checkAdjustment(level('a', 1), -2)).toMatch(/below zero/);
    expect(checkAdjustment(level('a', 1), 0)).toMatch(/non-zero/);
  });
});

describe('stock rules at their edges', () => {
  const level = (id: string, onHand: number, reserved = 0, storeId = 'S') => ({ id, storeId, onHand, reserved });

  it('lets a seller adjust stock to exactly zero, not below', () => {
    expect(checkAdjustment(level('p', 5), -5)).toBeNull();
    expect(checkAdjustment(level('p', 5), -6)).toBe('on-hand stock would fall below zero (5 on hand)');
  });

  it('names each unknown or foreign product with what was asked for, and judges repeated lines on their sum, in product order', () => {
    expect(
      decideReservation(
        'S',
        [
          { productId: 'b', quantity: 2 },
          { productId: 'a', quantity: 1 },
        ],
        [],
      ),
    ).toEqual({
      ok: false,
      reason: 'unknown-product',
      lines: [
        { productId: 'a', requested: 1, available: 0 },
        { productId: 'b', requested: 2, available: 0 },
      ],
    });
    expect(decideReservation('S', [{ productId: 'a', quantity: 3 }], [level('a', 9, 0, 'T')])).toEqual({
      ok: false,
      reason: 'store-mismatch',
      lines: [{ productId: 'a', requested: 3, available: 0 }],
    });
    expect(
      decideReservation(
        'S',
        [
          { productId: 'b', quantity: 1 },
          { productId: 'a', quantity: 1 },
          { productId: 'b', quantity: 2 },
        ],
        [level('a', 1), level('b', 3)],
      ),
    ).toEqual({
      ok: true,
      lines: [
        { productId: 'a', quantity: 1 },
        { productId: 'b', quantity: 3 },
      ],
    });
  });
});
