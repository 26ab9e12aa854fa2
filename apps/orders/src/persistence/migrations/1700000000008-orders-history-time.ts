import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console's last-hour chart reads the status history by time. A BRIN index: the history is
 * appended in time order, so a block range index finds the last hour for next to nothing, and
 * costs the hot path (a history row per move) next to nothing to keep.
 */
export class OrdersHistoryTime1700000000008 implements MigrationInterface {
  name = 'OrdersHistoryTime1700000000008';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX order_history_at ON order_history USING brin (at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX order_history_at`);
  }
}
