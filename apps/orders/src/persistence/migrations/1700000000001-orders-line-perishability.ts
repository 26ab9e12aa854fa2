import { MigrationInterface, QueryRunner } from 'typeorm';

/** Order lines keep the product's perishability as bought, so order-paid carries it to fulfillment (docs/design.md, “Fresh produce on time”). */
export class OrdersLinePerishability1700000000001 implements MigrationInterface {
  name = 'OrdersLinePerishability1700000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE order_lines ADD COLUMN pickup_within_hours int, ADD COLUMN shelf_life_hours int, ADD COLUMN lead_time_days int`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE order_lines DROP COLUMN pickup_within_hours, DROP COLUMN shelf_life_hours, DROP COLUMN lead_time_days`,
    );
  }
}
