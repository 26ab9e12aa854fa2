import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a parcel was picked up and by when it should be delivered (its category's window from
 * then): a parcel still with the courier after that is overdue, for ops to chase.
 */
export class FulfillmentDeliveryWindow1700000000004 implements MigrationInterface {
  name = 'FulfillmentDeliveryWindow1700000000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE shipments ADD COLUMN picked_up_at timestamptz, ADD COLUMN delivery_due_at timestamptz`);
    // parcels picked up before this: from their history, with the default windows
    await db.query(
      `UPDATE shipments s SET picked_up_at = h.at FROM (SELECT shipment_id, min(at) AS at FROM shipment_history WHERE to_status = 'picked_up' GROUP BY shipment_id) h WHERE h.shipment_id = s.id`,
    );
    await db.query(
      `UPDATE shipments SET delivery_due_at = picked_up_at + make_interval(hours => CASE category WHEN 'chilled' THEN 48 WHEN 'fresh' THEN 72 ELSE 168 END) WHERE status = 'picked_up'`,
    );
    // the question of the at-risk list and the overdue gauge: which parcels in transit are past due
    await db.query(`CREATE INDEX shipments_delivery_due ON shipments (delivery_due_at) WHERE status = 'picked_up'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX shipments_delivery_due`);
    await db.query(`ALTER TABLE shipments DROP COLUMN picked_up_at, DROP COLUMN delivery_due_at`);
  }
}
