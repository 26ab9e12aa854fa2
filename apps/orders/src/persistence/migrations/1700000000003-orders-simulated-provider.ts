import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The simulated payment provider's own record of what it captured, by idempotency key. It stands in
 * for the provider's side (not part of orders' model): kept in PostgreSQL so that, like a real
 * provider, it still knows after a `kill -9` of orders what it took.
 */
export class OrdersSimulatedProvider1700000000003 implements MigrationInterface {
  name = 'OrdersSimulatedProvider1700000000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE simulated_provider_captures (
      idempotency_key text PRIMARY KEY,
      token text NOT NULL,
      amount_fen bigint NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('captured', 'declined')),
      provider_ref text,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE simulated_provider_captures`);
  }
}
