import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each parcel goes, apart from the shipment (personal data: read when the manifest goes to
 * the courier and by those who may see it, erased on its own). `ended_at` is when the shipment
 * ended (delivered or failed); ADDRESS_RETENTION_DAYS after it the erasure sweep replaces the
 * address by a marker saying so.
 */
export class FulfillmentShippingAddress1700000000005 implements MigrationInterface {
  name = 'FulfillmentShippingAddress1700000000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE shipment_addresses (
      shipment_id uuid PRIMARY KEY REFERENCES shipments (id),
      address jsonb NOT NULL,
      ended_at timestamptz NULL,
      erased_at timestamptz NULL)`);
    await db.query(
      `CREATE INDEX shipment_addresses_to_erase ON shipment_addresses (ended_at) WHERE erased_at IS NULL AND ended_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE shipment_addresses`);
  }
}
