import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesSql, dropMessagingTablesSql } from '@cc/messaging';

export class FulfillmentInitial1700000000000 implements MigrationInterface {
  name = 'FulfillmentInitial1700000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createMessagingTablesSql) await db.query(sql);
    await db.query(`CREATE TABLE pickup_slots (
      township text NOT NULL,
      starts_at timestamptz NOT NULL,
      capacity int NOT NULL CHECK (capacity > 0),
      booked int NOT NULL DEFAULT 0,
      PRIMARY KEY (township, starts_at),
      CONSTRAINT pickup_slots_within_capacity CHECK (booked BETWEEN 0 AND capacity)
    )`);
    await db.query(`CREATE TABLE shipments (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL UNIQUE,
      store_id uuid NOT NULL,
      buyer_id text NOT NULL,
      township text NOT NULL,
      category text NOT NULL,
      status text NOT NULL CHECK (status IN ('scheduled', 'picked_up', 'delivered', 'failed')),
      slot_starts_at timestamptz,
      deadline_at timestamptz NOT NULL,
      courier_ref text,
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX shipments_slot ON shipments (township, slot_starts_at) WHERE status = 'scheduled'`);
    await db.query(`CREATE INDEX shipments_store ON shipments (store_id, created_at DESC)`);
    await db.query(`CREATE TABLE shipment_history (
      id bigserial PRIMARY KEY,
      shipment_id uuid NOT NULL REFERENCES shipments(id),
      from_status text,
      to_status text NOT NULL,
      reason text,
      caused_by text,
      at timestamptz NOT NULL
    )`);
    await db.query(`CREATE INDEX shipment_history_shipment ON shipment_history (shipment_id, id)`);
    await db.query(`CREATE TABLE pickup_runs (
      township text NOT NULL,
      slot_starts_at timestamptz NOT NULL,
      dispatched_at timestamptz NOT NULL,
      manifest jsonb NOT NULL,
      PRIMARY KEY (township, slot_starts_at)
    )`);
    await db.query(`CREATE TABLE courier_webhook_events (
      event_id uuid PRIMARY KEY,
      shipment_id uuid NOT NULL,
      type text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['courier_webhook_events', 'pickup_runs', 'shipment_history', 'shipments', 'pickup_slots'])
      await db.query(`DROP TABLE ${t}`);
    for (const sql of dropMessagingTablesSql) await db.query(sql);
  }
}
