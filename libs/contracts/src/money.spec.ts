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

describe('money rules at their edges', () => {
  it('refuses a commission rate outside 0–10,000 bps, or not a whole number, naming the rate', () => {
    for (const bps of [-1, 10_001, 1.5])
      expect(() => splitCommission(1000, bps)).toThrow(`commission must be 0..10000 bps, got ${bps}`);
    expect(splitCommission(1000, 0)).toEqual({ commissionFen: 0, sellerShareFen: 1000 });
    expect(splitCommission(1000, 10_000)).toEqual({ commissionFen: 1000, sellerShareFen: 0 });
  });

  it('rounds the commission of a negative amount (a reversal) away from zero, as its positive twin', () => {
    expect(splitCommission(-1050, 500)).toEqual({ commissionFen: -53, sellerShareFen: -997 });
    expect(splitCommission(1050, 500)).toEqual({ commissionFen: 53, sellerShareFen: 997 });
    expect(splitCommission(0, 500)).toEqual({ commissionFen: 0, sellerShareFen: 0 });
  });

  it('names the amount that is not whole fen', () => {
    expect(() => assertFen(1.5)).toThrow('amount must be a whole number of fen, got 1.5');
    expect(() => sumFen([1, 0.5])).toThrow('amount must be a whole number of fen, got 0.5');
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow('sum must be a whole number of fen');
    expect(() => lineTotalFen(0.5, 1)).toThrow('unitPriceFen must be a whole number of fen');
    expect(() => lineTotalFen(Number.MAX_SAFE_INTEGER, 2)).toThrow('line total must be a whole number of fen');
    expect(() => splitCommission(0.5, 500)).toThrow('amountFen must be a whole number of fen');
  });

  it('writes zero and negative amounts in yuan', () => {
    expect(formatYuan(0)).toBe('¥0.00');
    expect(formatYuan(-5)).toBe('-¥0.05');
  });
});
