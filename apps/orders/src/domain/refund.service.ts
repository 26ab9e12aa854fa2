// Giving money back: recorded and announced in the order's transaction, paid back by a job.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { OrderEntity, PaymentEntity } from '../persistence/entities';
import { OrderRepository } from '../persistence/order.repository';
import { PaymentProvider } from '../persistence/payment-provider';

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
  ) {}

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
