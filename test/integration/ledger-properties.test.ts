// Properties of the ledger over random event streams: orders paid, completed and refunded
// (completion anywhere among an order's refunds), orders interleaved, events delivered twice,
// and payout runs in between. First against a pure model built from the ledger rules, then
// the same streams through the real services and PostgreSQL, which must agree with the model.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { CATEGORIES, DecodedEvent, OrderLineV1 } from '@cc/contracts';
import {
  balanced,
  Entry,
  orderCompletedEntries,
  orderPaidEntries,
  OrderSplit,
  payoutDue,
  payoutFailedEntries,
  payoutSentEntries,
  payoutSettledEntries,
  refundEntries,
  splitOrder,
  storeAccount,
} from '../../apps/payouts/src/domain/ledger-rules';
import { LedgerService } from '../../apps/payouts/src/domain/ledger.service';
import { PayoutRunService } from '../../apps/payouts/src/domain/payout-run.service';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope } from '../support/kafka';
import { givePayoutAccount } from '../support/payouts';

const BPS = { fresh: 500, chilled: 500, ambient: 800, handicraft: 1000 };
const MINIMUM = 10_000;
const KINDS = ['pending', 'available', 'in_transit', 'paid_out'] as const;

type OrderEvent =
  | { kind: 'paid'; orderId: string; storeId: string; lines: OrderLineV1[]; totalFen: number }
  | { kind: 'completed'; orderId: string; storeId: string; totalFen: number }
  | { kind: 'refunded'; orderId: string; storeId: string; refundId: string; amountFen: number };
type StreamStep = OrderEvent | { kind: 'payout-run' } | { kind: 'payout-settled' | 'payout-failed'; nth: number };

const arbOrder = fc.record({
  store: fc.nat({ max: 2 }),
  lines: fc.array(
    fc.record({
      category: fc.constantFrom(...CATEGORIES),
      unitPriceFen: fc.integer({ min: 1, max: 30_000 }),
      quantity: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  refunds: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { maxLength: 3 }),
  /** How many of its refunds come before completion; beyond their number the order never completes. */
  completeAfter: fc.nat({ max: 4 }),
});
const arbStream = (withSettlement: boolean) =>
  fc.record({
    orders: fc.array(arbOrder, { minLength: 1, maxLength: 8 }),
    interleave: fc.array(fc.nat(), { maxLength: 80 }),
    duplicates: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
    runs: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    settlements: withSettlement
      ? fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 4 })
      : fc.constant([] as [number, number, boolean][]),
  });

type StreamSpec = ReturnType<typeof arbStream> extends fc.Arbitrary<infer S> ? S : never;

/** Builds one stream: each order's events in their key's order, orders interleaved, some events delivered again later. */
function buildStream(spec: StreamSpec, storeIds: string[]): StreamStep[] {
  const perOrder = spec.orders.map((o) => {
    const orderId = randomUUID();
    const storeId = storeIds[o.store];
    const lines = o.lines.map((l) => ({ ...l, productId: 'p' }));
    const totalFen = lines.reduce((t, l) => t + l.unitPriceFen * l.quantity, 0);
    const events: OrderEvent[] = [{ kind: 'paid', orderId, storeId, lines, totalFen }];
    let refunded = 0;
    o.refunds.forEach((f, i) => {
      if (i === o.completeAfter) events.push({ kind: 'completed', orderId, storeId, totalFen });
      const amountFen = Math.floor((totalFen - refunded) * f);
      if (amountFen <= 0) return;
      refunded += amountFen;
      events.push({ kind: 'refunded', orderId, storeId, refundId: randomUUID(), amountFen });
    });
    if (o.completeAfter === o.refunds.length) events.push({ kind: 'completed', orderId, storeId, totalFen });
    return events;
  });
  const steps: StreamStep[] = [];
  const queues = perOrder.map((q) => [...q]);
  for (const pick of spec.interleave) {
    const open = queues.filter((q) => q.length);
    if (!open.length) break;
    steps.push(open[pick % open.length].shift()!);
  }
  for (const q of queues) steps.push(...q);
  for (const [which, later] of spec.duplicates) {
    const at = which % steps.length;
    steps.splice(at + 1 + (later % (steps.length - at)), 0, steps[at]); // the same event, delivered again after itself
  }
  for (const at of spec.runs) steps.splice(at % (steps.length + 1), 0, { kind: 'payout-run' });
  for (const [at, nth, fails] of spec.settlements)
    steps.splice(at % (steps.length + 1), 0, { kind: fails ? 'payout-failed' : 'payout-settled', nth });
  return steps;
}

