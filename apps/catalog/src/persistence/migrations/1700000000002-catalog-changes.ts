import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Products and stores that change. Each has a version (optimistic concurrency: an edit names the
 * version it was made on), a product may be archived (off sale, kept for the orders that name it),
 * a store may be suspended by ops. Every product edit is kept in product_changes (who, when, which
 * fields from what to what).
 */
export class CatalogChanges1700000000002 implements MigrationInterface {
  name = 'CatalogChanges1700000000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE products ADD COLUMN description text NULL, ADD COLUMN version int NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz NULL`,
    );
    await db.query(`ALTER TABLE stores ADD COLUMN description text NULL, ADD COLUMN contact_phone text NULL,
      ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')), ADD COLUMN suspended_reason text NULL,
      ADD COLUMN version int NOT NULL DEFAULT 1, ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await db.query(`CREATE INDEX stores_township ON stores (township, created_at, id)`);
    await db.query(`CREATE TABLE product_changes (
      id bigserial PRIMARY KEY,
      product_id uuid NOT NULL REFERENCES products (id),
      version int NOT NULL,
      actor text NOT NULL,
      changes jsonb NOT NULL,
      at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`CREATE INDEX product_changes_product ON product_changes (product_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE product_changes`);
    await db.query(`DROP INDEX stores_township`);
    await db.query(
      `ALTER TABLE stores DROP COLUMN description, DROP COLUMN contact_phone, DROP COLUMN status, DROP COLUMN suspended_reason, DROP COLUMN version, DROP COLUMN updated_at`,
    );
    await db.query(`ALTER TABLE products DROP COLUMN description, DROP COLUMN version, DROP COLUMN archived_at`);
  }
}
