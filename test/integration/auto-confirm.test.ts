// Delivered orders nobody confirms complete by themselves: catalog, orders and payouts in-process
// on the real PostgreSQL, Redis and Kafka, orders and catalog on a county clock running an hour a
// second (fulfillment's side is published by hand, as fulfillment would). A fresh order's window
// is 0.2 county days (4.8 real seconds), an extension adds 0.1 (2.4 s).
import { demoAddress } from '@cc/contracts';
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { Jobs } from '@cc/service';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';
import { deliveryEvents, publish, readTopic, typesOf } from '../support/kafka';
import { newProduct, newStore } from '../support/factories';
import { AutoConfirmationService } from '../../apps/orders/src/domain/auto-confirmation.service';
import { AUTO_CONFIRM_QUEUE, OrdersJobs } from '../../apps/orders/src/jobs/catalogue';

const autoConfirmJobId = (orderId: string, due: Date) =>
  OrdersJobs.autoConfirm.id({ orderId, dueAt: due.toISOString() });

const SCALE = 3600;
const DAY = 86_400_000;
const FRESH_DAYS = 0.2;
const EXTENSION_DAYS = 0.1;
/** Real ms until a county instant arrives on the shared clock. */
const realMsUntil = (anchor: number, at: Date) => Math.max(0, (at.getTime() - anchor) / SCALE + anchor - Date.now());

