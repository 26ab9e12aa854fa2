// Reconciliation: finance uploads the provider's settlement statement; it is checked whole,
// stored, and matched against our payouts by a job, which keeps a report of what matched and
// what did not, with counts and totals per class.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { badRequest, Clock, conflict, notFound } from '@cc/platform';
import { Jobs } from '@cc/service';
import { ClassTotals, ReconciliationRepository } from '../persistence/reconciliation.repository';
import { csvField, MalformedStatement, parseStatement, StatementLine } from './settlement-statement';
import { PayoutsJobs } from '../jobs/catalogue';

export const REPORT_KEYS = {
  matched: 'matched',
  amount_mismatch: 'amountMismatch',
  missing_from_statement: 'missingFromStatement',
  unknown_to_us: 'unknownToUs',
  duplicate: 'duplicates',
} as const;

@Injectable()
export class ReconciliationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reconciliations: ReconciliationRepository,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks every line, then stores the statement and queues its matching. The period (which of
   * our settled payouts the statement must list) defaults to the span of its settled-at times.
   */
  async upload(uploadedBy: string, csv: string, period: { from?: string; to?: string }) {
    let lines: StatementLine[];
    try {
      lines = parseStatement(csv);
    } catch (err) {
      if (!(err instanceof MalformedStatement)) throw err;
      throw badRequest(`the statement is refused, nothing was stored: ${err.message}`, {
        line: err.problems[0].line,
        reason: err.problems[0].reason,
        problems: err.problems,
      });
    }
    let earliest = lines[0].settledAt;
    let latest = lines[0].settledAt;
    for (const l of lines) {
      if (l.settledAt < earliest) earliest = l.settledAt;
      if (l.settledAt > latest) latest = l.settledAt;
    }
    const periodFrom = period.from ? new Date(period.from) : earliest;
    const periodTo = period.to ? new Date(period.to) : latest;
    if (periodFrom > periodTo) throw badRequest('the period ends before it starts');
    const id = randomUUID();
    const uploadedAt = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      await this.reconciliations.insert(
        tx,
        { id, uploadedBy, uploadedAt, periodFrom, periodTo, lineCount: lines.length },
        lines,
      );
      await this.jobs.schedule(tx, PayoutsJobs.reconcileStatement, { reconciliationId: id });
    });
    return {
      id,
      status: 'pending' as const,
      lines: lines.length,
      period: { from: periodFrom.toISOString(), to: periodTo.toISOString() },
    };
  }

  /** The job: classifies the lines, finds the missing payouts, keeps the report, once. */
  async reconcile(id: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const r = await this.reconciliations.find(tx, id, true);
      if (r?.status !== 'pending') return;
      await this.reconciliations.classifyLines(tx, id);
      await this.reconciliations.recordMissing(tx, id, r.periodFrom, r.periodTo);
      const totals = await this.reconciliations.totals(tx, id);
      const report = Object.fromEntries(
        totals.map((t) => [
          REPORT_KEYS[t.class],
          { count: t.count, statementFen: t.statementFen, payoutFen: t.payoutFen },
        ]),
      );
      const at = this.clock.now();
      await this.reconciliations.complete(tx, id, at, report);
      const count = (c: ClassTotals['class']) => totals.find((t) => t.class === c)!.count;
      await this.outbox.add(tx, [
        {
          type: 'payouts.reconciliation-completed',
          key: id,
          data: {
            reconciliationId: id,
            matched: count('matched'),
            amountMismatch: count('amount_mismatch'),
            missingFromStatement: count('missing_from_statement'),
            unknownToUs: count('unknown_to_us'),
            duplicates: count('duplicate'),
            completedAt: at.toISOString(),
          },
        },
      ]);
    });
  }

  async report(id: string) {
    const r = await this.reconciliations.find(this.dataSource.manager, id);
    if (!r) throw notFound(`reconciliation ${id}`);
    return {
      id: r.id,
      status: r.status,
      uploadedBy: r.uploadedBy,
      uploadedAt: r.uploadedAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
      period: { from: r.periodFrom.toISOString(), to: r.periodTo.toISOString() },
      lines: r.lineCount,
      // in the order finance reads them (jsonb keeps its own key order)
      classes: r.report
        ? Object.fromEntries(Object.values(REPORT_KEYS).map((k) => [k, (r.report as Record<string, unknown>)[k]]))
        : null,
    };
  }

  /** The statement's lines with their class (one class, or all), and the missing payouts: finance's drill-down. */
  async lines(id: string, cls?: string) {
    const r = await this.reconciliations.find(this.dataSource.manager, id);
    if (!r) throw notFound(`reconciliation ${id}`);
    const key = cls ? Object.entries(REPORT_KEYS).find(([, k]) => k === cls)?.[0] : undefined;
    const rows = await this.reconciliations.classifiedLines(this.dataSource.manager, id);
    return {
      id,
      status: r.status,
      items: rows
        .filter((l) => !key || l.class === key)
        .map((l) => ({
          line: l.line_no,
          payoutId: l.payout_id,
          providerReference: l.provider_reference,
          statementFen: l.amount_fen === null ? null : Number(l.amount_fen),
          statementStatus: l.status,
          settledAt: l.settled_at?.toISOString() ?? null,
          class: REPORT_KEYS[l.class as keyof typeof REPORT_KEYS] ?? l.class,
          payoutFen: l.payout_amount_fen === null ? null : Number(l.payout_amount_fen),
        })),
    };
  }

  /** The statement's lines with their class, and the missing payouts after them. */
  async exportCsv(id: string): Promise<string> {
    const r = await this.reconciliations.find(this.dataSource.manager, id);
    if (!r) throw notFound(`reconciliation ${id}`);
    if (r.status !== 'completed')
      throw conflict('the reconciliation is still pending; export it once it has completed');
    const rows = await this.reconciliations.classifiedLines(this.dataSource.manager, id);
    const out = ['line,payout_id,provider_reference,amount_fen,status,settled_at,class,payout_amount_fen'];
    for (const l of rows) {
      out.push(
        [
          l.line_no,
          l.payout_id,
          l.provider_reference,
          l.amount_fen,
          l.status,
          l.settled_at?.toISOString() ?? null,
          l.class,
          l.payout_amount_fen,
        ]
          .map(csvField)
          .join(','),
      );
    }
    return `${out.join('\n')}\n`;
  }
}
