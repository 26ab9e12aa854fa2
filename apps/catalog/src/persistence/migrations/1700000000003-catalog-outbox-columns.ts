import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameOutboxColumnsSql, unnameOutboxColumnsSql } from '@cc/messaging';

/** The outbox's columns named for events and jobs alike (libs/messaging/src/schema.ts). */
export class CatalogOutboxColumns1700000000003 implements MigrationInterface {
  name = 'CatalogOutboxColumns1700000000003';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of nameOutboxColumnsSql) await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const statement of unnameOutboxColumnsSql) await db.query(statement);
  }
}
