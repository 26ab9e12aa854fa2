// A box of kiwi fruit nobody collects: catalog, orders and fulfillment in-process on one fast
// county clock (ten minutes a second). The product says it must be picked up within three hours;
// the courier takes the manifest but never comes, so at the deadline the parcel spoils and the
// buyer's money goes back.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';

const HOUR = 3_600_000;
const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00/cold`).join(',');

describe('a fresh parcel nobody picks up', () => {
  const namespace = newNamespace();
  const clock = {
    TIME_SCALE: '600',
    CLOCK_ANCHOR: String(Date.now()),
    RESERVATION_TTL_MINUTES: '1440',
    PAYMENT_CALL_TIMEOUT_MS: '2000',
  };
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);

  beforeAll(async () => {
    [catalog, fulfillment] = await Promise.all([
      startService('catalog', { namespace, env: clock }),
      startService('fulfillment', {
        namespace,
        env: { ...clock, PICKUP_TIMETABLE: HOURLY, SIMULATED_COURIER_PICKUP: 'false', DEADLINE_SWEEP_SECONDS: '1' },
      }),
    ]);
    orders = await startService('orders', { namespace, env: { ...clock, CATALOG_URL: catalog.url } });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), fulfillment?.close()]);
    await catalog?.close();
  });

  it('fails as spoiled at its deadline, and the order ends refunded', async () => {
    const store = await newStore(catalog.url);
    const kiwi = await newProduct(catalog.url, store.id, {
      category: 'fresh',
      pickupWithinHours: 3,
      shelfLifeHours: 48,
    });
    expect(kiwi).toMatchObject({ pickupWithinHours: 3, shelfLifeHours: 48 });
    expect(kiwi).not.toHaveProperty('leadTimeDays');

    const checkout = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: kiwi.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
    expect(checkout.status).toBe(201);
    const orderId: string = checkout.body.orders[0].id;

    // the product's clock travels with the order: no call from fulfillment to catalog
    const mine = (ms: KafkaMessage[]) => ms.filter((m) => m.key?.toString() === orderId);
    const orderEvents = mine(
      await readTopic(`${namespace}.orders.events`, (ms) => typesOf(mine(ms)).includes('orders.order-paid')),
    ).map((m) => JSON.parse(m.value!.toString()));
    const paid = orderEvents.find((e) => e.type === 'orders.order-paid');
    expect(paid.data.lines).toEqual([
      {
        productId: kiwi.id,
        quantity: 1,
        unitPriceFen: 6800,
        category: 'fresh',
        pickupWithinHours: 3,
        shelfLifeHours: 48,
      },
    ]);
    expect(orderEvents.find((e) => e.type === 'orders.order-placed').data.lines[0]).toMatchObject({
      pickupWithinHours: 3,
      shelfLifeHours: 48,
    });

    const refunded = await waitFor(
      async () => {
        const order = (await call('GET', `${orders.url}/orders/${orderId}`, { token: buyer })).body;
        return order.status === 'refunded' && order;
      },
      'the order refunded',
      40_000,
      200,
    );
    expect(refunded.refundedFen).toBe(6800);
    expect(refunded.history.map((h: { to: string; action: string }) => [h.to, h.action]).slice(-3)).toEqual([
      ['paid', 'payment-captured'],
      ['scheduled', 'shipment-scheduled'],
      ['refunded', 'shipment-failed'],
    ]);
    expect(refunded.history.at(-1).reason).toBe('shipment failed: spoiled');

    const [shipment] = (
      await call('GET', `${fulfillment.url}/shipments?orderId=${orderId}`, { token: tokenFor('ops') })
    ).body.items;
    expect(shipment).toMatchObject({ status: 'failed', failureReason: 'spoiled', shelfLifeHours: 48 });
    expect(Date.parse(shipment.deadlineAt) - Date.parse(paid.data.paidAt)).toBe(3 * HOUR);
    expect(Date.parse(shipment.slotStartsAt)).toBeLessThanOrEqual(Date.parse(shipment.deadlineAt));
    // its van left (the run was dispatched), the courier never came, and it spoiled no earlier than its deadline
    const [run] = await fulfillment.dataSource.query('SELECT manifest FROM pickup_runs WHERE slot_starts_at = $1', [
      shipment.slotStartsAt,
    ]);
    expect(run.manifest.parcels.map((p: { shipmentId: string }) => p.shipmentId)).toEqual([shipment.id]);
    expect(shipment.history.map((h: { to: string; reason: string | null }) => [h.to, h.reason])).toEqual([
      ['scheduled', null],
      ['failed', 'spoiled'],
    ]);
    expect(Date.parse(shipment.history[1].at)).toBeGreaterThanOrEqual(Date.parse(shipment.deadlineAt));
  });

  it('keeps a lead time for handicrafts only', async () => {
    const store = await newStore(catalog.url);
    const quilt = await newProduct(catalog.url, store.id, { category: 'handicraft', leadTimeDays: 5, priceFen: 48800 });
    expect(quilt).toMatchObject({ leadTimeDays: 5 });
    expect((await call('GET', `${catalog.url}/products/${quilt.id}`)).body).toMatchObject({ leadTimeDays: 5 });
    const refused = await call('POST', `${catalog.url}/stores/${store.id}/products`, {
      token: tokenFor('seller', store.id),
      body: { name: 'Kiwi made to order?', category: 'fresh', priceFen: 100, stock: 1, leadTimeDays: 3 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/leadTimeDays is only for handicraft/);
    const changed = await readTopic(`${namespace}.catalog.events`, (ms) =>
      ms.some((m) => JSON.parse(m.value!.toString()).data.productId === quilt.id),
    );
    expect(
      changed.map((m) => JSON.parse(m.value!.toString())).find((e) => e.data.productId === quilt.id).data,
    ).toMatchObject({ category: 'handicraft', leadTimeDays: 5 });
  });
});
