// Payouts' part of an order's trail: each ledger transaction the order caused (paid, completed,
// refunded), with its entries.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderTrailPart, OrderTrailSource } from '@cc/service';
import { OrderLedgerRepository } from '../persistence/order-ledger.repository';

@Injectable()
export class PayoutsTrailSource extends OrderTrailSource {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: OrderLedgerRepository,
  ) {
    super();
  }

  async trail(orderId: string): Promise<OrderTrailPart> {
    const transactions = await this.ledger.ofOrder(this.dataSource.manager, orderId);
    return {
      entries: transactions.map((t) => ({
        at: t.createdAt.toISOString(),
        kind: 'ledger',
        what: `${t.kind}: ${t.entries.map((e) => `${e.accountId.replace(/^store:[^:]+:/, 'store:')} ${e.amountFen > 0 ? '+' : ''}${e.amountFen}`).join(', ')}`,
        detail: { transactionId: t.id, causedBy: t.causedBy, entries: t.entries },
      })),
      facts: { ledgerTransactions: transactions.length },
    };
  }
}
