// Payout runs and payouts: rows and their status history. The rules (who is paid, which
// transition is allowed) live in domain/.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PayoutAccountDetails } from '../domain/payout-account-rules';
import type { HoldReason } from '../domain/payout-holds';
import { PayoutAction, payoutLife, PayoutStatus } from '../domain/payout-states';

export interface PayoutRun {
  id: string;
  trigger: 'schedule' | 'finance';
  requestKey: string | null;
  requestedBy: string;
  startedAt: Date;
}

export interface Payout {
  id: string;
  runId: string;
  storeId: string;
  idempotencyKey: string;
  amountFen: number;
  /** The version of the store's payout account it goes to (null: a payout from before accounts). */
  accountVersion: number | null;
  status: PayoutStatus;
  providerReference: string | null;
  failureReason: string | null;
  createdAt: Date;
  settledAt: Date | null;
  failedAt: Date | null;
}

export type PayoutWithAccount = Payout & { account: PayoutAccountDetails | null };

/** A store a run did not pay although her balance was due, and why. */
export interface PayoutHold {
  storeId: string;
  reason: HoldReason;
  availableFen: number;
}

/** Columns that read a payout's account with it (masked by whoever shows it). */
const WITH_ACCOUNT = `LEFT JOIN payout_accounts a ON a.store_id = p.store_id AND a.version = p.account_version`;
const ACCOUNT_COLUMNS = `a.method AS account_method, a.account_name, a.account_number`;
const accountOf = (r: Record<string, any>): PayoutAccountDetails | null =>
  r.account_method ? { method: r.account_method, accountName: r.account_name, accountNumber: r.account_number } : null;

const toPayout = (r: Record<string, any>): Payout => ({
  id: r.id,
  runId: r.run_id,
  storeId: r.store_id,
  idempotencyKey: r.idempotency_key,
  amountFen: Number(r.amount_fen),
  accountVersion: r.account_version,
  status: r.status,
  providerReference: r.provider_reference,
  failureReason: r.failure_reason,
  createdAt: r.created_at,
  settledAt: r.settled_at,
  failedAt: r.failed_at,
});

@Injectable()
export class PayoutRepository {
  /** Held until `tx` ends: payout runs start one at a time, across all instances. */
  /** The id of the payout run started last, if any. */
  async lastRunId(tx: EntityManager): Promise<string | null> {
    const [row]: { id: string }[] = await tx.query(`SELECT id FROM payout_runs ORDER BY started_at DESC LIMIT 1`);
    return row?.id ?? null;
  }

