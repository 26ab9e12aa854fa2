import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { OnJob } from '@cc/service';
import { PickupDispatchService } from '../domain/pickup-dispatch.service';
import { DeadlineWatchService } from '../domain/deadline-watch.service';
import type { PickupManifest } from '../persistence/courier.client';
import { FulfillmentJobs } from './catalogue';

@Injectable()
export class PickupJobs {
  constructor(
    private readonly dispatch: PickupDispatchService,
    private readonly deadlines: DeadlineWatchService,
  ) {}

  @OnJob(FulfillmentJobs.dispatchPickupRun)
  dispatchPickupRun(data: { township: string; slotStartsAt: string }) {
    return this.dispatch.dispatchPickupRun(data.township, new Date(data.slotStartsAt));
  }

  @OnJob(FulfillmentJobs.sendManifest)
  sendManifest(data: { manifest: PickupManifest }, job: Job) {
    // attemptsMade counts the tries that already failed
    return this.dispatch.sendManifest(data.manifest, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
  }

  @OnJob(FulfillmentJobs.watchDeadline)
  watchDeadline(data: { shipmentId: string }) {
    return this.deadlines.spoilIfNotPickedUp(data.shipmentId);
  }

  /** The backstop for lost delayed jobs, run on an interval (a BullMQ job scheduler). */
  @OnJob(FulfillmentJobs.sweepOverdue)
  sweepOverdue() {
    return this.deadlines.sweep();
  }
}
