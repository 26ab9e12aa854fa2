// Payouts against the real PostgreSQL and Kafka: the ledger follows order events, replays change
// nothing, and the database itself keeps the ledger balanced and append-only.
import { randomUUID } from 'node:crypto';
import { DeadLetterHeaders } from '@cc/messaging';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, headerOf, publish, readTopic } from '../support/kafka';

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

  // commission at the default rates: 13600 × 5 % = 680, 2990 × 8 % = 239.2 → 239; share 16590 − 919 = 15671
  const TOTAL = 16590;
  const SHARE = 15671;
  const COMMISSION = 919;
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
      totalFen: TOTAL,
      paymentId: randomUUID(),
      paidAt: new Date().toISOString(),
    });
  const completed = (orderId: string, storeId: string) =>
    envelope('orders.order-completed', { orderId, storeId, totalFen: TOTAL, completedAt: new Date().toISOString() });
  const refunded = (orderId: string, storeId: string, amountFen: number) =>
    envelope('orders.order-refunded', {
      orderId,
      storeId,
      refundId: randomUUID(),
      amountFen,
      full: amountFen === TOTAL,
      reason: 'bruised',
      refundedAt: new Date().toISOString(),
    });
  const balanceOf = async (storeId: string) =>
    (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) })).body;
  /** What each account holds from one order's transactions (the negated sum of its entries). */
  const holdingsOf = async (orderId: string): Promise<Record<string, number>> => {
    const rows: { kind: string; holds: number }[] = await payouts.dataSource.query(
      `SELECT a.kind, (-sum(e.amount_fen))::int AS holds FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
       JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.order_id = $1 GROUP BY a.kind`,
      [orderId],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, r.holds]));
  };

  it('credits pending on order-paid and makes it available on order-completed, once each however often delivered', async () => {
    const storeId = randomUUID();
    const orderId = randomUUID();
    const paidEvent = paid(orderId, storeId);
    await publish(ordersTopic, [
      { key: orderId, value: paidEvent },
      { key: orderId, value: paidEvent },
    ]);
    expect(
      await waitFor(async () => {
        const b = await balanceOf(storeId);
        return b.pendingFen === SHARE && b;
      }, 'pending credited'),
    ).toEqual({ storeId, currency: 'CNY', pendingFen: SHARE, availableFen: 0, inTransitFen: 0, paidOutFen: 0 });

    const doneEvent = completed(orderId, storeId);
    await publish(ordersTopic, [
      { key: orderId, value: doneEvent },
      { key: orderId, value: doneEvent },
    ]);
    await waitFor(async () => (await balanceOf(storeId)).availableFen === SHARE, 'available credited');

    // replay the stream with new event ids (the inbox does not know them): the idempotency keys hold.
    // The marker order goes on the same key, so it is handled only after the replays.
    const marker = randomUUID();
    await publish(ordersTopic, [
      { key: orderId, value: { ...paidEvent, id: randomUUID() } },
      { key: orderId, value: { ...doneEvent, id: randomUUID() } },
      { key: orderId, value: paid(marker, storeId) },
    ]);
    await waitFor(async () => (await balanceOf(storeId)).pendingFen === SHARE, 'the marker order after the replays');
    expect(await balanceOf(storeId)).toMatchObject({
      pendingFen: SHARE,
      availableFen: SHARE,
      inTransitFen: 0,
      paidOutFen: 0,
    });

    const transactions: { kind: string; idempotency_key: string }[] = await payouts.dataSource.query(
      `SELECT kind, idempotency_key FROM ledger_transactions WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    );
    expect(transactions).toEqual([
      { kind: 'order-paid', idempotency_key: `order-paid:${orderId}` },
      { kind: 'order-completed', idempotency_key: `order-completed:${orderId}` },
    ]);
    expect(await holdingsOf(orderId)).toEqual({
      payments_received: -TOTAL,
      escrow: 0,
      pending: 0,
      available: SHARE,
      commission_revenue: COMMISSION,
    });
  });

  it('reverses a partial refund from pending and the rest after completion from available', async () => {
    const storeId = randomUUID();
    const orderId = randomUUID();
    await publish(ordersTopic, [
      { key: orderId, value: paid(orderId, storeId) },
      { key: orderId, value: refunded(orderId, storeId, 6590) },
      { key: orderId, value: completed(orderId, storeId) },
      { key: orderId, value: refunded(orderId, storeId, 10000) },
    ]);
    await waitFor(
      async () =>
        (
          await payouts.dataSource.query(
            `SELECT 1 FROM ledger_transactions WHERE order_id = $1 AND kind = 'order-refunded'`,
            [orderId],
          )
        ).length === 2,
      'both refunds posted',
    );
    expect(await balanceOf(storeId)).toMatchObject({ pendingFen: 0, availableFen: 0 });
    // per order: money in = seller share + commission + refunds, and nothing is left in escrow
    const holds = await holdingsOf(orderId);
    expect(holds).toMatchObject({
      payments_received: -TOTAL,
      escrow: 0,
      pending: 0,
      available: 0,
      commission_revenue: 0,
      refunds: TOTAL,
    });

    const ledger = await call('GET', `${payouts.url}/stores/${storeId}/ledger?page=1&pageSize=10`, {
      token: tokenFor('ops'),
    });
    expect(ledger.status).toBe(200);
    expect(ledger.body.total).toBe(5);
    // 6590 × 15671/16590 = 6224.94… → 6225 from pending; the remaining 9446 of the share from available
    expect(
      ledger.body.items.map((e: { kind: string; account: string; amountFen: number }) => [
        e.kind,
        e.account,
        e.amountFen,
      ]),
    ).toEqual([
      ['order-refunded', 'available', -(SHARE - 6225)],
      ['order-completed', 'available', SHARE - 6225],
      ['order-completed', 'pending', -(SHARE - 6225)],
      ['order-refunded', 'pending', -6225],
      ['order-paid', 'pending', SHARE],
    ]);
    for (const item of ledger.body.items) {
      expect(item.orderId).toBe(orderId);
      expect(Date.parse(item.at)).not.toBeNaN();
    }
    const secondPage = await call('GET', `${payouts.url}/stores/${storeId}/ledger?page=2&pageSize=2`, {
      token: tokenFor('seller', storeId),
    });
    expect(secondPage.body.items.map((e: { kind: string }) => e.kind)).toEqual(['order-completed', 'order-refunded']);
  });

  it('sends an event it cannot post to the dead letters at once, and posts nothing for it', async () => {
    const storeId = randomUUID();
    const orderId = randomUUID();
    const orphan = completed(orderId, storeId); // completion of an order the ledger never saw paid
    await publish(ordersTopic, [{ key: orderId, value: orphan }]);
    const dead = await readTopic(`${namespace}.payouts.dlq`, (ms) =>
      ms.some((m) => headerOf(m, 'event-id') === orphan.id),
    );
    const letter = dead.find((m) => headerOf(m, 'event-id') === orphan.id)!;
    expect(headerOf(letter, DeadLetterHeaders.error)).toMatch(/before the ledger saw it paid/);
    expect(headerOf(letter, DeadLetterHeaders.attempts)).toBe('1');
    expect(await payouts.dataSource.query(`SELECT 1 FROM ledger_transactions WHERE order_id = $1`, [orderId])).toEqual(
      [],
    );
  });

  it('lets the database refuse an unbalanced transaction and any change to a posted entry', async () => {
    const post = (id: string, amounts: number[]) =>
      payouts.dataSource.query(
        `WITH t AS (INSERT INTO ledger_transactions (id, idempotency_key, kind) VALUES ($1::uuid, 'test:' || $1, 'test') RETURNING id)
         INSERT INTO ledger_entries (transaction_id, account_id, amount_fen)
         SELECT t.id, a, f FROM t, unnest(ARRAY['platform:escrow', 'platform:refunds'], $2::bigint[]) AS u(a, f)`,
        [id, amounts],
      );
    const balancedId = randomUUID();
    await post(balancedId, [100, -100]);
    const unbalancedId = randomUUID();
    await expect(post(unbalancedId, [100, -99])).rejects.toThrow(/does not balance/);
    expect(await payouts.dataSource.query(`SELECT 1 FROM ledger_transactions WHERE id = $1`, [unbalancedId])).toEqual(
      [],
    );

    await expect(
      payouts.dataSource.query(`UPDATE ledger_entries SET amount_fen = amount_fen * 2 WHERE transaction_id = $1`, [
        balancedId,
      ]),
    ).rejects.toThrow(/append-only/);
    await expect(
      payouts.dataSource.query(`DELETE FROM ledger_entries WHERE transaction_id = $1`, [balancedId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      payouts.dataSource.query(`UPDATE ledger_transactions SET kind = 'other' WHERE id = $1`, [balancedId]),
    ).rejects.toThrow(/append-only/);
    const entries: { amount_fen: string }[] = await payouts.dataSource.query(
      `SELECT amount_fen FROM ledger_entries WHERE transaction_id = $1 ORDER BY id`,
      [balancedId],
    );
    expect(entries.map((e) => Number(e.amount_fen))).toEqual([100, -100]);
  });

  it('shows a store only to its seller and ops, and validates paging', async () => {
    const storeId = randomUUID();
    const balanceUrl = `${payouts.url}/stores/${storeId}/balance`;
    expect((await call('GET', balanceUrl)).status).toBe(401);
    expect((await call('GET', balanceUrl, { token: tokenFor('seller', randomUUID()) })).status).toBe(403);
    expect(
      (await call('GET', `${payouts.url}/stores/${storeId}/ledger`, { token: tokenFor('seller', randomUUID()) }))
        .status,
    ).toBe(403);
    expect((await call('GET', `${payouts.url}/stores/${storeId}/ledger`, { token: tokenFor('buyer') })).status).toBe(
      403,
    );
    expect((await call('GET', balanceUrl, { token: tokenFor('ops') })).body).toEqual({
      storeId,
      currency: 'CNY',
      pendingFen: 0,
      availableFen: 0,
      inTransitFen: 0,
      paidOutFen: 0,
    });
    const bad = await call('GET', `${payouts.url}/stores/${storeId}/ledger?pageSize=0`, { token: tokenFor('ops') });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(bad.body)).toMatch(/pageSize/);
  });
});
