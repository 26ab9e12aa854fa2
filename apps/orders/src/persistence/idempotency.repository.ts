// Idempotency-Key records of POST /checkouts: one row per buyer and key, with the request's hash
// and the answer that was given.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface IdempotencyRecord {
  requestHash: string;
  response: unknown | null;
}

@Injectable()
export class IdempotencyRepository {
  async find(tx: EntityManager, buyerId: string, key: string, ttlHours: number): Promise<IdempotencyRecord | null> {
    const rows = await tx.query(
      `SELECT request_hash, response FROM idempotency_keys WHERE buyer_id = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)`,
      [buyerId, key, ttlHours],
    );
    return rows.length ? { requestHash: rows[0].request_hash, response: rows[0].response } : null;
  }

  /**
   * Claims the key inside `tx`. Returns false when another request holds it; if that request is
   * still in flight, this waits for it to commit or roll back (the primary key's lock).
   */
  async claim(
    tx: EntityManager,
    buyerId: string,
    key: string,
    requestHash: string,
    ttlHours: number,
  ): Promise<boolean> {
    await tx.query(
      `DELETE FROM idempotency_keys WHERE buyer_id = $1 AND key = $2 AND created_at <= now() - make_interval(hours => $3)`,
      [buyerId, key, ttlHours],
    );
    const rows = await tx.query(
      `INSERT INTO idempotency_keys (buyer_id, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
      [buyerId, key, requestHash],
    );
    return rows.length === 1;
  }

  async saveResponse(tx: EntityManager, buyerId: string, key: string, response: unknown): Promise<void> {
    await tx.query(`UPDATE idempotency_keys SET response = $3 WHERE buyer_id = $1 AND key = $2`, [
      buyerId,
      key,
      JSON.stringify(response),
    ]);
  }
}
