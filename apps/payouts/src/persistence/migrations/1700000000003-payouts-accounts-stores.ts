// Where each store is paid, and what payouts knows of a store:
//   payout_accounts         every version of a store's payout account, full number included (it
//                           must reach the provider); the newest is the current one, and a payout
//                           names the version it was sent to
//   payout_account_changes  the audit of every change: who, when, old and new, numbers masked;
//                           append-only
//   stores                  status (active, suspended) from catalog's store-changed events
//   payout_run_holds        the stores a run did not pay although due, and why
import { MigrationInterface, QueryRunner } from 'typeorm';

export class PayoutsAccountsStores1700000000003 implements MigrationInterface {
  name = 'PayoutsAccountsStores1700000000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE payout_accounts (
      store_id uuid NOT NULL,
      version int NOT NULL CHECK (version >= 1),
      method text NOT NULL CHECK (method IN ('bank', 'alipay', 'wechat')),
      account_name text NOT NULL,
      account_number text NOT NULL,
      changed_by text NOT NULL,
      changed_at timestamptz NOT NULL,
      PRIMARY KEY (store_id, version)
    )`);
    await db.query(`CREATE TABLE payout_account_changes (
      id bigserial PRIMARY KEY,
      store_id uuid NOT NULL,
      version int NOT NULL,
      changed_by text NOT NULL,
      changed_by_role text NOT NULL,
      changed_at timestamptz NOT NULL,
      old_method text,
      old_account_name text,
      old_account_number_masked text,
      new_method text NOT NULL,
      new_account_name text NOT NULL,
      new_account_number_masked text NOT NULL CHECK (new_account_number_masked ~ '^\\*{4}'),
      FOREIGN KEY (store_id, version) REFERENCES payout_accounts (store_id, version)
    )`);
    await db.query(`CREATE INDEX payout_account_changes_store ON payout_account_changes (store_id, id)`);
    await db.query(`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit is append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(
      `CREATE TRIGGER payout_account_changes_append_only BEFORE UPDATE OR DELETE ON payout_account_changes FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
    );
    await db.query(`CREATE TABLE stores (
      store_id uuid PRIMARY KEY,
      name text NOT NULL,
      township text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'suspended')),
      suspended_reason text,
      version int NOT NULL,
      changed_at timestamptz NOT NULL
    )`);
    await db.query(`ALTER TABLE payouts ADD COLUMN account_version int`);
    await db.query(
      `ALTER TABLE payouts ADD CONSTRAINT payouts_account FOREIGN KEY (store_id, account_version) REFERENCES payout_accounts (store_id, version)`,
    );
    await db.query(`CREATE TABLE payout_run_holds (
      run_id uuid NOT NULL REFERENCES payout_runs(id),
      store_id uuid NOT NULL,
      reason text NOT NULL CHECK (reason IN ('store-suspended', 'no-payout-account', 'payout-account-recently-changed')),
      available_fen bigint NOT NULL,
      PRIMARY KEY (run_id, store_id)
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE payout_run_holds`);
    await db.query(`ALTER TABLE payouts DROP CONSTRAINT payouts_account`);
    await db.query(`ALTER TABLE payouts DROP COLUMN account_version`);
    for (const t of ['stores', 'payout_account_changes', 'payout_accounts']) await db.query(`DROP TABLE ${t}`);
    await db.query(`DROP FUNCTION audit_append_only`);
  }
}
