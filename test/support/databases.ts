// Test databases: each service's migrations run once into a template; every test file gets a
// fresh copy (CREATE DATABASE … TEMPLATE …), which takes a fraction of a second.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SERVICES } from './services';

export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export type ServiceName = keyof typeof SERVICES;

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
      if (startedAt < stale || datname.startsWith(`cc_tpl_${RUN}_`)) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    for (const service of Object.keys(SERVICES)) await client.query(`CREATE DATABASE "${templateName(service)}"`);
  });
  for (const [service, { entities, migrations }] of Object.entries(SERVICES)) {
    const ds = new DataSource({ type: 'postgres', url: `${PG_URL}/${templateName(service)}`, entities, migrations, migrationsTransactionMode: 'each' });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
  }
}

/** A fresh database for one test file, copied from the service's template. */
export async function freshDatabase(service: ServiceName): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cc_t_${RUN}_${service}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(service)}"`));
  return { url: `${PG_URL}/${name}`, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}


/** Drops this run's templates and any test database a crashed file left behind. */
export async function dropRunDatabases(): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`, [`cc\\_tpl\\_${RUN}\\_%`, `cc\\_t\\_${RUN}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
