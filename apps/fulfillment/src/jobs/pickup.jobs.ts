import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OnJob } from '@cc/service';
import { COURIER_CALLS_QUEUE, PickupDispatchService } from '../domain/pickup-dispatch.service';
import { DeadlineWatchService } from '../domain/deadline-watch.service';
import { DEADLINE_WATCH_QUEUE, PICKUP_DISPATCH_QUEUE } from '../domain/shipment-scheduling.service';
import type { PickupManifest } from '../persistence/courier.client';

@Injectable()
export class PickupJobs {
  constructor(
    private readonly dispatch: PickupDispatchService,
    private readonly deadlines: DeadlineWatchService,
  ) {}

  @OnJob(PICKUP_DISPATCH_QUEUE, 'dispatch-pickup-run')
  dispatchPickupRun(data: { township: string; slotStartsAt: string }) {
    return this.dispatch.dispatchPickupRun(data.township, new Date(data.slotStartsAt));
  }

  @OnJob(COURIER_CALLS_QUEUE, 'send-manifest')
  sendManifest(data: { manifest: PickupManifest }, job: Job) {
    // attemptsMade counts the tries that already failed
    return this.dispatch.sendManifest(data.manifest, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  }

  @OnJob(DEADLINE_WATCH_QUEUE, 'watch-deadline')
  watchDeadline(data: { shipmentId: string }) {
    return this.deadlines.spoilIfNotPickedUp(data.shipmentId);
  }

  /** The backstop for lost delayed jobs, run on an interval (a BullMQ job scheduler). */
  @OnJob(DEADLINE_WATCH_QUEUE, 'sweep-overdue')
  sweepOverdue() {
    return this.deadlines.sweep();
  }
}
