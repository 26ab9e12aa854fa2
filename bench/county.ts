// What the bench and the fault suite share: the seeded county (stores and products straight into
// catalog's database — the API would take minutes for thousands of rows), the skewed choice of
// products buyers make, and SQL on the launchers' own databases.
import { pgServerUrl, sqlOn } from '../scripts/clients';

export const PG = pgServerUrl('BENCH_PG_URL');

export const sql = <T = Record<string, unknown>>(db: string, text: string, params: unknown[] = []): Promise<T[]> =>
  sqlOn<T>(PG, db, text, params);

/**
 * `stores` stores in 40 townships and `products` products of `stock` each, with their initial
 * stock movements (as the API writes them), into catalog database `db`; returns the product ids.
 */
export async function seedCounty(db: string, stores: number, products: number, stock = 1_000_000): Promise<string[]> {
  await sql(
    db,
    `INSERT INTO stores (id, name, township) SELECT gen_random_uuid(), 'store ' || i, 'township-' || (i % 40) FROM generate_series(1, $1::int) i`,
    [stores],
  );
  await sql(
    db,
    `WITH s AS (SELECT id, row_number() OVER () - 1 AS n FROM stores),
     p AS (
       INSERT INTO products (id, store_id, name, category, price_fen, on_hand, reserved)
       SELECT gen_random_uuid(), s.id, 'product ' || g, (ARRAY['fresh','fresh','ambient','handicraft','chilled'])[1 + g % 5], 500 + (g * 37) % 20000, $3::int, 0
       FROM generate_series(1, $1::int) g JOIN s ON s.n = g % $2::int
       RETURNING id)
     INSERT INTO stock_movements (product_id, kind, on_hand_delta, reserved_delta, reason, actor) SELECT id, 'initial', $3::int, 0, 'initial stock', 'seed' FROM p`,
    [products, stores, stock],
  );
  return (await sql<{ id: string }>(db, 'SELECT id FROM products ORDER BY random()')).map((r) => r.id);
}

/** Products by popularity: a few best sellers take most orders (Zipf-like, s = 1). `random` lets a caller seed it. */
export function skewedPicker(ids: string[], random: () => number = Math.random): () => string {
  const weights = ids.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => (cumulative[i] = acc + w / total), 0);
  return () => {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return ids[lo];
  };
}
