import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { CATEGORIES } from '@cc/contracts';
import { balanced, LedgerRuleError, orderCompletedEntries, orderPaidEntries, refundEntries, splitOrder } from './ledger-rules';

const BPS = { fresh: 500, chilled: 500, ambient: 800, handicraft: 1000 };
const line = (category: (typeof CATEGORIES)[number], unitPriceFen: number, quantity = 1) => ({ productId: randomUUID(), category, unitPriceFen, quantity });

describe('ledger rules', () => {
  it('splits commission per line at its category rate, half up, share the remainder', () => {
    const split = splitOrder({ orderId: 'o', storeId: 's', totalFen: 13600 + 2990, lines: [line('fresh', 6800, 2), line('ambient', 2990)] }, BPS);
    expect(split.commissionFen).toBe(680 + 239); // 2990 × 8 % = 239.2 → 239
    expect(split.shareFen).toBe(13600 + 2990 - 919);
  });

  it('refuses an order whose lines do not add up to its total', () => {
    expect(() => splitOrder({ orderId: 'o', storeId: 's', totalFen: 1, lines: [line('fresh', 6800)] }, BPS)).toThrow(LedgerRuleError);
  });

  it('reverses a refund after completion from available, never more than was paid', () => {
    const split = splitOrder({ orderId: 'o', storeId: 's', totalFen: 10000, lines: [line('handicraft', 10000)] }, BPS);
    const { entries, shareFen, commissionFen } = refundEntries(split, 0, 10000, true);
    expect([shareFen, commissionFen]).toEqual([9000, 1000]);
    expect(entries).toContainEqual({ accountId: 'store:s:available', amountFen: 9000 });
    expect(balanced(entries)).toBe(true);
    expect(() => refundEntries(split, 4000, 6001, true)).toThrow(/exceeds what was paid/);
  });

  it('keeps every transaction balanced and money in = share + commission + refunds, for any order and refunds', () => {
    const arbLine = fc.record({ category: fc.constantFrom(...CATEGORIES), unitPriceFen: fc.integer({ min: 0, max: 2_000_000 }), quantity: fc.integer({ min: 1, max: 50 }) });
    fc.assert(
      fc.property(
        fc.array(arbLine, { minLength: 1, maxLength: 6 }),
        fc.record({ fresh: fc.integer({ min: 0, max: 10_000 }), chilled: fc.integer({ min: 0, max: 10_000 }), ambient: fc.integer({ min: 0, max: 10_000 }), handicraft: fc.integer({ min: 0, max: 10_000 }) }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        fc.boolean(),
        (lines, bps, refundFractions, completeFirst) => {
          const full = lines.map((l) => ({ ...l, productId: 'p' }));
          const totalFen = full.reduce((t, l) => t + l.unitPriceFen * l.quantity, 0);
          const split = splitOrder({ orderId: 'o', storeId: 's', totalFen, lines: full }, bps);
          const posted = [orderPaidEntries(split)];
          let refunded = 0;
          let refundedShare = 0;
          let refundedCommission = 0;
          if (completeFirst) posted.push(orderCompletedEntries(split, 0, 0));
          for (const f of refundFractions) {
            const amount = Math.floor((totalFen - refunded) * f);
            if (amount <= 0) continue;
            const r = refundEntries(split, refunded, amount, completeFirst);
            posted.push(r.entries);
            refunded += amount;
            refundedShare += r.shareFen;
            refundedCommission += r.commissionFen;
          }
          if (!completeFirst) posted.push(orderCompletedEntries(split, refundedShare, refundedCommission));
          for (const entries of posted) expect(balanced(entries)).toBe(true);
          const net = (account: string) => 0 - posted.flat().filter((e) => e.accountId === account).reduce((t, e) => t + e.amountFen, 0);
          const sellerNet = net('store:s:pending') + net('store:s:available');
          expect(net('store:s:pending')).toBe(0);
          expect(sellerNet + net('platform:commission_revenue') + net('platform:escrow') + net('platform:refunds')).toBe(totalFen);
          expect(net('platform:escrow')).toBe(0);
          expect(refundedShare).toBeLessThanOrEqual(split.shareFen);
        },
      ),
      { numRuns: 300 },
    );
  });
});
