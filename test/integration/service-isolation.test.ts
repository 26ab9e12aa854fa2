// Each service reaches PostgreSQL as its own role, which owns its database and cannot enter
// another's; Redis answers the services' ACL user only with its password.
import IORedis from 'ioredis';
import { Client } from 'pg';
import { loadConfig, BaseConfig } from '@cc/platform';
import { admin, freshDatabase, roleUrl } from '../support/databases';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

describe('PostgreSQL roles', () => {
  let catalogDb: Awaited<ReturnType<typeof freshDatabase>>;
  let ordersDb: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    catalogDb = await freshDatabase('catalog');
    ordersDb = await freshDatabase('orders');
  });
  afterAll(async () => {
    await catalogDb.drop();
    await ordersDb.drop();
  });

  it('gives each service a URL with its own role, which owns its database and its tables', async () => {
    expect(new URL(catalogDb.url).username).toBe('catalog');
    const client = await connect(catalogDb.url);
    try {
      const { rows } = await client.query(`SELECT current_user AS me, pg_get_userbyid(d.datdba) AS owner,
        (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> current_user)::int AS foreign_tables,
        r.rolsuper, r.rolcreatedb, r.rolcreaterole
        FROM pg_database d, pg_roles r WHERE d.datname = current_database() AND r.rolname = current_user`);
      expect(rows[0]).toEqual({
        me: 'catalog',
        owner: 'catalog',
        foreign_tables: 0,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
      });
      await expect(client.query('CREATE DATABASE cc_isolation_attempt')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it("does not let the catalog role connect to orders' database", async () => {
    const ordersDatabase = new URL(ordersDb.url).pathname.slice(1);
    await expect(connect(`${roleUrl('catalog')}/${ordersDatabase}`)).rejects.toThrow(/permission denied for database/);
    // while orders itself may, and finds its tables there
    const orders = await connect(ordersDb.url);
    try {
      expect(
        (
          await orders.query(
            `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'orders'`,
          )
        ).rows[0].n,
      ).toBeGreaterThan(0);
    } finally {
      await orders.end();
    }
  });

  it('has the roles the services use by default, each owning its database (deploy/infra.sh)', async () => {
    const owners = await admin((c) =>
      c.query(
        `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname IN ('catalog', 'orders', 'fulfillment', 'payouts') ORDER BY datname`,
      ),
    );
    expect(owners.rows).toEqual(['catalog', 'fulfillment', 'orders', 'payouts'].map((d) => ({ datname: d, owner: d })));
  });
});

describe('Redis user', () => {
  const defaults = loadConfig(
    BaseConfig as new () => BaseConfig & { PORT: number },
    {},
    { PORT: 1, DATABASE_URL: 'postgres://x@h/db' },
  );

  it('authenticates the default REDIS_URL (the cc user) and refuses a wrong password', async () => {
    const url = new URL(process.env.REDIS_URL ?? defaults.REDIS_URL);
    expect(url.username).toBe('cc');
    const good = new IORedis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await good.connect();
      expect(await good.call('ACL', 'WHOAMI')).toBe('cc');
      await good.set('cc-isolation-test', '1', 'EX', 5);
      // its keys are the cc… ones (BullMQ prefixes cc and cc-<namespace>) only
      await expect(good.set('not-ours', '1')).rejects.toThrow(/NOPERM/);
    } finally {
      good.disconnect();
    }
    // the same user with a wrong password: the server refuses the AUTH
    const bad = new IORedis(`redis://${url.host}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await bad.connect();
      await expect(bad.auth('cc', 'not-the-password')).rejects.toThrow(/WRONGPASS/);
    } finally {
      bad.disconnect();
    }
  });
});
