// Reservations that run out: an unpaid order's stock comes back when its reservation expires,
// by its BullMQ delayed job or, if that job was lost, by the PostgreSQL sweeper.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import { Jobs } from '@cc/service';
import { StockService } from '../../apps/catalog/src/domain/stock.service';
import { CatalogJobs, RESERVATION_QUEUE } from '../../apps/catalog/src/jobs/catalogue';

const expiryJobId = (orderId: string) => CatalogJobs.expireReservation.id({ orderId });
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, publish } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';

describe('stock reservations expire', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;

  beforeAll(async () => {
    // a minute of reservation passes in a second; the payment provider is given longer than that
    // (the sweep at most hourly in real time: the test runs it by hand)
    catalog = await startService('catalog', {
      namespace,
      env: { TIME_SCALE: '60', RESERVATION_TTL_MINUTES: '1', SCHEDULE_MIN_INTERVAL_MS: '3600000' },
    });
    orders = await startService('orders', {
      namespace,
      env: { CATALOG_URL: catalog.url, PAYMENT_TIMEOUT_SECONDS: '60', PAYMENT_CALL_TIMEOUT_MS: '500' },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  const stockOf = async (productId: string) => (await call('GET', `${catalog.url}/products/${productId}`)).body.stock;

  it('cancels an order whose payment never came once its reservation expires, and frees the stock', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 4 });
    const buyer = tokenFor('buyer');
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: p.id, quantity: 3 }], paymentToken: 'tok_timeout', shippingAddress: demoAddress() },
    });
    const orderId = res.body.orders[0].id;
    const order = await waitFor(
      async () => {
        const o = (await call('GET', `${orders.url}/orders/${orderId}`, { token: buyer })).body;
        return o.status === 'cancelled' && o;
      },
      'order cancelled',
      30_000,
    );
    expect(order.history.at(-1)).toMatchObject({ action: 'reservation-expired' });
    expect(await stockOf(p.id)).toEqual({ onHand: 4, reserved: 0, available: 4 });
  });

  it('releases a reservation whose expiry job was lost, by the sweeper', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 5 });
    const orderId = randomUUID();
    await publish(`${namespace}.orders.events`, [
      {
        key: orderId,
        value: envelope('orders.order-placed', {
          orderId,
          checkoutId: randomUUID(),
          buyerId: 'b',
          storeId: store.id,
          township: 'louguan',
          lines: [{ productId: p.id, quantity: 2, unitPriceFen: 6800, category: 'fresh' }],
          totalFen: 13600,
          placedAt: new Date().toISOString(),
        }),
      },
    ]);
    await waitFor(async () => (await stockOf(p.id)).reserved === 2, 'reserved');
    // Redis lost the delayed job
    const queue = catalog.app.get(Jobs).queue(RESERVATION_QUEUE);
    await waitFor(async () => (await queue.getJob(expiryJobId(orderId))) !== undefined, 'the expiry job to exist');
    await queue.remove(expiryJobId(orderId));
    await new Promise((r) => setTimeout(r, 1500)); // past the reservation's minute (on this clock)
    expect((await stockOf(p.id)).reserved).toBe(2);
    expect(await catalog.app.get(StockService).sweepExpiredReservations()).toBe(1);
    expect(await stockOf(p.id)).toEqual({ onHand: 5, reserved: 0, available: 5 });
    expect(await catalog.app.get(StockService).sweepExpiredReservations()).toBe(0);
    // ...and then the payment went through after all: the sale takes the units from free stock
    await catalog.dataSource.transaction((tx) => catalog.app.get(StockService).convertToSale(tx, orderId));
    expect(await stockOf(p.id)).toEqual({ onHand: 3, reserved: 0, available: 3 });
  });
});

describe('a payment that could outlive its reservation', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;

  beforeAll(async () => {
    // a one-minute hold (a second here) against a provider allowed two seconds (two minutes here)
    catalog = await startService('catalog', { namespace, env: { TIME_SCALE: '60', RESERVATION_TTL_MINUTES: '1' } });
    orders = await startService('orders', {
      namespace,
      env: { TIME_SCALE: '60', CATALOG_URL: catalog.url, PAYMENT_CALL_TIMEOUT_MS: '2000' },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  it('is not taken: the order is cancelled and the stock goes back', async () => {
    const store = await newStore(catalog.url);
    const p = await newProduct(catalog.url, store.id, { stock: 2 });
    const buyer = tokenFor('buyer');
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: p.id, quantity: 2 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
    const order = await waitFor(async () => {
      const o = (await call('GET', `${orders.url}/orders/${res.body.orders[0].id}`, { token: buyer })).body;
      return o.status === 'cancelled' && o;
    }, 'order cancelled');
    expect(order.history.at(-1)).toMatchObject({ action: 'reservation-expired', causedBy: 'payment-guard' });
    const [{ n }] = await orders.dataSource.query(`SELECT count(*)::int AS n FROM payments WHERE order_id = $1`, [
      order.id,
    ]);
    expect(n).toBe(0);
    await waitFor(
      async () => (await call('GET', `${catalog.url}/products/${p.id}`)).body.stock.available === 2,
      'stock back',
    );
  });
});
