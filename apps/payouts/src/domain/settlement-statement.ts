// The payout provider's settlement statement, CSV with a header row:
//   payout id, provider reference, amount in fen, status, settled at
// Every line is checked before anything is stored: a statement is taken whole or not at all.

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

/** Splits one CSV record; fields may be quoted ("a ""b"", c"). Returns null when a quote is left open. */
export function splitCsvRecord(record: string): string[] | null {
  if (!record.includes('"')) return record.split(','); // nearly every line: no quoting to undo
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted && c === '"' && record[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (!quoted && c === '"' && field === '') {
      quoted = true;
    } else if (!quoted && c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

const headerName = (s: string) => s.trim().toLowerCase().replace(/[^a-z]+/g, '_').replace(/^_|_$/g, '');

function parseLine(fields: string[] | null): Omit<StatementLine, 'lineNo'> | string {
  if (!fields) return 'a quoted field is not closed';
  if (fields.length !== STATEMENT_COLUMNS.length) return `expected ${STATEMENT_COLUMNS.length} fields, found ${fields.length}`;
  const [payoutId, providerReference, amount, status, settledAt] = fields.map((f) => f.trim());
  if (!UUID.test(payoutId)) return `payout id is not a UUID (got "${payoutId.slice(0, 60)}")`;
  if (!providerReference) return 'provider reference is empty';
  if (providerReference.length > 200) return 'provider reference is longer than 200 characters';
  if (!FEN.test(amount)) return `amount must be a whole number of fen (got "${amount.slice(0, 30)}")`;
  if (!(STATEMENT_STATUSES as readonly string[]).includes(status.toLowerCase())) return `status must be one of ${STATEMENT_STATUSES.join(', ')} (got "${status.slice(0, 30)}")`;
  const at = new Date(settledAt);
  if (!ISO_INSTANT.test(settledAt) || Number.isNaN(at.getTime())) return `settled at must be an ISO 8601 time with its offset (got "${settledAt.slice(0, 40)}")`;
  return { payoutId: payoutId.toLowerCase(), providerReference, amountFen: Number(amount), status: status.toLowerCase() as StatementLine['status'], settledAt: at };
}

/** Parses and checks the whole statement; throws MalformedStatement naming each bad line (the first 20). */
export function parseStatement(csv: string): StatementLine[] {
  const records = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (records.length > 1 && records[records.length - 1] === '') records.pop(); // the final newline
  const header = splitCsvRecord(records[0] ?? '')?.map(headerName) ?? [];
  if (header.join(',') !== STATEMENT_COLUMNS.join(',')) {
    throw new MalformedStatement([{ line: 1, reason: `the header must name the columns ${STATEMENT_COLUMNS.join(',')} (got "${(records[0] ?? '').slice(0, 120)}")` }]);
  }
  if (records.length === 1) throw new MalformedStatement([{ line: 1, reason: 'the statement has no lines after its header' }]);
  const lines: StatementLine[] = [];
  const problems: StatementProblem[] = [];
  for (let i = 1; i < records.length && problems.length < MAX_PROBLEMS; i++) {
    const parsed = records[i].trim() === '' ? 'the line is empty' : parseLine(splitCsvRecord(records[i]));
    if (typeof parsed === 'string') problems.push({ line: i + 1, reason: parsed });
    else lines.push({ lineNo: i + 1, ...parsed });
  }
  if (problems.length) throw new MalformedStatement(problems);
  return lines;
}

/** CSV field: quoted only when it must be. */
export const csvField = (value: string | number | null) => {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