/** The ledger as the rules say it should be: postings by idempotency key, and what payouts saw. */
class LedgerModel {
  readonly postings = new Map<string, { entries: Entry[]; orderId?: string }>();
  readonly orders = new Map<
    string,
    { split: OrderSplit; refunded: number; refundedShare: number; refundedCommission: number; completed: boolean }
  >();
  readonly payouts: { id: string; storeId: string; amountFen: number; availableBefore: number; open: boolean }[] = [];

  apply(step: StreamStep): void {
    if (step.kind === 'paid') {
      const split = splitOrder({ ...step, lines: step.lines }, BPS);
      if (this.post(`order-paid:${step.orderId}`, orderPaidEntries(split), step.orderId))
        this.orders.set(step.orderId, {
          split,
          refunded: 0,
          refundedShare: 0,
          refundedCommission: 0,
          completed: false,
        });
    } else if (step.kind === 'completed') {
      const o = this.orders.get(step.orderId)!;
      if (
        this.post(
          `order-completed:${step.orderId}`,
          orderCompletedEntries(o.split, o.refundedShare, o.refundedCommission),
          step.orderId,
        )
      )
        o.completed = true;
    } else if (step.kind === 'refunded') {
      const o = this.orders.get(step.orderId)!;
      if (this.postings.has(`order-refunded:${step.refundId}`)) return;
      const r = refundEntries(o.split, o.refunded, step.amountFen, o.completed);
      this.post(`order-refunded:${step.refundId}`, r.entries, step.orderId);
      o.refunded += step.amountFen;
      o.refundedShare += r.shareFen;
      o.refundedCommission += r.commissionFen;
    } else if (step.kind === 'payout-run') {
      for (const storeId of [...new Set([...this.orders.values()].map((o) => o.split.storeId))].sort()) {
        const availableBefore = this.balance(storeId, 'available');
        const amountFen = payoutDue(availableBefore, MINIMUM);
        if (amountFen === null) continue;
        const id = randomUUID();
        this.payouts.push({ id, storeId, amountFen, availableBefore, open: true });
        this.post(`payout-sent:${id}`, payoutSentEntries(storeId, amountFen));
      }
    } else {
      const open = this.payouts.filter((p) => p.open);
      if (!open.length) return;
      const p = open[step.nth % open.length];
      p.open = false;
      const entries =
        step.kind === 'payout-settled'
          ? payoutSettledEntries(p.storeId, p.amountFen)
          : payoutFailedEntries(p.storeId, p.amountFen);
      this.post(`${step.kind}:${p.id}`, entries);
    }
  }

  /** What an account holds (credit-normal: negated sum), over all postings or one order's. */
  holds(accountId: string, orderId?: string): number {
    let total = 0;
    for (const p of this.postings.values())
      if (orderId === undefined || p.orderId === orderId)
        for (const e of p.entries) if (e.accountId === accountId) total -= e.amountFen;
    return total;
  }
  balance(storeId: string, kind: (typeof KINDS)[number]): number {
    return this.holds(storeAccount(storeId, kind));
  }
  balances(storeIds: string[]) {
    return storeIds.map((s) => KINDS.map((k) => this.balance(s, k)));
  }

  private post(key: string, entries: Entry[], orderId?: string): boolean {
    if (this.postings.has(key)) return false;
    this.postings.set(key, { entries, orderId });
    return true;
  }
}

