// "Where is order X, and why is it stuck?" answered in one place: the four services and the
// operations console in-process on the real PostgreSQL, Redis and Kafka, on a county clock running
// an hour a second with hourly courier rounds. An order goes to delivered, its buyer opens an
// after-sales request, and the console shows its whole life in time order — in a real browser too.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { demoAddress } from '@cc/contracts';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { newProduct, newStore } from '../support/factories';
import { startOps } from '../support/ops';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');

describe('the order timeline in the operations console', () => {
  const namespace = newNamespace();
  const clock = {
    TIME_SCALE: '3600',
    CLOCK_ANCHOR: String(Date.now()),
    RESERVATION_TTL_MINUTES: '1440',
    PAYMENT_CALL_TIMEOUT_MS: '2000',
  };
  let catalog: RunningService;
  let orders: RunningService;
  let fulfillment: RunningService;
  let payouts: RunningService;
  let consoleApp: Awaited<ReturnType<typeof startOps>>;
  const ops = tokenFor('ops', undefined, 'night-shift');
  const buyer = tokenFor('buyer', undefined, `buyer-${randomUUID().slice(0, 8)}`);
  const address = demoAddress(4242);
  let orderId: string;
  let checkoutId: string;
  let storeId: string;

  beforeAll(async () => {
    [catalog, payouts, fulfillment] = await Promise.all([
      startService('catalog', { namespace, env: clock }),
      startService('payouts', { namespace, env: clock }),
      startService('fulfillment', {
        namespace,
        env: { ...clock, PICKUP_TIMETABLE: HOURLY, SIMULATED_COURIER_DELIVERY_MINUTES: '60' },
      }),
    ]);
    orders = await startService('orders', {
      namespace,
      env: { ...clock, CATALOG_URL: catalog.url, AUTO_CONFIRM_DAYS: '5', AFTER_SALES_RESPONSE_HOURS: '48' },
    });
    consoleApp = await startOps(namespace, {
      CATALOG_URL: catalog.url,
      ORDERS_URL: orders.url,
      FULFILLMENT_URL: fulfillment.url,
      PAYOUTS_URL: payouts.url,
    });

    const store = await newStore(catalog.url, { name: 'Qinling Peach Garden' });
    storeId = store.id;
    const peaches = await newProduct(catalog.url, store.id, {
      name: 'Honey peaches, 3 kg',
      category: 'fresh',
      priceFen: 6800,
      stock: 5,
    });
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: peaches.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: address },
    });
    [orderId, checkoutId] = [res.body.orders[0].id, res.body.checkoutId];
    await waitFor(
      async () => (await call('GET', `${orders.url}/orders/${orderId}`, { token: buyer })).body.status === 'delivered',
      'the peaches delivered',
      30_000,
    );
    const opened = await call('POST', `${orders.url}/orders/${orderId}/after-sales`, {
      token: buyer,
      body: { kind: 'refund-only', amountFen: 1700, reason: 'a quarter of the peaches arrived bruised' },
    });
    expect(opened.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await consoleApp?.close();
    await Promise.all([orders?.close(), fulfillment?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const api = (path: string) => call('GET', `${consoleApp.url}/api/${path}`, { token: ops });

  it('joins the four services’ trails in time order, with what the order waits for and each job’s state', async () => {
    const t = await waitFor(async () => {
      const body = (await api(`timeline/${orderId}`)).body;
      return body.entries?.some((e: { kind: string }) => e.kind === 'ledger') && body;
    }, 'the ledger in the timeline');
    expect(t).toMatchObject({ kind: 'order', orderId, unavailable: [] });
    expect(t.facts).toMatchObject({
      status: 'delivered',
      storeId,
      checkoutId,
      waitingFor: expect.stringMatching(/^the store to answer an after-sales request/),
    });
    // the console shows personal data masked
    expect(t.facts.shipTo).toEqual({
      recipientName: expect.stringMatching(/\*\*$/),
      phone: '138****4242',
      province: address.province,
      city: address.city,
      district: '***',
      street: '***',
    });
    expect(JSON.stringify(t)).not.toContain(address.phone);
    expect(t.shipment).toMatchObject({ status: 'delivered', township: 'louguan' });

    const kinds = new Set(t.entries.map((e: { service: string; kind: string }) => `${e.service}:${e.kind}`));
    for (const k of [
      'orders:status',
      'orders:payment',
      'orders:after-sales',
      'orders:event-out',
      'orders:job',
      'catalog:stock',
      'fulfillment:shipment',
      'payouts:ledger',
    ])
      expect(kinds).toContain(k);
    const times = t.entries.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort());
    const statuses = t.entries
      .filter((e: { service: string; kind: string }) => e.service === 'orders' && e.kind === 'status')
      .map((e: { what: string }) => e.what.split(' (')[0]);
    expect(statuses).toEqual([
      '∅ → pending_stock',
      'pending_stock → awaiting_payment',
      'awaiting_payment → paid',
      'paid → scheduled',
      'scheduled → shipped',
      'shipped → delivered',
    ]);
    // the store's deadline to answer is a delayed job in Redis
    const timeout = t.entries.find(
      (e: { kind: string; what: string }) => e.kind === 'job' && e.what.startsWith('after-sales'),
    );
    expect(timeout.detail).toMatchObject({ queue: 'after-sales', state: 'delayed' });

    // a checkout id or a store id lists their orders
    for (const id of [checkoutId, storeId])
      expect((await api(`timeline/${id}`)).body).toMatchObject({ kind: 'orders', orders: [{ id: orderId }] });
    expect((await api(`timeline/${randomUUID()}`)).status).toBe(404);
    expect((await api('timeline/not-an-id')).status).toBe(400);
  });

  it('charts the last hour from the services themselves: orders per minute by status, lag, outbox age, checkout latency', async () => {
    // the county clock runs an hour a second: an order placed now fills the last county hour
    const store = await newStore(catalog.url);
    const kiwi = await newProduct(catalog.url, store.id, { stock: 2 });
    const placed = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: kiwi.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: address },
    });
    await waitFor(
      async () =>
        (await call('GET', `${orders.url}/orders/${placed.body.orders[0].id}`, { token: buyer })).body.status !==
        'pending_stock',
      'the new order moving',
    );
    const charts = await waitFor(async () => {
      const c = (await api('charts')).body;
      return c.checkoutP95?.some((p: { checkouts: number }) => p.checkouts >= 1) && c;
    }, 'a chart sample with the checkout in it');
    const statuses = new Set(charts.orderFlow.map((m: { status: string }) => m.status));
    expect(statuses).toContain('pending_stock');
    for (const m of charts.orderFlow) expect(m.minutesAgo).toBeLessThanOrEqual(60);
    expect(
      charts.checkoutP95.some((p: { checkouts: number; seconds: number | null }) => p.checkouts >= 1 && p.seconds! > 0),
    ).toBe(true);
    expect(
      charts.outboxAge.map((o: { service: string; points: unknown[] }) => [o.service, o.points.length > 0]),
    ).toEqual([
      ['catalog', true],
      ['orders', true],
      ['fulfillment', true],
      ['payouts', true],
    ]);
    expect(charts.consumerLag.map((g: { group: string }) => g.group)).toEqual(
      expect.arrayContaining([`${namespace}.orders`, `${namespace}.payouts`]),
    );
  });

  it('answers a search in a real browser', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (Debian package chromium)`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
      await page.goto(consoleApp.url);
      await page.fill('textarea[name=token]', ops);
      await page.click('button[type=submit]');
      await page.waitForSelector('#charts svg polyline', { state: 'attached', timeout: 10_000 }).catch(async (e) => {
        throw new Error(`${(e as Error).message}; the panel says: ${await page.textContent('#charts')}`);
      });
      await page.fill('#find input', storeId);
      await page.click('#find button');
      await page.click(`#timeline a[data-order="${orderId}"]`);
      await page.waitForSelector('#timeline .result table');
      const text = await page.textContent('#timeline');
      expect(text).toContain('waiting for the store to answer an after-sales request');
      expect(text).toContain('138****4242');
      expect(text).not.toContain(address.phone);
      for (const service of ['orders', 'catalog', 'fulfillment', 'payouts']) expect(text).toContain(service);
      const docs = join(__dirname, '..', '..', 'docs');
      mkdirSync(docs, { recursive: true });
      await page.locator('#timeline').screenshot({ path: join(docs, 'ops-console-timeline.png') });
    } finally {
      await browser.close();
    }
  });
});
