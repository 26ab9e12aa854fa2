import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What slot planning needs beyond a deadline: when a parcel can first go (a handicraft's lead
 * time), how long it keeps (priority when slots are scarce), and which kind of van a slot is.
 */
export class FulfillmentPerishability1700000000002 implements MigrationInterface {
  name = 'FulfillmentPerishability1700000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE shipments ADD COLUMN ready_at timestamptz, ADD COLUMN shelf_life_hours int CHECK (shelf_life_hours > 0)`,
    );
    await db.query(`UPDATE shipments SET ready_at = created_at`);
    await db.query(`ALTER TABLE shipments ALTER COLUMN ready_at SET NOT NULL`);
    // the sweeper's question: which scheduled parcels are past their deadline
    await db.query(`CREATE INDEX shipments_deadline ON shipments (deadline_at) WHERE status = 'scheduled'`);
    await db.query(
      `ALTER TABLE pickup_slots ADD COLUMN courier text NOT NULL DEFAULT 'standard' CHECK (courier IN ('standard', 'cold-chain'))`,
    );
    // ...and which slots' time has come without a run
    await db.query(`CREATE INDEX pickup_slots_waiting ON pickup_slots (starts_at) WHERE closed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX pickup_slots_waiting`);
    await db.query(`ALTER TABLE pickup_slots DROP COLUMN courier`);
    await db.query(`DROP INDEX shipments_deadline`);
    await db.query(`ALTER TABLE shipments DROP COLUMN ready_at, DROP COLUMN shelf_life_hours`);
  }
}
