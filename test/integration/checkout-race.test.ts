// The last boxes of kiwi fruit, fought over: 200 buyers check out at once for 10 units.
// Exactly 10 orders get paid, the rest are cancelled as stock-rejected, stock never goes negative.
import { demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';

describe('checkout race for the last units', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
    // all 200 must be taken in (the race is for stock): admission control, which may refuse part of
    // such a burst, is tested on its own (checkout-admission.test.ts)
    orders = await startService('orders', {
      namespace,
      env: { CATALOG_URL: catalog.url, DATABASE_POOL_SIZE: '20', ADMISSION_MAX_BACKLOG_MS: '0' },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  it('lets exactly 10 of 200 concurrent checkouts through', async () => {
    const store = await newStore(catalog.url);
    const kiwi = await newProduct(catalog.url, store.id, { stock: 10, priceFen: 6800 });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call('POST', `${orders.url}/checkouts`, {
          token: tokenFor('buyer', undefined, `racer-${i}`),
          body: {
            lines: [{ productId: kiwi.id, quantity: 1 }],
            paymentToken: 'tok_ok',
            shippingAddress: demoAddress(),
          },
        }),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const orderIds = answers.map((a) => a.body.orders[0].id as string);

    const counts = await waitFor(
      async () => {
        const rows: { status: string; n: number }[] = await orders.dataSource.query(
          `SELECT status, count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) GROUP BY status`,
          [orderIds],
        );
        const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        return (byStatus.paid ?? 0) + (byStatus.cancelled ?? 0) === 200 && byStatus;
      },
      'every order settled',
      60_000,
      250,
    );
    expect(counts).toEqual({ paid: 10, cancelled: 190 });
    const reasons = await orders.dataSource.query(
      `SELECT h.action, count(*)::int AS n FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.id = ANY($1::uuid[]) AND h.to_status = 'cancelled' GROUP BY h.action`,
      [orderIds],
    );
    expect(reasons).toEqual([{ action: 'stock-rejected', n: 190 }]);
    await waitFor(
      async () => (await call('GET', `${catalog.url}/products/${kiwi.id}`)).body.stock.onHand === 0,
      'the ten sold',
    );
    expect((await call('GET', `${catalog.url}/products/${kiwi.id}`)).body.stock).toEqual({
      onHand: 0,
      reserved: 0,
      available: 0,
    });
    const [{ lowest }] = await catalog.dataSource.query(
      `SELECT min(running)::int AS lowest FROM (SELECT sum(on_hand_delta - reserved_delta) OVER (ORDER BY id) AS running FROM stock_movements WHERE product_id = $1) m`,
      [kiwi.id],
    );
    expect(lowest).toBeGreaterThanOrEqual(0); // available never went below zero along the way
    process.stdout.write(`checkout race: 200 checkouts → 10 paid, 190 stock-rejected in ${Date.now() - started} ms\n`);
  });
});
