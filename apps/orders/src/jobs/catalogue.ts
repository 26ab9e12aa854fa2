// Orders' jobs, each declared once (libs/service/src/job-catalogue.ts), and its queues.
import { defineJob, defineQueues, defineRecurringJob } from '@cc/service';
import type { OrdersConfig } from '../config';

export const PAYMENTS_QUEUE = 'payments';
export const PAYMENT_TIMEOUTS_QUEUE = 'payment-timeouts';
export const REFUNDS_QUEUE = 'refunds';
export const AUTO_CONFIRM_QUEUE = 'auto-confirm';
export const AFTER_SALES_QUEUE = 'after-sales';
export const ADDRESS_ERASURE_QUEUE = 'address-erasure';

/** Retries for about half an hour (2 s, doubling, 10 attempts); past that a sweep keeps asking. */
const PATIENT = { attempts: 10, backoffMs: 2000 };

export const OrdersJobs = {
  capturePayment: defineJob<{ orderId: string }>(PAYMENTS_QUEUE, 'capture-payment', {
    key: (d) => d.orderId,
    attempts: 5,
    backoffMs: 500,
  }),
  /** A payment that never answered: the order is cancelled at its timeout (unless the provider says it was paid). */
  cancelUnpaid: defineJob<{ orderId: string }>(PAYMENT_TIMEOUTS_QUEUE, 'cancel-unpaid', {
    key: (d) => d.orderId,
    ...PATIENT,
  }),
  sweepUnpaid: defineRecurringJob(PAYMENT_TIMEOUTS_QUEUE, 'sweep-unpaid', PATIENT),
  refundPayment: defineJob<{ refundId: string }>(REFUNDS_QUEUE, 'refund-payment', {
    key: (d) => d.refundId,
    ...PATIENT,
  }),
  /** A delivered order completing by itself; one job per due time, so an extension makes a new one. */
  autoConfirm: defineJob<{ orderId: string; dueAt: string }>(AUTO_CONFIRM_QUEUE, 'auto-confirm', {
    key: (d) => `${d.orderId}.${Date.parse(d.dueAt)}`,
    ...PATIENT,
  }),
  sweepAutoConfirm: defineRecurringJob(AUTO_CONFIRM_QUEUE, 'sweep-auto-confirm', PATIENT),
  /** A store's silence on an after-sales request accepts it. */
  autoAccept: defineJob<{ requestId: string; orderId: string }>(AFTER_SALES_QUEUE, 'auto-accept', {
    key: (d) => d.requestId,
    ...PATIENT,
  }),
  sweepAfterSales: defineRecurringJob(AFTER_SALES_QUEUE, 'sweep-after-sales', PATIENT),
  /** Buyers' addresses past their retention. */
  eraseExpiredAddresses: defineRecurringJob(ADDRESS_ERASURE_QUEUE, 'erase-expired-addresses', {
    attempts: 5,
    backoffMs: 5000,
  }),
};

export const ordersQueues = (config: OrdersConfig) =>
  defineQueues(OrdersJobs, {
    [PAYMENTS_QUEUE]: { concurrency: 16 },
    [PAYMENT_TIMEOUTS_QUEUE]: { concurrency: 8, schedules: [{ name: 'sweep-unpaid', everySeconds: 60 }] },
    [REFUNDS_QUEUE]: { concurrency: 4 },
    [AUTO_CONFIRM_QUEUE]: {
      concurrency: 4,
      schedules: [{ name: 'sweep-auto-confirm', everySeconds: config.AUTO_CONFIRM_SWEEP_SECONDS }],
    },
    [AFTER_SALES_QUEUE]: {
      concurrency: 4,
      schedules: [{ name: 'sweep-after-sales', everySeconds: config.AFTER_SALES_SWEEP_SECONDS }],
    },
    [ADDRESS_ERASURE_QUEUE]: {
      concurrency: 1,
      schedules: [{ name: 'erase-expired-addresses', everySeconds: config.ADDRESS_ERASURE_SWEEP_SECONDS }],
    },
  });
