// Configuration: one validated object per service, read from the environment once at start-up.
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEV_JWT_SECRET = 'county-commerce-dev-secret-do-not-use-in-production';
/** Development passwords of the local Kafka principals, PostgreSQL roles and Redis user (deploy/): `cc-dev-<name>`. */
export const devPassword = (name: string) => `cc-dev-${name}`;
const isDevPassword = (value: string) => /(^|:)cc-dev-[^@]*(@|$)/.test(value);

/** Settings every service shares. Property names are the environment variable names. */
export class BaseConfig {
  @IsIn(['development', 'test', 'production']) NODE_ENV: 'development' | 'test' | 'production' = 'development';
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL!: string;
  @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE = 10;
  @IsIn(['true', 'false']) MIGRATE_ON_START: 'true' | 'false' = 'true';
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' }) REDIS_URL =
    'redis://cc:cc-dev-redis@127.0.0.1:6379';
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';
  @IsInt() @Min(1) @Max(1000) KAFKA_PARTITIONS = 12;
  /** How clients authenticate to Kafka: SASL/SCRAM-SHA-256 (deploy/kafka.sh's broker), or none for a plaintext broker. */
  @IsIn(['scram-sha-256', 'none']) KAFKA_SASL_MECHANISM: 'scram-sha-256' | 'none' = 'scram-sha-256';
  /** The Kafka principal; unset: the service's own name (catalog, orders, fulfillment, payouts, ops). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'KAFKA_USERNAME may hold only A-Z, a-z, 0-9, . _ -' })
  KAFKA_USERNAME?: string;
  /** Unset: the development password `cc-dev-<principal>`, refused when NODE_ENV=production. */
  @IsOptional() @IsString() KAFKA_PASSWORD?: string;
  /** TLS to the brokers (SASL_SSL): true where the broker is remote. */
  @IsIn(['true', 'false']) KAFKA_SSL: 'true' | 'false' = 'false';
  /** Prefix for topics, consumer groups and queues, so several platforms (or test runs) share one broker and Redis. */
  @Matches(/^[a-z0-9-]*$/, { message: 'NAMESPACE may hold only a-z, 0-9 and -' }) NAMESPACE = '';
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
  /** Largest JSON or form body read (bigger: 413). The payout statement upload (CSV) has its own, larger limit. */
  @IsInt() @Min(1024) @Max(104_857_600) HTTP_BODY_LIMIT_BYTES = 1_048_576;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** 1 = real time; 3600 = an hour passes in a second (tests and the demo). */
  @IsInt() @Min(1) @Max(1_000_000) TIME_SCALE = 1;
  /** Real epoch ms at which scaled clocks read real time; give every service of a platform the same value. */
  @IsOptional() @IsInt() @Min(0) CLOCK_ANCHOR?: number;
  /**
   * Real ms between checks that every schedule's next job is in Redis (Redis without persistence
   * forgets them on a restart; a reconnect re-checks at once). A check is one read per schedule.
   */
  @IsInt() @Min(100) @Max(600_000) SCHEDULE_CHECK_MS = 5000;
  /**
   * A running job's lock in Redis lasts this long and is renewed every half of it; a job whose
   * worker died (kill -9) is handed to another worker once its lock has lapsed, checked every half
   * of it too, so within about 1.5× this. BullMQ's 30 s default left a capture in flight at a kill
   * waiting half a minute. A job whose process stalls longer than this may run twice: every job
   * here is idempotent by its id and its handler's guards.
   */
  @IsInt() @Min(2000) @Max(300_000) JOB_LOCK_MS = 8000;
  /** Interval schedules (sweeps) run at most this often in real ms, however fast the clock runs. */
  @IsInt() @Min(10) @Max(3_600_000) SCHEDULE_MIN_INTERVAL_MS = 1000;
  @IsInt() @Min(10) @Max(60_000) OUTBOX_POLL_MS = 1000;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_BATCH_SIZE = 500;
  /** After a wake-up, the relay waits this long so commits arriving together leave in one batch (0: at once). */
  @IsInt() @Min(0) @Max(1000) OUTBOX_COALESCE_MS = 0;
  /**
   * A consumer's fetch waits for this many bytes or CONSUMER_MAX_WAIT_MS. Measured (docs/performance.md):
   * 16 KB / 20 ms made batches no bigger under load and doubled the idle cost, so a fetch answers as
   * soon as one byte is there (min 1 byte), and an empty fetch waits at the broker for up to a second
   * instead of a tenth: no latency is added (data ends the wait) and a quiet county pays a tenth of
   * the fetches. A graceful stop waits for the fetch in flight, so at most this long more.
   */
  @IsInt() @Min(1) @Max(10_485_760) CONSUMER_MIN_BYTES = 1;
  @IsInt() @Min(1) @Max(10_000) CONSUMER_MAX_WAIT_MS = 1000;
  @IsInt() @Min(1) @Max(20) CONSUMER_MAX_ATTEMPTS = 5;
  @IsInt() @Min(1) @Max(60_000) CONSUMER_RETRY_BASE_MS = 100;
  /**
   * A graceful stop (SIGTERM) takes at most this long, whatever Kafka, Redis or PostgreSQL are
   * doing; past it the service logs what was still running and exits 1. Below Kubernetes' 30 s
   * grace period (minus the 5 s preStop pause), so the code, not SIGKILL, decides what is lost.
   */
  @IsInt() @Min(1000) @Max(120_000) SHUTDOWN_TIMEOUT_MS = 10_000;
  /**
   * The payment, courier and payout providers built in are simulations: no money is taken or
   * paid, no van is called. NODE_ENV=production refuses to start a service that would use one
   * unless this is true (a demo run in production mode, as docker-compose.yml does).
   */
  @IsIn(['true', 'false']) ALLOW_SIMULATED_PROVIDERS: 'true' | 'false' = 'false';

