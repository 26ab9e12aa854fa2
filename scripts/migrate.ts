// Runs one service's (or every service's) database migrations and exits:
//   node dist/scripts/migrate.js <catalog|orders|fulfillment|payouts|all>
// Reads DATABASE_URL like the service does (per service, so run it once per service in production).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadCatalogConfig } from '../apps/catalog/src/config';
import { catalogEntities } from '../apps/catalog/src/persistence/entities';
import { catalogMigrations } from '../apps/catalog/src/persistence/migrations';
import { loadFulfillmentConfig } from '../apps/fulfillment/src/config';
import { fulfillmentEntities } from '../apps/fulfillment/src/persistence/entities';
import { fulfillmentMigrations } from '../apps/fulfillment/src/persistence/migrations';
import { loadOrdersConfig } from '../apps/orders/src/config';
import { ordersEntities } from '../apps/orders/src/persistence/entities';
import { ordersMigrations } from '../apps/orders/src/persistence/migrations';
import { loadPayoutsConfig } from '../apps/payouts/src/config';
import { payoutsEntities } from '../apps/payouts/src/persistence/entities';
import { payoutsMigrations } from '../apps/payouts/src/persistence/migrations';

const SERVICES = {
  catalog: { load: loadCatalogConfig, entities: catalogEntities, migrations: catalogMigrations },
  orders: { load: loadOrdersConfig, entities: ordersEntities, migrations: ordersMigrations },
  fulfillment: { load: loadFulfillmentConfig, entities: fulfillmentEntities, migrations: fulfillmentMigrations },
  payouts: { load: loadPayoutsConfig, entities: payoutsEntities, migrations: payoutsMigrations },
};

async function migrate(name: keyof typeof SERVICES): Promise<void> {
  const { load, entities, migrations } = SERVICES[name];
  // migrations call no provider: the production guard against simulated ones is for the services
  const { DATABASE_URL } = load({ ...process.env, ALLOW_SIMULATED_PROVIDERS: 'true' });
  const ds = new DataSource({
    type: 'postgres',
    url: DATABASE_URL,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
  });
  await ds.initialize();
  const ran = await ds.runMigrations();
  await ds.destroy();
  process.stdout.write(`${name}: ${ran.length ? ran.map((m) => m.name).join(', ') : 'up to date'}\n`);
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which === 'all') {
    // each service's default database URL, unless DATABASE_URL is set (then only one service makes sense)
    for (const name of Object.keys(SERVICES) as (keyof typeof SERVICES)[]) await migrate(name);
  } else if (which && which in SERVICES) {
    await migrate(which as keyof typeof SERVICES);
  } else {
    process.stderr.write('usage: node dist/scripts/migrate.js <catalog|orders|fulfillment|payouts|all>\n');
    process.exit(2);
  }
}

main().catch((e) => {
  process.stderr.write(`migration failed: ${(e as Error).message}\n`);
  process.exit(1);
});
