// What each order event does to the sellers' money. Each posting carries an idempotency key
// derived from its event, so a replayed event changes no balance even without the inbox.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { DecodedEvent } from '@cc/contracts';
import { LOGGER } from '@cc/service';
import { PayoutsConfig } from '../config';
import { OrderSplitEntity } from '../persistence/entities';
import { LedgerRepository } from '../persistence/ledger.repository';
import { orderCompletedEntries, orderPaidEntries, refundEntries, splitOrder } from './ledger-rules';

@Injectable()
export class LedgerService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly config: PayoutsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** order-paid: escrow takes the buyer's money; the seller's share becomes pending. */
  async creditSellerPending(tx: EntityManager, event: DecodedEvent<'orders.order-paid'>): Promise<void> {
    const split = splitOrder(event.data, this.config.commissionBps);
    const posted = await this.ledger.post(tx, {
      idempotencyKey: `order-paid:${split.orderId}`,
      kind: 'order-paid',
      orderId: split.orderId,
      storeId: split.storeId,
      causedBy: event.id,
      entries: orderPaidEntries(split),
    });
    if (posted) await tx.getRepository(OrderSplitEntity).insert({ ...split, refundedFen: 0, refundedShareFen: 0, refundedCommissionFen: 0, completedAt: null });
  }

  /** order-completed: the share becomes available and the platform earns its commission. */
  async releaseSellerShare(tx: EntityManager, event: DecodedEvent<'orders.order-completed'>): Promise<void> {
    const split = await this.lockSplit(tx, event.data.orderId);
    if (!split) {
      this.logger.warn({ orderId: event.data.orderId }, 'order-completed for an order payouts never saw paid; nothing to release');
      return;
    }
    const posted = await this.ledger.post(tx, {
      idempotencyKey: `order-completed:${split.orderId}`,
      kind: 'order-completed',
      orderId: split.orderId,
      storeId: split.storeId,
      causedBy: event.id,
      entries: orderCompletedEntries(split, split.refundedShareFen, split.refundedCommissionFen),
    });
    if (posted) await tx.getRepository(OrderSplitEntity).update({ orderId: split.orderId }, { completedAt: new Date(event.data.completedAt) });
  }

  /** order-refunded: seller and platform give back their parts, from pending or, once completed, from available. */
  async reverseRefund(tx: EntityManager, event: DecodedEvent<'orders.order-refunded'>): Promise<void> {
    const split = await this.lockSplit(tx, event.data.orderId);
    if (!split) {
      this.logger.warn({ orderId: event.data.orderId }, 'refund for an order payouts never saw paid; nothing to reverse');
      return;
    }
    const { entries, shareFen, commissionFen } = refundEntries(split, split.refundedFen, event.data.amountFen, split.completedAt !== null);
    const posted = await this.ledger.post(tx, {
      idempotencyKey: `order-refunded:${event.data.refundId}`,
      kind: 'order-refunded',
      orderId: split.orderId,
      storeId: split.storeId,
      causedBy: event.id,
      entries,
    });
    if (posted) {
      await tx.getRepository(OrderSplitEntity).update(
        { orderId: split.orderId },
        { refundedFen: split.refundedFen + event.data.amountFen, refundedShareFen: split.refundedShareFen + shareFen, refundedCommissionFen: split.refundedCommissionFen + commissionFen },
      );
    }
  }

  private lockSplit(tx: EntityManager, orderId: string): Promise<OrderSplitEntity | null> {
    return tx.getRepository(OrderSplitEntity).findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }
}
