// The buyer's delivery address: validated at checkout, shown only to the buyer, the store's seller
// and ops, carried only to fulfillment (on its private topic) and to the courier's manifest, and
// erased from every table once its retention is over. The four services in-process on the real
// PostgreSQL, Redis and Kafka, on a county clock running an hour a second, with hourly courier rounds.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore, opsToken } from '../support/factories';
import { CourierClient, SimulatedCourier } from '../../apps/fulfillment/src/persistence/courier.client';

const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');
/** 0.4 county days: 9.6 real seconds after the order (or the shipment) ended. */
const RETENTION_DAYS = '0.4';

/** Rows of any table of this database whose text holds `needle`, as `table: count`. */
async function tablesHolding(db: DataSource, needle: string): Promise<Record<string, number>> {
  const tables: { table_name: string }[] = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const found: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text LIKE $1`, [
      `%${needle}%`,
    ]);
    if (n > 0) found[table_name] = n;
  }
  return found;
}

describe('delivery addresses', () => {
  const namespace = newNamespace();
  const clock = {
    TIME_SCALE: '3600',
    CLOCK_ANCHOR: String(Date.now()),
    RESERVATION_TTL_MINUTES: '1440',
    PAYMENT_CALL_TIMEOUT_MS: '2000',
  };
  const retention = { ADDRESS_RETENTION_DAYS: RETENTION_DAYS, ADDRESS_ERASURE_SWEEP_SECONDS: '60' };
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  let payouts: RunningService;
  const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
  const buyer = tokenFor('buyer', undefined, buyerId);
  const address = demoAddress(1000 + Math.floor(Math.random() * 9000));

  beforeAll(async () => {
    [catalog, payouts, fulfillment] = await Promise.all([
      startService('catalog', { namespace, env: clock }),
      startService('payouts', { namespace, env: clock }),
      startService('fulfillment', {
        namespace,
        env: { ...clock, ...retention, PICKUP_TIMETABLE: HOURLY, SIMULATED_COURIER_DELIVERY_MINUTES: '60' },
      }),
    ]);
    orders = await startService('orders', { namespace, env: { ...clock, ...retention, CATALOG_URL: catalog.url } });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), fulfillment?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const checkout = (body: Record<string, unknown>) => call('POST', `${orders.url}/checkouts`, { token: buyer, body });
  const orderAs = (id: string, token: string) => call('GET', `${orders.url}/orders/${id}`, { token });

  it('refuses a missing or bad address field with a 400 that names it, and stores nothing', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 5 });
    const lines = [{ productId: product.id, quantity: 1 }];
    const [{ n: before }] = await orders.dataSource.query(`SELECT count(*)::int AS n FROM orders`);
    const { phone: _phone, ...withoutPhone } = address;
    const cases: [Record<string, unknown> | undefined, string, RegExp][] = [
      [undefined, 'shippingAddress', /shippingAddress is required/],
      [withoutPhone, 'shippingAddress.phone', /phone is required/],
      [{ ...address, phone: '1381234567' }, 'shippingAddress.phone', /mainland mobile number/],
      [{ ...address, phone: '23812345678' }, 'shippingAddress.phone', /mainland mobile number/],
      [{ ...address, recipientName: '' }, 'shippingAddress.recipientName', /recipientName/],
      [{ ...address, street: 7 }, 'shippingAddress.street', /street must be a string/],
      [{ ...address, postcode: '71600' }, 'shippingAddress.postcode', /postcode must be 6 digits/],
      [{ ...address, floor: 3 }, 'shippingAddress.floor', /should not exist/],
    ];
    for (const [shippingAddress, field, message] of cases) {
      const res = await checkout({ lines, paymentToken: 'tok_ok', ...(shippingAddress ? { shippingAddress } : {}) });
      expect({ field, status: res.status, type: res.headers.get('content-type') }).toEqual({
        field,
        status: 400,
        type: expect.stringMatching(/problem\+json/),
      });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      expect(res.body.errors[0].messages.join(' ')).toMatch(message);
    }
    const [{ n: after }] = await orders.dataSource.query(`SELECT count(*)::int AS n FROM orders`);
    expect(after).toBe(before);
    // +86 is a way of writing a mainland number too
    expect(
      (
        await checkout({
          lines,
          paymentToken: 'tok_timeout',
          shippingAddress: { ...address, phone: `+86${address.phone}` },
        })
      ).status,
    ).toBe(201);
  });

  it('shows the address to the buyer, the store’s seller and ops only, and carries it only to fulfillment and the courier', async () => {
    const [orchard, weaver] = [await newStore(catalog.url), await newStore(catalog.url)];
    const kiwi = await newProduct(catalog.url, orchard.id, { category: 'fresh', stock: 5 });
    const cloth = await newProduct(catalog.url, weaver.id, { category: 'ambient', stock: 5 });
    const res = await checkout({
      lines: [
        { productId: kiwi.id, quantity: 1 },
        { productId: cloth.id, quantity: 1 },
      ],
      paymentToken: 'tok_ok',
      shippingAddress: address,
    });
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain(address.phone);
    const kiwiOrder: string = res.body.orders.find((o: { storeId: string }) => o.storeId === orchard.id).id;

    // who may read it: the buyer, the orchard's seller, ops; not the other store's seller nor another buyer
    for (const token of [buyer, tokenFor('seller', orchard.id), opsToken()])
      expect((await orderAs(kiwiOrder, token)).body.shippingAddress).toEqual(address);
    for (const token of [tokenFor('seller', weaver.id), tokenFor('buyer', undefined, 'someone-else')]) {
      const refused = await orderAs(kiwiOrder, token);
      expect(refused.status).toBe(404);
      expect(JSON.stringify(refused.body)).not.toContain(address.phone);
    }
    expect(JSON.stringify((await call('GET', `${orders.url}/orders`, { token: buyer })).body)).not.toContain(
      address.phone,
    );

    // on Kafka: order events (which catalog and payouts read) carry none of it; the shipping topic does
    const mine = (ms: KafkaMessage[]) => ms.filter((m) => m.key?.toString() === kiwiOrder);
    const orderEvents = mine(
      await readTopic(`${namespace}.orders.events`, (ms) => typesOf(mine(ms)).includes('orders.order-paid')),
    );
    expect(orderEvents.map((m) => m.value!.toString()).join('\n')).not.toContain(address.phone);
    const [requested] = mine(await readTopic(`${namespace}.orders.shipping`, (ms) => mine(ms).length > 0)).map((m) =>
      JSON.parse(m.value!.toString()),
    );
    expect(requested).toMatchObject({
      type: 'orders.shipment-requested',
      data: { orderId: kiwiOrder, shippingAddress: address },
    });

    // the courier's manifest lists recipient and address; the run's record and its queued job hold none
    const courier = fulfillment.app.get(CourierClient) as SimulatedCourier;
    const shipmentId = await waitFor(
      async () =>
        (await call('GET', `${fulfillment.url}/shipments?orderId=${kiwiOrder}`, { token: buyer })).body.items[0]?.id,
      'a shipment',
    );
    const parcel = await waitFor(
      async () => courier.received.flatMap((m) => m.parcels).find((p) => p.shipmentId === shipmentId),
      'the manifest sent to the courier',
      30_000,
    );
    const { recipientName, phone, postcode, ...place } = address;
    expect(parcel.deliverTo).toEqual({ recipientName, phone, address: { ...place, postcode } });
    expect(Object.keys(await tablesHolding(fulfillment.dataSource, address.phone))).toEqual(['shipment_addresses']);

    // the services that never need it never stored it; the orders outbox kept no copy once it was sent
    for (const service of [catalog, payouts])
      expect(await tablesHolding(service.dataSource, address.phone)).toEqual({});
    await waitFor(
      async () => (await orderAs(kiwiOrder, buyer)).body.status === 'delivered',
      'the kiwis delivered',
      30_000,
    );
    expect(Object.keys(await tablesHolding(orders.dataSource, address.phone))).toEqual(['order_addresses']);
  });

  it('erases the address everywhere once the order ended and its retention is over', async () => {
    const store = await newStore(catalog.url);
    const honey = await newProduct(catalog.url, store.id, { category: 'ambient', stock: 5 });
    // a street of its own: the demo addresses share a handful of streets with the other tests' orders
    const n = 1000 + Math.floor(Math.random() * 9000);
    const own = { ...demoAddress(n), street: `${n} Erasure Lane` };
    const res = await checkout({
      lines: [{ productId: honey.id, quantity: 1 }],
      paymentToken: 'tok_ok',
      shippingAddress: own,
    });
    const orderId: string = res.body.orders[0].id;
    await waitFor(
      async () => (await orderAs(orderId, buyer)).body.status === 'delivered',
      'the honey delivered',
      30_000,
    );
    expect((await orderAs(orderId, buyer)).body.shippingAddress).toEqual(own);
    expect((await call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer })).status).toBe(200);

    // 0.4 county days after the order completed (and the parcel was delivered), the sweeps erase it
    const erased = await waitFor(
      async () => {
        const order = (await orderAs(orderId, buyer)).body;
        return order.shippingAddress?.erased === true && order;
      },
      'the order’s address erased',
      40_000,
      250,
    );
    expect(erased.shippingAddress).toEqual({ erased: true, erasedAt: expect.any(String) });
    const shipment = await waitFor(
      async () => {
        const found = (await call('GET', `${fulfillment.url}/shipments?orderId=${orderId}`, { token: buyer })).body
          .items[0];
        return found?.shippingAddress?.erased === true && found;
      },
      'the shipment’s address erased',
      40_000,
      250,
    );
    expect(shipment.shippingAddress).toEqual({ erased: true, erasedAt: expect.any(String) });
    for (const service of [orders, fulfillment, catalog, payouts]) {
      for (const trace of [own.phone, own.street])
        expect({ service: service.url, trace, found: await tablesHolding(service.dataSource, trace) }).toEqual({
          service: service.url,
          trace,
          found: {},
        });
    }
  });
});
