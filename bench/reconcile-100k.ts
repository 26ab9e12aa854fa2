// How reconciliation holds up with a 100,000-line settlement statement (issue 5: "a statement
// of 100,000 lines reconciles").
//   npm run -s build && node dist/bench/reconcile-100k.js
// Seeds a fresh database (bench_reconcile_100k) with 97,000 settled payouts, starts payouts
// in-process, uploads a 100,000-line statement over HTTP (93,000 matching lines, 2,000 amount
// mismatches, 2,000 unknown payouts, 3,000 duplicates; 2,000 payouts left out), and times the
// upload (parse, check every line, store) and the matching job until the report is complete.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEV_JWT_SECRET, TokenService } from '@cc/platform';
import { createServiceApp } from '@cc/service';
import { loadPayoutsConfig } from '../apps/payouts/src/config';
import { PayoutsModule } from '../apps/payouts/src/payouts.module';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DB = 'bench_reconcile_100k';
const PAYOUTS = 97_000;
const [MATCHED, MISMATCHED, UNKNOWN, DUPLICATES] = [93_000, 2_000, 2_000, 3_000];

async function freshDatabase(): Promise<void> {
  const admin = new Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
}

/** Settled payouts of one run, g = 1..97,000, settled one second apart; returns them in g order. */
async function seedPayouts(): Promise<{ id: string; ref: string; amount: number; settledAt: string }[]> {
  const db = new Client({ connectionString: `${PG}/${DB}` });
  await db.connect();
  const runId = randomUUID();
  await db.query(
    `INSERT INTO payout_runs (id, trigger, requested_by, started_at) VALUES ($1, 'finance', 'bench', now() - interval '2 days')`,
    [runId],
  );
  await db.query(
    `INSERT INTO payouts (id, run_id, store_id, idempotency_key, amount_fen, status, provider_reference, created_at, settled_at)
     SELECT id, $1::uuid, store, 'payout:' || $1::text || ':' || store, 10000 + (g * 37) % 90000, 'settled', 'ref-' || g, now() - interval '2 days', timestamptz '2026-06-01T00:00:00Z' + make_interval(secs => g)
     FROM (SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS store FROM generate_series(1, $2::int) g) s`,
    [runId, PAYOUTS],
  );
  await db.query('ANALYZE');
  const { rows } = await db.query(
    `SELECT id, provider_reference AS ref, amount_fen::int AS amount, settled_at FROM payouts ORDER BY settled_at`,
  );
  await db.end();
  return rows.map((r) => ({ id: r.id, ref: r.ref, amount: r.amount, settledAt: (r.settled_at as Date).toISOString() }));
}

function statement(payouts: { id: string; ref: string; amount: number; settledAt: string }[]): string {
  const lines = ['payout_id,provider_reference,amount_fen,status,settled_at'];
  for (let i = 0; i < MATCHED; i++)
    lines.push(`${payouts[i].id},${payouts[i].ref},${payouts[i].amount},settled,${payouts[i].settledAt}`);
  for (let i = MATCHED; i < MATCHED + MISMATCHED; i++)
    lines.push(`${payouts[i].id},${payouts[i].ref},${payouts[i].amount + 1},settled,${payouts[i].settledAt}`);
  for (let i = 0; i < UNKNOWN; i++) lines.push(`${randomUUID()},stranger-${i},5000,settled,${payouts[i].settledAt}`);
  for (let i = 0; i < DUPLICATES; i++)
    lines.push(`${payouts[i].id},${payouts[i].ref},${payouts[i].amount},settled,${payouts[i].settledAt}`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  await freshDatabase();
  const config = loadPayoutsConfig({
    PORT: '1',
    DATABASE_URL: `${PG}/${DB}`,
    LOG_LEVEL: 'warn',
    NAMESPACE: `bench-${Date.now()}`,
  });
  const app = await createServiceApp(PayoutsModule.register(config), 'payouts');
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const token = new TokenService(DEV_JWT_SECRET).sign({ role: 'ops', sub: 'bench' } as never);
  try {
    let t = performance.now();
    const payouts = await seedPayouts();
    const csv = statement(payouts);
    console.log(
      `seeded ${PAYOUTS.toLocaleString('en')} settled payouts and a ${(MATCHED + MISMATCHED + UNKNOWN + DUPLICATES).toLocaleString('en')}-line statement (${(csv.length / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const period = `from=${payouts[0].settledAt}&to=${payouts[PAYOUTS - 1].settledAt}`;
    t = performance.now();
    const res = await fetch(`${url}/reconciliations?${period}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const accepted = (await res.json()) as { id: string };
    const uploadMs = performance.now() - t;
    if (res.status !== 202) throw new Error(`upload refused: ${res.status} ${JSON.stringify(accepted)}`);
    let report: { status: string; classes: Record<string, { count: number }> };
    do {
      await new Promise((r) => setTimeout(r, 50));
      report = (await (
        await fetch(`${url}/reconciliations/${accepted.id}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as typeof report;
    } while (report.status !== 'completed');
    const totalMs = performance.now() - t;
    t = performance.now();
    const exported = await (
      await fetch(`${url}/reconciliations/${accepted.id}?format=csv`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    const exportMs = performance.now() - t;

    const counts = Object.fromEntries(Object.entries(report.classes).map(([k, v]) => [k, v.count]));
    const expected = {
      matched: MATCHED,
      amountMismatch: MISMATCHED,
      missingFromStatement: PAYOUTS - MATCHED - MISMATCHED,
      unknownToUs: UNKNOWN,
      duplicates: DUPLICATES,
    };
    if (Object.entries(expected).some(([k, n]) => counts[k] !== n))
      throw new Error(`wrong report: ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`);
    console.log(`upload (parse, check and store 100,000 lines): ${(uploadMs / 1000).toFixed(2)} s`);
    console.log(`matching job (202 answer → report completed):  ${((totalMs - uploadMs) / 1000).toFixed(2)} s`);
    console.log(`POST to completed report, end to end:          ${(totalMs / 1000).toFixed(2)} s`);
    console.log(
      `CSV export (${exported.split('\n').length - 2} rows):                     ${(exportMs / 1000).toFixed(2)} s`,
    );
    console.log(`report: ${JSON.stringify(counts)}`);
    const file = join(
      __dirname,
      '..',
      '..',
      'bench',
      'results',
      `reconcile-100k-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify(
        {
          lines: 100_000,
          payouts: PAYOUTS,
          uploadMs: Math.round(uploadMs),
          matchingMs: Math.round(totalMs - uploadMs),
          totalMs: Math.round(totalMs),
          exportMs: Math.round(exportMs),
          counts,
        },
        null,
        2,
      ),
    );
    console.log(`written to ${file}`);
  } finally {
    await app.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
