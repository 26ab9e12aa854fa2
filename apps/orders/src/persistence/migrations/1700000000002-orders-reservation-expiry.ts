import { MigrationInterface, QueryRunner } from 'typeorm';

/** When the order's stock reservation runs out: no payment is taken that could outlive it. */
export class OrdersReservationExpiry1700000000002 implements MigrationInterface {
  name = 'OrdersReservationExpiry1700000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orders ADD COLUMN stock_reserved_until timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orders DROP COLUMN stock_reserved_until`);
  }
}
