// Payouts' jobs, each declared once (libs/service/src/job-catalogue.ts), and its queues.
import { defineJob, defineQueues, defineRecurringJob } from '@cc/service';
import type { PayoutsConfig } from '../config';

export const PAYOUT_RUNS_QUEUE = 'payout-runs';
export const PAYOUT_CALLS_QUEUE = 'payout-calls';
export const RECONCILIATION_QUEUE = 'reconciliation';

/** Provider calls: the idempotency key makes a retry the same transfer (about 8 minutes of retries). */
const PROVIDER_CALL = { attempts: 8, backoffMs: 2000 };

export const PayoutsJobs = {
  /** The daily run; a run that failed is retried, and its request key keeps it one run. */
  startPayoutRun: defineRecurringJob(PAYOUT_RUNS_QUEUE, 'start-payout-run', { attempts: 5, backoffMs: 5000 }),
  sendPayout: defineJob<{ payoutId: string }>(PAYOUT_CALLS_QUEUE, 'send-payout', {
    key: (d) => d.payoutId,
    ...PROVIDER_CALL,
  }),
  /** The n-th look at whether a sent payout has settled. */
  checkSettlement: defineJob<{ payoutId: string; check: number }>(PAYOUT_CALLS_QUEUE, 'check-settlement', {
    key: (d) => `${d.payoutId}.${d.check}`,
    ...PROVIDER_CALL,
  }),
  reconcileStatement: defineJob<{ reconciliationId: string }>(RECONCILIATION_QUEUE, 'reconcile-statement', {
    key: (d) => d.reconciliationId,
    attempts: 3,
    backoffMs: 10_000,
    keepCompleted: 100,
  }),
};

export const payoutsQueues = (config: PayoutsConfig) =>
  defineQueues(PayoutsJobs, {
    // one run at a time, daily at PAYOUT_RUN_TIME county time on the service clock (so also on the demo's fast one)
    [PAYOUT_RUNS_QUEUE]: {
      concurrency: 1,
      schedules: [{ name: 'start-payout-run', dailyAt: config.PAYOUT_RUN_TIME, timeZone: config.COUNTY_TIME_ZONE }],
    },
    [PAYOUT_CALLS_QUEUE]: { concurrency: 8, limiter: { max: 20, durationMs: 1000 } },
    [RECONCILIATION_QUEUE]: { concurrency: 1 },
  });
