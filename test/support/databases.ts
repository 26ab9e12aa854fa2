// Test databases: each service's migrations run once into a template; every test file gets a
// fresh copy (CREATE DATABASE … TEMPLATE …), which takes a fraction of a second.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { devPassword } from '@cc/platform';
import { SERVICES } from './services';

/** The tests' own admin connections (superuser); the services get their role's URL (roleUrl). */
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export type ServiceName = keyof typeof SERVICES;

/** The server URL as a service's role (catalog, orders, …), with its development password. */
export function roleUrl(role: string): string {
  const url = new URL(PG_URL);
  url.username = role;
  url.password = devPassword(role);
  return url.toString().replace(/\/$/, '');
}

// as deploy/infra.sh does: each service role may log in, owns what it migrates, and nothing more
async function ensureRoles(client: Client): Promise<void> {
  for (const role of Object.keys(SERVICES)) {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (!rowCount)
      await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${devPassword(role)}'`).catch((e) => {
        if (e.code !== '42710') throw e;
      }); // created meanwhile
  }
}

// One test run's databases share a prefix holding its start time, so runs at the same time (two
// developers' shells, helpers) never drop each other's databases; runs older than two hours are
// cleaned up. The prefix reaches the test workers through the environment.
const RUN = (process.env.CC_TEST_RUN ??= `${Math.floor(Date.now() / 1000)}_${randomBytes(2).toString('hex')}`);
const templateName = (service: string) => `cc_tpl_${RUN}_${service}`;

export async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_URL}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops leftovers of earlier runs, then migrates one template database per service. */
export async function prepareTemplates(): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname ~ '^cc_(t|tpl)_[0-9]+_'`);
    const stale = Math.floor(Date.now() / 1000) - 2 * 3600;
    for (const { datname } of rows) {
      const startedAt = Number(/^cc_(?:t|tpl)_(\d+)_/.exec(datname)![1]);
      if (startedAt < stale || datname.startsWith(`cc_tpl_${RUN}_`))
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await ensureRoles(client);
    for (const service of Object.keys(SERVICES))
      await client.query(`CREATE DATABASE "${templateName(service)}" OWNER "${service}"`);
  });
  // migrated as the service's role, as a service migrates its own database: its tables are its own
  for (const [service, { entities, migrations }] of Object.entries(SERVICES)) {
    const ds = new DataSource({
      type: 'postgres',
      url: `${roleUrl(service)}/${templateName(service)}`,
      entities,
      migrations,
      migrationsTransactionMode: 'each',
    });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
  }
}

/** A fresh database for one test file, copied from the service's template, owned by and reached as its role. */
export async function freshDatabase(service: ServiceName): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cc_t_${RUN}_${service}_${randomBytes(3).toString('hex')}`;
  await admin(async (c) => {
    await c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(service)}" OWNER "${service}"`);
    await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE "${name}" FROM PUBLIC`);
  });
  return {
    url: `${roleUrl(service)}/${name}`,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Drops this run's templates and any test database a crashed file left behind. */
export async function dropRunDatabases(): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`, [
      `cc\\_tpl\\_${RUN}\\_%`,
      `cc\\_t\\_${RUN}\\_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
