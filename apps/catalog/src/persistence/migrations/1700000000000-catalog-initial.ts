import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesSql, dropMessagingTablesSql } from '@cc/messaging';

export class CatalogInitial1700000000000 implements MigrationInterface {
  name = 'CatalogInitial1700000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of createMessagingTablesSql) await db.query(sql);
    await db.query(`CREATE TABLE stores (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      township text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE products (
      id uuid PRIMARY KEY,
      store_id uuid NOT NULL REFERENCES stores(id),
      name text NOT NULL,
      category text NOT NULL CHECK (category IN ('fresh', 'chilled', 'ambient', 'handicraft')),
      price_fen bigint NOT NULL CHECK (price_fen >= 0),
      on_hand int NOT NULL CHECK (on_hand >= 0),
      reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT products_reserved_within_on_hand CHECK (reserved <= on_hand)
    )`);
    await db.query(`CREATE INDEX products_store_category ON products (store_id, category, created_at, id)`);
    await db.query(`CREATE INDEX products_category ON products (category, created_at, id)`);
    await db.query(`CREATE INDEX products_created ON products (created_at, id)`);
    await db.query(`CREATE TABLE reservations (
      order_id uuid PRIMARY KEY,
      store_id uuid NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'converted', 'released')),
      lines jsonb NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    )`);
    await db.query(`CREATE INDEX reservations_active_expiry ON reservations (expires_at) WHERE status = 'active'`);
    await db.query(`CREATE TABLE stock_movements (
      id bigserial PRIMARY KEY,
      product_id uuid NOT NULL REFERENCES products(id),
      kind text NOT NULL CHECK (kind IN ('initial', 'reservation', 'release', 'sale', 'adjustment')),
      on_hand_delta int NOT NULL,
      reserved_delta int NOT NULL,
      order_id uuid,
      reason text,
      actor text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE INDEX stock_movements_product ON stock_movements (product_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const t of ['stock_movements', 'reservations', 'products', 'stores']) await db.query(`DROP TABLE ${t}`);
    for (const sql of dropMessagingTablesSql) await db.query(sql);
  }
}