describe('auto-confirmation of delivered orders', () => {
  const namespace = newNamespace();
  const anchor = Date.now();
  const clock = {
    TIME_SCALE: String(SCALE),
    CLOCK_ANCHOR: String(anchor),
    RESERVATION_TTL_MINUTES: '1440',
    PAYMENT_CALL_TIMEOUT_MS: '2000',
  };
  let catalog: RunningService;
  let orders: RunningService;
  let payouts: RunningService;
  const buyerId = `buyer-${randomUUID().slice(0, 8)}`;
  const buyer = tokenFor('buyer', undefined, buyerId);

  beforeAll(async () => {
    [catalog, payouts] = await Promise.all([
      startService('catalog', { namespace, env: clock }),
      startService('payouts', { namespace }),
    ]);
    orders = await startService('orders', {
      namespace,
      env: {
        ...clock,
        CATALOG_URL: catalog.url,
        ADMISSION_MAX_BACKLOG_MS: '0', // no fulfillment here: paid orders never get a shipment from it
        AUTO_CONFIRM_DAYS: '1',
        AUTO_CONFIRM_DAYS_BY_CATEGORY: `fresh:${FRESH_DAYS}`,
        AUTO_CONFIRM_EXTENSION_DAYS: String(EXTENSION_DAYS),
        AUTO_CONFIRM_SWEEP_SECONDS: '36000', // ten county hours: ten real seconds
      },
    });
  });
  afterAll(async () => {
    await Promise.all([orders?.close(), payouts?.close()]);
    await catalog?.close();
  });

  const orderOf = async (id: string, token = buyer) =>
    (await call('GET', `${orders.url}/orders/${id}`, { token })).body;
  const statusBecomes = (id: string, status: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const o = await orderOf(id);
        return o.status === status && o;
      },
      `order ${id} to become ${status}`,
      timeoutMs,
    );
  const extend = (id: string, token = buyer) =>
    call('POST', `${orders.url}/orders/${id}/extend-confirmation`, { token });
  const mine = (orderId: string) => (ms: KafkaMessage[]) => ms.filter((m) => m.key?.toString() === orderId);
  const completedEvents = async (orderId: string) =>
    typesOf(
      mine(orderId)(
        await readTopic(`${namespace}.orders.events`, (ms) =>
          typesOf(mine(orderId)(ms)).includes('orders.order-completed'),
        ),
      ),
    ).filter((t) => t === 'orders.order-completed');
  const completions = async (orderId: string) =>
    (await orders.dataSource.query(
      `SELECT caused_by, reason, at FROM order_history WHERE order_id = $1 AND to_status = 'completed'`,
      [orderId],
    )) as { caused_by: string; reason: string; at: Date }[];

  /** A paid order of one product, carried to delivered the way fulfillment's events would. */
  async function deliveredOrder(category: 'fresh' | 'ambient', priceFen = 5000) {
    const store = await newStore(catalog.url);
    const product = await newProduct(catalog.url, store.id, { category, priceFen, stock: 5 });
    const res = await call('POST', `${orders.url}/checkouts`, {
      token: buyer,
      body: { lines: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_ok', shippingAddress: demoAddress() },
    });
    expect(res.status).toBe(201);
    const orderId: string = res.body.orders[0].id;
    await statusBecomes(orderId, 'paid');
    await publish(`${namespace}.fulfillment.events`, deliveryEvents(orderId, store.id));
    const delivered = await statusBecomes(orderId, 'delivered');
    const deliveredAt = new Date(delivered.history.at(-1).at);
    return { orderId, storeId: store.id, delivered, deliveredAt, dueAt: new Date(delivered.autoConfirmation.dueAt) };
  }

  it('completes a delivered order nobody confirms at its category’s due time, once, and the seller’s share becomes available', async () => {
    const { orderId, storeId, delivered, deliveredAt, dueAt } = await deliveredOrder('fresh', 5000);
    expect(delivered.autoConfirmation).toEqual({
      dueAt: new Date(deliveredAt.getTime() + FRESH_DAYS * DAY).toISOString(),
      extended: false,
      pausedAt: null,
    });

    const completed = await statusBecomes(orderId, 'completed', 30_000);
    const last = completed.history.at(-1);
    expect(last).toMatchObject({
      from: 'delivered',
      to: 'completed',
      action: 'receipt-confirmed',
      reason: 'auto-confirmed',
    });
    expect(['auto-confirm', 'auto-confirm-sweep']).toContain(last.causedBy);
    // on the service clock, not before it was due
    expect(new Date(last.at).getTime()).toBeGreaterThanOrEqual(dueAt.getTime());

    // the seller's share (5 % commission on fresh) moves from pending to available
    const balance = await waitFor(async () => {
      const b = (await call('GET', `${payouts.url}/stores/${storeId}/balance`, { token: tokenFor('seller', storeId) }))
        .body;
      return b.availableFen > 0 && b;
    }, 'the seller’s share available');
    expect(balance).toMatchObject({ pendingFen: 0, availableFen: 4750 });

    // once: one completion, one order-completed, even after the sweep has had its turn
    await new Promise((r) => setTimeout(r, 1500));
    expect(await completions(orderId)).toHaveLength(1);
    expect(await completedEvents(orderId)).toEqual(['orders.order-completed']);
  }, 60_000);

  it('lets a buyer’s confirm and the job race: one completion, one order-completed, and the job firing later changes nothing', async () => {
    const { orderId, dueAt } = await deliveredOrder('fresh');
    const autoConfirmation = orders.app.get(AutoConfirmationService);
    const [confirm, outcome] = await Promise.all([
      call('POST', `${orders.url}/orders/${orderId}/confirm-receipt`, { token: buyer }),
      autoConfirmation.autoConfirm(orderId, dueAt, 'auto-confirm'),
    ]);
    // exactly one of them completed it; the other was refused (409) or found nothing to do
    expect([confirm.status === 200, outcome === 'auto-confirmed'].filter(Boolean)).toHaveLength(1);
    if (confirm.status !== 200) expect(confirm.status).toBe(409);
    else expect(outcome).toBe('not-delivered');

    // the real job, at the due time, finds the order completed
    const job = await orders.app.get(Jobs).queue(AUTO_CONFIRM_QUEUE).getJob(autoConfirmJobId(orderId, dueAt));
    expect(job).toBeDefined();
    await new Promise((r) => setTimeout(r, realMsUntil(anchor, dueAt) + 500));
    await waitFor(async () => (await job!.isCompleted()) || undefined, 'the auto-confirm job to run');
    expect((await orders.app.get(Jobs).queue(AUTO_CONFIRM_QUEUE).getJob(job!.id!))!.returnvalue).toEqual({
      outcome: 'not-delivered',
    });
    expect(await completions(orderId)).toHaveLength(1);
    expect(await completedEvents(orderId)).toEqual(['orders.order-completed']);
  }, 60_000);

  it('completes an order whose job was lost by the sweep', async () => {
    const { orderId, dueAt } = await deliveredOrder('fresh');
    const queue = orders.app.get(Jobs).queue(AUTO_CONFIRM_QUEUE);
    const job = await waitFor(
      async () => (await queue.getJob(autoConfirmJobId(orderId, dueAt))) ?? undefined,
      'the auto-confirm job in Redis',
    );
    await job.remove(); // Redis forgot it
    expect(await queue.getJob(autoConfirmJobId(orderId, dueAt))).toBeUndefined();

    const completed = await statusBecomes(orderId, 'completed', 40_000);
    expect(completed.history.at(-1)).toMatchObject({
      action: 'receipt-confirmed',
      reason: 'auto-confirmed',
      causedBy: 'auto-confirm-sweep',
    });
    expect(await completions(orderId)).toHaveLength(1);
    expect(await completedEvents(orderId)).toEqual(['orders.order-completed']);
  }, 60_000);

  it('lets the buyer extend once before it fires; a second extension, a stranger or an order not delivered is refused', async () => {
    const { orderId, dueAt } = await deliveredOrder('fresh');
    const extended = await extend(orderId);
    expect(extended.status).toBe(200);
    const newDue = new Date(dueAt.getTime() + EXTENSION_DAYS * DAY);
    expect(extended.body.autoConfirmation).toEqual({ dueAt: newDue.toISOString(), extended: true, pausedAt: null });
    expect(extended.body.history.at(-1)).toMatchObject({
      from: 'delivered',
      to: 'delivered',
      action: 'confirmation-extended',
      causedBy: `buyer:${buyerId}`,
    });

    const again = await extend(orderId);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
    expect(again.body.detail).toMatch(/extended once already/);
    expect((await extend(orderId, tokenFor('buyer'))).status).toBe(404);
    expect((await extend(orderId, tokenFor('seller', randomUUID()))).status).toBe(403);
    expect((await extend('not-an-id')).status).toBe(400);
    expect((await extend(randomUUID())).status).toBe(404);
    expect((await orderOf(orderId)).autoConfirmation.dueAt).toBe(newDue.toISOString());

    // the first due time passes: its job finds the order no longer due and leaves it delivered
    await new Promise((r) => setTimeout(r, realMsUntil(anchor, dueAt) + 700));
    expect((await orderOf(orderId)).status).toBe('delivered');
    const firstJob = await orders.app.get(Jobs).queue(AUTO_CONFIRM_QUEUE).getJob(autoConfirmJobId(orderId, dueAt));
    expect(firstJob?.returnvalue).toEqual({ outcome: 'no-longer-due' });
    // and it completes at the extended time
    const completed = await statusBecomes(orderId, 'completed', 30_000);
    expect(new Date(completed.history.at(-1).at).getTime()).toBeGreaterThanOrEqual(newDue.getTime());
    expect(completed.history.at(-1)).toMatchObject({ reason: 'auto-confirmed' });

    // not delivered (completed now): 409, nothing changed
    const late = await extend(orderId);
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/only a delivered order/);
    expect(await completions(orderId)).toHaveLength(1);
  }, 60_000);

  it('holds a paused auto-confirmation (the after-sales seam) and resumes it with the time it had left', async () => {
    const { orderId, dueAt } = await deliveredOrder('fresh');
    const autoConfirmation = orders.app.get(AutoConfirmationService);
    expect(await orders.dataSource.transaction((tx) => autoConfirmation.pause(tx, orderId))).toBe(true);
    const pausedAt = new Date((await orderOf(orderId)).autoConfirmation.pausedAt);
    // past the due time, neither the job nor the sweep completes it
    await new Promise((r) => setTimeout(r, realMsUntil(anchor, dueAt) + 700));
    expect(await autoConfirmation.sweep()).toBe(0);
    expect((await orderOf(orderId)).status).toBe('delivered');

    const countyNow = () => anchor + (Date.now() - anchor) * SCALE;
    const before = countyNow();
    expect(await orders.dataSource.transaction((tx) => autoConfirmation.resume(tx, orderId))).toBe(true);
    const after = countyNow();
    const resumed = await orderOf(orderId);
    // the time it had left when paused, counted from the resume
    const left = dueAt.getTime() - pausedAt.getTime();
    expect(resumed.autoConfirmation.pausedAt).toBeNull();
    expect(new Date(resumed.autoConfirmation.dueAt).getTime()).toBeGreaterThanOrEqual(before + left);
    expect(new Date(resumed.autoConfirmation.dueAt).getTime()).toBeLessThanOrEqual(after + left);
    const completed = await statusBecomes(orderId, 'completed', 30_000);
    expect(completed.history.at(-1)).toMatchObject({ reason: 'auto-confirmed' });
    expect(await completions(orderId)).toHaveLength(1);
  }, 60_000);
});
