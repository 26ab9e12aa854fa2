// Erasure of buyers' addresses once their retention is over (ADDRESS_RETENTION_DAYS after the order
// or the shipment ended), shared by the two services that hold addresses (orders, fulfillment).
//
// One sweep on an interval rather than a delayed job per order: a job per order would sit in Redis
// for half a year, one per order ever placed — millions of keys to erase a column. The sweep reads
// only the addresses due (a partial index on when they ended, of those not yet erased), and erases
// them in batches, each batch one statement; a sweep that dies half-way leaves the rest to the next.
import type { Clock } from '@cc/platform';

const DAY_MS = 86_400_000;
const BATCH = 500;

/** Where addresses are kept: erases up to `limit` of those that ended at or before `endedBy`, and says how many. */
export type EraseAddresses = (endedBy: Date, now: Date, limit: number) => Promise<number>;

/** Erases every address whose retention is over, batch by batch; returns how many. */
export async function eraseExpiredAddresses(erase: EraseAddresses, clock: Clock, retentionDays: number): Promise<number> {
  const now = clock.now();
  const endedBy = new Date(now.getTime() - Math.round(retentionDays * DAY_MS));
  let total = 0;
  for (;;) {
    const erased = await erase(endedBy, now, BATCH);
    total += erased;
    if (erased < BATCH) return total;
  }
}
