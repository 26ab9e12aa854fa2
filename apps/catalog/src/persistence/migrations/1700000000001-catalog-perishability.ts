import { MigrationInterface, QueryRunner } from 'typeorm';

/** A product's own perishability, overriding its category's defaults (docs/design.md, “Fresh produce on time”); null = the default. */
export class CatalogPerishability1700000000001 implements MigrationInterface {
  name = 'CatalogPerishability1700000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE products
      ADD COLUMN pickup_within_hours int CHECK (pickup_within_hours > 0),
      ADD COLUMN shelf_life_hours int CHECK (shelf_life_hours > 0),
      ADD COLUMN lead_time_days int CHECK (lead_time_days >= 0),
      ADD CONSTRAINT products_lead_time_handicraft CHECK (lead_time_days IS NULL OR category = 'handicraft')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE products DROP CONSTRAINT products_lead_time_handicraft, DROP COLUMN pickup_within_hours, DROP COLUMN shelf_life_hours, DROP COLUMN lead_time_days`,
    );
  }
}
