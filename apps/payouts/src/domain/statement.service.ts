// Her statement: the store's payouts, and each payout broken down into the ledger entries it paid.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { canActForStore, forbidden, notFound, Principal } from '@cc/platform';
import { PayoutLineRepository } from '../persistence/payout-line.repository';
import { PayoutRepository, PayoutWithAccount } from '../persistence/payout.repository';
import { maskedAccount } from './payout-account-rules';
import { statementLine, statementTotals } from './statement-lines';

const payoutView = (p: PayoutWithAccount) => ({
  id: p.id,
  runId: p.runId,
  storeId: p.storeId,
  amountFen: p.amountFen,
  status: p.status,
  account: p.account && maskedAccount(p.account),
  providerReference: p.providerReference,
  failureReason: p.failureReason,
  createdAt: p.createdAt.toISOString(),
  settledAt: p.settledAt?.toISOString() ?? null,
  failedAt: p.failedAt?.toISOString() ?? null,
});

@Injectable()
export class StatementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutRepository,
    private readonly lines: PayoutLineRepository,
  ) {}

  async storePayouts(user: Principal, storeId: string, page: number, pageSize: number) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller sees only her own store’s payouts');
    const { rows, total } = await this.payouts.storePayouts(this.dataSource.manager, storeId, page, pageSize);
    return {
      storeId,
      currency: 'CNY',
      items: rows.map((p) => ({ ...payoutView(p), lineCount: p.lineCount })),
      page,
      pageSize,
      total,
    };
  }

  async payoutLines(user: Principal, payoutId: string) {
    const payout = await this.payouts.findWithAccount(this.dataSource.manager, payoutId);
    if (!payout) throw notFound(`payout ${payoutId}`);
    if (!canActForStore(user, payout.storeId)) throw forbidden('a seller sees only her own store’s payouts');
    const lines = (await this.lines.lines(this.dataSource.manager, payoutId)).map((row) =>
      statementLine(payoutId, row),
    );
    return { ...payoutView(payout), currency: 'CNY', totals: statementTotals(lines), lines };
  }
}
