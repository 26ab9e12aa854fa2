// Payout runs: every store whose available balance reaches the minimum gets one payout per run.
// Runs take an advisory lock, so two triggers at once run one after the other and the second
// finds the first one's payouts already out of available: a store is never paid twice.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock, notFound } from '@cc/platform';
import { Jobs } from '@cc/service';
import { PayoutsConfig } from '../config';
import { LedgerRepository } from '../persistence/ledger.repository';
import { PayoutRepository } from '../persistence/payout.repository';
import { payoutDue, payoutSentEntries } from './ledger-rules';

export const PAYOUT_RUNS_QUEUE = 'payout-runs';
export const PAYOUT_CALLS_QUEUE = 'payout-calls';

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
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: PayoutsConfig,
  ) {}

  /** Starts a run (or, for a request key seen before, returns that run). */
  async startRun(request: RunRequest): Promise<{ runId: string; created: boolean }> {
    return this.dataSource.transaction(async (tx) => {
      await this.payouts.lockRuns(tx);
      const earlier = request.requestKey ? await this.payouts.findRunByKey(tx, request.requestKey) : null;
      if (earlier) return { runId: earlier, created: false };
      const runId = randomUUID();
      const now = this.clock.now();
      await this.payouts.insertRun(tx, { id: runId, trigger: request.trigger, requestKey: request.requestKey ?? null, requestedBy: request.requestedBy, startedAt: now });
      await this.sendPayouts(tx, runId, now);
      return { runId, created: true };
    });
  }

  async getRun(runId: string) {
    const found = await this.payouts.findRun(this.dataSource.manager, runId);
    if (!found) throw notFound(`payout run ${runId}`);
    const { run, payouts } = found;
    return {
      id: run.id,
      trigger: run.trigger,
      requestedBy: run.requestedBy,
      // finished once every payout has settled or failed
      status: payouts.every((p) => p.status === 'settled' || p.status === 'failed') ? 'finished' : 'paying',
      startedAt: run.startedAt.toISOString(),
      payoutCount: payouts.length,
      totalFen: payouts.reduce((t, p) => t + p.amountFen, 0),
      payouts: payouts.map((p) => ({
        id: p.id,
        storeId: p.storeId,
        amountFen: p.amountFen,
        status: p.status,
        idempotencyKey: p.idempotencyKey,
        providerReference: p.providerReference,
        failureReason: p.failureReason,
        createdAt: p.createdAt.toISOString(),
        settledAt: p.settledAt?.toISOString() ?? null,
        failedAt: p.failedAt?.toISOString() ?? null,
      })),
    };
  }

  /** One payout per store due: available → in transit, payout-sent, and the provider call queued, all in `tx`. */
  private async sendPayouts(tx: EntityManager, runId: string, now: Date): Promise<void> {
    const balances = await this.ledger.lockAvailable(tx, this.config.PAYOUT_MINIMUM_FEN);
    const due = balances.flatMap(({ storeId, availableFen }) => {
      const amountFen = payoutDue(availableFen, this.config.PAYOUT_MINIMUM_FEN);
      return amountFen === null ? [] : [{ id: randomUUID(), runId, storeId, amountFen, idempotencyKey: `payout:${runId}:${storeId}` }];
    });
    await this.payouts.insertPayouts(tx, due, now);
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
      await this.jobs.schedule(tx, PAYOUT_CALLS_QUEUE, 'send-payout', { payoutId: p.id }, { jobId: `send-${p.id}` });
    }
    await this.outbox.add(
      tx,
      due.map((p) => ({ type: 'payouts.payout-sent' as const, key: p.storeId, data: { payoutId: p.id, payoutRunId: runId, storeId: p.storeId, amountFen: p.amountFen, sentAt: now.toISOString() } })),
    );
  }
}
