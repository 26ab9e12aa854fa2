// Her statement against the real PostgreSQL, Redis and Kafka: each payout broken down into the
// ledger entries it paid (sales net of commission and refunds before completion, refunds after
// an earlier payout, a failed payout given back), each naming its order, adding up to the payout
// to the fen; and, over random streams of orders, refunds, account changes and payout runs, every
// payout's lines add up to it and no ledger entry is in two payouts.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CATEGORIES, DecodedEvent, OrderLineV1 } from '@cc/contracts';
import { LedgerService } from '../../apps/payouts/src/domain/ledger.service';
import { PayoutRunService } from '../../apps/payouts/src/domain/payout-run.service';
import { BACKFILL_PAYOUT_LINES } from '../../apps/payouts/src/persistence/migrations/1700000000004-payouts-lines';
import { newNamespace, RunningService, startService } from '../support/harness';
import { call, tokenFor, waitFor } from '../support/http';
import { envelope } from '../support/kafka';
import { givePayoutAccount } from '../support/payouts';

const REFUSED = '6222021234560000';
const MINIMUM = 5_000;

type Line = {
  entryId: number;
  kind: string;
  orderId: string | null;
  orderTotalFen: number | null;
  refundFen: number;
  grossFen: number;
  commissionFen: number;
  amountFen: number;
  returnedPayoutId: string | null;
  orderPaidInPayoutId: string | null;
  carriedOver: boolean;
};
type Statement = {
  id: string;
  storeId: string;
  amountFen: number;
  status: string;
  totals: { grossFen: number; commissionFen: number; amountFen: number; carriedOverFen: number };
  lines: Line[];
};

