// Catalog's jobs, each declared once (libs/service/src/job-catalogue.ts), and its queues.
import { defineJob, defineQueues, defineRecurringJob } from '@cc/service';
import type { CatalogConfig } from '../config';

export const RESERVATION_QUEUE = 'reservation-expiry';

export const CatalogJobs = {
  /** A stock reservation's end: released unless the order was paid or cancelled first. */
  expireReservation: defineJob<{ orderId: string }>(RESERVATION_QUEUE, 'expire-reservation', {
    key: (d) => d.orderId,
    attempts: 5,
    backoffMs: 1000,
  }),
  /** The backstop for expiry jobs Redis lost. */
  sweepExpiredReservations: defineRecurringJob(RESERVATION_QUEUE, 'sweep-expired-reservations', {
    attempts: 5,
    backoffMs: 1000,
  }),
};

export const catalogQueues = (config: CatalogConfig) =>
  defineQueues(CatalogJobs, {
    [RESERVATION_QUEUE]: {
      concurrency: 8,
      schedules: [{ name: 'sweep-expired-reservations', everySeconds: config.SWEEP_INTERVAL_SECONDS }],
    },
  });
