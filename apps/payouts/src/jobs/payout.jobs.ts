import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OnJob } from '@cc/service';
import { PayoutRunService } from '../domain/payout-run.service';
import { PayoutTransferService } from '../domain/payout-transfer.service';
import { ReconciliationService } from '../domain/reconciliation.service';
import { PayoutsJobs } from './catalogue';

@Injectable()
export class PayoutJobs {
  constructor(
    private readonly runs: PayoutRunService,
    private readonly transfers: PayoutTransferService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  /** The daily run's job; its id names the day's occurrence and keys the run, so a retried or re-added job starts no second run. */
  @OnJob(PayoutsJobs.startPayoutRun)
  startPayoutRun(_data: object, job: Job) {
    return this.runs.startRun({
      trigger: 'schedule',
      requestedBy: 'payout-schedule',
      requestKey: `schedule:${job.id}`,
    });
  }

  @OnJob(PayoutsJobs.sendPayout)
  sendPayout(data: { payoutId: string }) {
    return this.transfers.sendPayout(data.payoutId);
  }

  @OnJob(PayoutsJobs.checkSettlement)
  checkSettlement(data: { payoutId: string; check: number }) {
    return this.transfers.checkSettlement(data.payoutId, data.check);
  }

  @OnJob(PayoutsJobs.reconcileStatement)
  reconcileStatement(data: { reconciliationId: string }) {
    return this.reconciliations.reconcile(data.reconciliationId);
  }
}
