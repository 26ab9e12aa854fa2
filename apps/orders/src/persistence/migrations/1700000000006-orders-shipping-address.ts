import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery address of each order, apart from the order (personal data: read only where it is
 * shown, erased on its own). `ended_at` is when the order ended (completed, cancelled, refunded);
 * ADDRESS_RETENTION_DAYS after it the erasure sweep replaces the address by a marker saying so. The
 * partial index keeps the sweep to addresses still waiting for erasure.
 */
export class OrdersShippingAddress1700000000006 implements MigrationInterface {
  name = 'OrdersShippingAddress1700000000006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE order_addresses (
      order_id uuid PRIMARY KEY REFERENCES orders (id),
      address jsonb NOT NULL,
      ended_at timestamptz NULL,
      erased_at timestamptz NULL)`);
    await db.query(
      `CREATE INDEX order_addresses_to_erase ON order_addresses (ended_at) WHERE erased_at IS NULL AND ended_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE order_addresses`);
  }
}
