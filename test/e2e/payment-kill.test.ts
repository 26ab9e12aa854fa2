// orders killed (kill -9) while a capture is on its way back from the provider: once orders is
// back, the payment timeout asks the provider, finds the money taken and pays the order — it does
// not cancel it — while an order whose payment the provider never took is cancelled and its
// stock given back. The services run as processes (from dist/: `npm run -s build` first).
import { demoAddress } from '@cc/contracts';
import { join } from 'node:path';
import { Client } from 'pg';
import { freshDatabase } from '../support/databases';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace } from '../support/harness';
import { freePorts, Platform, SERVICE_NAMES, ServiceName } from '../../scripts/platform';

describe('orders killed between reservation and capture', () => {
  let platform: Platform;
  let ordersDb: Client;
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const ports = await freePorts(4);
    const databaseUrls = {} as Record<ServiceName, string>;
    for (const name of SERVICE_NAMES) {
      const db = await freshDatabase(name);
      databaseUrls[name] = db.url;
      drops.push(db.drop);
    }
    ordersDb = new Client({ connectionString: databaseUrls.orders });
    await ordersDb.connect();
    platform = new Platform({
      root: join(__dirname, '..', '..'),
      ports: Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>,
      databaseUrls,
      env: {
        NODE_ENV: 'test',
        NAMESPACE: newNamespace(),
        KAFKA_PARTITIONS: '3',
        LOG_LEVEL: 'info',
        // the timeout falls due while orders is down; tok_slow's answer would take 6 s
        PAYMENT_TIMEOUT_SECONDS: '3',
        SIMULATED_PAYMENT_SLOW_MS: '6000',
        PAYMENT_CALL_TIMEOUT_MS: '8000',
      },
      logDir: join(__dirname, '..', '..', '.run', 'test-logs', `e2e-payment-kill-${Date.now()}`),
    });
    await platform.start(['catalog', 'orders', 'fulfillment']);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await ordersDb?.end();
    for (const drop of drops) await drop();
  });

  it('pays the order whose capture the provider took, and cancels the one it never took', async () => {
    const catalog = platform.url('catalog');
    const orders = platform.url('orders');
    const ops = tokenFor('ops');
    const buyer = tokenFor('buyer', undefined, 'buyer-e2e-kill');
    const store = (
      await call('POST', `${catalog}/stores`, { token: ops, body: { name: 'Hillside Honey', township: 'louguan' } })
    ).body;
    const seller = tokenFor('seller', store.id);
    const newProduct = async (name: string) =>
      (
        await call('POST', `${catalog}/stores/${store.id}/products`, {
          token: seller,
          body: { name, category: 'ambient', priceFen: 4200, stock: 5 },
        })
      ).body;
    const [honey, dates] = [await newProduct('Acacia honey, 1 kg'), await newProduct('Dried dates, 500 g')];
    const checkout = async (productId: string, paymentToken: string) => {
      const res = await call('POST', `${orders}/checkouts`, {
        token: buyer,
        body: { lines: [{ productId, quantity: 2 }], paymentToken, shippingAddress: demoAddress() },
      });
      expect(res.status).toBe(201);
      return res.body.orders[0].id as string;
    };
    const slow = await checkout(honey.id, 'tok_slow'); // captured at once, answered after 6 s
    const never = await checkout(dates.id, 'tok_timeout'); // the provider never takes it
    const statusOf = async (id: string) =>
      (await ordersDb.query(`SELECT status FROM orders WHERE id = $1`, [id])).rows[0]?.status;
    const atProvider = async (id: string) =>
      (
        await ordersDb.query(`SELECT outcome FROM simulated_provider_captures WHERE idempotency_key = $1`, [
          `capture.${id}`,
        ])
      ).rows;

    // both stock held, the slow capture taken at the provider but not yet answered: kill orders now
    await waitFor(
      async () => (await atProvider(slow)).length === 1 && (await statusOf(never)) === 'awaiting_payment',
      'capture in flight',
      20_000,
      50,
    );
    await platform.stopOne('orders', true);
    expect(await statusOf(slow)).toBe('awaiting_payment');
    await platform.startOne('orders');

    const orderNow = async (id: string) => (await call('GET', `${orders}/orders/${id}`, { token: buyer })).body;
    const paid = await waitFor(
      async () => {
        const o = await orderNow(slow);
        return o.status === 'scheduled' && o;
      },
      'the slow-answered order paid and scheduled',
      30_000,
      200,
    );
    expect(paid.history.map((h: { to: string }) => h.to)).toEqual([
      'pending_stock',
      'awaiting_payment',
      'paid',
      'scheduled',
    ]);
    // paid by the timeout asking the provider (the killed capture job comes back only after
    // BullMQ's 30 s stall detection, and then finds the order paid)
    expect(paid.history[2]).toMatchObject({ action: 'payment-captured', causedBy: 'payment-timeout' });
    const captures = (
      await ordersDb.query(`SELECT status FROM payments WHERE order_id = $1 AND kind = 'capture'`, [slow])
    ).rows;
    expect(captures).toEqual([{ status: 'succeeded' }]);
    expect(await atProvider(slow)).toEqual([{ outcome: 'captured' }]);

    const cancelled = await waitFor(
      async () => {
        const o = await orderNow(never);
        return o.status === 'cancelled' && o;
      },
      'the never-captured order cancelled',
      20_000,
      200,
    );
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'payment-timeout' });
    expect(await atProvider(never)).toEqual([]);
    await waitFor(
      async () => (await call('GET', `${catalog}/products/${dates.id}`)).body.stock.available === 5,
      'stock released',
      20_000,
      200,
    );
    expect((await call('GET', `${catalog}/products/${honey.id}`)).body.stock).toEqual({
      onHand: 3,
      reserved: 0,
      available: 3,
    });
  }, 90_000);
});
