import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What is in each parcel (product, name as bought, quantity), so a seller's packing list says what
 * to pack; null for shipments made before it was carried. The index serves a store's day of parcels.
 */
export class FulfillmentShipmentLines1700000000006 implements MigrationInterface {
  name = 'FulfillmentShipmentLines1700000000006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE shipments ADD COLUMN lines jsonb NULL`);
    await db.query(`CREATE INDEX shipments_store_slot ON shipments (store_id, slot_starts_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX shipments_store_slot`);
    await db.query(`ALTER TABLE shipments DROP COLUMN lines`);
  }
}
