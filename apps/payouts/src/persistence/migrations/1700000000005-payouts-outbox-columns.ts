import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameOutboxColumnsSql, unnameOutboxColumnsSql } from '@cc/messaging';

/** The outbox's columns named for events and jobs alike (libs/messaging/src/schema.ts). */
export class PayoutsOutboxColumns1700000000005 implements MigrationInterface {
  name = 'PayoutsOutboxColumns1700000000005';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of nameOutboxColumnsSql) await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const statement of unnameOutboxColumnsSql) await db.query(statement);
  }
}
