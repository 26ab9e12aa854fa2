// The seller's view of her money.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { canActForStore, forbidden, Principal } from '@cc/platform';
import { LedgerRepository } from '../persistence/ledger.repository';

@Injectable()
export class BalanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerRepository,
  ) {}

  async balance(user: Principal, storeId: string) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller sees only her own store’s balance');
    const b = await this.ledger.storeBalances(this.dataSource.manager, storeId);
    return {
      storeId,
      currency: 'CNY',
      pendingFen: b.pending,
      availableFen: b.available,
      inTransitFen: b.in_transit,
      paidOutFen: b.paid_out,
    };
  }

  async entries(user: Principal, storeId: string, page: number, pageSize: number) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller sees only her own store’s ledger');
    const { rows, total } = await this.ledger.storeEntries(this.dataSource.manager, storeId, page, pageSize);
    return {
      storeId,
      items: rows.map((r) => ({
        entryId: Number(r.id),
        account: r.account,
        amountFen: Number(r.amount_fen),
        kind: r.transaction_kind,
        orderId: r.order_id,
        payoutId: r.payout_id,
        transactionId: r.transaction_id,
        causedByEventId: r.caused_by_event_id,
        at: (r.created_at as Date).toISOString(),
      })),
      page,
      pageSize,
      total,
    };
  }
}
