// Statements, their classified lines and the payouts missing from them. Written and matched in
// bulk (unnest inserts, one set-based UPDATE), so a 100,000-line statement takes a few queries.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StatementLine } from '../domain/settlement-statement';

import { RECONCILIATION_CLASSES, ReconciliationClass } from '../domain/reconciliation-rules';

export { RECONCILIATION_CLASSES, type ReconciliationClass };

export interface Reconciliation {
  id: string;
  status: 'pending' | 'completed';
  uploadedBy: string;
  uploadedAt: Date;
  periodFrom: Date;
  periodTo: Date;
  lineCount: number;
  completedAt: Date | null;
  report: unknown;
}

export interface ClassTotals {
  class: ReconciliationClass;
  count: number;
  /** What the statement says was paid on these lines. */
  statementFen: number;
  /** What our payouts say. */
  payoutFen: number;
}

const INSERT_CHUNK = 20_000;

@Injectable()
export class ReconciliationRepository {
  /** The ids of the `limit` statements uploaded last, newest first. */
  async recentIds(tx: EntityManager, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM reconciliations ORDER BY uploaded_at DESC LIMIT $1`, [
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  async insert(
    tx: EntityManager,
    r: Omit<Reconciliation, 'status' | 'completedAt' | 'report'>,
    lines: StatementLine[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO reconciliations (id, status, uploaded_by, uploaded_at, period_from, period_to, line_count) VALUES ($1, 'pending', $2, $3, $4, $5, $6)`,
      [r.id, r.uploadedBy, r.uploadedAt, r.periodFrom, r.periodTo, r.lineCount],
    );
    for (let i = 0; i < lines.length; i += INSERT_CHUNK) {
      const chunk = lines.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO statement_lines (reconciliation_id, line_no, payout_id, provider_reference, amount_fen, status, settled_at)
         SELECT $1::uuid, * FROM unnest($2::int[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])`,
        [
          r.id,
          chunk.map((l) => l.lineNo),
          chunk.map((l) => l.payoutId),
          chunk.map((l) => l.providerReference),
          chunk.map((l) => l.amountFen),
          chunk.map((l) => l.status),
          chunk.map((l) => l.settledAt.toISOString()),
        ],
      );
    }
  }

  async find(tx: EntityManager, id: string, lock = false): Promise<Reconciliation | null> {
    const [r] = await tx.query(`SELECT * FROM reconciliations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      uploadedBy: r.uploaded_by,
      uploadedAt: r.uploaded_at,
      periodFrom: r.period_from,
      periodTo: r.period_to,
      lineCount: r.line_count,
      completedAt: r.completed_at,
      report: r.report,
    };
  }

  /**
   * Classes every line at once, by the rules of `classifyStatement` (domain/reconciliation-rules.ts),
   * in the same order: the second and later lines for one payout id are duplicates; otherwise a
   * line is unknown to us, matched, or an amount mismatch against its payout.
   */
  async classifyLines(tx: EntityManager, id: string): Promise<void> {
    await tx.query(
      `UPDATE statement_lines l
       SET class = CASE WHEN r.nth > 1 THEN 'duplicate' WHEN p.id IS NULL THEN 'unknown_to_us' WHEN p.amount_fen = l.amount_fen THEN 'matched' ELSE 'amount_mismatch' END,
           payout_amount_fen = CASE WHEN r.nth > 1 THEN NULL ELSE p.amount_fen END
       FROM (SELECT line_no, payout_id, row_number() OVER (PARTITION BY payout_id ORDER BY line_no) AS nth FROM statement_lines WHERE reconciliation_id = $1) r
       LEFT JOIN payouts p ON p.id = r.payout_id
       WHERE l.reconciliation_id = $1 AND l.line_no = r.line_no`,
      [id],
    );
  }

  /** Payouts we saw settle in the statement's period that it does not list (`missingFromStatement`). */
  async recordMissing(tx: EntityManager, id: string, from: Date, to: Date): Promise<void> {
    await tx.query(
      `INSERT INTO reconciliation_missing (reconciliation_id, payout_id, amount_fen)
       SELECT $1, p.id, p.amount_fen FROM payouts p
       WHERE p.status = 'settled' AND p.settled_at BETWEEN $2 AND $3
         AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.reconciliation_id = $1 AND l.payout_id = p.id)`,
      [id, from, to],
    );
  }

  async totals(tx: EntityManager, id: string): Promise<ClassTotals[]> {
    const rows: { class: ReconciliationClass; count: number; statement_fen: string; payout_fen: string }[] =
      await tx.query(
        `SELECT class, count(*)::int AS count, coalesce(sum(amount_fen), 0) AS statement_fen, coalesce(sum(payout_amount_fen), 0) AS payout_fen
       FROM statement_lines WHERE reconciliation_id = $1 GROUP BY class
       UNION ALL
       SELECT 'missing_from_statement', count(*)::int, 0, coalesce(sum(amount_fen), 0) FROM reconciliation_missing WHERE reconciliation_id = $1`,
        [id],
      );
    return RECONCILIATION_CLASSES.map((c) => {
      const r = rows.find((x) => x.class === c);
      return {
        class: c,
        count: r?.count ?? 0,
        statementFen: Number(r?.statement_fen ?? 0),
        payoutFen: Number(r?.payout_fen ?? 0),
      };
    });
  }

  async complete(tx: EntityManager, id: string, at: Date, report: object): Promise<void> {
    await tx.query(`UPDATE reconciliations SET status = 'completed', completed_at = $2, report = $3 WHERE id = $1`, [
      id,
      at,
      JSON.stringify(report),
    ]);
  }

  /** Every line with its class, then the missing payouts (no line number). */
  async classifiedLines(
    tx: EntityManager,
    id: string,
  ): Promise<
    {
      line_no: number | null;
      payout_id: string;
      provider_reference: string | null;
      amount_fen: string | null;
      status: string | null;
      settled_at: Date | null;
      class: string;
      payout_amount_fen: string | null;
    }[]
  > {
    return tx.query(
      `SELECT line_no, payout_id, provider_reference, amount_fen, status, settled_at, class, payout_amount_fen FROM statement_lines WHERE reconciliation_id = $1
       UNION ALL
       SELECT NULL, m.payout_id, p.provider_reference, NULL, NULL, NULL, 'missing_from_statement', m.amount_fen FROM reconciliation_missing m JOIN payouts p ON p.id = m.payout_id WHERE m.reconciliation_id = $1
       ORDER BY 1 NULLS LAST, 2`,
      [id],
    );
  }
}
