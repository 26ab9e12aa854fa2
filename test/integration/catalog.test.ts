// Catalog against the real PostgreSQL, Redis and Kafka: HTTP rules, reservations driven by order
// events, redelivery, dead letters, and the outbox surviving a crash before the send.
import { randomUUID } from 'node:crypto';
import { DeadLetterHeaders } from '@cc/messaging';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { envelope, headerOf, publish, readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';

describe('catalog service', () => {
  const namespace = newNamespace();
  const ordersTopic = `${namespace}.orders.events`;
  const catalogTopic = `${namespace}.catalog.events`;
  let catalog: RunningService;

  beforeAll(async () => {
    catalog = await startService('catalog', { namespace });
  });
  afterAll(async () => {
    await catalog?.close();
  });

  const placed = (orderId: string, storeId: string, productId: string, quantity: number) =>
    envelope('orders.order-placed', {
      orderId,
      checkoutId: randomUUID(),
      buyerId: 'buyer-1',
      storeId,
      township: 'louguan',
      lines: [{ productId, quantity, unitPriceFen: 6800, category: 'fresh' }],
      totalFen: 6800 * quantity,
      placedAt: new Date().toISOString(),
    });

  const stockOf = async (productId: string) => (await call('GET', `${catalog.url}/products/${productId}`)).body.stock;

  it('creates stores and products for the right roles and answers problem+json otherwise', async () => {
    const store = await newStore(catalog.url, { township: 'louguan' });
    const product = await newProduct(catalog.url, store.id, { stock: 12 });
    expect(product.stock).toEqual({ onHand: 12, reserved: 0, available: 12 });

    const anonymous = await call('POST', `${catalog.url}/stores`, { body: { name: 'x', township: 'y' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const otherSeller = await call('POST', `${catalog.url}/stores/${store.id}/products`, {
      token: tokenFor('seller', randomUUID()),
      body: { name: 'Honey', category: 'ambient', priceFen: 100, stock: 1 },
    });
    expect(otherSeller.status).toBe(403);

    const invalid = await call('POST', `${catalog.url}/stores/${store.id}/products`, {
      token: tokenFor('seller', store.id),
      body: { name: 'Honey', category: 'frozen', priceFen: 1.5, stock: 1, sneaky: true },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'category',
      'priceFen',
      'sneaky',
    ]);
    const listed = await call('GET', `${catalog.url}/products?storeId=${store.id}`);
    expect(listed.body.total).toBe(1);
  });

  it('keeps stock adjustments as history and refuses to go below zero', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 5 });
    const seller = tokenFor('seller', store.id);
    const down = await call('POST', `${catalog.url}/products/${product.id}/stock-adjustments`, {
      token: seller,
      body: { delta: -2, reason: 'bruised' },
    });
    expect(down.status).toBe(201);
    expect(down.body.stock.onHand).toBe(3);
    const tooFar = await call('POST', `${catalog.url}/products/${product.id}/stock-adjustments`, {
      token: seller,
      body: { delta: -4, reason: 'oops' },
    });
    expect(tooFar.status).toBe(409);
    expect((await stockOf(product.id)).onHand).toBe(3);
    const history = await catalog.dataSource.query(
      'SELECT kind, on_hand_delta FROM stock_movements WHERE product_id = $1 ORDER BY id',
      [product.id],
    );
    expect(history).toEqual([
      { kind: 'initial', on_hand_delta: 5 },
      { kind: 'adjustment', on_hand_delta: -2 },
    ]);
  });

  it('reserves on order-placed once, even when the event is delivered twice', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 10 });
    const orderId = randomUUID();
    const event = placed(orderId, store.id, product.id, 3);
    await publish(ordersTopic, [{ key: orderId, value: event }]);
    await publish(ordersTopic, [{ key: orderId, value: event }]); // redelivery of the same event
    await waitFor(async () => (await stockOf(product.id)).reserved === 3, 'reservation');
    const messages = await readTopic(catalogTopic, (ms) => ms.some((m) => m.key?.toString() === orderId));
    const mine = messages.filter((m) => m.key?.toString() === orderId);
    expect(typesOf(mine)).toEqual(['catalog.stock-reserved']);
    const inbox = await catalog.dataSource.query('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [
      event.id,
    ]);
    expect(inbox[0].n).toBe(1);
    // give the duplicate time to be consumed, then check it changed nothing
    await waitFor(async () => {
      const [{ n }] = await catalog.dataSource.query(
        `SELECT count(*)::int AS n FROM stock_movements WHERE order_id = $1`,
        [orderId],
      );
      return n === 1;
    }, 'one movement');
    expect((await stockOf(product.id)).reserved).toBe(3);
  });

  it('rejects an order it cannot fill, all lines or none', async () => {
    const store = await newStore(catalog.url);
    const plenty = await newProduct(catalog.url, store.id, { stock: 10 });
    const scarce = await newProduct(catalog.url, store.id, { stock: 1 });
    const orderId = randomUUID();
    const event = placed(orderId, store.id, plenty.id, 2);
    event.data.lines.push({ productId: scarce.id, quantity: 2, unitPriceFen: 100, category: 'fresh' });
    await publish(ordersTopic, [{ key: orderId, value: event }]);
    const messages = await readTopic(catalogTopic, (ms) => ms.some((m) => m.key?.toString() === orderId));
    const rejected = JSON.parse(messages.find((m) => m.key?.toString() === orderId)!.value!.toString());
    expect(rejected.type).toBe('catalog.stock-rejected');
    expect(rejected.data.reason).toBe('insufficient-stock');
    expect(rejected.correlationId).toBe(event.correlationId);
    expect(rejected.causationId).toBe(event.id);
    expect((await stockOf(plenty.id)).reserved).toBe(0);
  });

  it('sends a malformed event to the dead-letter topic and keeps consuming', async () => {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { stock: 4 });
    const badKey = randomUUID();
    const invalidPayload = envelope('orders.order-placed', { orderId: 'not-a-uuid' } as never);
    await publish(ordersTopic, [
      { key: badKey, value: '{ this is not json', headers: { 'event-type': 'orders.order-placed' } },
      { key: badKey, value: invalidPayload },
    ]);
    const goodOrder = randomUUID();
    await publish(ordersTopic, [{ key: goodOrder, value: placed(goodOrder, store.id, product.id, 1) }]);
    await waitFor(async () => (await stockOf(product.id)).reserved === 1, 'the good event after the bad ones');

    const dead = await readTopic(`${namespace}.catalog.dlq`, (ms) => ms.length >= 2);
    expect(dead).toHaveLength(2);
    expect(headerOf(dead[0], DeadLetterHeaders.error)).toMatch(/not JSON/);
    expect(headerOf(dead[1], DeadLetterHeaders.error)).toMatch(/orderId/);
    for (const m of dead) {
      expect(headerOf(m, DeadLetterHeaders.topic)).toBe(ordersTopic);
      expect(headerOf(m, DeadLetterHeaders.group)).toBe(`${namespace}.catalog`);
      expect(Number(headerOf(m, DeadLetterHeaders.offset))).toBeGreaterThanOrEqual(0);
      expect(headerOf(m, DeadLetterHeaders.partition)).toMatch(/^\d+$/);
    }
  });

  it('sends an event committed before a crash once the service is back', async () => {
    const store = await newStore(catalog.url);
    // the relay dies: changes still commit with their outbox rows, nothing reaches Kafka
    await catalog.runtime.relay!.stop();
    const product = await newProduct(catalog.url, store.id, { stock: 7 });
    const [row] = await catalog.dataSource.query(
      `SELECT id AS event_id, sent_at FROM outbox WHERE type = 'catalog.product-changed' AND payload->'data'->>'productId' = $1`,
      [product.id],
    );
    expect(row.sent_at).toBeNull();
    // "restart": a second instance on the same database starts its own relay
    const restarted = await startService('catalog', { namespace, databaseUrl: catalog.config.DATABASE_URL });
    try {
      const messages = await readTopic(catalogTopic, (ms) => ms.some((m) => headerOf(m, 'event-id') === row.event_id));
      expect(messages.filter((m) => headerOf(m, 'event-id') === row.event_id)).toHaveLength(1);
      await waitFor(
        async () =>
          (await restarted.dataSource.query('SELECT sent_at FROM outbox WHERE id = $1', [row.event_id]))[0].sent_at !==
          null,
        'marked sent',
      );
    } finally {
      await restarted.close();
    }
  });

  it('answers /health and /metrics without a token', async () => {
    const health = await call('GET', `${catalog.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.details).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      kafka: { status: 'up' },
    });
    const metrics = await call('GET', `${catalog.url}/metrics`);
    expect(metrics.body).toMatch(/events_consumed_total\{/);
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/^outbox_backlog\{service="catalog"\} \d+$/m);
    expect(metrics.body).toMatch(/^queue_jobs\{queue="reservation-expiry",state="delayed",service="catalog"\} \d+$/m);
    const outbox = await call('GET', `${catalog.url}/admin/outbox`, { token: tokenFor('ops') });
    expect(outbox.body).toMatchObject({
      service: 'catalog',
      unsent: expect.any(Number),
      oldestUnsentAgeSeconds: expect.any(Number),
    });
    expect((await call('GET', `${catalog.url}/admin/outbox`, { token: tokenFor('buyer') })).status).toBe(403);
    const openapi = await call('GET', `${catalog.url}/docs-json`);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/stores', '/products', '/products/{id}/stock-adjustments']),
    );
  });
});
