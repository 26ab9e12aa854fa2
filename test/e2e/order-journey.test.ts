// One order end to end through the four services running as separate processes, spoken to only
// over HTTP, the way a storefront, a seller and a buyer would.
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase } from '../support/databases';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace } from '../support/harness';
import { OtlpReceiver, ReceivedSpan } from '../support/otlp';
import { freePorts, Platform, SERVICE_NAMES, ServiceName } from '../../scripts/platform';

const PAYOUT_ACCOUNT_NUMBER = '6217009876543210';
const HOURLY = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');

describe('an order carried end to end through catalog, orders, fulfillment and payouts', () => {
  let platform: Platform;
  let logDir: string;
  const drops: (() => Promise<void>)[] = [];
  // the services export their traces here, as they would to an OpenTelemetry collector
  const traces = new OtlpReceiver();

  beforeAll(async () => {
    const otlpEndpoint = await traces.start();
    const ports = await freePorts(4);
    const databaseUrls = {} as Record<ServiceName, string>;
    for (const name of SERVICE_NAMES) {
      const db = await freshDatabase(name);
      databaseUrls[name] = db.url;
      drops.push(db.drop);
    }
    logDir = join(__dirname, '..', '..', '.run', 'test-logs', `e2e-${Date.now()}`);
    mkdirSync(logDir, { recursive: true });
    platform = new Platform({
      root: join(__dirname, '..', '..'),
      ports: Object.fromEntries(SERVICE_NAMES.map((s, i) => [s, ports[i]])) as Record<ServiceName, number>,
      databaseUrls,
      env: {
        NODE_ENV: 'test',
        NAMESPACE: newNamespace(),
        TIME_SCALE: '3600', // an hour a second
        RESERVATION_TTL_MINUTES: '1440', // a county day: the stock stays held while the (simulated) payment runs
        PAYMENT_CALL_TIMEOUT_MS: '2000',
        CLOCK_ANCHOR: String(Date.now()),
        KAFKA_PARTITIONS: '3',
        LOG_LEVEL: 'info',
        PICKUP_TIMETABLE: HOURLY,
        SIMULATED_COURIER_DELIVERY_MINUTES: '120',
        // a delivered order nobody confirms completes half a county day (12 real seconds) later
        AUTO_CONFIRM_DAYS: '0.5',
        SIMULATED_PAYOUT_SETTLE_SECONDS: '600',
        // a changed payout account is paid to a county hour (a real second) later
        PAYOUT_ACCOUNT_HOLD_HOURS: '1',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      logDir,
      // supervised, as under the demo: a service that dies is restarted (and said so in platform.log)
      supervise: true,
      log: (line) => appendFileSync(join(logDir, 'platform.log'), `${new Date().toISOString()} ${line}\n`),
    });
    // jest ending this worker without afterAll (interrupted, timed out) must not leave the services running
    process.once('exit', () => platform.killAll());
    await platform.start();
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await traces.stop();
    for (const drop of drops) await drop();
  });

  it('goes from checkout to completed, with the seller credited at each step', async () => {
    const catalog = platform.url('catalog');
    const orders = platform.url('orders');
    const ops = tokenFor('ops');
    const buyer = tokenFor('buyer', undefined, 'buyer-e2e');

    const store = (
      await call('POST', `${catalog}/stores`, {
        token: ops,
        body: { name: 'Auntie Li’s Kiwi Orchard', township: 'louguan' },
      })
    ).body;
    const seller = tokenFor('seller', store.id);
    const kiwi = (
      await call('POST', `${catalog}/stores/${store.id}/products`, {
        token: seller,
        body: { name: 'Red-heart kiwi, 5 kg', category: 'fresh', priceFen: 6800, stock: 5 },
      })
    ).body;

    const checkout = await call('POST', `${orders}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: kiwi.id, quantity: 2 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
      headers: { 'Idempotency-Key': 'e2e-1' },
    });
    expect(checkout.status).toBe(201);
    const orderId: string = checkout.body.orders[0].id;
    const orderNow = async () => (await call('GET', `${orders}/orders/${orderId}`, { token: buyer })).body;

    // paid: the seller's share is pending in the ledger (5% commission on fresh produce)
    await waitFor(
      async () => ['paid', 'scheduled', 'shipped', 'delivered'].includes((await orderNow()).status),
      'order paid',
    );
    const balanceUrl = `${platform.url('payouts')}/stores/${store.id}/balance`;
    const pending = await waitFor(async () => {
      const b = (await call('GET', balanceUrl, { token: seller })).body;
      return b.pendingFen > 0 && b;
    }, 'seller credited pending');
    expect(pending).toMatchObject({ pendingFen: 12920, availableFen: 0 });
    expect((await call('GET', `${catalog}/products/${kiwi.id}`)).body.stock).toEqual({
      onHand: 3,
      reserved: 0,
      available: 3,
    });

    // a pickup slot is assigned and, an hour of county time later, the courier collects and delivers
    const shipments = await waitFor(async () => {
      const list = (await call('GET', `${platform.url('fulfillment')}/shipments?orderId=${orderId}`, { token: ops }))
        .body;
      return Array.isArray(list) ? list.length > 0 && list : list?.items?.length > 0 && list.items;
    }, 'shipment scheduled');
    expect(shipments).toHaveLength(1);
    await waitFor(async () => (await orderNow()).status === 'delivered', 'order delivered', 60_000, 250);
    const shipment = (await call('GET', `${platform.url('fulfillment')}/shipments?orderId=${orderId}`, { token: ops }))
      .body;
    expect(JSON.stringify(shipment)).toMatch(/delivered/);

    // the buyer confirms receipt: completed, and the seller's share becomes available
    const confirmed = await call('POST', `${orders}/orders/${orderId}/confirm-receipt`, { token: buyer });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('completed');
    expect(confirmed.body.history.map((h: { to: string }) => h.to)).toEqual([
      'pending_stock',
      'awaiting_payment',
      'paid',
      'scheduled',
      'shipped',
      'delivered',
      'completed',
    ]);
    const available = await waitFor(async () => {
      const b = (await call('GET', balanceUrl, { token: seller })).body;
      return b.availableFen > 0 && b;
    }, 'seller credited available');
    expect(available).toMatchObject({ pendingFen: 0, availableFen: 12920 });

    // the same checkout sent again is answered, not repeated
    const again = await call('POST', `${orders}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: kiwi.id, quantity: 2 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
      headers: { 'Idempotency-Key': 'e2e-1' },
    });
    expect(again.status).toBe(200);
    expect(again.body.checkoutId).toBe(checkout.body.checkoutId);
  }, 120_000);

  it('carries one trace from POST /checkouts through Kafka and BullMQ to the payouts consumer', async () => {
    const catalog = platform.url('catalog');
    const ops = tokenFor('ops');
    const store = (
      await call('POST', `${catalog}/stores`, {
        token: ops,
        body: { name: 'Grandma Zhou’s Walnuts', township: 'louguan' },
      })
    ).body;
    const seller = tokenFor('seller', store.id);
    const walnuts = (
      await call('POST', `${catalog}/stores/${store.id}/products`, {
        token: seller,
        body: { name: 'Thin-shell walnuts, 2 kg', category: 'ambient', priceFen: 5600, stock: 5 },
      })
    ).body;
    const correlationId = randomUUID();
    const checkout = await call('POST', `${platform.url('orders')}/checkouts`, {
      token: tokenFor('buyer', undefined, 'buyer-e2e-trace'),
      body: { lines: [{ productId: walnuts.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
      headers: { 'Idempotency-Key': 'e2e-trace-1', 'x-correlation-id': correlationId },
    });
    expect(checkout.status).toBe(201);

    // the trace starts at the checkout request in orders (the caller sent no traceparent)
    const root = await waitFor(
      async () =>
        traces.spans.find(
          (s) => s.service === 'orders' && s.kind === 2 && s.attributes['cc.correlation_id'] === correlationId,
        ),
      'the checkout request span',
    );
    expect(root.parentSpanId).toBeUndefined();
    // and reaches the payouts consumer, across the outbox, Kafka and the payment job, with the same trace id
    const credited = await waitFor(
      async () =>
        traces
          .trace(root.traceId)
          .find((s) => s.service === 'payouts' && s.kind === 5 && s.name.startsWith('process ')),
      'a payouts consumer span in the checkout trace',
      30_000,
      200,
    );
    expect(String(credited.attributes['messaging.consumer.group.name'])).toMatch(/payouts$/);
    expect(credited.attributes['cc.correlation_id']).toBe(correlationId);
    // each hop is the child of the one before: walk up from payouts to the checkout request
    const chain = await waitFor(async () => {
      const byId = new Map(traces.trace(root.traceId).map((s) => [s.spanId, s]));
      const path: ReceivedSpan[] = [credited];
      for (let at = credited; at.parentSpanId;) {
        const parent = byId.get(at.parentSpanId);
        if (!parent) return undefined; // not exported yet
        path.push((at = parent));
      }
      return path.reverse();
    }, 'every ancestor of the payouts span exported');
    expect(chain[0]).toBe(root);
    const hops = chain.map((s) => `${s.service}: ${s.name}`);
    expect(hops).toEqual(
      expect.arrayContaining([
        'catalog: process orders.order-placed',
        'orders: process catalog.stock-reserved',
        'orders: job payments/capture-payment',
      ]),
    );
    expect(hops[hops.length - 1]).toBe(`payouts: ${credited.name}`);
    // the ecosystem's instrumentations add the statements made along the way
    expect(
      traces
        .trace(root.traceId)
        .some(
          (s) =>
            s.service === 'payouts' &&
            s.kind === 3 &&
            s.parentSpanId === credited.spanId &&
            /postgres/.test(String(s.attributes['db.system'] ?? s.attributes['db.system.name'])),
        ),
    ).toBe(true);
  }, 90_000);

  it('completes an order nobody confirms and pays the seller in the next payout run', async () => {
    const catalog = platform.url('catalog');
    const orders = platform.url('orders');
    const payouts = platform.url('payouts');
    const ops = tokenFor('ops');
    const buyer = tokenFor('buyer', undefined, 'buyer-e2e-silent');

    const store = (
      await call('POST', `${catalog}/stores`, {
        token: ops,
        body: { name: 'Sister Wang’s Patchwork', township: 'louguan' },
      })
    ).body;
    const seller = tokenFor('seller', store.id);
    // where her money goes: shown (and logged) only as ****3210
    const account = await call('PUT', `${payouts}/stores/${store.id}/payout-account`, {
      token: seller,
      body: { method: 'bank', accountName: '王秀珍', accountNumber: PAYOUT_ACCOUNT_NUMBER },
    });
    expect([account.status, account.body.account.accountNumber]).toEqual([200, '****3210']);
    const peaches = (
      await call('POST', `${catalog}/stores/${store.id}/products`, {
        token: seller,
        body: { name: 'Honey peaches, 3 kg', category: 'fresh', priceFen: 6800, stock: 5 },
      })
    ).body;
    const checkout = await call('POST', `${orders}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: peaches.id, quantity: 2 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
      headers: { 'Idempotency-Key': 'e2e-silent-1' },
    });
    expect(checkout.status).toBe(201);
    const orderId: string = checkout.body.orders[0].id;
    const orderNow = async () => (await call('GET', `${orders}/orders/${orderId}`, { token: buyer })).body;

    await waitFor(
      async () => ['delivered', 'completed'].includes((await orderNow()).status),
      'order delivered',
      60_000,
      250,
    );
    // nobody presses confirm-receipt: the order completes by itself and says so in its history
    const completed = await waitFor(
      async () => {
        const order = await orderNow();
        return order.status === 'completed' && order;
      },
      'order auto-confirmed',
      60_000,
      250,
    );
    const last = completed.history[completed.history.length - 1];
    expect(last).toMatchObject({
      from: 'delivered',
      to: 'completed',
      action: 'receipt-confirmed',
      reason: 'auto-confirmed',
    });

    const balanceUrl = `${payouts}/stores/${store.id}/balance`;
    await waitFor(
      async () => (await call('GET', balanceUrl, { token: seller })).body.availableFen === 12920,
      'seller share available',
    );
    // finance starts a payout run; the seller's whole available balance goes out and settles
    const run = await call('POST', `${payouts}/payout-runs`, {
      token: ops,
      headers: { 'Idempotency-Key': `e2e-run-${orderId}` },
    });
    expect([200, 201]).toContain(run.status);
    const paid = await waitFor(
      async () => {
        const b = (await call('GET', balanceUrl, { token: seller })).body;
        return b.paidOutFen === 12920 && b;
      },
      'seller paid out',
      60_000,
      250,
    );
    expect(paid).toMatchObject({ pendingFen: 0, availableFen: 0, inTransitFen: 0, paidOutFen: 12920 });
    const ledger = (await call('GET', `${payouts}/stores/${store.id}/ledger?page=1&pageSize=50`, { token: seller }))
      .body;
    const kinds = (Array.isArray(ledger) ? ledger : ledger.items).map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['payout-sent', 'payout-settled']));
    // her statement: the payout, to her account, is the order's share
    const [payout] = (await call('GET', `${payouts}/stores/${store.id}/payouts`, { token: seller })).body.items;
    expect(payout).toMatchObject({
      amountFen: 12920,
      status: 'settled',
      account: { method: 'bank', accountNumber: '****3210' },
    });
    const statement = (await call('GET', `${payouts}/payouts/${payout.id}/lines`, { token: seller })).body;
    expect(statement.lines).toMatchObject([
      { kind: 'sale', orderId, grossFen: 13600, commissionFen: 680, amountFen: 12920 },
    ]);
  }, 120_000);

  it("writes the buyers' phone numbers and addresses to no log unmasked", async () => {
    const logs = readdirSync(logDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ file: f, text: readFileSync(join(logDir, f), 'utf8') }));
    const all = logs.map((l) => l.text).join('\n');
    // the courier's run is logged with where its parcels go, masked; nothing anywhere shows them whole
    expect(all).toContain('"phone":"138****0000"');
    // and the seller's payout account change is logged with the number masked
    expect(all).toContain('"to":"****3210"');
    const { phone, street, recipientName } = demoAddress();
    for (const { file, text } of logs)
      expect({
        file,
        leaks: [phone, street, recipientName, PAYOUT_ACCOUNT_NUMBER].filter((trace) => text.includes(trace)),
      }).toEqual({ file, leaks: [] });
  });
});
