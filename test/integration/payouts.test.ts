// Payouts against the real PostgreSQL and Kafka: the ledger follows order events, replays change
// nothing, and the database itself keeps the ledger balanced and append-only.
import { randomUUID } from 'node:crypto';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish } from '../support/kafka';

describe('payouts service', () => {
  const namespace = newNamespace();
  const ordersTopic = `${namespace}.orders.events`;
  let payouts: RunningService;

  beforeAll(async () => {
    payouts = await startService('payouts', { namespace });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  const paid = (orderId: string, storeId: string) =>
    envelope('orders.order-paid', {
      orderId,
      buyerId: 'buyer-1',
      storeId,
      township: 'louguan',
      lines: [
        { productId: randomUUID(), quantity: 2, unitPriceFen: 6800, category: 'fresh' },
        { productId: randomUUID(), quantity: 1, unitPriceFen: 2990, category: 'ambient' },
      ],
      totalFen: 16590,
      paymentId: randomUUID(),
      paidAt: new Date().toISOString(),
    });
  const completed = (orderId: string, storeId: string) => envelope('orders.order-completed', { orderId, storeId, totalFen: 16590, completedAt: new Date().toISOString() });
  const refunded = (orderId: string, storeId: string, amountFen: number) =>
    envelope('orders.order-refunded', { orderId, storeId, refundId: randomUUID(), amountFen, full: false, reason: 'bruised', refundedAt: new Date().toISOString() });
  const balanceOf = async (storeId: string) => (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) })).body;

  // commission: 13600 × 5 % = 680, 2990 × 8 % = 239.2 → 239; share 16590 − 919 = 15671
  it('credits pending on order-paid and makes it available on order-completed, once each', async () => {
    const storeId = randomUUID();
    const orderId = randomUUID();
    const paidEvent = paid(orderId, storeId);
    await publish(ordersTopic, [{ key: orderId, value: paidEvent }, { key: orderId, value: paidEvent }]);
    await waitFor(async () => (await balanceOf(storeId)).pendingFen === 15671, 'pending credited');
    const doneEvent = completed(orderId, storeId);
    await publish(ordersTopic, [{ key: orderId, value: doneEvent }, { key: orderId, value: doneEvent }]);
    await waitFor(async () => (await balanceOf(storeId)).availableFen === 15671, 'available credited');
    // replay the whole stream with new event ids: the idempotency keys still hold
    await publish(ordersTopic, [{ key: orderId, value: { ...paidEvent, id: randomUUID() } }, { key: orderId, value: { ...doneEvent, id: randomUUID() } }]);
    const marker = randomUUID();
    await publish(ordersTopic, [{ key: marker, value: paid(marker, storeId) }]);
    await waitFor(async () => (await balanceOf(storeId)).pendingFen === 15671, 'the marker order after the replays');
    expect(await balanceOf(storeId)).toMatchObject({ pendingFen: 15671, availableFen: 15671, inTransitFen: 0, paidOutFen: 0 });
    const [{ n }] = await payouts.dataSource.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE order_id = $1`, [orderId]);
    expect(n).toBe(2);
    const [{ commission }] = await payouts.dataSource.query(`SELECT -sum(amount_fen)::int AS commission FROM ledger_entries WHERE account_id = 'platform:commission_revenue' AND transaction_id IN (SELECT id FROM ledger_transactions WHERE order_id = $1)`, [orderId]);
    expect(commission).toBe(919);
  });

  it('reverses a refund after completion from available', async () => {
    const storeId = randomUUID();
    const orderId = randomUUID();
    await publish(ordersTopic, [
      { key: orderId, value: paid(orderId, storeId) },
      { key: orderId, value: completed(orderId, storeId) },
      { key: orderId, value: refunded(orderId, storeId, 16590) },
    ]);
    await waitFor(async () => {
      const b = await balanceOf(storeId);
      return b.availableFen === 0 && b.pendingFen === 0 && (await payouts.dataSource.query(`SELECT 1 FROM ledger_transactions WHERE order_id = $1 AND kind = 'order-refunded'`, [orderId])).length === 1;
    }, 'refund reversed');
    const entries = (await call('GET', `${payouts.url}/stores/${storeId}/ledger`, { token: tokenFor('ops') })).body;
    expect(entries.items.map((e: { kind: string; account: string; amountFen: number }) => [e.kind, e.account, e.amountFen])).toEqual([
      ['order-refunded', 'available', -15671],
      ['order-completed', 'available', 15671],
      ['order-completed', 'pending', -15671],
      ['order-paid', 'pending', 15671],
    ]);
  });

  it('lets the database refuse an unbalanced transaction and any change to an entry', async () => {
    const qr = payouts.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const id = randomUUID();
      await qr.query(`INSERT INTO ledger_accounts (id, kind) VALUES ('platform:test', 'test') ON CONFLICT DO NOTHING`);
      await qr.query(`INSERT INTO ledger_transactions (id, idempotency_key, kind) VALUES ($1, $2, 'test')`, [id, `test:${id}`]);
      await qr.query(`INSERT INTO ledger_entries (transaction_id, account_id, amount_fen) VALUES ($1, 'platform:test', 100)`, [id]);
      await expect(qr.commitTransaction()).rejects.toThrow(/does not balance/);
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
    await expect(payouts.dataSource.query(`UPDATE ledger_entries SET amount_fen = amount_fen + 1`)).rejects.toThrow(/append-only/);
    await expect(payouts.dataSource.query(`DELETE FROM ledger_transactions`)).rejects.toThrow(/append-only/);
  });

  it('shows a store only to its seller and ops', async () => {
    const storeId = randomUUID();
    expect((await call('GET', `${payouts.url}/stores/${storeId}/balance`)).status).toBe(401);
    expect((await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', randomUUID()) })).status).toBe(403);
    expect((await call('GET', `${payouts.url}/stores/${storeId}/ledger`, { token: tokenFor('buyer') })).status).toBe(403);
    expect((await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('ops') })).body).toMatchObject({ pendingFen: 0, availableFen: 0 });
  });
});
