// Payout accounts (every version, full numbers) and their audit (masked). The full number leaves
// this repository only for the provider call and, masked, for everything else.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PayoutAccountDetails, PayoutMethod } from '../domain/payout-account-rules';

export interface PayoutAccount extends PayoutAccountDetails {
  storeId: string;
  version: number;
  changedBy: string;
  changedAt: Date;
}

export interface PayoutAccountChange {
  version: number;
  changedBy: string;
  changedByRole: string;
  changedAt: Date;
  /** Numbers masked: the audit never held a full one. */
  from: PayoutAccountDetails | null;
  to: PayoutAccountDetails;
}

/**
 * A database error carries the statement's parameters (and PostgreSQL's detail quotes the row):
 * thrown on as it is, a full account number would reach the error log. Only the message and
 * code go on.
 */
export class PayoutAccountWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

async function withoutParameters<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    throw new PayoutAccountWriteError(
      `payout account write failed: ${(err as Error).message}`,
      (err as { code?: string }).code,
    );
  }
}

const toAccount = (r: Record<string, any>): PayoutAccount => ({
  storeId: r.store_id,
  version: r.version,
  method: r.method as PayoutMethod,
  accountName: r.account_name,
  accountNumber: r.account_number,
  changedBy: r.changed_by,
  changedAt: r.changed_at,
});

@Injectable()
export class PayoutAccountRepository {
  /** Held until `tx` ends: a store's account changes one at a time. */
  async lockStore(tx: EntityManager, storeId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('payouts.payout-account:' || $1))`, [storeId]);
  }

  async current(tx: EntityManager, storeId: string): Promise<PayoutAccount | null> {
    const rows = await tx.query(`SELECT * FROM payout_accounts WHERE store_id = $1 ORDER BY version DESC LIMIT 1`, [
      storeId,
    ]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async version(tx: EntityManager, storeId: string, version: number): Promise<PayoutAccount | null> {
    const rows = await tx.query(`SELECT * FROM payout_accounts WHERE store_id = $1 AND version = $2`, [
      storeId,
      version,
    ]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** The current version of each store's account, and when it was set (stores without one are absent). */
  async currentVersions(
    tx: EntityManager,
    storeIds: string[],
  ): Promise<Map<string, { version: number; changedAt: Date }>> {
    if (storeIds.length === 0) return new Map();
    const rows: { store_id: string; version: number; changed_at: Date }[] = await tx.query(
      `SELECT DISTINCT ON (store_id) store_id, version, changed_at FROM payout_accounts WHERE store_id = ANY($1) ORDER BY store_id, version DESC`,
      [storeIds],
    );
    return new Map(rows.map((r) => [r.store_id, { version: r.version, changedAt: r.changed_at }]));
  }

  /** A new version of the account and its audit row, in `tx`. */
  async insertVersion(
    tx: EntityManager,
    account: PayoutAccount,
    audit: { changedByRole: string; from: PayoutAccountDetails | null; to: PayoutAccountDetails },
  ): Promise<void> {
    await withoutParameters(
      tx.query(
        `INSERT INTO payout_accounts (store_id, version, method, account_name, account_number, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          account.storeId,
          account.version,
          account.method,
          account.accountName,
          account.accountNumber,
          account.changedBy,
          account.changedAt,
        ],
      ),
    );
    await withoutParameters(
      tx.query(
        `INSERT INTO payout_account_changes (store_id, version, changed_by, changed_by_role, changed_at, old_method, old_account_name, old_account_number_masked, new_method, new_account_name, new_account_number_masked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          account.storeId,
          account.version,
          account.changedBy,
          audit.changedByRole,
          account.changedAt,
          audit.from?.method ?? null,
          audit.from?.accountName ?? null,
          audit.from?.accountNumber ?? null,
          audit.to.method,
          audit.to.accountName,
          audit.to.accountNumber,
        ],
      ),
    );
  }

  /** The audit, newest first. */
  async changes(tx: EntityManager, storeId: string): Promise<PayoutAccountChange[]> {
    const rows: Record<string, any>[] = await tx.query(
      `SELECT * FROM payout_account_changes WHERE store_id = $1 ORDER BY id DESC`,
      [storeId],
    );
    return rows.map((r) => ({
      version: r.version,
      changedBy: r.changed_by,
      changedByRole: r.changed_by_role,
      changedAt: r.changed_at,
      from: r.old_method
        ? { method: r.old_method, accountName: r.old_account_name, accountNumber: r.old_account_number_masked }
        : null,
      to: { method: r.new_method, accountName: r.new_account_name, accountNumber: r.new_account_number_masked },
    }));
  }
}
