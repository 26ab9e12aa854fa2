import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameOutboxColumnsSql, unnameOutboxColumnsSql } from '@cc/messaging';

/** The outbox's columns named for events and jobs alike (libs/messaging/src/schema.ts). */
export class OrdersOutboxColumns1700000000009 implements MigrationInterface {
  name = 'OrdersOutboxColumns1700000000009';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of nameOutboxColumnsSql) await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const statement of unnameOutboxColumnsSql) await db.query(statement);
  }
}
