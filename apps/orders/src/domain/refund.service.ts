// Giving money back: recorded and announced with the order's move, paid back by a job.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, conflict, forbidden, notFound, Principal, unprocessable } from '@cc/platform';
import { Jobs, jobToSchedule, JobToSchedule } from '@cc/service';
import { OrderEntity } from '../persistence/entities';
import { MovedColumns, OrderRepository } from '../persistence/order.repository';
import { PaymentRepository } from '../persistence/payment.repository';
import { PaymentProvider } from '../persistence/payment-provider';
import { IdempotentCommand, requestHash } from './idempotent-command';
import { canTake } from './order-states';
import { MoveEffects, OrderTransitions } from './order-transitions';
import { OrdersJobs } from '../jobs/catalogue';

export interface RefundAnswer {
  refundId: string;
  orderId: string;
  amountFen: number;
  refundedFen: number;
  status: string;
}

@Injectable()
export class RefundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentRepository,
    private readonly transitions: OrderTransitions,
    private readonly provider: PaymentProvider,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly idempotent: IdempotentCommand,
  ) {}

  /**
   * A seller (own store) or ops gives money back on a completed order, in full or in part; the
   * refunds of an order never add up to more than was paid. Partial refunds keep the order
   * completed; the one that reaches the total makes it refunded.
   */
  async refundOrder(
    user: Principal,
    orderId: string,
    amountFen: number,
    reason: string,
    idempotencyKey?: string,
  ): Promise<{ result: RefundAnswer; created: boolean }> {
    return this.idempotent.run(
      `${user.role}:${user.sub}`,
      idempotencyKey,
      requestHash({ orderId, amountFen, reason }),
      {},
      async (tx) => {
        // locked: the amount left to refund is read and given back without another refund in between
        const order = await this.orders.lock(tx, orderId);
        if (!order) throw notFound(`order ${orderId}`);
        if (user.role === 'seller' && order.storeId !== user.storeId)
          throw forbidden('a seller may refund only her own store’s orders');
        const left = order.totalFen - order.refundedFen;
        if (amountFen > left)
          throw unprocessable(`a refund of ${amountFen} fen is more than the ${left} fen left to refund`, {
            refundableFen: left,
          });
        const action = amountFen === left ? 'refund' : 'partial-refund';
        if (!canTake(order.status, action))
          throw conflict(
            `an order that is ${order.status} cannot be refunded (only completed orders; cancel one before shipment instead)`,
            { orderStatus: order.status },
          );
        const refund = this.refundWithMove(order, amountFen, reason);
        const { order: after } = await this.transitions.moveOrRefuse(tx, action, {
          orderId,
          reason,
          causedBy: `${user.role}:${user.sub}`,
          set: refund.set,
          effects: refund.effects,
        });
        return { refundId: refund.refundId, orderId, amountFen, refundedFen: after.refundedFen, status: after.status };
      },
    );
  }

  /**
   * A refund of `amountFen` against the order's captured payment, written with the move that gives
   * it (OrderTransitions): the amount added to the order's refunded money, the refund row,
   * order-refunded (payouts reverse the seller's share in proportion) and the provider call.
   */
  refundWithMove(
    order: OrderEntity,
    amountFen: number,
    reason: string,
  ): { refundId: string; set: MovedColumns; effects: MoveEffects } {
    const refundId = randomUUID();
    const refundedFen = order.refundedFen + amountFen;
    return {
      refundId,
      set: { addRefundedFen: amountFen },
      effects: {
        payments: [{ id: refundId, kind: 'refund', status: 'pending', amountFen, providerRef: null, reason }],
        events: [
          {
            type: 'orders.order-refunded',
            key: order.id,
            data: {
              orderId: order.id,
              storeId: order.storeId,
              refundId,
              amountFen,
              full: refundedFen >= order.totalFen,
              reason,
              refundedAt: this.clock.now().toISOString(),
            },
          },
        ],
        jobs: [this.refundJob(refundId)],
      },
    };
  }

  /**
   * Money the provider captured for an order that no longer awaits payment (given up meanwhile):
   * recorded and paid straight back, without a move and unannounced — nothing announced it as paid.
   */
  async returnLateCapture(tx: EntityManager, order: OrderEntity, amountFen: number, reason: string): Promise<string> {
    const refundId = randomUUID();
    await this.payments.insert(tx, {
      id: refundId,
      orderId: order.id,
      kind: 'refund',
      status: 'pending',
      amountFen,
      providerRef: null,
      reason,
    });
    await this.jobs.schedule(tx, OrdersJobs.refundPayment, { refundId });
    return refundId;
  }

  private refundJob(refundId: string): JobToSchedule {
    return jobToSchedule(OrdersJobs.refundPayment, { refundId });
  }

  /** The job: asks the provider to pay the refund back (idempotent by refund id). */
  async payRefund(refundId: string): Promise<string> {
    const refund = await this.payments.find(this.dataSource.manager, refundId);
    if (!refund || refund.status !== 'pending') return 'nothing-to-do';
    const capture = await this.payments.succeededCapture(this.dataSource.manager, refund.orderId);
    if (!capture) throw new Error(`refund ${refundId}: order ${refund.orderId} has no captured payment`);
    const result = await this.provider.refund({
      idempotencyKey: refundId,
      captureRef: capture.providerRef!,
      amountFen: refund.amountFen,
    });
    if (result.outcome === 'failed') throw new Error(`refund ${refundId} failed at the provider: ${result.reason}`); // BullMQ retries with backoff
    await this.payments.refundPaid(this.dataSource.manager, refundId, result.providerRef);
    return 'refunded';
  }
}