  get jwtSecret(): string {
    return this.JWT_SECRET ?? DEV_JWT_SECRET;
  }
  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
  /** The Kafka client's credentials (for createKafka) as `principal`, unless KAFKA_USERNAME names another. */
  kafkaAuth(principal: string): {
    sasl?: { mechanism: 'scram-sha-256'; username: string; password: string };
    ssl: boolean;
  } {
    const username = this.KAFKA_USERNAME ?? principal;
    const sasl =
      this.KAFKA_SASL_MECHANISM === 'none'
        ? undefined
        : { mechanism: this.KAFKA_SASL_MECHANISM, username, password: this.KAFKA_PASSWORD ?? devPassword(username) };
    return { ...(sasl ? { sasl } : {}), ssl: this.KAFKA_SSL === 'true' };
  }
}

const numeric = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);

/**
 * Reads `cls` from `env`; every problem is reported with the setting's name, and the service
 * does not start. Defaults come from the class; numbers are parsed from strings.
 */
export function loadConfig<T extends BaseConfig>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
  defaults: Partial<Record<keyof T, unknown>> = {},
): T {
  const template = new cls();
  const raw: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(template)) if (env[key] !== undefined && env[key] !== '') raw[key] = numeric(env[key]);
  for (const key of Object.keys(defaults)) if (env[key] !== undefined && env[key] !== '') raw[key] = numeric(env[key]);
  const config = Object.assign(template, plainToInstance(cls, raw));
  const errors = validateSync(config, { forbidUnknownValues: false });
  // a secret's value is never printed, even a wrong one: it may be nearly right
  const shown = (name: string) =>
    /SECRET|PASSWORD|TOKEN/.test(name) ? '(hidden)' : JSON.stringify((config as Record<string, unknown>)[name]);
  const problems = errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `  ${e.property}: ${m} (got ${shown(e.property)})`),
  );
  if (config.isProduction && !config.JWT_SECRET)
    problems.push(
      '  JWT_SECRET: must be set when NODE_ENV=production (refusing to sign tokens with the development secret)',
    );
  if (
    config.isProduction &&
    config.KAFKA_SASL_MECHANISM !== 'none' &&
    (!config.KAFKA_PASSWORD || isDevPassword(config.KAFKA_PASSWORD))
  )
    problems.push('  KAFKA_PASSWORD: must be set (not a cc-dev- password) when NODE_ENV=production');
  for (const name of ['DATABASE_URL', 'REDIS_URL'] as const)
    if (config.isProduction && isDevPassword(config[name]))
      problems.push(`  ${name}: carries a development password (cc-dev-…); set the real one when NODE_ENV=production`);
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return config;
}

/**
 * A service's loader names the simulated providers it would use; in production that stops the
 * start (ConfigError, exit code 78) unless ALLOW_SIMULATED_PROVIDERS=true, so a real deployment
 * never takes orders it cannot charge, ship or pay out without anyone being told.
 */
export function refuseSimulatedProviders(config: BaseConfig, simulated: string[]): void {
  if (!config.isProduction || config.ALLOW_SIMULATED_PROVIDERS === 'true' || simulated.length === 0) return;
  throw new ConfigError(
    `invalid configuration:\n${simulated.map((s) => `  ${s}`).join('\n')}\n` +
      '  ALLOW_SIMULATED_PROVIDERS: NODE_ENV=production refuses to start with a simulated provider; configure a real provider adapter, or set ALLOW_SIMULATED_PROVIDERS=true for a demo',
  );
}

/** Transform helper for comma-separated list settings. */
export const CommaList = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  );

/** A setting that may have decimals (`0.5`); the loader reads whole numbers only otherwise. */
export const Decimal = () =>
  Transform(({ value }) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value));
