// How a provider's settlement statement is classified against our payouts, as pure rules. The
// repository applies the same rules to a whole statement in one set-based UPDATE
// (ReconciliationRepository.classifyLines), because statements run to 100,000 lines; a property
// test (test/integration/reconciliation-properties.test.ts) holds the SQL to these rules.

export const RECONCILIATION_CLASSES = [
  'matched',
  'amount_mismatch',
  'missing_from_statement',
  'unknown_to_us',
  'duplicate',
] as const;
export type ReconciliationClass = (typeof RECONCILIATION_CLASSES)[number];
/** The classes a statement line can have (a payout missing from the statement has no line). */
export type LineClass = Exclude<ReconciliationClass, 'missing_from_statement'>;

export interface StatementEntry {
  lineNo: number;
  payoutId: string;
  amountFen: number;
}

export interface ClassifiedLine {
  lineNo: number;
  class: LineClass;
  /** Our payout's amount, beside the statement's; null for a duplicate or a line unknown to us. */
  payoutFen: number | null;
}

/**
 * Each line's class; the first rule that applies wins:
 * 1. `duplicate`: a second or later line (by line number) for a payout id already listed;
 * 2. `unknown_to_us`: no payout of ours has that id;
 * 3. `matched`: the amounts agree;
 * 4. `amount_mismatch`: they do not.
 */
export function classifyStatement(
  lines: readonly StatementEntry[],
  payoutFen: (payoutId: string) => number | undefined,
): ClassifiedLine[] {
  const seen = new Set<string>();
  return [...lines]
    .sort((a, b) => a.lineNo - b.lineNo)
    .map((line) => {
      if (seen.has(line.payoutId)) return { lineNo: line.lineNo, class: 'duplicate', payoutFen: null };
      seen.add(line.payoutId);
      const ours = payoutFen(line.payoutId);
      if (ours === undefined) return { lineNo: line.lineNo, class: 'unknown_to_us', payoutFen: null };
      return { lineNo: line.lineNo, class: ours === line.amountFen ? 'matched' : 'amount_mismatch', payoutFen: ours };
    });
}

/** Our payouts that settled in the statement's period and that it does not list. */
export function missingFromStatement<P extends { id: string; settledAt: Date }>(
  lines: readonly StatementEntry[],
  settled: readonly P[],
  period: { from: Date; to: Date },
): P[] {
  const listed = new Set(lines.map((l) => l.payoutId));
  return settled.filter((p) => p.settledAt >= period.from && p.settledAt <= period.to && !listed.has(p.id));
}
