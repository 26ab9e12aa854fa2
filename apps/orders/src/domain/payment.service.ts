// Capturing payment once stock is held, and giving up on payments that never answer.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { Jobs, LOGGER } from '@cc/service';
import { OrdersConfig } from '../config';
import { PaymentEntity } from '../persistence/entities';
import { OrderRepository } from '../persistence/order.repository';
import { PaymentCallTimeout, PaymentProvider, withTimeout } from '../persistence/payment-provider';
import { orderCancelled, orderPaid } from './order-events';
import { RefundService } from './refund.service';

export const PAYMENTS_QUEUE = 'payments';
export const PAYMENT_TIMEOUTS_QUEUE = 'payment-timeouts';

@Injectable()
export class PaymentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly provider: PaymentProvider,
    private readonly refunds: RefundService,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Stock is held: ask for the money, and start the clock on a payment that never answers. */
  async requestPayment(tx: EntityManager, orderId: string): Promise<void> {
    await this.jobs.schedule(tx, PAYMENTS_QUEUE, 'capture-payment', { orderId }, { jobId: `capture.${orderId}` });
    await this.jobs.schedule(tx, PAYMENT_TIMEOUTS_QUEUE, 'cancel-unpaid', { orderId }, { jobId: `timeout.${orderId}`, delayMs: this.config.PAYMENT_TIMEOUT_SECONDS * 1000 });
  }

  async capturePayment(orderId: string): Promise<string> {
    // lines are fixed at checkout: read with the order, before (not inside) the transaction
    const found = await this.orders.findWithLines(this.dataSource.manager, orderId);
    if (!found || found.order.status !== 'awaiting_payment') return 'not-awaiting-payment';
    const { order, lines } = found;
    // never take money for stock the catalog may give away before the payment has finished
    const mustFinishBy = this.clock.now().getTime() + this.config.PAYMENT_CALL_TIMEOUT_MS * this.clock.scale;
    if (order.stockReservedUntil && mustFinishBy >= order.stockReservedUntil.getTime()) return this.giveUpOnExpiringReservation(orderId);
    let result;
    try {
      result = await withTimeout(this.provider.capture({ idempotencyKey: `capture.${orderId}`, token: order.paymentToken, amountFen: order.totalFen }), this.config.PAYMENT_CALL_TIMEOUT_MS);
    } catch (e) {
      // no answer: the payment-timeout job cancels the order if it is still unpaid by then
      if (e instanceof PaymentCallTimeout) return 'no-answer';
      throw e;
    }
    if (result.outcome === 'captured') {
      // the usual case in one statement (atomic on its own): paid, its history, the payment and
      // order-paid, written only if the order is still awaiting payment
      const now = this.clock.now();
      const paymentId = randomUUID();
      const { rows: events } = this.outbox.prepare([{ type: 'orders.order-paid', key: orderId, data: orderPaid(order, lines, paymentId, now) }]);
      const moved = await this.orders.tryTransition(this.dataSource.manager, orderId, 'payment-captured', now, { reason: null, causedBy: 'payment-provider' }, {}, {
        payment: { id: paymentId, kind: 'capture', status: 'succeeded', amountFen: order.totalFen, providerRef: result.providerRef, reason: null },
        events,
      });
      if (moved.order) return 'captured';
      // it was given up meanwhile: below, the money is recorded and goes straight back
    }
    return this.dataSource.transaction(async (tx) => {
      const locked = (await this.orders.lock(tx, orderId))!;
      const now = this.clock.now();
      const paymentId = randomUUID();
      const payments = tx.getRepository(PaymentEntity);
      if (result.outcome === 'declined') {
        await payments.insert({ id: paymentId, orderId, kind: 'capture', status: 'declined', amountFen: locked.totalFen, providerRef: null, reason: result.reason });
        if (locked.status !== 'awaiting_payment') return 'declined-after-cancel';
        await this.orders.transition(tx, locked, 'payment-declined', now, { reason: result.reason, causedBy: 'payment-provider' });
        await this.outbox.add(tx, [{ type: 'orders.order-cancelled', key: orderId, data: orderCancelled(locked, 'payment-declined', true, now) }]);
        return 'declined';
      }
      // captured, but the one-statement path above found the order no longer awaiting payment
      // (given up meanwhile, e.g. timed out; nothing leads back to awaiting payment): the money
      // is recorded and goes straight back
      await payments.insert({ id: paymentId, orderId, kind: 'capture', status: 'succeeded', amountFen: locked.totalFen, providerRef: result.providerRef, reason: null });
      this.logger.warn({ orderId, status: locked.status }, 'payment captured for an order no longer awaiting payment; refunding');
      await this.refunds.refundCapture(tx, locked, locked.totalFen, 'captured after cancellation', { announce: false });
      return 'refunded-late-capture';
    });
  }

  /** Backstop for a lost timeout job: cancels orders left awaiting payment well past the timeout. */
  async sweepUnpaid(limit = 500): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM orders WHERE status = 'awaiting_payment' AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT $2`,
      [this.config.PAYMENT_TIMEOUT_SECONDS * 2, limit],
    );
    let cancelled = 0;
    for (const { id } of rows) if ((await this.cancelUnpaid(id)) === 'cancelled') cancelled++;
    return cancelled;
  }

  private giveUpOnExpiringReservation(orderId: string): Promise<string> {
    return this.cancelAwaitingPayment(orderId, 'reservation-expired', 'the stock reservation would run out before the payment could finish', 'payment-guard', 'reservation-expiring');
  }

  async cancelUnpaid(orderId: string): Promise<string> {
    // nearly every timeout finds its order paid long ago: a plain read spares it a transaction
    const current = await this.orders.find(this.dataSource.manager, orderId);
    if (!current || current.status !== 'awaiting_payment') return 'not-awaiting-payment';
    return this.cancelAwaitingPayment(orderId, 'payment-timeout', 'the payment was not confirmed in time', 'payment-timeout', 'cancelled');
  }

  /** Cancels an order still awaiting payment (its stock was held: catalog releases it). */
  private cancelAwaitingPayment(orderId: string, action: 'reservation-expired' | 'payment-timeout', reason: string, causedBy: string, outcome: string): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || order.status !== 'awaiting_payment') return 'not-awaiting-payment';
      const now = this.clock.now();
      await this.orders.transition(tx, order, action, now, { reason, causedBy });
      await this.outbox.add(tx, [{ type: 'orders.order-cancelled', key: orderId, data: orderCancelled(order, action, true, now) }]);
      return outcome;
    });
  }
}
