import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesSql, dropMessagingTablesSql } from '@cc/messaging';

export class PayoutsInitial1700000000000 implements MigrationInterface {
  name = 'PayoutsInitial1700000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createMessagingTablesSql) await db.query(sql);
    await db.query(`CREATE TABLE ledger_accounts (
      id text PRIMARY KEY,
      store_id uuid,
      kind text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE ledger_transactions (
      id uuid PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      kind text NOT NULL,
      order_id uuid,
      store_id uuid,
      caused_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX ledger_transactions_order ON ledger_transactions (order_id)`);
    await db.query(`CREATE TABLE ledger_entries (
      id bigserial PRIMARY KEY,
      transaction_id uuid NOT NULL REFERENCES ledger_transactions(id),
      account_id text NOT NULL REFERENCES ledger_accounts(id),
      amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id) INCLUDE (amount_fen)`);
    await db.query(`CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id)`);
    // every transaction balances: checked by the database at commit, whatever the code does
    await db.query(`CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE total numeric;
      BEGIN
        SELECT coalesce(sum(amount_fen), 0) INTO total FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
          RAISE EXCEPTION 'ledger transaction % does not balance: entries sum to % fen', NEW.transaction_id, total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()`);
    // append-only: corrections are new reversing transactions
    await db.query(`CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['ledger_entries', 'ledger_transactions']) {
      await db.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`,
      );
      await db.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`,
      );
    }
    // what payouts knows of each paid order, for completion and refunds
    await db.query(`CREATE TABLE order_splits (
      order_id uuid PRIMARY KEY,
      store_id uuid NOT NULL,
      total_fen bigint NOT NULL CHECK (total_fen >= 0),
      commission_fen bigint NOT NULL,
      share_fen bigint NOT NULL,
      refunded_fen bigint NOT NULL DEFAULT 0,
      refunded_share_fen bigint NOT NULL DEFAULT 0,
      refunded_commission_fen bigint NOT NULL DEFAULT 0,
      completed_at timestamptz,
      CONSTRAINT order_splits_parts CHECK (commission_fen + share_fen = total_fen),
      CONSTRAINT order_splits_refund_within_total CHECK (refunded_fen <= total_fen)
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['order_splits', 'ledger_entries', 'ledger_transactions', 'ledger_accounts'])
      await db.query(`DROP TABLE ${t}`);
    await db.query('DROP FUNCTION ledger_check_balanced');
    await db.query('DROP FUNCTION ledger_append_only');
    for (const sql of dropMessagingTablesSql) await db.query(sql);
  }
}
