// Payout runs: every store whose available balance reaches the minimum gets one payout per run,
// unless a guard holds it (suspended store, no payout account, an account changed too recently:
// payout-holds.ts); the run keeps and reports the held stores with their reason. Runs take an
// advisory lock, so two triggers at once run one after the other and the second finds the first
// one's payouts already out of available: a store is never paid twice.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Outbox } from '@cc/messaging';
import { Clock, notFound } from '@cc/platform';
import { Jobs, LOGGER } from '@cc/service';
import { PayoutsConfig } from '../config';
import { LedgerRepository } from '../persistence/ledger.repository';
import { PayoutAccountRepository } from '../persistence/payout-account.repository';
import { PayoutLineRepository } from '../persistence/payout-line.repository';
import { PayoutHold, PayoutRepository } from '../persistence/payout.repository';
import { StoreRepository } from '../persistence/store.repository';
import { LedgerRuleError, payoutDue, payoutSentEntries } from './ledger-rules';
import { maskedAccount } from './payout-account-rules';
import { payoutHold } from './payout-holds';
import { PayoutsJobs } from '../jobs/catalogue';

export interface RunRequest {
  trigger: 'schedule' | 'finance';
  requestedBy: string;
  /** Same key, same run: `finance:<Idempotency-Key>`, or `schedule:<job id>`, whose id names the day's occurrence. */
  requestKey?: string;
}

@Injectable()
export class PayoutRunService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutRepository,
    private readonly ledger: LedgerRepository,
    private readonly accounts: PayoutAccountRepository,
    private readonly stores: StoreRepository,
    private readonly lines: PayoutLineRepository,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: PayoutsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Starts a run (or, for a request key seen before, returns that run). */
  async startRun(request: RunRequest): Promise<{ runId: string; created: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      await this.payouts.lockRuns(tx);
      const earlier = request.requestKey ? await this.payouts.findRunByKey(tx, request.requestKey) : null;
      if (earlier) return { runId: earlier, created: false };
      const runId = randomUUID();
      const now = this.clock.now();
      await this.payouts.insertRun(tx, {
        id: runId,
        trigger: request.trigger,
        requestKey: request.requestKey ?? null,
        requestedBy: request.requestedBy,
        startedAt: now,
      });
      await this.sendPayouts(tx, runId, now);
      return { runId, created: true };
    });
  }

  async getRun(runId: string) {
    const found = await this.payouts.findRun(this.dataSource.manager, runId);
    if (!found) throw notFound(`payout run ${runId}`);
    const { run, payouts, held } = found;
    return {
      id: run.id,
      trigger: run.trigger,
      requestedBy: run.requestedBy,
      // finished once every payout has settled or failed
      status: payouts.every((p) => p.status === 'settled' || p.status === 'failed') ? 'finished' : 'paying',
      startedAt: run.startedAt.toISOString(),
      payoutCount: payouts.length,
      totalFen: payouts.reduce((t, p) => t + p.amountFen, 0),
      heldCount: held.length,
      heldFen: held.reduce((t, h) => t + h.availableFen, 0),
      payouts: payouts.map((p) => ({
        id: p.id,
        storeId: p.storeId,
        amountFen: p.amountFen,
        account: p.account && maskedAccount(p.account),
        status: p.status,
        idempotencyKey: p.idempotencyKey,
        providerReference: p.providerReference,
        failureReason: p.failureReason,
        createdAt: p.createdAt.toISOString(),
        settledAt: p.settledAt?.toISOString() ?? null,
        failedAt: p.failedAt?.toISOString() ?? null,
      })),
      /** Stores whose balance was due and that the run did not pay, with the reason. */
      held,
    };
  }

  /**
   * One payout per store due and not held: available → in transit, payout-sent, and the provider
   * call queued; the held stores kept with their reason; all in `tx`.
   */
  private async sendPayouts(tx: EntityManager, runId: string, now: Date): Promise<void> {
    const balances = await this.ledger.lockAvailable(tx, this.config.PAYOUT_MINIMUM_FEN);
    const owed = balances.flatMap(({ storeId, availableFen }) => {
      const amountFen = payoutDue(availableFen, this.config.PAYOUT_MINIMUM_FEN);
      return amountFen === null ? [] : [{ storeId, amountFen }];
    });
    const storeIds = owed.map((o) => o.storeId);
    const statuses = await this.stores.statuses(tx, storeIds);
    const accounts = await this.accounts.currentVersions(tx, storeIds);
    const policy = { now, accountHoldHours: this.config.PAYOUT_ACCOUNT_HOLD_HOURS };
    const held: PayoutHold[] = [];
    const due: {
      id: string;
      runId: string;
      storeId: string;
      amountFen: number;
      idempotencyKey: string;
      accountVersion: number;
    }[] = [];
    for (const { storeId, amountFen } of owed) {
      const account = accounts.get(storeId) ?? null;
      const reason = payoutHold(
        { storeStatus: statuses.get(storeId) ?? null, accountChangedAt: account?.changedAt ?? null },
        policy,
      );
      if (reason) held.push({ storeId, reason, availableFen: amountFen });
      else
        due.push({
          id: randomUUID(),
          runId,
          storeId,
          amountFen,
          idempotencyKey: `payout:${runId}:${storeId}`,
          accountVersion: account!.version,
        });
    }
    await this.payouts.insertHolds(tx, runId, held);
    if (held.length)
      this.logger.info(
        { runId, held: held.map((h) => ({ storeId: h.storeId, reason: h.reason })) },
        'payout run held stores',
      );
    await this.payouts.insertPayouts(tx, due, now);
    // the entries each payout pays, for her statement; they add up to it, or nothing of the run stays
    const lineTotals = await this.lines.recordLines(tx, due);
    for (const p of due) {
      if (lineTotals.get(p.id) !== p.amountFen)
        throw new LedgerRuleError(
          `payout to store ${p.storeId}: its ledger entries add up to ${lineTotals.get(p.id) ?? 0} fen, the available balance is ${p.amountFen}`,
        );
    }
    for (const p of due) {
      await this.ledger.post(tx, {
        idempotencyKey: `payout-sent:${p.id}`,
        kind: 'payout-sent',
        orderId: null,
        payoutId: p.id,
        storeId: p.storeId,
        causedByEventId: null,
        entries: payoutSentEntries(p.storeId, p.amountFen),
      });
      await this.jobs.schedule(tx, PayoutsJobs.sendPayout, { payoutId: p.id });
    }
    await this.outbox.add(
      tx,
      due.map((p) => ({
        type: 'payouts.payout-sent' as const,
        key: p.storeId,
        data: {
          payoutId: p.id,
          payoutRunId: runId,
          storeId: p.storeId,
          amountFen: p.amountFen,
          sentAt: now.toISOString(),
        },
      })),
    );
  }
}
