// A payout's way through the provider: the call (retried with backoff by the payout-calls
// queue), then settlement, polled until the provider says settled or returned. Each outcome
// posts its ledger transaction and its event in one database transaction.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { Jobs, LOGGER } from '@cc/service';
import { PayoutsConfig } from '../config';
import { LedgerRepository } from '../persistence/ledger.repository';
import { PayoutAccountRepository } from '../persistence/payout-account.repository';
import { PayoutProvider, PayoutRefused } from '../persistence/payout-provider';
import { Payout, PayoutRepository } from '../persistence/payout.repository';
import { payoutFailedEntries, payoutSettledEntries } from './ledger-rules';
import { PayoutsJobs } from '../jobs/catalogue';

@Injectable()
export class PayoutTransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutRepository,
    private readonly ledger: LedgerRepository,
    private readonly accounts: PayoutAccountRepository,
    private readonly provider: PayoutProvider,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: PayoutsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Hands the payout to the provider. A provider error is thrown for the queue to retry (the
   * idempotency key makes a retry the same transfer); if it never answers, the payout stays in
   * transit for ops to look at — giving the money back to available could pay her twice.
   */
  async sendPayout(payoutId: string): Promise<void> {
    const payout = await this.payouts.find(this.dataSource.manager, payoutId);
    if (payout?.status !== 'sending') return;
    // the version the run checked, not whatever is current now: a change since starts its own hold.
    // A payout from before accounts existed goes to her current one.
    const manager = this.dataSource.manager;
    const account =
      payout.accountVersion === null
        ? await this.accounts.current(manager, payout.storeId)
        : await this.accounts.version(manager, payout.storeId, payout.accountVersion);
    if (!account) return this.failPayout(payoutId, 'provider-refused', 'the store has no payout account to send to');
    let providerReference: string;
    try {
      const { method, accountName, accountNumber } = account;
      ({ providerReference } = await this.provider.send({
        idempotencyKey: payout.idempotencyKey,
        payoutId,
        storeId: payout.storeId,
        amountFen: payout.amountFen,
        account: { method, accountName, accountNumber },
      }));
    } catch (err) {
      if (err instanceof PayoutRefused) return this.failPayout(payoutId, 'provider-refused', err.message);
      throw err;
    }
    await this.dataSource.transaction(async (tx) => {
      const current = await this.payouts.find(tx, payoutId, true);
      if (current?.status !== 'sending') return;
      await this.payouts.transition(tx, current, 'provider-accepted', this.clock.now(), { providerReference });
      await this.jobs.schedule(tx, PayoutsJobs.checkSettlement, { payoutId, check: 1 }, { runAt: this.nextCheckAt() });
    });
  }

  /** Asks the provider whether the payout settled; asks again later while it is pending. */
  async checkSettlement(payoutId: string, check: number): Promise<void> {
    const payout = await this.payouts.find(this.dataSource.manager, payoutId);
    if (payout?.status !== 'sent') return;
    const transfer = await this.provider.status(payout.providerReference!);
    if (transfer.status === 'pending') {
      await this.jobs.add(PayoutsJobs.checkSettlement, { payoutId, check: check + 1 }, { runAt: this.nextCheckAt() });
    } else if (transfer.status === 'settled') {
      await this.settlePayout(payoutId, transfer.settledAt);
    } else {
      await this.failPayout(payoutId, 'provider-returned', transfer.reason);
    }
  }

  /** Settled: in transit → paid out, and payout-settled. */
  private async settlePayout(payoutId: string, settledAt: Date): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const payout = await this.payouts.find(tx, payoutId, true);
      if (payout?.status !== 'sent') return;
      await this.payouts.transition(tx, payout, 'provider-settled', settledAt);
      await this.postPayoutOutcome(
        tx,
        payout,
        'payout-settled',
        payoutSettledEntries(payout.storeId, payout.amountFen),
      );
      await this.outbox.add(tx, [
        {
          type: 'payouts.payout-settled',
          key: payout.storeId,
          data: {
            payoutId,
            storeId: payout.storeId,
            amountFen: payout.amountFen,
            providerReference: payout.providerReference!,
            settledAt: settledAt.toISOString(),
          },
        },
      ]);
    });
  }

  /** Failed: a reversing transaction puts the money back in available; payout-failed. */
  private async failPayout(
    payoutId: string,
    action: 'provider-refused' | 'provider-returned',
    reason: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const payout = await this.payouts.find(tx, payoutId, true);
      if (!payout || payout.status === 'failed' || payout.status === 'settled') return;
      const at = this.clock.now();
      await this.payouts.transition(tx, payout, action, at, { reason });
      await this.postPayoutOutcome(tx, payout, 'payout-failed', payoutFailedEntries(payout.storeId, payout.amountFen));
      await this.outbox.add(tx, [
        {
          type: 'payouts.payout-failed',
          key: payout.storeId,
          data: { payoutId, storeId: payout.storeId, amountFen: payout.amountFen, reason, failedAt: at.toISOString() },
        },
      ]);
    });
    this.logger.warn({ payoutId, reason }, 'payout failed; its amount is available again');
  }

  private postPayoutOutcome(
    tx: Parameters<LedgerRepository['post']>[0],
    payout: Payout,
    kind: 'payout-settled' | 'payout-failed',
    entries: ReturnType<typeof payoutSettledEntries>,
  ) {
    return this.ledger.post(tx, {
      idempotencyKey: `${kind}:${payout.id}`,
      kind,
      orderId: null,
      payoutId: payout.id,
      storeId: payout.storeId,
      causedByEventId: null,
      entries,
    });
  }

  private nextCheckAt(): Date {
    return new Date(this.clock.now().getTime() + this.config.PAYOUT_SETTLEMENT_POLL_SECONDS * 1000);
  }
}
