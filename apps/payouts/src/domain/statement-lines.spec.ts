import type { PayoutLineRow } from '../persistence/payout-line.repository';
import { statementLine, statementTotals } from './statement-lines';

const at = new Date('2026-06-01T02:00:00Z');
const row = (r: Partial<PayoutLineRow>): PayoutLineRow => ({
  entryId: 1,
  transactionKind: 'order-completed',
  orderId: 'o1',
  transactionPayoutId: null,
  amountFen: 0,
  commissionFen: 0,
  orderTotalFen: null,
  salePayoutId: null,
  postedAt: at,
  ...r,
});

describe('statement lines', () => {
  it('shows a sale as what the buyer paid, less refunds before completion and commission', () => {
    // 16590 paid, 6590 refunded before completion; commission 919 less the 365 given back with that refund
    const line = statementLine(
      'p2',
      row({ amountFen: 9446, commissionFen: 554, orderTotalFen: 16590, salePayoutId: 'p2' }),
    );
    expect(line).toMatchObject({
      kind: 'sale',
      orderId: 'o1',
      orderTotalFen: 16590,
      refundFen: 6590,
      grossFen: 10000,
      commissionFen: 554,
      amountFen: 9446,
      carriedOver: false,
    });
  });

  it('carries over a refund of an order an earlier payout paid, naming that payout', () => {
    const line = statementLine(
      'p2',
      row({
        transactionKind: 'order-refunded',
        amountFen: -18000,
        commissionFen: -2000,
        orderTotalFen: 20000,
        salePayoutId: 'p1',
      }),
    );
    expect(line).toMatchObject({
      kind: 'refund',
      refundFen: 20000,
      grossFen: -20000,
      commissionFen: -2000,
      amountFen: -18000,
      orderPaidInPayoutId: 'p1',
      carriedOver: true,
    });
    expect(
      statementLine(
        'p2',
        row({ transactionKind: 'order-refunded', amountFen: -90, commissionFen: -10, salePayoutId: 'p2' }),
      ),
    ).toMatchObject({ carriedOver: false, orderPaidInPayoutId: null });
  });

  it('names the failed payout whose money it pays again', () => {
    const line = statementLine(
      'p2',
      row({ transactionKind: 'payout-failed', orderId: null, transactionPayoutId: 'p1', amountFen: 18000 }),
    );
    expect(line).toMatchObject({
      kind: 'returned-payout',
      orderId: null,
      returnedPayoutId: 'p1',
      grossFen: 18000,
      commissionFen: 0,
      amountFen: 18000,
      carriedOver: true,
    });
  });

  it('adds the lines up: amount = gross − commission, line by line and in total', () => {
    const lines = [
      statementLine('p2', row({ amountFen: 36000, commissionFen: 4000, orderTotalFen: 40000, salePayoutId: 'p2' })),
      statementLine(
        'p2',
        row({
          transactionKind: 'order-refunded',
          amountFen: -18000,
          commissionFen: -2000,
          orderTotalFen: 20000,
          salePayoutId: 'p1',
        }),
      ),
      statementLine(
        'p2',
        row({ transactionKind: 'payout-failed', orderId: null, transactionPayoutId: 'p0', amountFen: 500 }),
      ),
    ];
    for (const l of lines) expect(l.grossFen - l.commissionFen).toBe(l.amountFen);
    expect(statementTotals(lines)).toEqual({
      grossFen: 40000 - 20000 + 500,
      commissionFen: 2000,
      amountFen: 18500,
      carriedOverFen: -17500,
    });
  });
});

describe('statement lines at their edges', () => {
  it('carries over only a refund whose sale an earlier payout paid, not one paid in this payout or not yet paid', () => {
    const refund = (salePayoutId: string | null) =>
      statementLine(
        'p2',
        row({ transactionKind: 'order-refunded', amountFen: -900, commissionFen: -100, salePayoutId }),
      );
    expect(refund('p1')).toMatchObject({ orderPaidInPayoutId: 'p1', carriedOver: true, refundFen: 1000 });
    expect(refund('p2')).toMatchObject({ orderPaidInPayoutId: null, carriedOver: false });
    expect(refund(null)).toMatchObject({ orderPaidInPayoutId: null, carriedOver: false });
    // a sale never carries over, whatever payout paid its order
    expect(statementLine('p2', row({ amountFen: 900, commissionFen: 100, salePayoutId: 'p1' }))).toMatchObject({
      carriedOver: false,
      orderPaidInPayoutId: null,
      returnedPayoutId: null,
    });
  });

  it('shows a sale without its order total as refunded nothing, and names no returned payout but for a returned one', () => {
    expect(statementLine('p2', row({ amountFen: 900, commissionFen: 100, orderTotalFen: null }))).toMatchObject({
      kind: 'sale',
      refundFen: 0,
      grossFen: 1000,
    });
    expect(
      statementLine(
        'p2',
        row({ transactionKind: 'payout-failed', orderId: null, transactionPayoutId: 'p0', amountFen: 500 }),
      ),
    ).toMatchObject({ kind: 'returned-payout', returnedPayoutId: 'p0', refundFen: 0, carriedOver: true });
  });
});
