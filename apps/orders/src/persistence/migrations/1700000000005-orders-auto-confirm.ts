import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auto-confirmation: when a delivered order completes by itself (service clock), whether the buyer
 * has used her one extension, and since when it is paused (an open after-sales request will pause
 * it; resuming moves the due time on by the pause). The partial index lets the sweep find delivered
 * orders past their due time without a scan.
 */
export class OrdersAutoConfirm1700000000005 implements MigrationInterface {
  name = 'OrdersAutoConfirm1700000000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orders ADD COLUMN auto_confirm_at timestamptz NULL,
      ADD COLUMN confirmation_extended boolean NOT NULL DEFAULT false,
      ADD COLUMN auto_confirm_paused_at timestamptz NULL`);
    await db.query(`CREATE INDEX orders_auto_confirm_due ON orders (auto_confirm_at) WHERE status = 'delivered'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX orders_auto_confirm_due`);
    await db.query(
      `ALTER TABLE orders DROP COLUMN auto_confirm_at, DROP COLUMN confirmation_extended, DROP COLUMN auto_confirm_paused_at`,
    );
  }
}
