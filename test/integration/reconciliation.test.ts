// Reconciliation against the real PostgreSQL, Redis and Kafka: a statement with one line of each
// kind is reported class by class with its totals; a malformed one is refused whole.
import { randomUUID } from 'node:crypto';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { readTopic, typesOf } from '../support/kafka';
import { givePayoutAccount, sellCompleted } from '../support/payouts';

describe('reconciliation of the provider’s settlement statement', () => {
  const namespace = newNamespace();
  let payouts: RunningService;
  const ops = tokenFor('ops');
  const HEADER = 'payout_id,provider_reference,amount_fen,status,settled_at';

  beforeAll(async () => {
    payouts = await startService('payouts', {
      namespace,
      env: {
        PAYOUT_SETTLEMENT_POLL_SECONDS: '1',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '0',
        PAYOUT_ACCOUNT_HOLD_HOURS: '0',
      },
    });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  async function sell(storeId: string, totalFen: number) {
    await givePayoutAccount(payouts.url, storeId);
    await sellCompleted(payouts, storeId, totalFen);
  }
  const upload = (csv: string, query = '', token = ops, contentType = 'text/csv') =>
    call('POST', `${payouts.url}/reconciliations${query}`, {
      token,
      raw: csv,
      headers: { 'content-type': contentType },
    });
  const stored = async () =>
    (
      await payouts.dataSource.query(
        `SELECT (SELECT count(*) FROM reconciliations)::int AS r, (SELECT count(*) FROM statement_lines)::int AS l`,
      )
    )[0];

  it('reports a statement with one line of each kind in its class, with counts and totals, and exports it as CSV', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await sell(a, 20_000); // 18000
    await sell(b, 30_000); // 27000
    await sell(c, 40_000); // 36000
    const run = (await call('POST', `${payouts.url}/payout-runs`, { token: ops })).body;
    const settled = await waitFor(async () => {
      const rows: { id: string; store_id: string; amount_fen: string; provider_reference: string; settled_at: Date }[] =
        await payouts.dataSource.query(
          `SELECT id, store_id, amount_fen, provider_reference, settled_at FROM payouts WHERE run_id = $1 AND status = 'settled'`,
          [run.id],
        );
      return rows.length === 3 && rows;
    }, 'three payouts settled');
    const of = (store: string) => settled.find((p) => p.store_id === store)!;
    const line = (p: (typeof settled)[number], amountFen = Number(p.amount_fen)) =>
      `${p.id},${p.provider_reference},${amountFen},settled,${p.settled_at.toISOString()}`;
    const unknown = randomUUID();
    const statement = [
      HEADER,
      line(of(a)), // matched
      line(of(b), 27_001), // amount mismatch
      `${unknown},simpay_stranger,5000,settled,${of(a).settled_at.toISOString()}`, // unknown to us
      line(of(a)), // duplicate; c is missing from the statement
    ].join('\r\n');
    const times = settled.map((p) => p.settled_at.getTime());
    const period = `?from=${new Date(Math.min(...times) - 1000).toISOString()}&to=${new Date(Math.max(...times) + 1000).toISOString()}`;

    const accepted = await upload(statement, period);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'pending', lines: 4 });
    expect(accepted.headers.get('location')).toBe(`/reconciliations/${accepted.body.id}`);
    const report = await waitFor(async () => {
      const r = (await call('GET', `${payouts.url}/reconciliations/${accepted.body.id}`, { token: ops })).body;
      return r.status === 'completed' && r;
    }, 'reconciliation completed');
    expect(report.classes).toEqual({
      matched: { count: 1, statementFen: 18_000, payoutFen: 18_000 },
      amountMismatch: { count: 1, statementFen: 27_001, payoutFen: 27_000 },
      missingFromStatement: { count: 1, statementFen: 0, payoutFen: 36_000 },
      unknownToUs: { count: 1, statementFen: 5_000, payoutFen: 0 },
      duplicates: { count: 1, statementFen: 18_000, payoutFen: 0 },
    });
    expect(report).toMatchObject({ id: accepted.body.id, lines: 4, uploadedBy: expect.any(String) });

    const exported = await call('GET', `${payouts.url}/reconciliations/${accepted.body.id}?format=csv`, { token: ops });
    expect(exported.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = (exported.body as string)
      .trim()
      .split('\n')
      .map((r) => r.split(','));
    expect(rows[0]).toEqual([
      'line',
      'payout_id',
      'provider_reference',
      'amount_fen',
      'status',
      'settled_at',
      'class',
      'payout_amount_fen',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[3], r[6], r[7]])).toEqual([
      ['2', of(a).id, '18000', 'matched', '18000'],
      ['3', of(b).id, '27001', 'amount_mismatch', '27000'],
      ['4', unknown, '5000', 'unknown_to_us', ''],
      ['5', of(a).id, '18000', 'duplicate', ''],
      ['', of(c).id, '', 'missing_from_statement', '36000'],
    ]);

    const events = await readTopic(`${namespace}.payouts.events`, (ms) =>
      ms.some((m) => typesOf([m])[0] === 'payouts.reconciliation-completed'),
    );
    const completed = events.find((m) => typesOf([m])[0] === 'payouts.reconciliation-completed')!;
    expect(JSON.parse(completed.value!.toString()).data).toMatchObject({
      reconciliationId: accepted.body.id,
      matched: 1,
      amountMismatch: 1,
      missingFromStatement: 1,
      unknownToUs: 1,
      duplicates: 1,
    });

    // what the operations console shows finance
    const finance = (await call('GET', `${payouts.url}/admin/finance`, { token: ops })).body;
    expect(finance.reconciliations[0]).toEqual({
      id: accepted.body.id,
      status: 'completed',
      createdAt: expect.any(String),
      lines: 4,
      matched: 1,
      amountMismatch: 1,
      missingFromStatement: 1,
      unknownToUs: 1,
      duplicates: 1,
    });
    expect(finance.lastPayoutRun).toMatchObject({
      status: expect.stringMatching(/paying|finished/),
      payoutCount: expect.any(Number),
    });
    expect(
      (await call('GET', `${payouts.url}/admin/finance`, { token: tokenFor('seller', randomUUID()) })).status,
    ).toBe(403);
  });

  it('refuses a malformed statement with the line number and reason, and stores nothing of it', async () => {
    const before = await stored();
    const id = randomUUID();
    const csv = [
      HEADER,
      `${id},r1,100,settled,2026-06-01T02:00:00Z`,
      `${id},r2,200,settled,2026-06-01T02:00:00Z`,
      `${id},r3,12.5,settled,2026-06-01T02:00:00Z`,
    ].join('\n');
    const refused = await upload(csv);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({
      status: 400,
      line: 4,
      reason: 'amount must be a whole number of fen (got "12.5")',
    });
    expect(refused.body.detail).toMatch(/line 4/);
    expect(await stored()).toEqual(before);
  });

  it('takes only text/csv, only from ops', async () => {
    const csv = `${HEADER}\n${randomUUID()},r,1,settled,2026-06-01T02:00:00Z`;
    expect((await upload(csv, '', ops, 'application/json')).status).toBe(400); // not JSON at all
    expect((await upload('{}', '', ops, 'application/json')).status).toBe(415);
    expect((await upload(csv, '', tokenFor('seller', randomUUID()))).status).toBe(403);
    expect((await call('GET', `${payouts.url}/reconciliations/${randomUUID()}`, { token: ops })).status).toBe(404);
  });
});
