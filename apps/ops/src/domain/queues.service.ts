// The queues panel: every service's BullMQ queues with their counts, recent throughput and
// failed jobs, and the operator's actions on them (retry, pause, resume), each audited.
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { notFound, Principal } from '@cc/platform';
import { AuditLog } from '../persistence/audit-log';
import { QueueRegistry } from '../persistence/queue-registry';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

@Injectable()
export class QueuesService {
  constructor(
    private readonly registry: QueueRegistry,
    private readonly audit: AuditLog,
  ) {}

  async overview(failedPerQueue = 10) {
    const queues = await this.registry.discover();
    return Promise.all(
      queues.map(async (queue) => {
        const [counts, paused, completed, failed, failedJobs] = await Promise.all([
          queue.getJobCounts(...STATES),
          queue.isPaused(),
          queue.getMetrics('completed', 0, 14),
          queue.getMetrics('failed', 0, 14),
          queue.getFailed(0, failedPerQueue - 1),
        ]);
        return {
          name: queue.name,
          paused,
          counts,
          // BullMQ keeps per-minute counts, newest first
          throughputPerMinute: { completed: completed.data.map(Number), failed: failed.data.map(Number) },
          failedJobs: failedJobs.filter(Boolean).map((j) => ({
            id: j.id,
            name: j.name,
            failedReason: j.failedReason,
            attemptsMade: j.attemptsMade,
            failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
            data: j.data,
          })),
        };
      }),
    );
  }

  async retryJob(user: Principal, queueName: string, jobId: string) {
    const queue = await this.queue(queueName);
    const job = await queue.getJob(jobId);
    if (!job) throw notFound(`job ${jobId} in ${queueName}`);
    await job.retry('failed');
    await this.audit.record({ who: user.sub, action: 'retry-job', target: `${queueName}/${jobId}` });
    return { retried: 1 };
  }

  async retryAll(user: Principal, queueName: string) {
    const queue = await this.queue(queueName);
    const failed = await queue.getFailedCount();
    await queue.retryJobs({ state: 'failed' });
    await this.audit.record({ who: user.sub, action: 'retry-all', target: queueName, detail: { failed } });
    return { retried: failed };
  }

  async setPaused(user: Principal, queueName: string, paused: boolean) {
    const queue = await this.queue(queueName);
    if (paused) await queue.pause();
    else await queue.resume();
    await this.audit.record({ who: user.sub, action: paused ? 'pause' : 'resume', target: queueName });
    return { name: queueName, paused: await queue.isPaused() };
  }

  private async queue(name: string): Promise<Queue> {
    const queue = await this.registry.get(name);
    if (!queue) throw notFound(`queue ${name}`);
    return queue;
  }
}
