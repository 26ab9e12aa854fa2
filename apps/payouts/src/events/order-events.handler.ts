// What payouts does when an order's money moves.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { LedgerService } from '../domain/ledger.service';

@Injectable()
export class OrderEventsHandler {
  constructor(private readonly ledger: LedgerService) {}

  @OnEvent('orders.order-paid')
  onOrderPaid(event: DecodedEvent<'orders.order-paid'>, tx: EntityManager) {
    return this.ledger.creditSellerPending(tx, event);
  }

  @OnEvent('orders.order-completed')
  onOrderCompleted(event: DecodedEvent<'orders.order-completed'>, tx: EntityManager) {
    return this.ledger.releaseSellerShare(tx, event);
  }

  @OnEvent('orders.order-refunded')
  onOrderRefunded(event: DecodedEvent<'orders.order-refunded'>, tx: EntityManager) {
    return this.ledger.reverseRefund(tx, event);
  }
}
