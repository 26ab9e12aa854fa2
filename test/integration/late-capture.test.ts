// A payment the provider takes while the order is being given up: the capture's one-statement
// path must not mark the order paid, and the money must be recorded and sent straight back.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';
import { PaymentService } from '../../apps/orders/src/domain/payment.service';
import { PaymentProvider } from '../../apps/orders/src/persistence/payment-provider';

describe('a capture that races a cancellation', () => {
  const namespace = newNamespace();
  let catalog: RunningService;
  let orders: RunningService;
  const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
  const buyer = tokenFor('buyer', undefined, buyerId);

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
    orders = await startService('orders', {
      namespace,
      env: { CATALOG_URL: catalog.url, PAYMENT_TIMEOUT_SECONDS: '600', PAYMENT_CALL_TIMEOUT_MS: '300' },
    });
  });
  afterAll(async () => {
    await orders?.close();
    await catalog?.close();
  });

  it('records the late money, refunds it and leaves the order cancelled', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { priceFen: 2500, stock: 5 });
    // tok_timeout: the job's own capture never answers, so the order waits in awaiting_payment
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: {
        lines: [{ productId: product.id, quantity: 1 }],
        paymentToken: 'tok_timeout',
        shippingAddress: demoAddress(),
      },
    });
    expect(res.status).toBe(201);
    const orderId: string = res.body.orders[0].id;
    await waitFor(
      async () =>
        (await call('GET', `${orders.url}/orders/${orderId}`, { token: buyer })).body.status === 'awaiting_payment',
      'awaiting payment',
    );

    // the provider answers "captured" only after the buyer has cancelled: the race, made certain
    const provider = orders.app.get(PaymentProvider);
    const capture = jest.spyOn(provider, 'capture').mockImplementation(async () => {
      const cancelled = await call('POST', `${orders.url}/orders/${orderId}/cancel`, { token: buyer, body: {} });
      expect(cancelled.status).toBe(200);
      return { outcome: 'captured', providerRef: 'sim_late' };
    });
    const outcome = await orders.app.get(PaymentService).capturePayment(orderId);
    capture.mockRestore();

    expect(outcome).toBe('refunded-late-capture');
    const order = (await call('GET', `${orders.url}/orders/${orderId}`, { token: buyer })).body;
    expect(order.status).toBe('cancelled');
    expect(order.history.map((h: { to: string }) => h.to)).toEqual(['pending_stock', 'awaiting_payment', 'cancelled']);
    const payments: { kind: string; status: string; amount_fen: string }[] = await orders.dataSource.query(
      `SELECT kind, status, amount_fen FROM payments WHERE order_id = $1 ORDER BY created_at, kind`,
      [orderId],
    );
    expect(payments.map((p) => [p.kind, Number(p.amount_fen)])).toEqual([
      ['capture', 2500],
      ['refund', 2500],
    ]);
    expect(payments[0].status).toBe('succeeded');
    // the refund job pays it back
    await waitFor(
      async () =>
        (
          await orders.dataSource.query(`SELECT status FROM payments WHERE order_id = $1 AND kind = 'refund'`, [
            orderId,
          ])
        )[0].status === 'succeeded',
      'refund paid',
    );
    const [{ n }] = await orders.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'orders.order-paid' AND key = $1`,
      [orderId],
    );
    expect(n).toBe(0);
  });
});
