// Payout runs against the real PostgreSQL, Redis and Kafka: one payout per store however many
// triggers race, netting after a refund, the provider's failure, outage and late settlement,
// and the daily schedule.
import { randomUUID } from 'node:crypto';
import { Jobs, nextOccurrence, occurrenceJobId } from '@cc/service';
import { PayoutProvider, SimulatedPayoutProvider } from '../../apps/payouts/src/persistence/payout-provider';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { readTopic, typesOf } from '../support/kafka';
import { givePayoutAccount, refundOrder, sellCompleted } from '../support/payouts';
import { PayoutsJobs } from '../../apps/payouts/src/jobs/catalogue';

describe('payout runs', () => {
  const namespace = newNamespace();
  let payouts: RunningService;
  let provider: SimulatedPayoutProvider;
  const ops = tokenFor('ops');

  beforeAll(async () => {
    payouts = await startService('payouts', {
      namespace,
      // accounts are paid to as soon as they are set: the hold has its own test (payout-accounts)
      env: {
        PAYOUT_SETTLEMENT_POLL_SECONDS: '1',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '0',
        PAYOUT_RUN_TIME: '03:30',
        PAYOUT_MINIMUM_FEN: '10000',
        PAYOUT_ACCOUNT_HOLD_HOURS: '0',
      },
    });
    provider = payouts.app.get(PayoutProvider);
  });
  afterAll(async () => {
    await payouts?.close();
  });

  /** A completed handicraft order (10 % commission): its share becomes available; the store has a payout account. */
  async function sell(storeId: string, totalFen: number) {
    await givePayoutAccount(payouts.url, storeId);
    return sellCompleted(payouts, storeId, totalFen);
  }
  const refund = (storeId: string, orderId: string, amountFen: number) =>
    refundOrder(payouts, storeId, orderId, amountFen);
  const trigger = (headers: Record<string, string> = {}) =>
    call('POST', `${payouts.url}/payout-runs`, { token: ops, headers });
  const runOf = async (id: string) => (await call('GET', `${payouts.url}/payout-runs/${id}`, { token: ops })).body;
  const balanceOf = async (storeId: string) =>
    (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) })).body;
  type PayoutView = {
    id: string;
    storeId: string;
    amountFen: number;
    status: string;
    idempotencyKey: string;
    failureReason: string | null;
    settledAt: string | null;
  };
  const payoutOf = async (runId: string, storeId: string): Promise<PayoutView | undefined> =>
    (await runOf(runId)).payouts.find((p: PayoutView) => p.storeId === storeId);
  const untilStatus = (runId: string, storeId: string, status: string) =>
    waitFor(async () => {
      const p = await payoutOf(runId, storeId);
      return p?.status === status && p;
    }, `payout to ${storeId} ${status}`);

  it('pays every store at or above the minimum exactly once, however many triggers race', async () => {
    const rich = randomUUID();
    const atMinimum = randomUUID();
    const poor = randomUUID();
    await sell(rich, 30_000); // share 27000
    await sell(atMinimum, 11_111); // commission 1111.1 → 1111, share 10000
    await sell(poor, 11_000); // share 9900: below the minimum

    const replies = await Promise.all([trigger(), trigger(), trigger()]);
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    const all: (PayoutView & { runId: string })[] = replies.flatMap((r) =>
      r.body.payouts.map((p: PayoutView) => ({ ...p, runId: r.body.id })),
    );
    expect(all.map((p) => [p.storeId, p.amountFen]).sort()).toEqual(
      [
        [atMinimum, 10_000],
        [rich, 27_000],
      ].sort(),
    );
    for (const p of all) expect(p.idempotencyKey).toBe(`payout:${p.runId}:${p.storeId}`);
    const perStore: { store_id: string; n: number }[] = await payouts.dataSource.query(
      `SELECT store_id, count(*)::int AS n FROM payouts GROUP BY store_id`,
    );
    expect(perStore.sort((a, b) => a.store_id.localeCompare(b.store_id))).toEqual(
      [
        { store_id: rich, n: 1 },
        { store_id: atMinimum, n: 1 },
      ].sort((a, b) => a.store_id.localeCompare(b.store_id)),
    );

    const richPayout = all.find((p) => p.storeId === rich)!;
    await untilStatus(richPayout.runId, rich, 'settled');
    await untilStatus(richPayout.runId, atMinimum, 'settled');
    expect(await balanceOf(rich)).toEqual({
      storeId: rich,
      currency: 'CNY',
      pendingFen: 0,
      availableFen: 0,
      inTransitFen: 0,
      paidOutFen: 27_000,
    });
    expect(await runOf(richPayout.runId)).toMatchObject({
      id: richPayout.runId,
      trigger: 'finance',
      status: 'finished',
    });
    expect(await balanceOf(poor)).toMatchObject({ availableFen: 9_900, inTransitFen: 0, paidOutFen: 0 });

    // the seller's ledger names the payout behind each payout entry, and the order behind each sale
    const ledger = (await call('GET', `${payouts.url}/stores/${rich}/ledger`, { token: tokenFor('seller', rich) }))
      .body;
    expect(
      ledger.items.map(
        (e: { kind: string; account: string; amountFen: number; payoutId: string | null; orderId: string | null }) => [
          e.kind,
          e.account,
          e.amountFen,
          e.payoutId,
          e.orderId !== null,
        ],
      ),
    ).toEqual([
      ['payout-settled', 'paid_out', 27_000, richPayout.id, false],
      ['payout-settled', 'in_transit', -27_000, richPayout.id, false],
      ['payout-sent', 'in_transit', 27_000, richPayout.id, false],
      ['payout-sent', 'available', -27_000, richPayout.id, false],
      ['order-completed', 'available', 27_000, null, true],
      ['order-completed', 'pending', -27_000, null, true],
      ['order-paid', 'pending', 27_000, null, true],
    ]);

    const events = await readTopic(
      `${namespace}.payouts.events`,
      (ms) => ms.filter((m) => m.value!.toString().includes(richPayout.id)).length >= 2,
    );
    const ofRich = events.filter((m) => m.value!.toString().includes(richPayout.id));
    expect(typesOf(ofRich)).toEqual(['payouts.payout-sent', 'payouts.payout-settled']);
    expect(JSON.parse(ofRich[0].value!.toString()).data).toMatchObject({
      payoutId: richPayout.id,
      payoutRunId: richPayout.runId,
      storeId: rich,
      amountFen: 27_000,
    });
  });

  it('gives the same run for the same Idempotency-Key, and only ops may trigger or read runs', async () => {
    const key = `run-${randomUUID()}`;
    const first = await trigger({ 'Idempotency-Key': key });
    const again = await trigger({ 'Idempotency-Key': key });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const seller = tokenFor('seller', randomUUID());
    expect((await call('POST', `${payouts.url}/payout-runs`, { token: seller })).status).toBe(403);
    expect((await call('GET', `${payouts.url}/payout-runs/${first.body.id}`, { token: seller })).status).toBe(403);
    expect((await call('GET', `${payouts.url}/payout-runs/${randomUUID()}`, { token: ops })).status).toBe(404);
  });

  it('nets a refund after payout off the next payouts: negative available is below the minimum until sales cover it', async () => {
    const store = randomUUID();
    const order = await sell(store, 20_000); // 18000
    const run1 = (await trigger()).body;
    await untilStatus(run1.id, store, 'settled');
    await refund(store, order, 20_000); // the whole order, after it was paid out
    expect(await balanceOf(store)).toMatchObject({ availableFen: -18_000, inTransitFen: 0, paidOutFen: 18_000 });

    const run2 = (await trigger()).body;
    expect(run2.payouts.find((p: PayoutView) => p.storeId === store)).toBeUndefined();
    await sell(store, 40_000); // +36000: 18000 net
    const run3 = (await trigger()).body;
    expect((await payoutOf(run3.id, store))!.amountFen).toBe(18_000);
    await untilStatus(run3.id, store, 'settled');
    expect(await balanceOf(store)).toMatchObject({
      pendingFen: 0,
      availableFen: 0,
      inTransitFen: 0,
      paidOutFen: 36_000,
    });
  });

  it('retries a provider outage with backoff and keeps the payout in transit until the provider settles it late', async () => {
    const store = randomUUID();
    await sell(store, 20_000);
    provider.settleStoreAfter(store, 5);
    provider.failNextCalls(1);
    const run = (await trigger()).body;
    const payout = await untilStatus(run.id, store, 'sent');
    // accepted, not yet settled: the money is in transit, neither available nor paid out
    expect(await balanceOf(store)).toMatchObject({ availableFen: 0, inTransitFen: 18_000, paidOutFen: 0 });
    const sendJob = await payouts.app
      .get(Jobs)
      .queue('payout-calls')
      .getJob(PayoutsJobs.sendPayout.id({ payoutId: payout.id }));
    expect(sendJob?.stacktrace?.join('\n')).toMatch(/provider is unavailable/);

    const settled = await untilStatus(run.id, store, 'settled');
    expect(Date.parse(settled.settledAt!)).not.toBeNaN();
    expect(await balanceOf(store)).toMatchObject({ availableFen: 0, inTransitFen: 0, paidOutFen: 18_000 });
    const history = await payouts.dataSource.query(
      `SELECT from_status, to_status, action FROM payout_history WHERE payout_id = $1 ORDER BY id`,
      [payout.id],
    );
    expect(history).toEqual([
      { from_status: null, to_status: 'sending', action: 'payout-run' },
      { from_status: 'sending', to_status: 'sent', action: 'provider-accepted' },
      { from_status: 'sent', to_status: 'settled', action: 'provider-settled' },
    ]);
  });

  it('puts a refused payout back in available with a reversing transaction, and says so with payout-failed', async () => {
    const store = randomUUID();
    await sell(store, 20_000);
    provider.refuseStore(store);
    const run = (await trigger()).body;
    const failed = await untilStatus(run.id, store, 'failed');
    expect(failed.failureReason).toMatch(/refused/);
    expect(await balanceOf(store)).toMatchObject({ availableFen: 18_000, inTransitFen: 0, paidOutFen: 0 });
    // the send stays in the ledger; the failure is a second transaction that reverses it
    const postings = await payouts.dataSource.query(
      `SELECT t.kind, a.kind AS account, -e.amount_fen::int AS amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
       WHERE t.payout_id = $1 ORDER BY e.id`,
      [failed.id],
    );
    expect(postings).toEqual([
      { kind: 'payout-sent', account: 'available', amount: -18_000 },
      { kind: 'payout-sent', account: 'in_transit', amount: 18_000 },
      { kind: 'payout-failed', account: 'in_transit', amount: -18_000 },
      { kind: 'payout-failed', account: 'available', amount: 18_000 },
    ]);
    const events = await readTopic(`${namespace}.payouts.events`, (ms) =>
      ms.some((m) => m.value!.toString().includes(failed.id) && typesOf([m])[0] === 'payouts.payout-failed'),
    );
    const failedEvent = events.find(
      (m) => m.value!.toString().includes(failed.id) && typesOf([m])[0] === 'payouts.payout-failed',
    )!;
    expect(JSON.parse(failedEvent.value!.toString()).data).toMatchObject({
      payoutId: failed.id,
      storeId: store,
      amountFen: 18_000,
      reason: 'the receiving bank account was refused',
    });
  });

  it('runs daily at PAYOUT_RUN_TIME in the county time zone: the next occurrence waits as a delayed job; an occurrence starts one run', async () => {
    const queue = payouts.app.get(Jobs).queue('payout-runs');
    const next = nextOccurrence({ name: 'start-payout-run', dailyAt: '03:30', timeZone: 'Asia/Shanghai' }, new Date(), {
      scale: 1,
      minIntervalMs: 1000,
    });
    const waiting = await queue.getJob(occurrenceJobId('start-payout-run', next));
    expect(waiting && (await waiting.getState())).toBe('delayed');
    expect(waiting!.timestamp + waiting!.delay).toBeGreaterThanOrEqual(next.getTime());
    const store = randomUUID();
    await sell(store, 50_000);
    // an occurrence's job, as if its time had come
    const jobId = 'start-payout-run@2026-01-01T193000Z';
    await queue.add('start-payout-run', {}, { jobId });
    const [run] = await waitFor(async () => {
      const rows = await payouts.dataSource.query(`SELECT id, trigger FROM payout_runs WHERE request_key = $1`, [
        `schedule:${jobId}`,
      ]);
      return rows.length > 0 && rows;
    }, 'the scheduled run');
    expect(run.trigger).toBe('schedule');
    expect((await payoutOf(run.id, store))?.amountFen).toBe(45_000);
    // the same occurrence again (its finished job trimmed, then re-added): still one run
    await waitFor(async () => (await queue.getJob(jobId))?.finishedOn, 'the occurrence finished');
    await queue.remove(jobId);
    const again = await queue.add('start-payout-run', {}, { jobId });
    await waitFor(async () => (await queue.getJob(again.id!))?.finishedOn, 'the re-added occurrence finished');
    expect(
      await payouts.dataSource.query(`SELECT count(*)::int AS n FROM payout_runs WHERE request_key = $1`, [
        `schedule:${jobId}`,
      ]),
    ).toEqual([{ n: 1 }]);
  });
});
