// Which Kafka failures heal by themselves (a broker restarting, a coordinator moving, a rebalance)
// and which never do (credentials, permissions, configuration), and how loud kafkajs' own log
// lines should be. Consumers, the outbox relay and start-up wait out the first kind, logging at
// warn; only the second kind ends the process.
import { logLevel } from 'kafkajs';

/** Protocol error types no retry can fix: the broker refuses who we are or what we asked. */
const HOPELESS_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
  'INVALID_SESSION_TIMEOUT',
  'INVALID_GROUP_ID',
  'INVALID_CONFIG',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_VERSION',
]);
/** kafkajs errors that mean the same: bad credentials, or a client/broker mismatch. */
const HOPELESS_NAMES = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSNotImplemented',
  'KafkaJSUnsupportedMagicByteInMessageSet',
]);
/** A defect in our code or a corrupted client state: restarting the process is the only remedy. */
const DEFECT_NAMES = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

interface KafkaErrorLike {
  name?: string;
  type?: string;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
}

function* causes(error: unknown): Generator<KafkaErrorLike> {
  const seen = new Set<unknown>();
  let current = error as KafkaErrorLike | undefined;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    yield current;
    current = (current.cause ?? current.originalError) as KafkaErrorLike | undefined;
  }
}

/**
 * Why `error` will never heal by waiting (authentication, authorization, configuration, a defect),
 * or undefined when it may: connection losses, timeouts, "no coordinator", "no leader",
 * rebalances and kafkajs giving up after its retries all heal once the broker is back.
 */
export function cannotHeal(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (e.type && HOPELESS_TYPES.has(e.type)) return `the broker refused: ${e.type}`;
    if (e.name && HOPELESS_NAMES.has(e.name)) return `${e.name}: ${e.message}`;
    if (e.name && DEFECT_NAMES.has(e.name)) return `a defect: ${e.name}: ${e.message}`;
  }
  return undefined;
}

/** The coordinator is rebalancing the group: finish the chunk in hand and rejoin. */
export const isRebalance = (error: unknown): boolean =>
  [...causes(error)].some(
    (e) =>
      e.type === 'REBALANCE_IN_PROGRESS' || e.type === 'NOT_COORDINATOR_FOR_GROUP' || e.type === 'ILLEGAL_GENERATION',
  );

// kafkajs logs at error level whatever it is about to retry. Whether a failure matters is decided
// where it surfaces (the consumer's crash handler, the relay, start-up), which log it themselves.
/** Normal at start-up and on rebalances (topic-creation races, leaders being elected, groups forming). */
const EXPECTED = [
  /Limiting retries for the idempotent producer/,
  /switched default partitioner/,
  /Topic creation errors/,
  /already exists/i,
  /does not host this topic-partition/,
  /no leader for this topic-partition/i,
  /leader is not available/i,
  /coordinator is loading/i,
  /coordinator is not available/i,
  /not the correct coordinator/i,
  /group is rebalancing/i,
  /rebalance/i,
  /specified group generation id is not valid/i,
];
/** A broker or connection away: worth a warning while it lasts, not an error. */
const TRANSIENT = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|socket hang up/i,
  /Connection (error|timeout|closed)/i,
  /not the leader for that topic-partition/i,
  /Closed connection/i,
  /Failed to connect/i,
  /[Bb]roker not connected/,
  /Request .* timed out/i,
  /timed out/i,
  /^Crash: /,
  /Restarting the consumer/,
  /Number of retries exceeded|NumberOfRetriesExceeded/,
  /group coordinator/i,
  /coordinator is not aware of this member/i,
  /Failed to send messages/,
  /KafkaJSConnection/,
  /The producer is disconnected/i,
  /Error when calling eachBatch/,
];

/** The pino level for one of kafkajs' log lines (its `message` and `error` fields). */
export function kafkajsLogLevel(level: logLevel, message: string, error?: unknown): 'error' | 'warn' | 'debug' {
  const text = `${message} ${error === undefined ? '' : String(error)}`;
  if (EXPECTED.some((re) => re.test(text))) return 'debug';
  if (level > logLevel.WARN) return 'debug';
  if (level === logLevel.WARN || TRANSIENT.some((re) => re.test(text))) return 'warn';
  return 'error';
}
