// Admission control: when catalog stops taking orders, checkout rides the stall out (the orders
// wait for their stock) until the stall outlasts its bound; then checkout answers 429 with
// Retry-After, creating nothing; a checkout already accepted is still answered from its
// Idempotency-Key; once catalog catches up, checkout accepts again. (An overloaded stage, whose
// oldest work keeps changing, is refused at the backlog bound at once: admission-rules.spec.ts.)
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import { freshDatabase } from '../support/databases';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';

describe('checkout admission', () => {
  const namespace = newNamespace();
  let catalogDb: { url: string; drop: () => Promise<void> };
  let catalog: RunningService | undefined;
  let orders: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);

  beforeAll(async () => {
    catalogDb = await freshDatabase('catalog');
    catalog = await startService('catalog', { namespace, databaseUrl: catalogDb.url });
    orders = await startService('orders', {
      namespace,
      env: {
        CATALOG_URL: catalog.url,
        ADMISSION_MAX_BACKLOG_MS: '400',
        ADMISSION_STALL_MS: '200',
        ADMISSION_MAX_STALL_MS: '2500',
        ADMISSION_SAMPLE_MS: '100',
        CATALOG_CACHE_MS: '300000',
      },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
    await catalogDb?.drop();
  });

  it('admits through a short stall, refuses with 429 once it lasts, and accepts again once caught up', async () => {
    const store = await newStore(catalog!.url);
    const product = await newProduct(catalog!.url, store.id, { priceFen: 1200, stock: 50 });
    // no fulfillment runs here: the orders wait in awaiting_payment (tok_timeout), not in paid
    const body = {
      lines: [{ productId: product.id, quantity: 1 }],
      paymentToken: 'tok_timeout',
      shippingAddress: demoAddress(),
    };
    const checkout = (key?: string) =>
      call('POST', `${orders.url}/checkouts`, { token: buyer, body, headers: key ? { 'Idempotency-Key': key } : {} });
    const orderCount = async () =>
      (await orders.dataSource.query(`SELECT count(*)::int AS n FROM orders`))[0].n as number;

    // the product is now in orders' cache: checkout needs catalog only to reserve the stock
    expect((await checkout()).status).toBe(201);
    await waitFor(
      async () =>
        (await orders.dataSource.query(`SELECT count(*)::int AS n FROM orders WHERE status = 'pending_stock'`))[0].n ===
        0,
      'first order past stock',
    );

    // catalog stops taking orders: this one waits for its stock, older and older
    await catalog!.close();
    catalog = undefined;
    const waiting = await checkout('admitted-before');
    expect(waiting.status).toBe(201);

    // past the backlog bound (400 ms) the stage is seen stalled, not overloaded: checkout still admits
    await new Promise((r) => setTimeout(r, 1_000));
    const [{ age }] = await orders.dataSource.query(
      `SELECT extract(epoch FROM now() - created_at) * 1000 AS age FROM orders WHERE checkout_id = $1`,
      [waiting.body.checkoutId],
    );
    expect(Number(age)).toBeGreaterThan(400);
    expect((await checkout()).status).toBe(201);

    // once the stall outlasts its bound (2.5 s), checkout refuses
    const refused = await waitFor(
      async () => {
        const res = await checkout();
        return res.status === 429 && res;
      },
      '429 once the stall passes 2.5 s',
      10_000,
    );
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(refused.body.detail).toMatch(/behind \(stock\) and has not moved/);
    const before = await orderCount();
    expect((await checkout(`refused-${randomUUID()}`)).status).toBe(429);
    expect(await orderCount()).toBe(before); // nothing created by a refusal

    // the checkout accepted before is answered from its key, not refused
    const replayed = await checkout('admitted-before');
    expect(replayed.status).toBe(200);
    expect(replayed.body.checkoutId).toBe(waiting.body.checkoutId);

    const metrics = await (await fetch(`${orders.url}/metrics`)).text();
    expect(metrics).toMatch(/checkouts_refused_total\{stage="stock"[^}]*\} [1-9]/);

    // catalog back: it reserves the waiting order's stock, the backlog drains, checkout accepts again
    catalog = await startService('catalog', { namespace, databaseUrl: catalogDb.url });
    const accepted = await waitFor(
      async () => {
        const res = await checkout();
        return res.status === 201 && res;
      },
      'accepted again once drained',
      30_000,
      200,
    );
    expect(accepted.body.orders).toHaveLength(1);
    expect(
      (await orders.dataSource.query(`SELECT status FROM orders WHERE checkout_id = $1`, [waiting.body.checkoutId]))[0]
        .status,
    ).not.toBe('pending_stock');
  });
});
