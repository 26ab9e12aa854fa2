import { defineJob, defineQueues, defineRecurringJob } from '@cc/service';
import { loadOrdersConfig } from '../config';
import { OrdersJobs, ordersQueues } from './catalogue';

describe('orders job catalogue', () => {
  it('names each due time’s auto-confirmation apart, the same for the same due time, without ":"', () => {
    const job = (dueAt: string) => OrdersJobs.autoConfirm.id({ orderId: 'o-1', dueAt });
    expect(job('2026-06-01T12:00:00.000Z')).toBe(job(new Date('2026-06-01T12:00:00Z').toISOString()));
    expect(job('2026-06-01T12:00:00.000Z')).not.toBe(job('2026-06-04T12:00:00.000Z'));
    expect(job('2026-06-01T12:00:00.000Z')).not.toContain(':');
    expect(OrdersJobs.capturePayment.id({ orderId: 'o-1' })).toBe('capture-payment.o-1');
  });

  it('derives each queue with its jobs and their retries', () => {
    const queues = ordersQueues(loadOrdersConfig({}));
    expect(Object.fromEntries(Object.entries(queues).map(([q, s]) => [q, s.jobs.map((j) => j.name)]))).toEqual({
      payments: ['capture-payment'],
      'payment-timeouts': ['cancel-unpaid', 'sweep-unpaid'],
      refunds: ['refund-payment'],
      'auto-confirm': ['auto-confirm', 'sweep-auto-confirm'],
      'after-sales': ['auto-accept', 'sweep-after-sales'],
      'address-erasure': ['erase-expired-addresses'],
    });
    expect(queues['payment-timeouts'].jobs.map((j) => j.attempts)).toEqual([10, 10]);
  });

  it('refuses a job on an undeclared queue, a name declared twice, a queue with no job and retries for no job', () => {
    const a = defineJob<{ id: string }>('q', 'a', { key: (d) => d.id, attempts: 1, backoffMs: 1 });
    expect(() => defineQueues({ a }, {})).toThrow(/queue q, which is not declared/);
    expect(() => defineQueues({ a, again: { ...a } }, { q: {} })).toThrow(/declared twice/);
    expect(() => defineQueues({ a }, { q: {}, idle: {} })).toThrow(/queues with no job: idle/);
    expect(() =>
      defineQueues(
        { a, s: defineRecurringJob('q', 's', { attempts: 1, backoffMs: 1 }) },
        { q: {} },
        { b: { attempts: 2 } },
      ),
    ).toThrow(/not declared: b/);
  });
});
