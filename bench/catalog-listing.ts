// How the product listing holds up at 100,000 products (issue: "stays fast at 100,000").
//   npm run -s build && node dist/bench/catalog-listing.js
// Seeds a fresh database (bench_catalog_listing) with 2,000 stores and 100,000 products, starts
// catalog in-process, and times each kind of listing request, sequentially, reporting medians.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createServiceApp } from '@cc/service';
import { CatalogModule } from '../apps/catalog/src/catalog.module';
import { loadCatalogConfig } from '../apps/catalog/src/config';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DB = 'bench_catalog_listing';
const REQUESTS = Number(process.env.REQUESTS ?? 200);

async function seed(): Promise<void> {
  const admin = new Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
}

async function fill(): Promise<{ storeId: string; productId: string }> {
  const db = new Client({ connectionString: `${PG}/${DB}` });
  await db.connect();
  await db.query(
    `INSERT INTO stores (id, name, township) SELECT gen_random_uuid(), 'store ' || i, 'township-' || (i % 40) FROM generate_series(1, 2000) i`,
  );
  await db.query(`INSERT INTO products (id, store_id, name, category, price_fen, on_hand, reserved, created_at)
    SELECT gen_random_uuid(), s.id, 'product ' || g, (ARRAY['fresh','chilled','ambient','handicraft'])[1 + g % 4], 100 + g % 20000, g % 50, 0, now() - make_interval(secs => g)
    FROM generate_series(1, 100000) g JOIN LATERAL (SELECT id FROM stores ORDER BY id OFFSET (g % 2000) LIMIT 1) s ON true`);
  await db.query('ANALYZE');
  const [{ store_id, id }] = (await db.query('SELECT store_id, id FROM products ORDER BY random() LIMIT 1')).rows;
  await db.end();
  return { storeId: store_id, productId: id };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1];

async function main(): Promise<void> {
  await seed();
  const config = loadCatalogConfig({
    PORT: '1',
    DATABASE_URL: `${PG}/${DB}`,
    LOG_LEVEL: 'warn',
    NAMESPACE: `bench-${Date.now()}`,
  });
  const app = await createServiceApp(CatalogModule.register(config), 'catalog');
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const t0 = Date.now();
  const { storeId, productId } = await fill();
  console.log(`seeded 2,000 stores and 100,000 products in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const cases: [string, string][] = [
    ['all, page 1', '/products'],
    ['all, page 1000 (deep)', '/products?page=1000'],
    ['category=fresh, page 1', '/products?category=fresh'],
    ['category=fresh, page 400', '/products?category=fresh&page=400'],
    ['storeId, page 1', `/products?storeId=${storeId}`],
    ['storeId + category', `/products?storeId=${storeId}&category=ambient`],
    ['one product', `/products/${productId}`],
  ];
  const results: Record<string, { medianMs: number; p95Ms: number; items: number }> = {};
  for (const [label, path] of cases) {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const start = performance.now();
      const res = await fetch(url + path);
      const body = (await res.json()) as { items?: unknown[] };
      times.push(performance.now() - start);
      items = body.items?.length ?? 1;
    }
    results[label] = { medianMs: Number(median(times).toFixed(2)), p95Ms: Number(p95(times).toFixed(2)), items };
    console.log(
      `${label.padEnd(28)} median ${median(times).toFixed(2)} ms   p95 ${p95(times).toFixed(2)} ms   (${items} items, ${REQUESTS} requests)`,
    );
  }
  const file = join(
    __dirname,
    '..',
    '..',
    'bench',
    'results',
    `catalog-listing-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  writeFileSync(file, JSON.stringify({ products: 100_000, stores: 2_000, requests: REQUESTS, results }, null, 2));
  console.log(`written to ${file}`);
  await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
