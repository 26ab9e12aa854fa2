// The payment timeout asks the provider before it gives an order up: a capture the provider took
// while its answer was still on the way makes the order paid, not cancelled; a capture never tried
// (its job lost) is tried by the timeout itself; when the provider cannot say, the order is left as
// it is (the job and the sweep ask again later).
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';
import { Jobs } from '@cc/service';
import { PaymentService } from '../../apps/orders/src/domain/payment.service';
import { OrdersJobs, PAYMENT_TIMEOUTS_QUEUE, PAYMENTS_QUEUE } from '../../apps/orders/src/jobs/catalogue';
import { PaymentProvider } from '../../apps/orders/src/persistence/payment-provider';

describe('a payment timeout that asks the provider first', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);
  let unanswerable = new Set<string>();

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
    // the timeout (1 s) comes while tok_slow's answer (2.5 s) is still on its way
    orders = await startService('orders', {
      namespace,
      env: {
        CATALOG_URL: catalog.url,
        PAYMENT_TIMEOUT_SECONDS: '1',
        SIMULATED_PAYMENT_SLOW_MS: '2500',
        PAYMENT_CALL_TIMEOUT_MS: '5000',
      },
    });
    // the provider "cannot say" for the capture keys in `unanswerable`
    const provider = orders.app.get(PaymentProvider);
    const status = provider.status.bind(provider);
    jest.spyOn(provider, 'status').mockImplementation(async (key) => {
      if (unanswerable.has(key)) throw new Error('payment provider unavailable');
      return status(key);
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  const checkout = async (productId: string, paymentToken: string) => {
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId, quantity: 1 }], paymentToken, shippingAddress: demoAddress() },
    });
    expect(res.status).toBe(201);
    return res.body.orders[0].id as string;
  };
  const order = async (id: string) => (await call('GET', `${orders.url}/orders/${id}`, { token: buyer })).body;
  const payments = (id: string): Promise<{ kind: string; status: string }[]> =>
    orders.dataSource.query(`SELECT kind, status FROM payments WHERE order_id = $1 ORDER BY created_at`, [id]);

  it('makes an order paid when the provider took the money but had not answered yet', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 1800, stock: 3 });
    const orderId = await checkout(product.id, 'tok_slow');
    // the timeout finds the capture at the provider and pays the order; the slow answer then changes nothing
    await waitFor(async () => (await order(orderId)).status === 'paid', 'paid', 10_000);
    const paid = (await order(orderId)).history.find((h: { to: string }) => h.to === 'paid');
    expect(paid.causedBy).toBe('payment-timeout');
    // the slow answer reaches the capture job, which finds the payment recorded and records nothing
    const job = await waitFor(
      async () => {
        const j = await orders.app.get(Jobs).queue(PAYMENTS_QUEUE).getJob(OrdersJobs.capturePayment.id({ orderId }));
        return j && (await j.isCompleted()) && j;
      },
      'capture job done',
      10_000,
    );
    expect(job.returnvalue).toEqual({ outcome: 'already-captured' });
    const [{ n: atProvider }] = await orders.dataSource.query(
      `SELECT count(*)::int AS n FROM simulated_provider_captures WHERE idempotency_key = $1`,
      [`capture.${orderId}`],
    );
    expect(atProvider).toBe(1);
    expect(await payments(orderId)).toEqual([{ kind: 'capture', status: 'succeeded' }]);
    expect((await order(orderId)).status).toBe('paid');
    const [{ n }] = await orders.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'orders.order-paid' AND key = $1`,
      [orderId],
    );
    expect(n).toBe(1);
  });

  it('captures, at the timeout, an order whose capture was never tried, instead of cancelling it', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 2500, stock: 3 });
    const captures = orders.app.get(Jobs).queue(PAYMENTS_QUEUE);
    await captures.pause(); // no worker takes a capture
    try {
      const orderId = await checkout(product.id, 'tok_ok');
      await waitFor(async () => (await order(orderId)).status === 'awaiting_payment', 'awaiting payment');
      // the capture job is lost before anyone tried it (as with a Redis that forgot it)
      const job = await waitFor(() => captures.getJob(OrdersJobs.capturePayment.id({ orderId })), 'the capture job');
      await job.remove();
      const [{ n: before }] = await orders.dataSource.query(
        `SELECT count(*)::int AS n FROM simulated_provider_captures WHERE idempotency_key = $1`,
        [`capture.${orderId}`],
      );
      expect(before).toBe(0);
      // the timeout (1 s) finds nothing at the provider, tries the capture itself, and the order is paid
      await waitFor(async () => (await order(orderId)).status === 'paid', 'paid by the timeout', 10_000);
      const paid = (await order(orderId)).history.find((h: { to: string }) => h.to === 'paid');
      expect(paid.causedBy).toBe('payment-timeout');
      expect(await payments(orderId)).toEqual([{ kind: 'capture', status: 'succeeded' }]);
      const timeout = await orders.app
        .get(Jobs)
        .queue(PAYMENT_TIMEOUTS_QUEUE)
        .getJob(OrdersJobs.cancelUnpaid.id({ orderId }));
      expect(timeout?.returnvalue).toEqual({ outcome: 'captured-at-timeout' });
    } finally {
      await captures.resume();
    }
  });

  it('leaves the order as it is while the provider cannot say, and cancels once it says nothing was taken', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 900, stock: 2 });
    unanswerable = new Set();
    const orderId = await checkout(product.id, 'tok_timeout');
    unanswerable.add(`capture.${orderId}`);
    await waitFor(async () => (await order(orderId)).status === 'awaiting_payment', 'awaiting payment');
    // past the timeout (1 s) and the sweep's 2 s: the job and the sweep both ask, and neither cancels
    await new Promise((r) => setTimeout(r, 2500));
    expect(await orders.app.get(PaymentService).sweepUnpaid()).toBe(0);
    await expect(orders.app.get(PaymentService).cancelUnpaid(orderId)).rejects.toThrow('payment provider unavailable');
    expect((await order(orderId)).status).toBe('awaiting_payment');
    // the timeout job (retrying with backoff) is set aside, so that the sweep alone acts from here
    const timeouts = orders.app.get(Jobs).queue(PAYMENT_TIMEOUTS_QUEUE);
    await waitFor(async () => {
      const job = await timeouts.getJob(OrdersJobs.cancelUnpaid.id({ orderId }));
      return job
        ? job.remove().then(
            () => true,
            () => false,
          )
        : true;
    }, 'the timeout job removed');
    // the provider answers again: nothing was captured; the sweep tries the capture once more (the
    // provider never answers tok_timeout), is told again that nothing was taken, and cancels
    unanswerable.clear();
    expect(await orders.app.get(PaymentService).sweepUnpaid()).toBe(1);
    const cancelled = await order(orderId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ to: 'cancelled', action: 'payment-timeout' });
    expect(await payments(orderId)).toEqual([]);
    await waitFor(
      async () => (await call('GET', `${catalog.url}/products/${product.id}`)).body.stock.reserved === 0,
      'stock released',
    );
  });
});
