import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * After-sales requests on delivered orders and their history. At most one open request per order
 * (the partial unique index backs the service's check); `respond_by` is when the seller's silence
 * accepts it, and the partial index serves the sweep that catches lost timeout jobs.
 */
export class OrdersAfterSales1700000000007 implements MigrationInterface {
  name = 'OrdersAfterSales1700000000007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE after_sales_requests (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders (id),
      store_id uuid NOT NULL,
      buyer_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('refund-only', 'return-and-refund')),
      amount_fen bigint NOT NULL CHECK (amount_fen > 0),
      reason text NOT NULL,
      status text NOT NULL,
      respond_by timestamptz NOT NULL,
      decision_reason text NULL,
      refund_id uuid NULL,
      refunded_fen bigint NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);
    await db.query(
      `CREATE UNIQUE INDEX after_sales_one_open_per_order ON after_sales_requests (order_id) WHERE status IN ('open', 'awaiting-return')`,
    );
    await db.query(
      `CREATE INDEX after_sales_store_open ON after_sales_requests (store_id, created_at) WHERE status IN ('open', 'awaiting-return')`,
    );
    await db.query(`CREATE INDEX after_sales_due ON after_sales_requests (respond_by) WHERE status = 'open'`);
    await db.query(`CREATE TABLE after_sales_history (
      id bigserial PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES after_sales_requests (id),
      from_status text NULL,
      to_status text NOT NULL,
      action text NOT NULL,
      reason text NULL,
      caused_by text NOT NULL,
      at timestamptz NOT NULL)`);
    await db.query(`CREATE INDEX after_sales_history_request ON after_sales_history (request_id, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE after_sales_history`);
    await db.query(`DROP TABLE after_sales_requests`);
  }
}
