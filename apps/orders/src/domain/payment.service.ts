// Capturing payment once stock is held, and giving up only on payments tried and never taken.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Clock } from '@cc/platform';
import { Jobs, LOGGER, jobToSchedule, JobToSchedule } from '@cc/service';
import { OrdersConfig } from '../config';
import type { StoredAddress } from '@cc/contracts';
import { OrderEntity, OrderLineEntity } from '../persistence/entities';
import { OrderRepository } from '../persistence/order.repository';
import { PaymentRepository } from '../persistence/payment.repository';
import { CaptureResult, PaymentCallTimeout, PaymentProvider, withTimeout } from '../persistence/payment-provider';
import { orderCancelled, orderPaid, shipmentRequested } from './order-events';
import { OrderTransitions } from './order-transitions';
import { RefundService } from './refund.service';
import { OrdersJobs } from '../jobs/catalogue';

/** The provider's idempotency key of an order's capture: the capture uses it, the timeout asks by it. */
const captureKey = (orderId: string) => `capture.${orderId}`;
/** How many orders the sweep settles at once: each may wait up to PAYMENT_CALL_TIMEOUT_MS on the provider. */
const SWEEP_SIDE_BY_SIDE = 8;

/** Runs `work` over `items`, at most `width` at a time. */
async function eachSideBySide<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** What a captured payment announces: the order, its lines, and where its parcel goes. */
interface PaidOrder {
  order: OrderEntity;
  lines: OrderLineEntity[];
  address: StoredAddress | null;
}

