// Posting ledger transactions and reading balances. The database enforces balance and
// append-only; this repository only writes and reads.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrderSplitEntity } from './entities';
import { describeAccount, Entry, StoreAccountKind } from '../domain/ledger-rules';

/** An order's split (its share and commission) as recorded when the order is paid. */
export type NewSplit = Omit<
  OrderSplitEntity,
  'refundedFen' | 'refundedShareFen' | 'refundedCommissionFen' | 'completedAt'
>;

export interface LedgerTransaction {
  idempotencyKey: string;
  kind: string;
  orderId: string | null;
  payoutId?: string | null;
  storeId: string | null;
  causedByEventId: string | null;
  entries: Entry[];
}

@Injectable()
export class LedgerRepository {
  /** The order's split, locked for the rest of `tx` (null if the order was never paid here). */
  lockSplit(tx: EntityManager, orderId: string): Promise<OrderSplitEntity | null> {
    return tx.getRepository(OrderSplitEntity).findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }

  async updateSplit(
    tx: EntityManager,
    orderId: string,
    columns: Partial<
      Pick<OrderSplitEntity, 'completedAt' | 'refundedFen' | 'refundedShareFen' | 'refundedCommissionFen'>
    >,
  ): Promise<void> {
    await tx.getRepository(OrderSplitEntity).update({ orderId }, columns);
  }