describe('ledger properties over random event streams', () => {
  it('pure model: every transaction balances, per order money in = share + commission + refunds, replay changes nothing, no payout exceeds available', () => {
    const seen = { payouts: 0, negativeAvailable: 0 };
    fc.assert(
      fc.property(arbStream(true), (spec) => {
        const stores = [randomUUID(), randomUUID(), randomUUID()];
        const steps = buildStream(spec, stores);
        const model = new LedgerModel();
        for (const s of steps) model.apply(s);

        for (const { entries } of model.postings.values()) expect(balanced(entries)).toBe(true);
        for (const [orderId, o] of model.orders) {
          const moneyIn = -model.holds('platform:payments_received', orderId);
          const share =
            model.holds(storeAccount(o.split.storeId, 'pending'), orderId) +
            model.holds(storeAccount(o.split.storeId, 'available'), orderId);
          const commission =
            model.holds('platform:escrow', orderId) + model.holds('platform:commission_revenue', orderId);
          const refunds = model.holds('platform:refunds', orderId);
          expect(moneyIn).toBe(o.split.totalFen);
          expect(share + commission + refunds).toBe(moneyIn);
          expect(refunds).toBe(o.refunded);
          expect(share).toBe(o.split.shareFen - o.refundedShare);
          if (o.completed)
            expect([
              model.holds('platform:escrow', orderId),
              model.holds(storeAccount(o.split.storeId, 'pending'), orderId),
            ]).toEqual([0, 0]);
        }
        seen.payouts += model.payouts.length;
        if (stores.some((st) => model.balance(st, 'available') < 0)) seen.negativeAvailable += 1;
        for (const p of model.payouts) {
          expect(p.amountFen).toBeLessThanOrEqual(p.availableBefore);
          expect(p.amountFen).toBeGreaterThanOrEqual(MINIMUM);
        }
        // what a store has in all four accounts is her share of her orders, less refunds: payouts only move it
        for (const storeId of stores) {
          const owed = [...model.orders.values()]
            .filter((o) => o.split.storeId === storeId)
            .reduce((t, o) => t + o.split.shareFen - o.refundedShare, 0);
          expect(KINDS.reduce((t, k) => t + model.balance(storeId, k), 0)).toBe(owed);
        }

        const before = model.balances(stores);
        const platformBefore = ['escrow', 'commission_revenue', 'refunds', 'payments_received'].map((a) =>
          model.holds(`platform:${a}`),
        );
        for (const s of steps) if (s.kind === 'paid' || s.kind === 'completed' || s.kind === 'refunded') model.apply(s);
        expect(model.balances(stores)).toEqual(before);
        expect(
          ['escrow', 'commission_revenue', 'refunds', 'payments_received'].map((a) => model.holds(`platform:${a}`)),
        ).toEqual(platformBefore);
      }),
      { numRuns: 300 },
    );
    // the streams did reach the interesting cases: payouts, and refunds after payout
    expect(seen.payouts).toBeGreaterThan(100);
    expect(seen.negativeAvailable).toBeGreaterThan(0);
  });

  describe('real database', () => {
    const namespace = newNamespace();
    let payouts: RunningService;

    beforeAll(async () => {
      // settlement is far away: payouts stay in transit, so the ledger only changes with the stream
      // accounts are paid to as soon as they are set (the hold is tested in payout-accounts)
      payouts = await startService('payouts', {
        namespace,
        env: {
          SIMULATED_PAYOUT_SETTLE_SECONDS: '86400',
          PAYOUT_SETTLEMENT_POLL_SECONDS: '3600',
          PAYOUT_MINIMUM_FEN: String(MINIMUM),
          PAYOUT_ACCOUNT_HOLD_HOURS: '0',
        },
      });
    });
    afterAll(async () => {
      await payouts?.close();
    });

    async function deliver(event: OrderEvent): Promise<void> {
      const ledger = payouts.app.get(LedgerService);
      const now = new Date().toISOString();
      await payouts.dataSource.transaction(async (tx) => {
        if (event.kind === 'paid') {
          const data = {
            orderId: event.orderId,
            buyerId: 'b',
            storeId: event.storeId,
            township: 't',
            lines: event.lines,
            totalFen: event.totalFen,
            paymentId: 'p',
            paidAt: now,
          };
          await ledger.creditSellerPending(
            tx,
            envelope('orders.order-paid', data) as DecodedEvent<'orders.order-paid'>,
          );
        } else if (event.kind === 'completed') {
          await ledger.releaseSellerShare(
            tx,
            envelope('orders.order-completed', {
              orderId: event.orderId,
              storeId: event.storeId,
              totalFen: event.totalFen,
              completedAt: now,
            }) as DecodedEvent<'orders.order-completed'>,
          );
        } else {
          const data = {
            orderId: event.orderId,
            storeId: event.storeId,
            refundId: event.refundId,
            amountFen: event.amountFen,
            full: false,
            reason: 'r',
            refundedAt: now,
          };
          await ledger.reverseRefund(
            tx,
            envelope('orders.order-refunded', data) as DecodedEvent<'orders.order-refunded'>,
          );
        }
      });
    }
    const dbBalances = async (stores: string[]) => {
      const rows: { store_id: string; kind: string; holds: string }[] = await payouts.dataSource.query(
        `SELECT a.store_id, a.kind, -sum(e.amount_fen) AS holds FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id WHERE a.store_id = ANY($1) GROUP BY 1, 2`,
        [stores],
      );
      return stores.map((s) =>
        KINDS.map((k) => Number(rows.find((r) => r.store_id === s && r.kind === k)?.holds ?? 0)),
      );
    };

    it('posts what the model posts, keeps every transaction balanced, pays no more than was available, and ignores replays', async () => {
      let payoutsSeen = 0;
      await fc.assert(
        fc.asyncProperty(arbStream(false), async (spec) => {
          const stores = [randomUUID(), randomUUID(), randomUUID()];
          for (const store of stores) await givePayoutAccount(payouts.url, store);
          const steps = buildStream(spec, stores);
          const model = new LedgerModel();
          for (const s of steps) {
            model.apply(s);
            if (s.kind === 'payout-run')
              await payouts.app.get(PayoutRunService).startRun({ trigger: 'finance', requestedBy: 'property-test' });
            else if (s.kind === 'paid' || s.kind === 'completed' || s.kind === 'refunded') await deliver(s);
          }
          expect(await dbBalances(stores)).toEqual(model.balances(stores));
          const unbalanced = await payouts.dataSource.query(
            `SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_fen) <> 0`,
          );
          expect(unbalanced).toEqual([]);
          for (const orderId of model.orders.keys()) {
            const rows: { account_id: string; holds: string }[] = await payouts.dataSource.query(
              `SELECT e.account_id, -sum(e.amount_fen) AS holds FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.order_id = $1 GROUP BY 1`,
              [orderId],
            );
            for (const r of rows) expect(Number(r.holds)).toBe(model.holds(r.account_id, orderId));
          }
          // each payout against the store's available balance just before its own posting
          const sent: { amount: string; available_before: string }[] = await payouts.dataSource.query(
            `SELECT p.amount_fen AS amount,
                    (SELECT coalesce(-sum(e.amount_fen), 0) FROM ledger_entries e WHERE e.account_id = 'store:' || p.store_id || ':available'
                       AND e.id < (SELECT min(x.id) FROM ledger_entries x JOIN ledger_transactions t ON t.id = x.transaction_id WHERE t.payout_id = p.id)) AS available_before
             FROM payouts p WHERE p.store_id = ANY($1)`,
            [stores],
          );
          expect(sent).toHaveLength(model.payouts.length);
          payoutsSeen += sent.length;
          for (const p of sent) expect(Number(p.amount)).toBeLessThanOrEqual(Number(p.available_before));

          const before = await dbBalances(stores);
          for (const s of steps)
            if (s.kind === 'paid' || s.kind === 'completed' || s.kind === 'refunded') await deliver(s); // replayed with new event ids
          expect(await dbBalances(stores)).toEqual(before);
        }),
        { numRuns: 15 },
      );
      expect(payoutsSeen).toBeGreaterThan(0);
    });
  });
});
