// Fulfillment's jobs, each declared once (libs/service/src/job-catalogue.ts), and its queues.
import { defineJob, defineQueues, defineRecurringJob } from '@cc/service';
import type { FulfillmentConfig } from '../config';
import type { PickupManifest } from '../persistence/courier.client';

export const PICKUP_DISPATCH_QUEUE = 'pickup-dispatch';
export const COURIER_CALLS_QUEUE = 'courier-calls';
export const DEADLINE_WATCH_QUEUE = 'deadline-watch';
export const ADDRESS_ERASURE_QUEUE = 'address-erasure';

/** A pickup round: a township's van at one time. */
const roundKey = (township: string, slotStartsAt: string) =>
  `${encodeURIComponent(township)}.${Date.parse(slotStartsAt)}`;

export const FulfillmentJobs = {
  /** A round leaving: its manifest is written (a run that cannot leave strands its parcels: retried for about 17 minutes). */
  dispatchPickupRun: defineJob<{ township: string; slotStartsAt: string }>(
    PICKUP_DISPATCH_QUEUE,
    'dispatch-pickup-run',
    {
      key: (d) => roundKey(d.township, d.slotStartsAt),
      attempts: 10,
      backoffMs: 1000,
    },
  ),
  /** The manifest to the courier; after the last try the round's parcels fail as courier-failed (retries from configuration). */
  sendManifest: defineJob<{ manifest: PickupManifest }>(COURIER_CALLS_QUEUE, 'send-manifest', {
    key: (d) => roundKey(d.manifest.township, d.manifest.slotStartsAt),
    attempts: 5,
    backoffMs: 1000,
  }),
  /** A parcel's pickup deadline: spoiled if no courier has collected it. */
  watchDeadline: defineJob<{ shipmentId: string }>(DEADLINE_WATCH_QUEUE, 'watch-deadline', {
    key: (d) => d.shipmentId,
    attempts: 5,
    backoffMs: 1000,
  }),
  /** What lost jobs would miss: deadlines passed and rounds that never left. */
  sweepOverdue: defineRecurringJob(DEADLINE_WATCH_QUEUE, 'sweep-overdue', { attempts: 5, backoffMs: 1000 }),
  eraseExpiredAddresses: defineRecurringJob(ADDRESS_ERASURE_QUEUE, 'erase-expired-addresses', {
    attempts: 5,
    backoffMs: 5000,
  }),
};

export const fulfillmentQueues = (config: FulfillmentConfig) =>
  defineQueues(
    FulfillmentJobs,
    {
      [PICKUP_DISPATCH_QUEUE]: { concurrency: 4 },
      // the courier's API takes at most 10 calls a second from us
      [COURIER_CALLS_QUEUE]: { concurrency: 4, limiter: { max: 10, durationMs: 1000 } },
      [DEADLINE_WATCH_QUEUE]: {
        concurrency: 4,
        schedules: [{ name: 'sweep-overdue', everySeconds: config.DEADLINE_SWEEP_SECONDS }],
      },
      [ADDRESS_ERASURE_QUEUE]: {
        concurrency: 1,
        schedules: [{ name: 'erase-expired-addresses', everySeconds: config.ADDRESS_ERASURE_SWEEP_SECONDS }],
      },
    },
    { 'send-manifest': { attempts: config.COURIER_CALL_ATTEMPTS, backoffMs: config.COURIER_CALL_BACKOFF_MS } },
  );