  /** Posts a transaction; returns false (and writes nothing) when its idempotency key was posted before. */
  async post(tx: EntityManager, t: LedgerTransaction): Promise<boolean> {
    const id = randomUUID();
    const inserted = await tx.query(
      `INSERT INTO ledger_transactions (id, idempotency_key, kind, order_id, payout_id, store_id, caused_by_event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [id, t.idempotencyKey, t.kind, t.orderId, t.payoutId ?? null, t.storeId, t.causedByEventId],
    );
    if (inserted.length === 0) return false;
    if (t.entries.length === 0) return true;
    const accounts = t.entries.map((e) => e.accountId);
    // a store's accounts open with her first posting
    const opened = [...new Set(accounts)].map((a) => ({ id: a, ...describeAccount(a) }));
    await tx.query(
      `INSERT INTO ledger_accounts (id, store_id, kind) SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[]) ON CONFLICT (id) DO NOTHING`,
      [opened.map((a) => a.id), opened.map((a) => a.storeId), opened.map((a) => a.kind)],
    );
    // a posting to an available account waits for a payout run that holds it (see lockAvailable),
    // so no payout is computed from a balance that a refund is changing underneath it
    const available = opened.filter((a) => a.kind === 'available').map((a) => a.id);
    if (available.length)
      await tx.query(`SELECT id FROM ledger_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [available]);
    await tx.query(
      `INSERT INTO ledger_entries (transaction_id, account_id, amount_fen) SELECT $1, a, f FROM unnest($2::text[], $3::bigint[]) AS u(a, f)`,
      [id, accounts, t.entries.map((e) => e.amountFen)],
    );
    return true;
  }

  /**
   * Posts a run of transactions that touch no available account (order-paid postings), each with
   * the order split it records, in one statement: transactions, the accounts they open, their
   * entries and the splits. Those whose idempotency key was posted before write nothing (neither
   * entries nor split). A posting to an available account
   * must wait for a payout run's lock: it goes through post(), one at a time.
   */
  async postAll(tx: EntityManager, postings: { transaction: LedgerTransaction; split: NewSplit }[]): Promise<void> {
    const byKey = new Map(postings.map((p) => [p.transaction.idempotencyKey, p])); // a key once
    const items = [...byKey.values()].map((p) => ({ ...p, id: randomUUID() }));
    const opened = new Map<string, ReturnType<typeof describeAccount>>();
    for (const { transaction } of items)
      for (const e of transaction.entries) {
        const account = describeAccount(e.accountId);
        if (account.kind === 'available')
          throw new Error(`postAll cannot post to an available account (${e.accountId}): use post()`);
        opened.set(e.accountId, account);
      }
    const entries = items.flatMap(({ id, transaction }) => transaction.entries.map((e) => ({ id, ...e })));
    const t = items.map((i) => i.transaction);
    await tx.query(
      `WITH t AS (
         INSERT INTO ledger_transactions (id, idempotency_key, kind, order_id, payout_id, store_id, caused_by_event_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[])
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),
       a AS (INSERT INTO ledger_accounts (id, store_id, kind) SELECT * FROM unnest($8::text[], $9::uuid[], $10::text[]) ON CONFLICT (id) DO NOTHING),
       e AS (INSERT INTO ledger_entries (transaction_id, account_id, amount_fen)
         SELECT u.t, u.a, u.f FROM unnest($11::uuid[], $12::text[], $13::bigint[]) AS u(t, a, f) WHERE u.t IN (SELECT id FROM t)),
       s AS (INSERT INTO order_splits (order_id, store_id, total_fen, commission_fen, share_fen, refunded_fen, refunded_share_fen, refunded_commission_fen, completed_at)
         SELECT u.o, u.s, u.total, u.commission, u.share, 0, 0, 0, NULL
         FROM unnest($14::uuid[], $15::uuid[], $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[]) AS u(t, o, s, total, commission, share)
         WHERE u.t IN (SELECT id FROM t))
       SELECT count(*) FROM t`,
      [
        items.map((i) => i.id),
        t.map((x) => x.idempotencyKey),
        t.map((x) => x.kind),
        t.map((x) => x.orderId),
        t.map((x) => x.payoutId ?? null),
        t.map((x) => x.storeId),
        t.map((x) => x.causedByEventId),
        [...opened.keys()],
        [...opened.values()].map((a) => a.storeId),
        [...opened.values()].map((a) => a.kind),
        entries.map((e) => e.id),
        entries.map((e) => e.accountId),
        entries.map((e) => e.amountFen),
        items.map((i) => i.id),
        items.map((i) => i.split.orderId),
        items.map((i) => i.split.storeId),
        items.map((i) => i.split.totalFen),
        items.map((i) => i.split.commissionFen),
        items.map((i) => i.split.shareFen),
      ],
    );
  }

  async isPosted(tx: EntityManager, idempotencyKey: string): Promise<boolean> {
    return (
      (await tx.query(`SELECT 1 FROM ledger_transactions WHERE idempotency_key = $1`, [idempotencyKey])).length > 0
    );
  }

  /** The store's balances, credit-normal (what the platform owes her). */
  async storeBalances(tx: EntityManager, storeId: string): Promise<Record<StoreAccountKind, number>> {
    const rows: { kind: StoreAccountKind; balance: string }[] = await tx.query(
      `SELECT a.kind, coalesce(-sum(e.amount_fen), 0) AS balance FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id WHERE a.store_id = $1 GROUP BY a.kind`,
      [storeId],
    );
    const balances: Record<StoreAccountKind, number> = { pending: 0, available: 0, in_transit: 0, paid_out: 0 };
    for (const r of rows) balances[r.kind] = Number(r.balance);
    return balances;
  }

  /**
   * Available balances of stores at or above `minimumFen`, their accounts locked until `tx` ends:
   * postings to them wait, so each balance stays what it is here until the payouts are posted.
   */
  async lockAvailable(tx: EntityManager, minimumFen: number): Promise<{ storeId: string; availableFen: number }[]> {
    const sums = `SELECT a.store_id, -sum(e.amount_fen) AS available FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id
                  WHERE a.kind = 'available' AND a.store_id IS NOT NULL`;
    const candidates: { store_id: string }[] = await tx.query(
      `${sums} GROUP BY a.store_id HAVING -sum(e.amount_fen) >= $1`,
      [minimumFen],
    );
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => c.store_id);
    await tx.query(
      `SELECT id FROM ledger_accounts WHERE kind = 'available' AND store_id = ANY($1) ORDER BY id FOR UPDATE`,
      [ids],
    );
    // read again under the lock: a posting that committed while we waited counts
    const rows: { store_id: string; available: string }[] = await tx.query(
      `${sums} AND a.store_id = ANY($1) GROUP BY a.store_id ORDER BY a.store_id`,
      [ids],
    );
    return rows.map((r) => ({ storeId: r.store_id, availableFen: Number(r.available) }));
  }

  async storeEntries(tx: EntityManager, storeId: string, page: number, pageSize: number) {
    const [rows, [{ total }]] = await Promise.all([
      tx.query(
        `SELECT e.id, a.kind AS account, -e.amount_fen AS amount_fen, t.kind AS transaction_kind, t.order_id, t.payout_id, t.caused_by_event_id, t.id AS transaction_id, e.created_at
         FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE a.store_id = $1 ORDER BY e.id DESC LIMIT $2 OFFSET $3`,
        [storeId, pageSize, (page - 1) * pageSize],
      ),
      tx.query(
        `SELECT count(*)::int AS total FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.store_id = $1`,
        [storeId],
      ),
    ]);
    return { rows: rows as Record<string, unknown>[], total: total as number };
  }
}