describe('seller statements', () => {
  const namespace = newNamespace();
  let payouts: RunningService;
  const ops = tokenFor('ops');

  beforeAll(async () => {
    payouts = await startService('payouts', {
      namespace,
      env: {
        PAYOUT_SETTLEMENT_POLL_SECONDS: '1',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '0',
        PAYOUT_ACCOUNT_HOLD_HOURS: '0',
        PAYOUT_MINIMUM_FEN: String(MINIMUM),
      },
    });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  const ledger = () => payouts.app.get(LedgerService);
  const now = () => new Date().toISOString();
  async function paid(storeId: string, orderId: string, lines: Omit<OrderLineV1, 'productId'>[]) {
    const withIds = lines.map((l) => ({ ...l, productId: randomUUID() }));
    const totalFen = withIds.reduce((t, l) => t + l.unitPriceFen * l.quantity, 0);
    const event = envelope('orders.order-paid', {
      orderId,
      buyerId: 'buyer-1',
      storeId,
      township: 'louguan',
      lines: withIds,
      totalFen,
      paymentId: randomUUID(),
      paidAt: now(),
    });
    await payouts.dataSource.transaction((tx) =>
      ledger().creditSellerPending(tx, event as DecodedEvent<'orders.order-paid'>),
    );
    return totalFen;
  }
  async function completed(storeId: string, orderId: string, totalFen: number) {
    const event = envelope('orders.order-completed', { orderId, storeId, totalFen, completedAt: now() });
    await payouts.dataSource.transaction((tx) =>
      ledger().releaseSellerShare(tx, event as DecodedEvent<'orders.order-completed'>),
    );
  }
  async function refunded(storeId: string, orderId: string, amountFen: number) {
    const event = envelope('orders.order-refunded', {
      orderId,
      storeId,
      refundId: randomUUID(),
      amountFen,
      full: false,
      reason: 'bruised',
      refundedAt: now(),
    });
    await payouts.dataSource.transaction((tx) =>
      ledger().reverseRefund(tx, event as DecodedEvent<'orders.order-refunded'>),
    );
  }
  /** A payout run; returns once each of its payouts was handed to the provider (accepted or refused). */
  async function run(storeIds: string[]) {
    await payouts.app.get(PayoutRunService).startRun({ trigger: 'finance', requestedBy: 'statement-test' });
    await waitFor(
      async () =>
        (
          await payouts.dataSource.query(`SELECT 1 FROM payouts WHERE store_id = ANY($1) AND status = 'sending'`, [
            storeIds,
          ])
        ).length === 0,
      'the payouts sent',
    );
  }
  const statementOf = async (payoutId: string, token = ops): Promise<Statement> => {
    const res = await call('GET', `${payouts.url}/payouts/${payoutId}/lines`, { token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const payoutsOf = async (storeId: string, query = '') =>
    (await call('GET', `${payouts.url}/stores/${storeId}/payouts${query}`, { token: tokenFor('seller', storeId) }))
      .body;

  it('breaks each payout into the entries it paid, each naming its order, adding up to the payout', async () => {
    const store = randomUUID();
    const seller = tokenFor('seller', store);
    await givePayoutAccount(payouts.url, store);
    // A: 20000 handicraft (10 %): share 18000, commission 2000
    const a = randomUUID();
    await completed(store, a, await paid(store, a, [{ category: 'handicraft', unitPriceFen: 20_000, quantity: 1 }]));
    // B: 13600 fresh (5 %: 680) + 2990 ambient (8 %: 239) = 16590, share 15671; 6590 refunded before completion
    // (share 6225, commission 365), so 10000 of it completes: share 9446, commission 554
    const b = randomUUID();
    const bTotal = await paid(store, b, [
      { category: 'fresh', unitPriceFen: 6800, quantity: 2 },
      { category: 'ambient', unitPriceFen: 2990, quantity: 1 },
    ]);
    await refunded(store, b, 6590);
    await completed(store, b, bTotal);
    await run([store]);
    const [first] = (await payoutsOf(store)).items;
    const p1 = await statementOf(first.id, seller);
    expect(p1).toMatchObject({
      id: first.id,
      storeId: store,
      amountFen: 27_446,
      totals: { grossFen: 30_000, commissionFen: 2_554, amountFen: 27_446, carriedOverFen: 0 },
    });
    expect(
      p1.lines.map((l) => [
        l.kind,
        l.orderId,
        l.orderTotalFen,
        l.refundFen,
        l.grossFen,
        l.commissionFen,
        l.amountFen,
        l.carriedOver,
      ]),
    ).toEqual([
      ['sale', a, 20_000, 0, 20_000, 2_000, 18_000, false],
      ['sale', b, 16_590, 6_590, 10_000, 554, 9_446, false],
    ]);
    await waitFor(async () => (await payoutsOf(store)).items[0].status === 'settled', 'the first payout settled');

    // A refunded in full after it was paid out: her balance goes negative, and no run pays her...
    await refunded(store, a, 20_000);
    await run([store]);
    expect((await payoutsOf(store)).total).toBe(1);
    // ...until C covers it: the next payout nets the refund off and says which payout had paid A
    const c = randomUUID();
    await completed(store, c, await paid(store, c, [{ category: 'handicraft', unitPriceFen: 40_000, quantity: 1 }]));
    await run([store]);
    const p2 = await statementOf((await payoutsOf(store)).items[0].id);
    expect(p2).toMatchObject({ amountFen: 18_000, totals: { amountFen: 18_000, carriedOverFen: -18_000 } });
    expect(
      p2.lines.map((l) => [
        l.kind,
        l.orderId,
        l.grossFen,
        l.commissionFen,
        l.amountFen,
        l.orderPaidInPayoutId,
        l.carriedOver,
      ]),
    ).toEqual([
      ['refund', a, -20_000, -2_000, -18_000, first.id, true],
      ['sale', c, 40_000, 4_000, 36_000, null, false],
    ]);

    // D goes to an account the provider refuses: that payout fails, and the next one pays its money again
    await givePayoutAccount(payouts.url, store, { accountNumber: REFUSED });
    const d = randomUUID();
    await completed(store, d, await paid(store, d, [{ category: 'handicraft', unitPriceFen: 30_000, quantity: 1 }]));
    await run([store]);
    const failed = await waitFor(async () => {
      const latest = (await payoutsOf(store)).items[0];
      return latest.status === 'failed' && latest;
    }, 'the payout to the refused account failed');
    await givePayoutAccount(payouts.url, store);
    await run([store]);
    const list = await payoutsOf(store);
    expect(
      list.items.map((p: { status: string; amountFen: number; lineCount: number }) => [p.amountFen, p.lineCount]),
    ).toEqual([
      [27_000, 1],
      [27_000, 1],
      [18_000, 2],
      [27_446, 2],
    ]);
    expect(list.items[1]).toMatchObject({ id: failed.id, status: 'failed', account: { accountNumber: '****0000' } });
    // the failed payout keeps what it would have paid; the new one pays that money again, naming it
    expect((await statementOf(failed.id)).lines.map((l) => [l.kind, l.orderId, l.amountFen])).toEqual([
      ['sale', d, 27_000],
    ]);
    const p4 = await statementOf(list.items[0].id);
    expect(p4.lines.map((l) => [l.kind, l.orderId, l.returnedPayoutId, l.amountFen, l.carriedOver])).toEqual([
      ['returned-payout', null, failed.id, 27_000, true],
    ]);

    // paged, newest first
    expect((await payoutsOf(store, '?page=2&pageSize=2')).items.map((p: { id: string }) => p.id)).toEqual([
      list.items[2].id,
      first.id,
    ]);
    expect(list).toMatchObject({ storeId: store, page: 1, pageSize: 20, total: 4 });
    expect(JSON.stringify(list)).not.toContain(REFUSED);
  });

  it('shows a store’s payouts and a payout’s lines only to her seller and ops', async () => {
    const store = randomUUID();
    await givePayoutAccount(payouts.url, store);
    const order = randomUUID();
    await completed(
      store,
      order,
      await paid(store, order, [{ category: 'ambient', unitPriceFen: 9_000, quantity: 1 }]),
    );
    await run([store]);
    const [payout] = (await payoutsOf(store)).items;
    for (const token of [tokenFor('seller', randomUUID()), tokenFor('buyer')]) {
      expect((await call('GET', `${payouts.url}/stores/${store}/payouts`, { token })).status).toBe(403);
      expect((await call('GET', `${payouts.url}/payouts/${payout.id}/lines`, { token })).status).toBe(403);
    }
    expect((await call('GET', `${payouts.url}/payouts/${randomUUID()}/lines`, { token: ops })).status).toBe(404);
    const bad = await call('GET', `${payouts.url}/stores/${store}/payouts?pageSize=0`, { token: ops });
    expect([bad.status, bad.headers.get('content-type')]).toEqual([
      400,
      expect.stringMatching(/application\/problem\+json/),
    ]);
    expect((await statementOf(payout.id)).lines).toMatchObject([{ kind: 'sale', orderId: order, amountFen: 8_280 }]);
  });

  // ---- property ----------------------------------------------------------------------------------

  const arbLines = fc.array(
    fc.record({
      category: fc.constantFrom(...CATEGORIES),
      unitPriceFen: fc.integer({ min: 1, max: 15_000 }),
      quantity: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  );
  type Step =
    | {
        kind: 'order';
        store: number;
        lines: { category: (typeof CATEGORIES)[number]; unitPriceFen: number; quantity: number }[];
        refundBefore: number | null;
        completes: boolean;
      }
    | { kind: 'refund-after'; nth: number; fraction: number }
    | { kind: 'account'; store: number; refused: boolean }
    | { kind: 'run' };
  const arbStep: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('order' as const),
        store: fc.nat({ max: 2 }),
        lines: arbLines,
        refundBefore: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: null }),
        completes: fc.nat({ max: 3 }).map((n) => n > 0),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('refund-after' as const),
        nth: fc.nat(),
        fraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('account' as const), store: fc.nat({ max: 2 }), refused: fc.boolean() }),
    },
    { weight: 3, arbitrary: fc.constant({ kind: 'run' as const }) },
  );

  it('property: over random orders, refunds, account changes and runs, every payout’s lines add up to it and no entry is in two payouts', async () => {
    const seen = { payouts: 0, returned: 0, carriedRefunds: 0, refundsBeforeCompletion: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 4, maxLength: 24 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        async (steps, refusedAtFirst) => {
          const stores = [randomUUID(), randomUUID(), randomUUID()];
          for (const [i, store] of stores.entries())
            await givePayoutAccount(payouts.url, store, refusedAtFirst[i] ? { accountNumber: REFUSED } : {});
          const orders: { id: string; storeId: string; totalFen: number; refundedFen: number; completed: boolean }[] =
            [];
          for (const step of [...steps, { kind: 'run' } as const]) {
            if (step.kind === 'order') {
              const order = {
                id: randomUUID(),
                storeId: stores[step.store],
                totalFen: 0,
                refundedFen: 0,
                completed: false,
              };
              order.totalFen = await paid(order.storeId, order.id, step.lines);
              const before = step.refundBefore === null ? 0 : Math.floor(order.totalFen * step.refundBefore);
              if (before > 0) {
                await refunded(order.storeId, order.id, before);
                order.refundedFen = before;
              }
              if (step.completes) {
                await completed(order.storeId, order.id, order.totalFen);
                order.completed = true;
              }
              orders.push(order);
            } else if (step.kind === 'refund-after') {
              const open = orders.filter((o) => o.completed && o.refundedFen < o.totalFen);
              if (!open.length) continue;
              const o = open[step.nth % open.length];
              const amount = Math.max(1, Math.floor((o.totalFen - o.refundedFen) * step.fraction));
              await refunded(o.storeId, o.id, amount);
              o.refundedFen += amount;
            } else if (step.kind === 'account') {
              await givePayoutAccount(payouts.url, stores[step.store], step.refused ? { accountNumber: REFUSED } : {});
            } else {
              await run(stores);
            }
          }

          // every payout's lines add up to it, in the database and in the statement she reads
          const sums: { id: string; store_id: string; amount: string; lines: string; line_count: number }[] =
            await payouts.dataSource.query(
              `SELECT p.id, p.store_id, p.amount_fen AS amount, coalesce(-sum(e.amount_fen), 0) AS lines, count(l.entry_id)::int AS line_count
           FROM payouts p LEFT JOIN payout_lines l ON l.payout_id = p.id LEFT JOIN ledger_entries e ON e.id = l.entry_id
           WHERE p.store_id = ANY($1) GROUP BY p.id`,
              [stores],
            );
          for (const p of sums)
            expect({ payout: p.id, lines: Number(p.lines) }).toEqual({ payout: p.id, lines: Number(p.amount) });
          seen.payouts += sums.length;
          for (const p of sums) {
            const statement = await statementOf(p.id);
            expect(statement.totals.amountFen).toBe(statement.amountFen);
            for (const l of statement.lines) {
              expect(l.grossFen - l.commissionFen).toBe(l.amountFen);
              // each line names its order, of her store, or the failed payout of hers it gives back
              if (l.kind === 'returned-payout') expect(sums.map((s) => s.id)).toContain(l.returnedPayoutId);
              else expect(orders.find((o) => o.id === l.orderId)?.storeId).toBe(p.store_id);
              if (l.kind === 'returned-payout') seen.returned++;
              if (l.kind === 'refund' && l.carriedOver) seen.carriedRefunds++;
              if (l.kind === 'sale' && l.refundFen > 0) seen.refundsBeforeCompletion++;
            }
          }
          // an entry is in at most one payout, and only in a payout of the store whose available account it is on
          const foreign = await payouts.dataSource.query(
            `SELECT l.entry_id FROM payout_lines l JOIN payouts p ON p.id = l.payout_id JOIN ledger_entries e ON e.id = l.entry_id
           WHERE p.store_id = ANY($1) AND e.account_id <> 'store:' || p.store_id || ':available'`,
            [stores],
          );
          expect(foreign).toEqual([]);
          const twice = await payouts.dataSource.query(
            `SELECT entry_id FROM payout_lines GROUP BY entry_id HAVING count(*) > 1`,
          );
          expect(twice).toEqual([]);
          // and what no payout has paid yet is exactly her available balance (no payout is on its way back)
          const unpaid: { store_id: string; unpaid: string; available: string }[] = await payouts.dataSource.query(
            `SELECT a.store_id,
             coalesce(-sum(e.amount_fen) FILTER (WHERE t.kind <> 'payout-sent' AND l.entry_id IS NULL), 0) AS unpaid,
             coalesce(-sum(e.amount_fen), 0) AS available
           FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id JOIN ledger_transactions t ON t.id = e.transaction_id
           LEFT JOIN payout_lines l ON l.entry_id = e.id
           WHERE a.store_id = ANY($1) AND a.kind = 'available' GROUP BY a.store_id`,
            [stores],
          );
          for (const u of unpaid) expect(Number(u.unpaid)).toBe(Number(u.available));
        },
      ),
      { numRuns: 20 },
    );
    // the streams reached the interesting cases
    console.log(`statement property: ${JSON.stringify(seen)}`);
    expect(seen.payouts).toBeGreaterThan(10);
    expect(seen.returned).toBeGreaterThan(0);
    expect(seen.carriedRefunds).toBeGreaterThan(0);
    expect(seen.refundsBeforeCompletion).toBeGreaterThan(0);
  }, 120_000);

  it('gives payouts made before statements, in the migration, the very lines their runs would have recorded', async () => {
    // every payout of this file so far (sales, refunds after payouts, failures given back), its lines forgotten and backfilled
    const lines = `SELECT entry_id::int, payout_id FROM payout_lines ORDER BY entry_id`;
    const recorded: { entry_id: number; payout_id: string }[] = await payouts.dataSource.query(lines);
    expect(recorded.length).toBeGreaterThan(50);
    const runner = payouts.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`DELETE FROM payout_lines`);
      await runner.query(BACKFILL_PAYOUT_LINES);
      expect(await runner.query(lines)).toEqual(recorded);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
