// Erasure of buyers' addresses once their retention is over (ADDRESS_RETENTION_DAYS after the order
// or the shipment ended), shared by the two services that hold addresses (orders, fulfillment).
//
// One sweep on an interval rather than a delayed job per order: a job per order would sit in Redis
// for half a year, one per order ever placed — millions of keys to erase a column. The sweep reads
// only the addresses due (a partial index on when they ended, of those not yet erased), and erases
// them in batches, each batch one statement; a sweep that dies half-way leaves the rest to the next.
import type { EntityManager } from 'typeorm';
import { erasedMarker } from '@cc/contracts';
import type { Clock } from '@cc/platform';

const DAY_MS = 86_400_000;
const BATCH = 500;

/** Where addresses are kept: erases up to `limit` of those that ended at or before `endedBy`, and says how many. */
export type EraseAddresses = (endedBy: Date, now: Date, limit: number) => Promise<number>;

/** Erases every address whose retention is over, batch by batch; returns how many. */
export async function eraseExpiredAddresses(
  erase: EraseAddresses,
  clock: Clock,
  retentionDays: number,
): Promise<number> {
  const now = clock.now();
  const endedBy = new Date(now.getTime() - Math.round(retentionDays * DAY_MS));
  let total = 0;
  for (;;) {
    const erased = await erase(endedBy, now, BATCH);
    total += erased;
    if (erased < BATCH) return total;
  }
}

/**
 * The statement both services erase with: replaces by an erasure marker the addresses in `table`
 * (keyed by `key`, with `address`, `ended_at`, `erased_at` columns) that ended at or before
 * `endedBy`, up to `limit`, oldest first; returns how many.
 */
export async function eraseAddressRows(
  tx: EntityManager,
  table: 'order_addresses' | 'shipment_addresses',
  key: 'order_id' | 'shipment_id',
  endedBy: Date,
  now: Date,
  limit: number,
): Promise<number> {
  // for an UPDATE, TypeORM's postgres driver answers [rows, affected]
  const [, affected]: [unknown[], number] = await tx.query(
    `UPDATE ${table} SET address = $3::jsonb, erased_at = $2
      WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE erased_at IS NULL AND ended_at <= $1 ORDER BY ended_at LIMIT $4 FOR UPDATE SKIP LOCKED)`,
    [endedBy, now, JSON.stringify(erasedMarker(now)), limit],
  );
  return affected;
}
