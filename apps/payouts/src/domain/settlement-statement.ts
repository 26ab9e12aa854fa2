// The payout provider's settlement statement, CSV with a header row:
//   payout id, provider reference, amount in fen, status, settled at
// Every line is checked before anything is stored: a statement is taken whole or not at all.
import { CsvError, parse } from 'csv-parse/sync';

export const STATEMENT_COLUMNS = ['payout_id', 'provider_reference', 'amount_fen', 'status', 'settled_at'] as const;
export const STATEMENT_STATUSES = ['settled', 'failed'] as const;

export interface StatementLine {
  /** Line number in the file (the header is line 1). */
  lineNo: number;
  payoutId: string;
  providerReference: string;
  amountFen: number;
  status: (typeof STATEMENT_STATUSES)[number];
  settledAt: Date;
}

export interface StatementProblem {
  line: number;
  reason: string;
}

export class MalformedStatement extends Error {
  constructor(readonly problems: StatementProblem[]) {
    super(`line ${problems[0].line}: ${problems[0].reason}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const FEN = /^\d{1,15}$/;
/** Enough to fix a file, not so many that a wrong file floods the answer. */
const MAX_PROBLEMS = 20;

const headerName = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, '_')
    .replace(/^_|_$/g, '');

function parseLine(fields: string[]): Omit<StatementLine, 'lineNo'> | string {
  const [payoutId, providerReference, amount, status, settledAt] = fields.map((f) => f.trim());
  if (!UUID.test(payoutId)) return `payout id is not a UUID (got "${payoutId.slice(0, 60)}")`;
  if (!providerReference) return 'provider reference is empty';
  if (providerReference.length > 200) return 'provider reference is longer than 200 characters';
  if (!FEN.test(amount)) return `amount must be a whole number of fen (got "${amount.slice(0, 30)}")`;
  if (!(STATEMENT_STATUSES as readonly string[]).includes(status.toLowerCase()))
    return `status must be one of ${STATEMENT_STATUSES.join(', ')} (got "${status.slice(0, 30)}")`;
  const at = new Date(settledAt);
  if (!ISO_INSTANT.test(settledAt) || Number.isNaN(at.getTime()))
    return `settled at must be an ISO 8601 time with its offset (got "${settledAt.slice(0, 40)}")`;
  return {
    payoutId: payoutId.toLowerCase(),
    providerReference,
    amountFen: Number(amount),
    status: status.toLowerCase() as StatementLine['status'],
    settledAt: at,
  };
}

/**
 * Parses and checks the whole statement; throws MalformedStatement naming each bad line (the first
 * 20). Columns are found by their header's name, in any order (`Payout ID` and `payout_id` alike);
 * columns the provider adds are ignored, a missing one is named. CSV itself (quoting, line ends, a
 * byte-order mark) is read by csv-parse.
 */
export function parseStatement(csv: string): StatementLine[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as typeof rows;
  } catch (e) {
    if (e instanceof CsvError)
      throw new MalformedStatement([
        {
          line: (e as CsvError & { lines?: number }).lines ?? 1,
          reason: e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed' : e.message,
        },
      ]);
    throw e;
  }
  const header = rows[0]?.record.map(headerName) ?? [];
  const index = STATEMENT_COLUMNS.map((c) => header.indexOf(c));
  const missing = STATEMENT_COLUMNS.filter((_, i) => index[i] < 0);
  const doubled = STATEMENT_COLUMNS.filter((c) => header.filter((h) => h === c).length > 1);
  if (missing.length || doubled.length) {
    const what = [
      missing.length ? `${missing.join(', ')} missing` : '',
      doubled.length ? `${doubled.join(', ')} named twice` : '',
    ]
      .filter(Boolean)
      .join('; ');
    throw new MalformedStatement([
      {
        line: 1,
        reason: `the header must name the columns ${STATEMENT_COLUMNS.join(', ')} (in any order; other columns are ignored): ${what}`,
      },
    ]);
  }
  if (rows.length === 1)
    throw new MalformedStatement([{ line: 1, reason: 'the statement has no lines after its header' }]);
  const lines: StatementLine[] = [];
  const problems: StatementProblem[] = [];
  for (const { record, info } of rows.slice(1)) {
    if (problems.length >= MAX_PROBLEMS) break;
    const empty = record.every((f) => f.trim() === '');
    const parsed = empty
      ? 'the line is empty'
      : record.length < header.length
        ? `expected ${header.length} fields, found ${record.length}`
        : parseLine(index.map((i) => record[i]));
    if (typeof parsed === 'string') problems.push({ line: info.lines, reason: parsed });
    else lines.push({ lineNo: info.lines, ...parsed });
  }
  if (problems.length) throw new MalformedStatement(problems);
  return lines;
}

/** CSV field: quoted only when it must be. */
export const csvField = (value: string | number | null) => {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
