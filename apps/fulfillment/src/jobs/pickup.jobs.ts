import { Injectable } from '@nestjs/common';
import { OnJob } from '@cc/service';
import { COURIER_CALLS_QUEUE, PickupDispatchService } from '../domain/pickup-dispatch.service';
import { PICKUP_DISPATCH_QUEUE } from '../domain/shipment-scheduling.service';
import type { PickupManifest } from '../persistence/courier.client';

@Injectable()
export class PickupJobs {
  constructor(private readonly dispatch: PickupDispatchService) {}

  @OnJob(PICKUP_DISPATCH_QUEUE, 'dispatch-pickup-run')
  dispatchPickupRun(data: { township: string; slotStartsAt: string }) {
    return this.dispatch.dispatchPickupRun(data.township, new Date(data.slotStartsAt));
  }

  @OnJob(COURIER_CALLS_QUEUE, 'send-manifest')
  sendManifest(data: { manifest: PickupManifest }) {
    return this.dispatch.sendManifest(data.manifest);
  }
}
