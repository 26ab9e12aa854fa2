// Which ledger entries each payout paid: the entries of the store's available account that its run
// took (sales, refunds after completion, failed payouts given back), so a seller's statement can
// name every order behind a payout. The ledger is append-only, so the lines are a table of their
// own; the entry id is its key: an entry is in at most one payout.
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payouts made before this migration: a run pays a store her whole available balance, with the
 * account locked against postings, so her k-th payout paid exactly the entries of her available
 * account between her (k-1)-th payout's sending and its own (payout-sent entries aside). The test
 * of statements checks that this gives the lines the runs record.
 */
export const BACKFILL_PAYOUT_LINES = `
  WITH sent AS (
    SELECT p.id AS payout_id, a.id AS account_id, min(e.id) AS sent_entry
    FROM payouts p
    JOIN ledger_transactions t ON t.payout_id = p.id AND t.kind = 'payout-sent'
    JOIN ledger_accounts a ON a.store_id = p.store_id AND a.kind = 'available'
    JOIN ledger_entries e ON e.transaction_id = t.id AND e.account_id = a.id
    GROUP BY p.id, a.id
  ), spans AS (
    SELECT payout_id, account_id, sent_entry, lag(sent_entry, 1, 0::bigint) OVER (PARTITION BY account_id ORDER BY sent_entry) AS after_entry FROM sent
  )
  INSERT INTO payout_lines (entry_id, payout_id)
  SELECT e.id, s.payout_id
  FROM spans s
  JOIN ledger_entries e ON e.account_id = s.account_id AND e.id > s.after_entry AND e.id < s.sent_entry
  JOIN ledger_transactions t ON t.id = e.transaction_id AND t.kind <> 'payout-sent'`;

export class PayoutsLines1700000000004 implements MigrationInterface {
  name = 'PayoutsLines1700000000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE payout_lines (
      entry_id bigint PRIMARY KEY REFERENCES ledger_entries(id),
      payout_id uuid NOT NULL REFERENCES payouts(id)
    )`);
    await db.query(`CREATE INDEX payout_lines_payout ON payout_lines (payout_id, entry_id)`);
    await db.query(BACKFILL_PAYOUT_LINES);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE payout_lines`);
  }
}
