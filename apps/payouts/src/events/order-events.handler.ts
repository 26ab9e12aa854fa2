// What payouts does when an order's money moves.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DecodedEvent, MoneyError } from '@cc/contracts';
import { PermanentEventError } from '@cc/messaging';
import { OnEvent } from '@cc/service';
import { LedgerRuleError } from '../domain/ledger-rules';
import { LedgerService } from '../domain/ledger.service';

/** An event that breaks a ledger rule breaks it again on every retry: it goes straight to the dead letters. */
async function deadLetterRuleBreaks(posting: Promise<void>): Promise<void> {
  try {
    await posting;
  } catch (err) {
    throw err instanceof LedgerRuleError || err instanceof MoneyError ? new PermanentEventError(err.message) : err;
  }
}

@Injectable()
export class OrderEventsHandler {
  constructor(private readonly ledger: LedgerService) {}

  /** A run of paid orders is credited in one statement; one that breaks a rule sends the run one by one, and it alone to the dead letters. */
  @OnEvent('orders.order-paid', { batch: true })
  onOrderPaid(events: DecodedEvent<'orders.order-paid'>[], tx: EntityManager) {
    return deadLetterRuleBreaks(this.ledger.creditSellerPending(tx, events));
  }

  @OnEvent('orders.order-completed')
  onOrderCompleted(event: DecodedEvent<'orders.order-completed'>, tx: EntityManager) {
    return deadLetterRuleBreaks(this.ledger.releaseSellerShare(tx, event));
  }

  @OnEvent('orders.order-refunded')
  onOrderRefunded(event: DecodedEvent<'orders.order-refunded'>, tx: EntityManager) {
    return deadLetterRuleBreaks(this.ledger.reverseRefund(tx, event));
  }
}
