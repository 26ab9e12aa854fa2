// How the launchers (demo, bench, fault suite) reach PostgreSQL, Kafka and Redis as administrators:
// one place, so a change of credentials (SASL, per-service roles) is followed here only.
import IORedis from 'ioredis';
import { Client } from 'pg';
import { adminKafka } from '@cc/messaging';
import { devPassword } from '@cc/platform';

/** The server's URL without a database (`DEMO_PG_URL`, `BENCH_PG_URL` or `CC_PG_URL`; trust auth locally). */
export const pgServerUrl = (fallbackEnv?: string) =>
  (fallbackEnv && process.env[fallbackEnv]) || process.env.CC_PG_URL || 'postgres://postgres@127.0.0.1:5432';

export const kafkaBrokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const redisUrl = () => process.env.REDIS_URL ?? 'redis://cc:cc-dev-redis@127.0.0.1:6379';

/** Runs one statement on `db` over a connection of its own. */
export async function sqlOn<T = Record<string, unknown>>(
  serverUrl: string,
  db: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: `${serverUrl}/${db}`, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Drops and creates `<prefix>_<name>` for each name; returns their URLs by name. */
export async function freshDatabases<N extends string>(
  serverUrl: string,
  prefix: string,
  names: readonly N[],
): Promise<Record<N, string>> {
  for (const name of names) {
    await sqlOn(serverUrl, 'postgres', `DROP DATABASE IF EXISTS ${prefix}_${name} WITH (FORCE)`);
    // owned by the service's role (deploy/infra.sh makes the roles), which the service connects as
    await sqlOn(serverUrl, 'postgres', `CREATE DATABASE ${prefix}_${name} OWNER ${name}`);
    await sqlOn(serverUrl, 'postgres', `REVOKE CONNECT, TEMPORARY ON DATABASE ${prefix}_${name} FROM PUBLIC`);
  }
  return Object.fromEntries(names.map((n) => [n, `${roleUrl(serverUrl, n)}/${prefix}_${n}`])) as Record<N, string>;
}

/** The server URL as a service's role, with its password (PG_PASSWORD_<ROLE>, else the development one). */
export function roleUrl(serverUrl: string, role: string): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = process.env[`PG_PASSWORD_${role.toUpperCase()}`] ?? devPassword(role);
  return url.toString().replace(/\/$/, '');
}

/** As the broker's super user (KAFKA_ADMIN_USERNAME / KAFKA_ADMIN_PASSWORD, see adminConnection). */
export const kafkaClient = (clientId: string) => adminKafka(clientId);

export const redisClient = () => new IORedis(redisUrl(), { maxRetriesPerRequest: 1, lazyConnect: false });
