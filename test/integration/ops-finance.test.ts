// Finance reconciles without curl: payouts and the operations console in-process on the real
// PostgreSQL, Redis and Kafka. Two stores are paid out; the provider's statement (its columns in
// its own order, with one it adds) has one of them with the wrong amount. In a real browser the
// clerk drops the file, sees the report, and opens the mismatch.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { startOps } from '../support/ops';
import { givePayoutAccount, sellCompleted } from '../support/payouts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('finance in the operations console', () => {
  const namespace = newNamespace();
  let payouts: RunningService;
  let consoleApp: Awaited<ReturnType<typeof startOps>>;
  const ops = tokenFor('ops', undefined, 'finance-clerk');
  let statement: string;
  let mismatched: string;

  beforeAll(async () => {
    payouts = await startService('payouts', {
      namespace,
      env: {
        PAYOUT_SETTLEMENT_POLL_SECONDS: '1',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '0',
        PAYOUT_ACCOUNT_HOLD_HOURS: '0',
      },
    });
    consoleApp = await startOps(namespace, { PAYOUTS_URL: payouts.url });
    const stores = [randomUUID(), randomUUID()];
    for (const [i, storeId] of stores.entries()) {
      await givePayoutAccount(payouts.url, storeId);
      await sellCompleted(payouts, storeId, 20_000 * (i + 1));
    }
    const run = (await call('POST', `${payouts.url}/payout-runs`, { token: ops })).body;
    const settled = await waitFor(async () => {
      const rows: { id: string; amount_fen: string; provider_reference: string; settled_at: Date }[] =
        await payouts.dataSource.query(
          `SELECT id, amount_fen, provider_reference, settled_at FROM payouts WHERE run_id = $1 AND status = 'settled' ORDER BY amount_fen`,
          [run.id],
        );
      return rows.length === 2 && rows;
    }, 'two payouts settled');
    mismatched = settled[1].id;
    // the provider's own layout: its columns in its order, and a fee column we do not need
    statement = [
      'Settled At,Provider Reference,Fee (fen),Payout ID,Amount (fen),Status',
      `${settled[0].settled_at.toISOString()},${settled[0].provider_reference},2,${settled[0].id},${settled[0].amount_fen},settled`,
      `${settled[1].settled_at.toISOString()},${settled[1].provider_reference},2,${settled[1].id},${Number(settled[1].amount_fen) - 100},settled`,
    ].join('\n');
  }, 60_000);

  afterAll(async () => {
    await consoleApp?.close();
    await payouts?.close();
  });

  it('reconciles a statement through the console API as the operator, with its drill-down and export', async () => {
    const api = (path: string, method = 'GET', body?: unknown) =>
      call(method, `${consoleApp.url}/api/${path}`, { token: ops, body });
    const refused = await api('reconciliations', 'POST', { csv: 'Payout ID,Amount (fen)\nx,1' });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/provider_reference, status, settled_at missing/);
    const accepted = await api('reconciliations', 'POST', { csv: statement });
    expect(accepted.status).toBe(202);
    const report = await waitFor(async () => {
      const r = (await api(`reconciliations/${accepted.body.id}`)).body;
      return r.status === 'completed' && r;
    }, 'the report');
    expect(report).toMatchObject({
      uploadedBy: 'finance-clerk',
      lines: 2,
      classes: { matched: { count: 1 }, amountMismatch: { count: 1 } },
    });
    const lines = (await api(`reconciliations/${accepted.body.id}/lines?class=amountMismatch`)).body;
    expect(lines.items).toEqual([expect.objectContaining({ line: 3, payoutId: mismatched, class: 'amountMismatch' })]);
    expect(lines.items[0].payoutFen - lines.items[0].statementFen).toBe(100);
    const csv = await call('GET', `${consoleApp.url}/api/reconciliations/${accepted.body.id}/csv`, { token: ops });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.body).toContain('amount_mismatch');
  });

  it('lets the clerk drop the file in a real browser and open the mismatch', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (Debian package chromium)`);
    const file = join(tmpdir(), `statement-${randomUUID()}.csv`);
    writeFileSync(file, statement);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      await page.goto(consoleApp.url);
      await page.fill('textarea[name=token]', ops);
      await page.click('button[type=submit]');
      await page.setInputFiles('#drop input[type=file]', file);
      await page.click('#statement button[data-class="amountMismatch"]');
      await page.waitForSelector('#statement .lines table');
      const text = await page.textContent('#statement .lines');
      expect(text).toContain(mismatched);
      expect(await page.locator('#statement .lines td.bad').count()).toBe(1);
      const docs = join(__dirname, '..', '..', 'docs');
      mkdirSync(docs, { recursive: true });
      await page.locator('#statement').screenshot({ path: join(docs, 'ops-console-finance.png') });
    } finally {
      await browser.close();
    }
  });
});
