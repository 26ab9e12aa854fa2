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
import { LedgerRuleError, orderCompletedEntries, orderPaidEntries, refundEntries, splitOrder } from './ledger-rules';

@Injectable()
export class LedgerService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly config: PayoutsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * order-paid: the buyer's money goes into escrow; the seller's share becomes pending. A run of
   * paid orders is posted in one statement (they touch no available account, so no payout run's
   * lock is waited for); one that breaks a ledger rule throws before anything is written.
   */
  async creditSellerPending(
    tx: EntityManager,
    events: DecodedEvent<'orders.order-paid'> | DecodedEvent<'orders.order-paid'>[],
  ): Promise<void> {
    const postings = (Array.isArray(events) ? events : [events]).map((event) => {
      const split = splitOrder(event.data, this.config.commissionBps);
      return {
        split,
        transaction: {
          idempotencyKey: `order-paid:${split.orderId}`,
          kind: 'order-paid',
          orderId: split.orderId,
          storeId: split.storeId,
          causedByEventId: event.id,
          entries: orderPaidEntries(split),
        },
      };
    });
    await this.ledger.postAll(tx, postings);
  }

  /** order-completed: the share becomes available and the platform earns its commission. */
  async releaseSellerShare(tx: EntityManager, event: DecodedEvent<'orders.order-completed'>): Promise<void> {
    const split = await this.paidOrder(tx, event.data.orderId, 'completed');
    const posted = await this.ledger.post(tx, {
      idempotencyKey: `order-completed:${split.orderId}`,
      kind: 'order-completed',
      orderId: split.orderId,
      storeId: split.storeId,
      causedByEventId: event.id,
      entries: orderCompletedEntries(split, split.refundedShareFen, split.refundedCommissionFen),
    });
    if (posted) await this.ledger.updateSplit(tx, split.orderId, { completedAt: new Date(event.data.completedAt) });
  }

  /** order-refunded: seller and platform give back their parts, from pending or, once completed, from available. */
  async reverseRefund(tx: EntityManager, event: DecodedEvent<'orders.order-refunded'>): Promise<void> {
    const split = await this.paidOrder(tx, event.data.orderId, 'refunded');
    const idempotencyKey = `order-refunded:${event.data.refundId}`;
    // a replayed refund is checked against what is left after itself: skip it before the rules refuse it
    if (await this.ledger.isPosted(tx, idempotencyKey)) return;
    if (event.data.full && split.refundedFen + event.data.amountFen !== split.totalFen) {
      // orders says this refund completes the order's refunds, the ledger disagrees: the ledger follows the money
      this.logger.warn(
        {
          orderId: split.orderId,
          refundedFen: split.refundedFen,
          amountFen: event.data.amountFen,
          totalFen: split.totalFen,
        },
        'full refund that does not add up to the order total',
      );
    }
    const { entries, shareFen, commissionFen } = refundEntries(
      split,
      split.refundedFen,
      event.data.amountFen,
      split.completedAt !== null,
    );
    const posted = await this.ledger.post(tx, {
      idempotencyKey,
      kind: 'order-refunded',
      orderId: split.orderId,
      storeId: split.storeId,
      causedByEventId: event.id,
      entries,
    });
    if (posted) {
      await this.ledger.updateSplit(tx, split.orderId, {
        refundedFen: split.refundedFen + event.data.amountFen,
        refundedShareFen: split.refundedShareFen + shareFen,
        refundedCommissionFen: split.refundedCommissionFen + commissionFen,
      });
    }
  }

  /**
   * The order as posted at payment, locked so its refunds and completion post one at a time.
   * An order's events share its Kafka key, so paid always comes first; if it is missing, paid
   * was dead-lettered, and failing here sends this event after it to be re-driven once it is fixed.
   */
  private async paidOrder(tx: EntityManager, orderId: string, what: string): Promise<OrderSplitEntity> {
    const split = await this.ledger.lockSplit(tx, orderId);
    if (!split) throw new LedgerRuleError(`order ${orderId} ${what} before the ledger saw it paid`);
    return split;
  }
}