  async lockRuns(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('payouts.payout-run'))`);
  }

  async findRunByKey(tx: EntityManager, requestKey: string): Promise<string | null> {
    const rows = await tx.query(`SELECT id FROM payout_runs WHERE request_key = $1`, [requestKey]);
    return rows[0]?.id ?? null;
  }

  async insertRun(tx: EntityManager, run: PayoutRun): Promise<void> {
    await tx.query(
      `INSERT INTO payout_runs (id, trigger, request_key, requested_by, started_at) VALUES ($1, $2, $3, $4, $5)`,
      [run.id, run.trigger, run.requestKey, run.requestedBy, run.startedAt],
    );
  }

  async findRun(
    tx: EntityManager,
    id: string,
  ): Promise<{ run: PayoutRun; payouts: PayoutWithAccount[]; held: PayoutHold[] } | null> {
    const [run] = await tx.query(`SELECT * FROM payout_runs WHERE id = $1`, [id]);
    if (!run) return null;
    const payouts = await tx.query(
      `SELECT p.*, ${ACCOUNT_COLUMNS} FROM payouts p ${WITH_ACCOUNT} WHERE p.run_id = $1 ORDER BY p.store_id`,
      [id],
    );
    const held = await tx.query(
      `SELECT store_id, reason, available_fen FROM payout_run_holds WHERE run_id = $1 ORDER BY store_id`,
      [id],
    );
    return {
      run: {
        id: run.id,
        trigger: run.trigger,
        requestKey: run.request_key,
        requestedBy: run.requested_by,
        startedAt: run.started_at,
      },
      payouts: payouts.map((r: Record<string, any>) => ({ ...toPayout(r), account: accountOf(r) })),
      held: held.map((h: Record<string, any>) => ({
        storeId: h.store_id,
        reason: h.reason,
        availableFen: Number(h.available_fen),
      })),
    };
  }

  /** New payouts, all `sending`, with their first history rows. */
  async insertPayouts(
    tx: EntityManager,
    payouts: Pick<Payout, 'id' | 'runId' | 'storeId' | 'idempotencyKey' | 'amountFen' | 'accountVersion'>[],
    at: Date,
  ): Promise<void> {
    if (payouts.length === 0) return;
    await tx.query(
      `INSERT INTO payouts (id, run_id, store_id, idempotency_key, amount_fen, account_version, status, created_at)
       SELECT id, run_id, store_id, key, amount, account_version, 'sending', $7
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::int[]) AS u(id, run_id, store_id, key, amount, account_version)`,
      [
        payouts.map((p) => p.id),
        payouts.map((p) => p.runId),
        payouts.map((p) => p.storeId),
        payouts.map((p) => p.idempotencyKey),
        payouts.map((p) => p.amountFen),
        payouts.map((p) => p.accountVersion),
        at,
      ],
    );
    await tx.query(
      `INSERT INTO payout_history (payout_id, from_status, to_status, action, at) SELECT id, NULL, 'sending', 'payout-run', $2 FROM unnest($1::uuid[]) AS id`,
      [payouts.map((p) => p.id), at],
    );
  }

  /** The stores a run held, with the reason each was held. */
  async insertHolds(tx: EntityManager, runId: string, holds: PayoutHold[]): Promise<void> {
    if (holds.length === 0) return;
    await tx.query(
      `INSERT INTO payout_run_holds (run_id, store_id, reason, available_fen) SELECT $1, store_id, reason, available FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS u(store_id, reason, available)`,
      [runId, holds.map((h) => h.storeId), holds.map((h) => h.reason), holds.map((h) => h.availableFen)],
    );
  }

  async findWithAccount(tx: EntityManager, id: string): Promise<PayoutWithAccount | null> {
    const [r] = await tx.query(`SELECT p.*, ${ACCOUNT_COLUMNS} FROM payouts p ${WITH_ACCOUNT} WHERE p.id = $1`, [id]);
    return r ? { ...toPayout(r), account: accountOf(r) } : null;
  }

  /** A store's payouts, newest first, each with how many ledger entries it paid. */
  async storePayouts(
    tx: EntityManager,
    storeId: string,
    page: number,
    pageSize: number,
  ): Promise<{ rows: (PayoutWithAccount & { lineCount: number })[]; total: number }> {
    const rows: Record<string, any>[] = await tx.query(
      `SELECT p.*, ${ACCOUNT_COLUMNS}, (SELECT count(*)::int FROM payout_lines l WHERE l.payout_id = p.id) AS line_count
       FROM payouts p ${WITH_ACCOUNT} WHERE p.store_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2 OFFSET $3`,
      [storeId, pageSize, (page - 1) * pageSize],
    );
    const [{ total }] = await tx.query(`SELECT count(*)::int AS total FROM payouts WHERE store_id = $1`, [storeId]);
    return { rows: rows.map((r) => ({ ...toPayout(r), account: accountOf(r), lineCount: r.line_count })), total };
  }

  async find(tx: EntityManager, id: string, lock = false): Promise<Payout | null> {
    const rows = await tx.query(`SELECT * FROM payouts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toPayout(rows[0]) : null;
  }

  /** The one way a payout's status changes: checked against the transition table, with a history row. */
  async transition(
    tx: EntityManager,
    payout: Payout,
    action: PayoutAction,
    at: Date,
    facts: { providerReference?: string; reason?: string } = {},
  ): Promise<PayoutStatus> {
    const to = payoutLife.next(payout.status, action);
    await tx.query(
      `UPDATE payouts SET status = $2, provider_reference = coalesce($3, provider_reference), failure_reason = coalesce($4, failure_reason),
         settled_at = CASE WHEN $2 = 'settled' THEN $5 ELSE settled_at END, failed_at = CASE WHEN $2 = 'failed' THEN $5 ELSE failed_at END
       WHERE id = $1`,
      [payout.id, to, facts.providerReference ?? null, facts.reason ?? null, at],
    );
    await tx.query(
      `INSERT INTO payout_history (payout_id, from_status, to_status, action, reason, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [payout.id, payout.status, to, action, facts.reason ?? null, at],
    );
    return to;
  }

  async history(
    tx: EntityManager,
    payoutIds: string[],
  ): Promise<{ payoutId: string; from: string | null; to: string; action: string; reason: string | null; at: Date }[]> {
    const rows = await tx.query(
      `SELECT payout_id, from_status, to_status, action, reason, at FROM payout_history WHERE payout_id = ANY($1) ORDER BY id`,
      [payoutIds],
    );
    return rows.map((r: Record<string, any>) => ({
      payoutId: r.payout_id,
      from: r.from_status,
      to: r.to_status,
      action: r.action,
      reason: r.reason,
      at: r.at,
    }));
  }
}
