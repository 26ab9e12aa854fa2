// Payout lines: which ledger entries each payout paid, and the statement read from them.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { platformAccount, storeAccount } from '../domain/ledger-rules';

/** One ledger entry a payout paid, with what the statement shows of it. Amounts credit-normal (what it adds to her balance). */
export interface PayoutLineRow {
  entryId: number;
  /** The ledger transaction's kind: order-completed, order-refunded, payout-failed. */
  transactionKind: string;
  orderId: string | null;
  /** For a failed payout given back: that payout. */
  transactionPayoutId: string | null;
  amountFen: number;
  /** Commission the same transaction earned (positive) or gave back (negative). */
  commissionFen: number;
  orderTotalFen: number | null;
  /** The payout that paid the order's sale, for an order line. */
  salePayoutId: string | null;
  postedAt: Date;
}

@Injectable()
export class PayoutLineRepository {
  /**
   * Gives each new payout every entry of its store's available account that no payout has paid
   * yet (its own payout-sent entry aside), in one statement, and returns what each payout's lines
   * add up to. The caller holds the available accounts locked (lockAvailable), so no entry can
   * arrive between the balance it read and the lines taken here.
   */
  async recordLines(tx: EntityManager, payouts: { id: string; storeId: string }[]): Promise<Map<string, number>> {
    if (payouts.length === 0) return new Map();
    const rows: { payout_id: string; total: string }[] = await tx.query(
      `WITH taken AS (
         INSERT INTO payout_lines (entry_id, payout_id)
         SELECT e.id, u.payout_id
         FROM unnest($1::uuid[], $2::text[]) AS u(payout_id, account_id)
         JOIN ledger_entries e ON e.account_id = u.account_id
         JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE t.kind <> 'payout-sent' AND NOT EXISTS (SELECT 1 FROM payout_lines l WHERE l.entry_id = e.id)
         RETURNING entry_id, payout_id
       )
       SELECT taken.payout_id, -sum(e.amount_fen) AS total FROM taken JOIN ledger_entries e ON e.id = taken.entry_id GROUP BY taken.payout_id`,
      [payouts.map((p) => p.id), payouts.map((p) => storeAccount(p.storeId, 'available'))],
    );
    return new Map(rows.map((r) => [r.payout_id, Number(r.total)]));
  }

  /** A payout's lines in the order they were posted. */
  async lines(tx: EntityManager, payoutId: string): Promise<PayoutLineRow[]> {
    const rows: Record<string, any>[] = await tx.query(
      `SELECT l.entry_id, -e.amount_fen AS amount_fen, t.kind, t.order_id, t.payout_id, e.created_at, s.total_fen,
         (SELECT coalesce(-sum(c.amount_fen), 0) FROM ledger_entries c WHERE c.transaction_id = t.id AND c.account_id = $2) AS commission_fen,
         (SELECT sl.payout_id FROM ledger_transactions st JOIN ledger_entries se ON se.transaction_id = st.id JOIN payout_lines sl ON sl.entry_id = se.id
           WHERE st.order_id = t.order_id AND st.kind = 'order-completed' AND se.account_id = e.account_id LIMIT 1) AS sale_payout_id
       FROM payout_lines l
       JOIN ledger_entries e ON e.id = l.entry_id
       JOIN ledger_transactions t ON t.id = e.transaction_id
       LEFT JOIN order_splits s ON s.order_id = t.order_id
       WHERE l.payout_id = $1
       ORDER BY l.entry_id`,
      [payoutId, platformAccount('commission_revenue')],
    );
    return rows.map((r) => ({
      entryId: Number(r.entry_id),
      transactionKind: r.kind,
      orderId: r.order_id,
      transactionPayoutId: r.payout_id,
      amountFen: Number(r.amount_fen),
      commissionFen: Number(r.commission_fen),
      orderTotalFen: r.total_fen === null ? null : Number(r.total_fen),
      salePayoutId: r.sale_payout_id,
      postedAt: r.created_at,
    }));
  }
}
