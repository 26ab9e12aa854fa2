// A second step, because the initial migration is already applied where the platform has run:
// names the event behind each ledger transaction, makes each account id agree with its owner and
// kind (the initial posting code left platform accounts without a kind), and opens the
// platform's accounts up front. Account meanings: see domain/ledger-rules.ts.
import { MigrationInterface, QueryRunner } from 'typeorm';

// spelled out here, not imported: a migration never changes with the code
const PLATFORM_ACCOUNTS = ['payments_received', 'escrow', 'commission_revenue', 'refunds'];

export class PayoutsLedgerAccounts1700000000001 implements MigrationInterface {
  name = 'PayoutsLedgerAccounts1700000000001';

  async up(db: QueryRunner): Promise<void> {
    // a schema change, not an UPDATE of rows: the append-only triggers do not fire
    await db.query(`ALTER TABLE ledger_transactions RENAME COLUMN caused_by TO caused_by_event_id`);
    await db.query(
      `ALTER TABLE ledger_transactions ALTER COLUMN caused_by_event_id TYPE uuid USING caused_by_event_id::uuid`,
    );
    await db.query(`UPDATE ledger_accounts SET kind = split_part(id, ':', 2) WHERE store_id IS NULL AND kind = ''`);
    await db.query(`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_id_names_owner
      CHECK (id = CASE WHEN store_id IS NULL THEN 'platform:' || kind ELSE 'store:' || store_id || ':' || kind END)`);
    await db.query(`CREATE INDEX ledger_accounts_store ON ledger_accounts (store_id) WHERE store_id IS NOT NULL`);
    await db.query(
      `INSERT INTO ledger_accounts (id, kind) SELECT 'platform:' || k, k FROM unnest($1::text[]) AS k ON CONFLICT (id) DO NOTHING`,
      [PLATFORM_ACCOUNTS],
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ledger_accounts_store`);
    await db.query(`ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_id_names_owner`);
    await db.query(`ALTER TABLE ledger_transactions ALTER COLUMN caused_by_event_id TYPE text`);
    await db.query(`ALTER TABLE ledger_transactions RENAME COLUMN caused_by_event_id TO caused_by`);
  }
}
