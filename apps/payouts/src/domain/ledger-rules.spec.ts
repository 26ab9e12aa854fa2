import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { CATEGORIES, Category, OrderLineV1 } from '@cc/contracts';
import {
  balanced,
  describeAccount,
  Entry,
  LedgerRuleError,
  orderCompletedEntries,
  orderPaidEntries,
  payoutDue,
  payoutFailedEntries,
  payoutSentEntries,
  payoutSettledEntries,
  refundEntries,
  splitOrder,
} from './ledger-rules';

const BPS = { fresh: 500, chilled: 500, ambient: 800, handicraft: 1000 };
const line = (category: Category, unitPriceFen: number, quantity = 1): OrderLineV1 => ({
  productId: randomUUID(),
  category,
  unitPriceFen,
  quantity,
});
const newOrder = (lines: OrderLineV1[]) => ({
  orderId: 'o',
  storeId: 's',
  totalFen: lines.reduce((t, l) => t + l.unitPriceFen * l.quantity, 0),
  lines,
});
/** What an account holds after these postings: the negated sum of its entries. */
const holds = (entries: Entry[], account: string) =>
  0 - entries.filter((e) => e.accountId === account).reduce((t, e) => t + e.amountFen, 0);

describe('ledger rules', () => {
  it('splits commission per line at its category rate, half up, share the remainder', () => {
    const split = splitOrder(newOrder([line('fresh', 6800, 2), line('ambient', 2990)]), BPS);
    expect(split.commissionFen).toBe(680 + 239); // 2990 × 8 % = 239.2 → 239
    expect(split.shareFen).toBe(13600 + 2990 - 919);
  });

  it('rounds each line half up and never loses a fen', () => {
    // 1 fen × 5 % = 0.05 → 0; 10 fen × 5 % = 0.5 → 1; 30 fen × 8 % = 2.4 → 2; 15 fen × 10 % = 1.5 → 2
    const split = splitOrder(
      newOrder([line('fresh', 1), line('chilled', 10), line('ambient', 30), line('handicraft', 15)]),
      BPS,
    );
    expect(split.commissionFen).toBe(0 + 1 + 2 + 2);
    expect(split.shareFen + split.commissionFen).toBe(56);
  });

  it('refuses an order whose lines do not add up to its total', () => {
    expect(() => splitOrder({ ...newOrder([line('fresh', 6800)]), totalFen: 1 }, BPS)).toThrow(LedgerRuleError);
  });

  it('on payment puts the buyer’s money in escrow and the seller’s share in pending', () => {
    const entries = orderPaidEntries(splitOrder(newOrder([line('fresh', 6800, 2), line('ambient', 2990)]), BPS));
    expect(balanced(entries)).toBe(true);
    expect(entries.filter((e) => e.accountId === 'platform:escrow' && e.amountFen < 0)).toEqual([
      { accountId: 'platform:escrow', amountFen: -16590 },
    ]);
    expect(holds(entries, 'platform:payments_received')).toBe(-16590);
    expect(holds(entries, 'store:s:pending')).toBe(15671);
    expect(holds(entries, 'platform:escrow')).toBe(919); // the commission, not yet earned
  });

  it('on completion makes the share available and earns the commission', () => {
    const split = splitOrder(newOrder([line('fresh', 6800, 2), line('ambient', 2990)]), BPS);
    const all = [...orderPaidEntries(split), ...orderCompletedEntries(split, 0, 0)];
    expect(balanced(orderCompletedEntries(split, 0, 0))).toBe(true);
    expect([
      holds(all, 'store:s:pending'),
      holds(all, 'store:s:available'),
      holds(all, 'platform:escrow'),
      holds(all, 'platform:commission_revenue'),
    ]).toEqual([0, 15671, 0, 919]);
  });

  it('reverses a refund before completion from pending and escrow, in proportion', () => {
    const split = splitOrder(newOrder([line('handicraft', 10000)]), BPS); // share 9000, commission 1000
    const first = refundEntries(split, 0, 3333, false);
    expect([first.shareFen, first.commissionFen]).toEqual([3000, 333]); // 3333 × 0.9 = 2999.7 → 3000
    expect(first.entries).toEqual([
      { accountId: 'store:s:pending', amountFen: 3000 },
      { accountId: 'platform:escrow', amountFen: 333 },
      { accountId: 'platform:refunds', amountFen: -3333 },
    ]);
    const rest = refundEntries(split, 3333, 6667, false);
    expect([first.shareFen + rest.shareFen, first.commissionFen + rest.commissionFen]).toEqual([9000, 1000]);
    const all = [
      ...orderPaidEntries(split),
      ...first.entries,
      ...rest.entries,
      ...orderCompletedEntries(split, 9000, 1000),
    ];
    expect([
      holds(all, 'store:s:pending'),
      holds(all, 'store:s:available'),
      holds(all, 'platform:escrow'),
      holds(all, 'platform:refunds'),
    ]).toEqual([0, 0, 0, 10000]);
  });

  it('reverses a refund after completion from available and commission revenue, never more than was paid', () => {
    const split = splitOrder(newOrder([line('handicraft', 10000)]), BPS);
    const { entries, shareFen, commissionFen } = refundEntries(split, 0, 10000, true);
    expect([shareFen, commissionFen]).toEqual([9000, 1000]);
    expect(entries).toContainEqual({ accountId: 'store:s:available', amountFen: 9000 });
    expect(entries).toContainEqual({ accountId: 'platform:commission_revenue', amountFen: 1000 });
    expect(balanced(entries)).toBe(true);
    expect(() => refundEntries(split, 4000, 6001, true)).toThrow(/exceeds what was paid/);
  });

  it('pays the whole available balance from the minimum up, and nothing below it or when negative', () => {
    expect(payoutDue(10_000, 10_000)).toBe(10_000);
    expect(payoutDue(25_001, 10_000)).toBe(25_001);
    expect(payoutDue(9_999, 10_000)).toBeNull();
    expect(payoutDue(-3_000, 10_000)).toBeNull();
  });

  it('moves a payout available → in transit → paid out, and back to available when it fails', () => {
    const sent = payoutSentEntries('s', 12_000);
    const settled = payoutSettledEntries('s', 12_000);
    const failed = payoutFailedEntries('s', 12_000);
    for (const entries of [sent, settled, failed]) expect(balanced(entries)).toBe(true);
    const kinds = (entries: Entry[]) =>
      ['available', 'in_transit', 'paid_out'].map((k) => holds(entries, `store:s:${k}`));
    expect(kinds(sent)).toEqual([-12_000, 12_000, 0]);
    expect(kinds([...sent, ...settled])).toEqual([-12_000, 0, 12_000]);
    expect(kinds([...sent, ...failed])).toEqual([0, 0, 0]);
  });

  it('reads owner and kind from an account id and refuses unknown accounts', () => {
    expect(describeAccount('store:5f0c7a52-0000-4000-8000-000000000000:in_transit')).toEqual({
      storeId: '5f0c7a52-0000-4000-8000-000000000000',
      kind: 'in_transit',
    });
    expect(describeAccount('platform:escrow')).toEqual({ storeId: null, kind: 'escrow' });
    expect(() => describeAccount('platform:petty_cash')).toThrow(LedgerRuleError);
    expect(() => describeAccount('store:s:savings')).toThrow(LedgerRuleError);
  });

  it('keeps every transaction balanced and money in = share + commission + refunds, for any order and refunds', () => {
    const arbLine = fc.record({
      category: fc.constantFrom(...CATEGORIES),
      unitPriceFen: fc.integer({ min: 0, max: 2_000_000 }),
      quantity: fc.integer({ min: 1, max: 50 }),
    });
    const arbBps = fc.record({
      fresh: fc.integer({ min: 0, max: 10_000 }),
      chilled: fc.integer({ min: 0, max: 10_000 }),
      ambient: fc.integer({ min: 0, max: 10_000 }),
      handicraft: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbLine, { minLength: 1, maxLength: 6 }),
        arbBps,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        fc.boolean(),
        (lines, bps, refundFractions, completeFirst) => {
          const order = newOrder(lines.map((l) => ({ ...l, productId: 'p' })));
          const split = splitOrder(order, bps);
          // no fen lost: the per-line commissions and the share add back to the total
          expect(split.commissionFen).toBeGreaterThanOrEqual(0);
          expect(split.shareFen).toBeGreaterThanOrEqual(0);
          expect(split.commissionFen + split.shareFen).toBe(order.totalFen);
          const posted = [orderPaidEntries(split)];
          let refunded = 0;
          let refundedShare = 0;
          let refundedCommission = 0;
          if (completeFirst) posted.push(orderCompletedEntries(split, 0, 0));
          for (const f of refundFractions) {
            const amount = Math.floor((order.totalFen - refunded) * f);
            if (amount <= 0) continue;
            const r = refundEntries(split, refunded, amount, completeFirst);
            expect(r.shareFen).toBeGreaterThanOrEqual(0);
            expect(r.commissionFen).toBeGreaterThanOrEqual(0);
            posted.push(r.entries);
            refunded += amount;
            refundedShare += r.shareFen;
            refundedCommission += r.commissionFen;
          }
          if (!completeFirst) posted.push(orderCompletedEntries(split, refundedShare, refundedCommission));
          for (const entries of posted) expect(balanced(entries)).toBe(true);
          const all = posted.flat();
          const moneyIn = 0 - holds(all, 'platform:payments_received');
          const sellerShare = holds(all, 'store:s:pending') + holds(all, 'store:s:available');
          expect(holds(all, 'store:s:pending')).toBe(0);
          expect(holds(all, 'platform:escrow')).toBe(0);
          expect(holds(all, 'platform:refunds')).toBe(refunded);
          expect(moneyIn).toBe(order.totalFen);
          expect(sellerShare + holds(all, 'platform:commission_revenue') + holds(all, 'platform:refunds')).toBe(
            moneyIn,
          );
          expect(refundedShare).toBeLessThanOrEqual(split.shareFen);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ledger rules at their edges', () => {
  const STORE = '0b6f0c1e-0000-4000-8000-000000000001';
  const split = { orderId: 'o-1', storeId: STORE, totalFen: 10_000, commissionFen: 1000, shareFen: 9000 };

  it('knows only the accounts it keeps: a store’s four, the platform’s four, nothing else', () => {
    expect(describeAccount(`store:${STORE}:available`)).toEqual({ storeId: STORE, kind: 'available' });
    expect(describeAccount('platform:escrow')).toEqual({ storeId: null, kind: 'escrow' });
    for (const id of [
      `store:${STORE}:escrow`,
      `store:${STORE}`,
      `store:${STORE}:available:x`,
      'platform:available',
      'platform:escrow:x',
      `shop:${STORE}:available`,
      'platform',
    ]) {
      expect(() => describeAccount(id)).toThrow(`no such ledger account: ${id}`);
    }
  });

  it('says an unbalanced transaction does not balance', () => {
    expect(
      balanced([
        { accountId: 'platform:escrow', amountFen: 100 },
        { accountId: 'platform:refunds', amountFen: -99 },
      ]),
    ).toBe(false);
    expect(
      balanced([
        { accountId: 'platform:escrow', amountFen: 100 },
        { accountId: 'platform:refunds', amountFen: -100 },
      ]),
    ).toBe(true);
  });

  it('refuses a refund of zero fen, or of more than is left, saying how much is left', () => {
    expect(() => refundEntries(split, 0, 0, false)).toThrow(
      'refund of 0 fen on order o-1 exceeds what was paid (10000 fen left)',
    );
    expect(() => refundEntries(split, 2500, 7501, false)).toThrow('(7500 fen left)');
    expect(refundEntries(split, 2500, 7500, false).entries.reduce((n, e) => n + e.amountFen, 0)).toBe(0);
  });

  it('writes no entry of zero fen: a free order refunds nothing to the seller', () => {
    const free = { ...split, totalFen: 1, commissionFen: 1, shareFen: 0 };
    const { entries, shareFen } = refundEntries(free, 0, 1, false);
    expect(shareFen).toBe(0);
    expect(entries.every((e) => e.amountFen !== 0)).toBe(true);
    expect(entries.map((e) => e.accountId)).toEqual(['platform:escrow', 'platform:refunds']);
  });

  it('pays out the whole available balance once it reaches the minimum, nothing below it or at zero', () => {
    expect(payoutDue(10_000, 10_000)).toBe(10_000);
    expect(payoutDue(9_999, 10_000)).toBeNull();
    expect(payoutDue(0, 0)).toBeNull();
    expect(payoutDue(-50, -100)).toBeNull();
    expect(payoutDue(1, 0)).toBe(1);
  });
});