@Injectable()
export class PaymentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentRepository,
    private readonly provider: PaymentProvider,
    private readonly transitions: OrderTransitions,
    private readonly refunds: RefundService,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: OrdersConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Stock is held: the jobs that ask for the money and start the clock on a payment that never answers (written with the move). */
  paymentJobs(orderId: string): JobToSchedule[] {
    return [
      jobToSchedule(OrdersJobs.capturePayment, { orderId }),
      jobToSchedule(OrdersJobs.cancelUnpaid, { orderId }, { delayMs: this.config.PAYMENT_TIMEOUT_SECONDS * 1000 }),
    ];
  }

  async capturePayment(orderId: string, causedBy = 'payment-provider'): Promise<string> {
    // lines are fixed at checkout: read with the order, before (not inside) the transaction
    const found = await this.orders.findWithLines(this.dataSource.manager, orderId);
    if (!found || found.order.status !== 'awaiting_payment') return 'not-awaiting-payment';
    const { order, lines, address } = found;
    // never take money for stock the catalog may give away before the payment has finished
    const mustFinishBy = this.clock.now().getTime() + this.config.PAYMENT_CALL_TIMEOUT_MS * this.clock.scale;
    if (order.stockReservedUntil && mustFinishBy >= order.stockReservedUntil.getTime())
      return this.giveUpOnExpiringReservation(orderId);
    let result;
    try {
      result = await withTimeout(
        this.provider.capture({
          idempotencyKey: captureKey(orderId),
          token: order.paymentToken,
          amountFen: order.totalFen,
        }),
        this.config.PAYMENT_CALL_TIMEOUT_MS,
      );
    } catch (e) {
      // no answer: the payment-timeout job asks the provider what became of it before giving up
      if (e instanceof PaymentCallTimeout) return 'no-answer';
      throw e;
    }
    return this.applyCaptureResult({ order, lines, address }, result, causedBy);
  }

  /**
   * The payment timeout, which never gives up on a capture that was not tried. It asks the provider
   * what became of the capture: captured → paid as by the capture itself; declined → cancelled as
   * declined. When the provider took nothing, the capture may never have been tried (its job lost
   * with Redis, or waiting behind a worker that was killed), so the timeout makes one attempt of its
   * own under the same idempotency key (a capture still on its way is not doubled). Only when that
   * attempt goes unanswered too and the provider again says it took nothing is the order cancelled
   * as timed out. When the provider cannot say, this throws: the job is retried with backoff and the
   * order stays as it is (cancelling could strand money taken meanwhile).
   */
  async cancelUnpaid(orderId: string): Promise<string> {
    // nearly every timeout finds its order paid long ago: a plain read spares it the provider and a transaction
    const current = await this.orders.find(this.dataSource.manager, orderId);
    if (!current || current.status !== 'awaiting_payment') return 'not-awaiting-payment';
    const asked = await this.askProvider(orderId);
    if (asked !== 'nothing-captured') return asked;
    const attempt = await this.capturePayment(orderId, 'payment-timeout');
    if (attempt !== 'no-answer')
      return attempt === 'not-awaiting-payment' || attempt === 'reservation-expiring'
        ? attempt
        : `${attempt}-at-timeout`;
    const askedAgain = await this.askProvider(orderId);
    if (askedAgain !== 'nothing-captured') return askedAgain;
    return this.cancelAwaitingPayment(
      orderId,
      'payment-timeout',
      'the payment was not confirmed in time',
      'payment-timeout',
      'cancelled',
    );
  }

  /** The provider's word on the order's capture, applied when it took or declined it; 'nothing-captured' otherwise. */
  private async askProvider(orderId: string): Promise<string> {
    const status = await withTimeout(this.provider.status(captureKey(orderId)), this.config.PAYMENT_CALL_TIMEOUT_MS);
    if (status.outcome === 'nothing-captured') return 'nothing-captured';
    const found = await this.orders.findWithLines(this.dataSource.manager, orderId);
    if (!found) return 'not-awaiting-payment';
    const outcome = await this.applyCaptureResult(found, status, 'payment-timeout');
    return outcome === 'captured'
      ? 'captured-found-at-timeout'
      : outcome === 'declined'
        ? 'declined-found-at-timeout'
        : outcome;
  }

  /**
   * Backstop for a lost timeout job: orders left awaiting payment well past the timeout go the same
   * way (the provider is asked first, a capture never tried is tried), a few side by side. One the
   * provider cannot answer for is left for the next sweep.
   */
  async sweepUnpaid(limit = 500): Promise<number> {
    const rows = await this.orders.awaitingPayment(this.dataSource.manager, {
      olderThanSeconds: this.config.PAYMENT_TIMEOUT_SECONDS * 2,
      limit,
    });
    let settled = 0;
    await eachSideBySide(rows, SWEEP_SIDE_BY_SIDE, async ({ id }) => {
      try {
        if ((await this.cancelUnpaid(id)) !== 'not-awaiting-payment') settled++;
      } catch (err) {
        this.logger.warn(
          { err, orderId: id },
          'payment provider could not say what became of a capture; the order is left for the next sweep',
        );
      }
    });
    return settled;
  }

  /**
   * After Redis came back (without persistence it forgets every job): each order still awaiting
   * payment gets its capture and its timeout again, under their usual ids, so an order whose jobs
   * were lost is captured in seconds instead of waiting for the sweep. Ids that still exist in
   * Redis make this a no-op for them; a capture already made is answered by the provider's record.
   */
  async restorePaymentJobs(limit = 10_000): Promise<number> {
    const rows = await this.orders.awaitingPayment(this.dataSource.manager, { limit });
    if (!rows.length) return 0;
    const timeoutMs = this.config.PAYMENT_TIMEOUT_SECONDS * 1000;
    await this.jobs.addBulk(
      OrdersJobs.capturePayment,
      rows.map(({ id }) => ({ data: { orderId: id } })),
    );
    await this.jobs.addBulk(
      OrdersJobs.cancelUnpaid,
      rows.map(({ id, waitedMs }) => ({ data: { orderId: id }, delayMs: Math.max(0, timeoutMs - waitedMs) })),
    );
    return rows.length;
  }

  /**
   * What the provider said of the capture, applied: captured → paid, with the payment and
   * order-paid written only if the order still awaits payment (one guarded statement, atomic on its
   * own); declined → cancelled; captured for an order given up meanwhile → the money is recorded and
   * goes straight back. Shared by the capture and the timeout, which may both learn of one capture:
   * the payment is recorded once.
   */
  private async applyCaptureResult(
    { order, lines, address }: PaidOrder,
    result: CaptureResult,
    causedBy: string,
  ): Promise<string> {
    const orderId = order.id;
    if (result.outcome === 'captured') {
      const paymentId = randomUUID();
      const paidAt = this.clock.now();
      const moved = await this.transitions.move(this.dataSource.manager, 'payment-captured', {
        orderId,
        causedBy,
        effects: {
          payments: [
            {
              id: paymentId,
              kind: 'capture',
              status: 'succeeded',
              amountFen: order.totalFen,
              providerRef: result.providerRef,
              reason: null,
            },
          ],
          events: [
            { type: 'orders.order-paid', key: orderId, data: orderPaid(order, lines, paymentId, paidAt) },
            { type: 'orders.shipment-requested', key: orderId, data: shipmentRequested(order, lines, address, paidAt) },
          ],
        },
      });
      if (moved.moved) return 'captured';
      // paid meanwhile by the other path, or given up: below, under the order's lock
    }
    return this.dataSource.transaction(async (tx) => {
      const locked = (await this.orders.lock(tx, orderId))!;
      const paymentId = randomUUID();
      if (result.outcome === 'declined') {
        if (locked.status !== 'awaiting_payment' && (await this.payments.hasCapture(tx, orderId, 'declined')))
          return 'declined-after-cancel';
        await this.payments.insert(tx, {
          id: paymentId,
          orderId,
          kind: 'capture',
          status: 'declined',
          amountFen: locked.totalFen,
          providerRef: null,
          reason: result.reason,
        });
        const cancelled = await this.transitions.move(tx, 'payment-declined', {
          orderId,
          reason: result.reason,
          causedBy,
          effects: {
            events: [
              {
                type: 'orders.order-cancelled',
                key: orderId,
                data: orderCancelled(locked, 'payment-declined', true, this.clock.now()),
              },
            ],
          },
        });
        return cancelled.moved ? 'declined' : 'declined-after-cancel';
      }
      // the capture and the timeout both learned of it, and the other recorded it first
      if (await this.payments.hasCapture(tx, orderId, 'succeeded')) return 'already-captured';
      // captured, but the order no longer awaits payment (given up meanwhile, e.g. cancelled by the
      // buyer; nothing leads back to awaiting payment): the money is recorded and goes straight back
      await this.payments.insert(tx, {
        id: paymentId,
        orderId,
        kind: 'capture',
        status: 'succeeded',
        amountFen: locked.totalFen,
        providerRef: result.providerRef,
        reason: null,
      });
      this.logger.warn(
        { orderId, status: locked.status },
        'payment captured for an order no longer awaiting payment; refunding',
      );
      await this.refunds.returnLateCapture(tx, locked, locked.totalFen, 'captured after cancellation');
      return 'refunded-late-capture';
    });
  }

  private giveUpOnExpiringReservation(orderId: string): Promise<string> {
    return this.cancelAwaitingPayment(
      orderId,
      'reservation-expired',
      'the stock reservation would run out before the payment could finish',
      'payment-guard',
      'reservation-expiring',
    );
  }

  /** Cancels an order still awaiting payment (its stock was held: catalog releases it); one guarded statement. */
  private async cancelAwaitingPayment(
    orderId: string,
    action: 'reservation-expired' | 'payment-timeout',
    reason: string,
    causedBy: string,
    outcome: string,
  ): Promise<string> {
    const order = await this.orders.find(this.dataSource.manager, orderId);
    if (!order || order.status !== 'awaiting_payment') return 'not-awaiting-payment';
    const cancelled = await this.transitions.move(this.dataSource.manager, action, {
      orderId,
      reason,
      causedBy,
      effects: {
        events: [
          { type: 'orders.order-cancelled', key: orderId, data: orderCancelled(order, action, true, this.clock.now()) },
        ],
      },
    });
    return cancelled.moved ? outcome : 'not-awaiting-payment';
  }
}
