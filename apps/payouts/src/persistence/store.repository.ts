// What payouts knows of each store, from catalog's store-changed events.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoreChangedV1, StoreStatus } from '@cc/contracts';

export interface StoreRecord {
  storeId: string;
  name: string;
  township: string;
  status: StoreStatus;
  suspendedReason: string | null;
  version: number;
  changedAt: Date;
}

@Injectable()
export class StoreRepository {
  /** Keeps the change unless a newer or the same version is already kept; returns whether it was kept. */
  async keepIfNewer(tx: EntityManager, change: StoreChangedV1): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO stores (store_id, name, township, status, suspended_reason, version, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (store_id) DO UPDATE SET name = EXCLUDED.name, township = EXCLUDED.township, status = EXCLUDED.status,
         suspended_reason = EXCLUDED.suspended_reason, version = EXCLUDED.version, changed_at = EXCLUDED.changed_at
       WHERE stores.version < EXCLUDED.version
       RETURNING store_id`,
      [
        change.storeId,
        change.name,
        change.township,
        change.status,
        change.status === 'suspended' ? (change.suspendedReason ?? null) : null,
        change.version,
        change.changedAt,
      ],
    );
    return rows.length > 0;
  }

  async find(tx: EntityManager, storeId: string): Promise<StoreRecord | null> {
    const [r] = await tx.query(`SELECT * FROM stores WHERE store_id = $1`, [storeId]);
    return r
      ? {
          storeId: r.store_id,
          name: r.name,
          township: r.township,
          status: r.status,
          suspendedReason: r.suspended_reason,
          version: r.version,
          changedAt: r.changed_at,
        }
      : null;
  }

  /** Each known store's status (stores catalog has said nothing of are absent). */
  async statuses(tx: EntityManager, storeIds: string[]): Promise<Map<string, StoreStatus>> {
    if (storeIds.length === 0) return new Map();
    const rows: { store_id: string; status: StoreStatus }[] = await tx.query(
      `SELECT store_id, status FROM stores WHERE store_id = ANY($1)`,
      [storeIds],
    );
    return new Map(rows.map((r) => [r.store_id, r.status]));
  }
}
