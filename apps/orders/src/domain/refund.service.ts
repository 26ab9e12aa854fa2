// Giving money back: recorded and announced in the order's transaction, paid back by a job.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock, conflict, forbidden, notFound, Principal, unprocessable } from '@cc/platform';
import { Jobs } from '@cc/service';
import { OrderEntity, PaymentEntity } from '../persistence/entities';
import { OrderRepository } from '../persistence/order.repository';
import { PaymentProvider } from '../persistence/payment-provider';
import { IdempotentCommand, requestHash } from './idempotent-command';
import { canTake } from './order-states';

export interface RefundAnswer {
  refundId: string;
  orderId: string;
  amountFen: number;
  refundedFen: number;
  status: string;
}

export const REFUNDS_QUEUE = 'refunds';

@Injectable()
export class RefundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly provider: PaymentProvider,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly idempotent: IdempotentCommand,
  ) {}

  /**
   * A seller (own store) or ops gives money back on a completed order, in full or in part; the
   * refunds of an order never add up to more than was paid. Partial refunds keep the order
   * completed; the one that reaches the total makes it refunded.
   */
  async refundOrder(user: Principal, orderId: string, amountFen: number, reason: string, idempotencyKey?: string): Promise<{ result: RefundAnswer; created: boolean }> {
    return this.idempotent.run(`${user.role}:${user.sub}`, idempotencyKey, requestHash({ orderId, amountFen, reason }), {}, async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order) throw notFound(`order ${orderId}`);
      if (user.role === 'seller' && order.storeId !== user.storeId) throw forbidden('a seller may refund only her own store’s orders');
      const left = order.totalFen - order.refundedFen;
      if (amountFen > left) throw unprocessable(`a refund of ${amountFen} fen is more than the ${left} fen left to refund`, { refundableFen: left });
      const action = amountFen === left ? 'refund' : 'partial-refund';
      if (!canTake(order.status, action)) throw conflict(`an order that is ${order.status} cannot be refunded (only completed orders; cancel one before shipment instead)`, { orderStatus: order.status });
      const { order: after } = await this.orders.transition(tx, order, action, this.clock.now(), { reason, causedBy: `${user.role}:${user.sub}` });
      const refundId = await this.refundCapture(tx, order, amountFen, reason);
      return { refundId, orderId, amountFen, refundedFen: order.refundedFen + amountFen, status: after.status };
    });
  }

  /**
   * Records a refund of `amountFen` against the order's captured payment and queues the provider
   * call. With `announce`, emits order-refunded (payouts reverse the seller's share).
   */
  async refundCapture(tx: EntityManager, order: OrderEntity, amountFen: number, reason: string, options = { announce: true }): Promise<string> {
    const refundId = randomUUID();
    await tx.getRepository(PaymentEntity).insert({ id: refundId, orderId: order.id, kind: 'refund', status: 'pending', amountFen, providerRef: null, reason });
    if (options.announce) {
      await this.orders.addRefunded(tx, order.id, amountFen);
      const refundedFen = order.refundedFen + amountFen;
      await this.outbox.add(tx, [
        {
          type: 'orders.order-refunded',
          key: order.id,
          data: { orderId: order.id, storeId: order.storeId, refundId, amountFen, full: refundedFen >= order.totalFen, reason, refundedAt: this.clock.now().toISOString() },
        },
      ]);
    }
    await this.jobs.schedule(tx, REFUNDS_QUEUE, 'refund-payment', { refundId }, { jobId: `refund.${refundId}` });
    return refundId;
  }

  /** The job: asks the provider to pay the refund back (idempotent by refund id). */
  async payRefund(refundId: string): Promise<string> {
    const refund = await this.dataSource.getRepository(PaymentEntity).findOneBy({ id: refundId });
    if (!refund || refund.status !== 'pending') return 'nothing-to-do';
    const capture = await this.dataSource.getRepository(PaymentEntity).findOneBy({ orderId: refund.orderId, kind: 'capture', status: 'succeeded' });
    if (!capture) throw new Error(`refund ${refundId}: order ${refund.orderId} has no captured payment`);
    const result = await this.provider.refund({ idempotencyKey: refundId, captureRef: capture.providerRef!, amountFen: refund.amountFen });
    if (result.outcome === 'failed') throw new Error(`refund ${refundId} failed at the provider: ${result.reason}`); // BullMQ retries with backoff
    await this.dataSource.getRepository(PaymentEntity).update({ id: refundId }, { status: 'succeeded', providerRef: result.providerRef });
    return 'refunded';
  }
}
