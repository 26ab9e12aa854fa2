import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OnJob } from '@cc/service';
import { PAYOUT_CALLS_QUEUE, PAYOUT_RUNS_QUEUE, PayoutRunService } from '../domain/payout-run.service';
import { PayoutTransferService } from '../domain/payout-transfer.service';
import { RECONCILIATION_QUEUE, ReconciliationService } from '../domain/reconciliation.service';

@Injectable()
export class PayoutJobs {
  constructor(
    private readonly runs: PayoutRunService,
    private readonly transfers: PayoutTransferService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  /** The daily run's job; its id names the day's occurrence and keys the run, so a retried or re-added job starts no second run. */
  @OnJob(PAYOUT_RUNS_QUEUE, 'start-payout-run')
  startPayoutRun(_data: object, job: Job) {
    return this.runs.startRun({ trigger: 'schedule', requestedBy: 'payout-schedule', requestKey: `schedule:${job.id}` });
  }

  @OnJob(PAYOUT_CALLS_QUEUE, 'send-payout')
  sendPayout(data: { payoutId: string }) {
    return this.transfers.sendPayout(data.payoutId);
  }

  @OnJob(PAYOUT_CALLS_QUEUE, 'check-settlement')
  checkSettlement(data: { payoutId: string; check: number }) {
    return this.transfers.checkSettlement(data.payoutId, data.check);
  }

  @OnJob(RECONCILIATION_QUEUE, 'reconcile-statement')
  reconcileStatement(data: { reconciliationId: string }) {
    return this.reconciliations.reconcile(data.reconciliationId);
  }
}
