import fc from 'fast-check';
import { assertFen, formatYuan, lineTotalFen, MoneyError, splitCommission, sumFen } from './money';

describe('money in fen', () => {
  it('refuses anything but whole fen', () => {
    expect(() => assertFen(1.5)).toThrow(MoneyError);
    expect(() => assertFen(Number.NaN)).toThrow(MoneyError);
    expect(() => assertFen(2 ** 53)).toThrow(MoneyError);
    expect(assertFen(-300)).toBe(-300);
    expect(() => lineTotalFen(100, 0)).toThrow(/quantity/);
    expect(sumFen([6800, 6800, 35])).toBe(13635);
  });

  it('rounds commission half up and never loses a fen', () => {
    expect(splitCommission(6800, 500)).toEqual({ commissionFen: 340, sellerShareFen: 6460 });
    expect(splitCommission(10, 500)).toEqual({ commissionFen: 1, sellerShareFen: 9 }); // 0.5 fen rounds up
    expect(splitCommission(9, 500)).toEqual({ commissionFen: 0, sellerShareFen: 9 }); // 0.45 fen rounds down
    expect(splitCommission(-10, 500)).toEqual({ commissionFen: -1, sellerShareFen: -9 }); // reversals mirror
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const { commissionFen, sellerShareFen } = splitCommission(amount, bps);
        expect(commissionFen + sellerShareFen).toBe(amount);
        expect(Number.isSafeInteger(commissionFen)).toBe(true);
        expect(Math.abs(commissionFen - (amount * bps) / 10_000)).toBeLessThanOrEqual(0.5);
      }),
    );
  });

  it('formats yuan for people', () => {
    expect(formatYuan(13600)).toBe('¥136.00');
    expect(formatYuan(-5)).toBe('-¥0.05');
  });
});
