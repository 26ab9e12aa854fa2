// Test databases: each service's migrations run once into a template; every test file gets a
// fresh copy (CREATE DATABASE … TEMPLATE …), which takes a fraction of a second.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SERVICES } from './services';

export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
export type ServiceName = keyof typeof SERVICES;

const templateName = (service: string) => `cc_tpl_${service}`;

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
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'cc\\_t\\_%' OR datname LIKE 'cc\\_tpl\\_%'`);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
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
  const name = `cc_t_${service}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(service)}"`));
  return { url: `${PG_URL}/${name}`, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

