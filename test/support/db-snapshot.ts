// A fingerprint of everything a service's database holds (every table, outbox and inbox
// included), so a test can show that a refused request changed nothing.
import type { DataSource } from 'typeorm';

export type Fingerprint = Record<string, string>;

/** table → "<rows>:<md5 of its rows in text form>", in one round trip. */
export async function fingerprint(dataSource: DataSource): Promise<Fingerprint> {
  const tables: { name: string }[] = await dataSource.query(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const parts = tables.map(
    ({ name }, i) =>
      `(SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "${name}" t) AS t${i}`,
  );
  const [row] = await dataSource.query(`SELECT ${parts.join(', ')}`);
  return Object.fromEntries(tables.map(({ name }, i) => [name, row[`t${i}`]]));
}

/** The tables whose fingerprint differs, for a readable failure. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t]);
}
