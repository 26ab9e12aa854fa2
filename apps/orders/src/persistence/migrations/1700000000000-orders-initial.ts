import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesSql, dropMessagingTablesSql } from '@cc/messaging';

export class OrdersInitial1700000000000 implements MigrationInterface {
  name = 'OrdersInitial1700000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createMessagingTablesSql) await db.query(sql);
    await db.query(`CREATE TABLE checkouts (
      id uuid PRIMARY KEY,
      buyer_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE idempotency_keys (
      buyer_id text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (buyer_id, key)
    )`);
    await db.query(`CREATE TABLE orders (
      id uuid PRIMARY KEY,
      checkout_id uuid NOT NULL REFERENCES checkouts(id),
      buyer_id text NOT NULL,
      store_id uuid NOT NULL,
      township text NOT NULL,
      status text NOT NULL,
      total_fen bigint NOT NULL CHECK (total_fen >= 0),
      refunded_fen bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
      payment_token text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT orders_refund_within_total CHECK (refunded_fen <= total_fen)
    )`);
    await db.query(`CREATE INDEX orders_buyer ON orders (buyer_id, created_at DESC)`);
    await db.query(`CREATE INDEX orders_store_status ON orders (store_id, status, created_at DESC)`);
    await db.query(`CREATE INDEX orders_status ON orders (status, created_at DESC)`);
    await db.query(`CREATE TABLE order_lines (
      order_id uuid NOT NULL REFERENCES orders(id),
      line_no int NOT NULL,
      product_id uuid NOT NULL,
      product_name text NOT NULL,
      category text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0),
      unit_price_fen bigint NOT NULL CHECK (unit_price_fen >= 0),
      PRIMARY KEY (order_id, line_no)
    )`);
    await db.query(`CREATE TABLE order_history (
      id bigserial PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id),
      from_status text,
      to_status text NOT NULL,
      action text NOT NULL,
      reason text,
      caused_by text,
      at timestamptz NOT NULL
    )`);
    await db.query(`CREATE INDEX order_history_order ON order_history (order_id, id)`);
    await db.query(`CREATE TABLE payments (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id),
      kind text NOT NULL CHECK (kind IN ('capture', 'refund')),
      status text NOT NULL CHECK (status IN ('succeeded', 'declined', 'pending')),
      amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
      provider_ref text,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(
      `CREATE UNIQUE INDEX payments_one_capture ON payments (order_id) WHERE kind = 'capture' AND status = 'succeeded'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['payments', 'order_history', 'order_lines', 'orders', 'idempotency_keys', 'checkouts'])
      await db.query(`DROP TABLE ${t}`);
    for (const sql of dropMessagingTablesSql) await db.query(sql);
  }
}
