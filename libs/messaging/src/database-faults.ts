// Which handler failures are the database being away (a PostgreSQL restart, a failover, a full
// connection pool) rather than anything wrong with the event. Those must never use up an event's
// retries and send it to the dead letters: the consumer waits for the database to come back.

/** SQLSTATE classes and codes that mean "the server is not there right now". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53000']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client has encountered a connection error/i,
  /terminating connection due to administrator command/i,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** True when `error` (or what it wraps: TypeORM's driverError, a cause) says the database is unreachable. */
export function databaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (
    let e = error as ErrorLike | undefined;
    e && typeof e === 'object' && !seen.has(e);
    e = (e.driverError ?? e.cause) as ErrorLike | undefined
  ) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : '';
    if (code.startsWith('08') || UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e!.message as string))) return true;
  }
  return false;
}
