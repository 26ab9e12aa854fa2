import { MigrationInterface, QueryRunner } from 'typeorm';

/** A slot closes when its pickup run leaves, so no parcel is booked onto a van that has gone. */
export class FulfillmentSlotClosing1700000000001 implements MigrationInterface {
  name = 'FulfillmentSlotClosing1700000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE pickup_slots ADD COLUMN closed_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE pickup_slots DROP COLUMN closed_at`);
  }
}
