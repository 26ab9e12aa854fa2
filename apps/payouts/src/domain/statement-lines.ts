// A payout as its seller reads it: one line per ledger entry it paid, each naming its order (or,
// for money a failed payout gave back, that payout), adding up to the payout to the fen.
//
//   sale             an order completed: what the buyer paid less refunds before completion
//                    (gross), less the commission, is her share
//   refund           a refund after completion: gross is minus the refund, commission the part
//                    the platform gave back (negative), amount what came off her balance
//   returned-payout  a failed payout's amount, back in available and paid again here
//
// For every line amount = gross − commission. A line is carried over when it belongs to an
// earlier payout's business: a refund of an order paid in an earlier payout (the negative balance
// it left is netted here), or a failed payout given back.
import type { PayoutLineRow } from '../persistence/payout-line.repository';

export type StatementLineKind = 'sale' | 'refund' | 'returned-payout';

export interface StatementLine {
  entryId: number;
  kind: StatementLineKind | string;
  orderId: string | null;
  orderTotalFen: number | null;
  /** Sale: refunded before completion; refund: this refund. */
  refundFen: number;
  grossFen: number;
  commissionFen: number;
  amountFen: number;
  returnedPayoutId: string | null;
  /** For a refund line: the payout that paid the order's sale, when it is an earlier one. */
  orderPaidInPayoutId: string | null;
  carriedOver: boolean;
  postedAt: string;
}

const KINDS: Record<string, StatementLineKind> = {
  'order-completed': 'sale',
  'order-refunded': 'refund',
  'payout-failed': 'returned-payout',
};

export function statementLine(payoutId: string, row: PayoutLineRow): StatementLine {
  const kind = KINDS[row.transactionKind] ?? row.transactionKind;
  const grossFen = row.amountFen + row.commissionFen;
  const paidEarlier = kind === 'refund' && row.salePayoutId !== null && row.salePayoutId !== payoutId;
  return {
    entryId: row.entryId,
    kind,
    orderId: row.orderId,
    orderTotalFen: row.orderTotalFen,
    refundFen:
      kind === 'sale' && row.orderTotalFen !== null ? row.orderTotalFen - grossFen : kind === 'refund' ? -grossFen : 0,
    grossFen,
    commissionFen: row.commissionFen,
    amountFen: row.amountFen,
    returnedPayoutId: kind === 'returned-payout' ? row.transactionPayoutId : null,
    orderPaidInPayoutId: paidEarlier ? row.salePayoutId : null,
    carriedOver: paidEarlier || kind === 'returned-payout',
    postedAt: row.postedAt.toISOString(),
  };
}

export function statementTotals(lines: StatementLine[]) {
  const sum = (f: (l: StatementLine) => number) => lines.reduce((t, l) => t + f(l), 0);
  return {
    grossFen: sum((l) => l.grossFen),
    commissionFen: sum((l) => l.commissionFen),
    amountFen: sum((l) => l.amountFen),
    carriedOverFen: sum((l) => (l.carriedOver ? l.amountFen : 0)),
  };
}
