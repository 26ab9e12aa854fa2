// A parcel not picked up by its deadline has spoiled (docs/design.md, “Fresh produce on time”): it fails, and orders refunds the
// buyer on shipment-failed. Each shipment's delayed watch job does this at the deadline; a sweep
// on an interval catches what lost jobs would miss, for deadlines and for pickup runs alike.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Clock } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { FulfillmentConfig } from '../config';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { PickupDispatchService } from './pickup-dispatch.service';
import { ShipmentFailures } from './shipment-failures.service';

/** How many overdue parcels or stranded runs one sweep handles; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

export class DeadlineNotDueError extends Error {
  override readonly name = 'DeadlineNotDueError';
}

@Injectable()
export class DeadlineWatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly dispatch: PickupDispatchService,
    private readonly failures: ShipmentFailures,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Fails the shipment as spoiled if it is still waiting for its pickup; anything else (picked up, failed already) stays as it is. */
  async spoilIfNotPickedUp(shipmentId: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const shipment = await this.shipments.lock(tx, shipmentId);
      if (!shipment || shipment.status !== 'scheduled') return false;
      const now = this.clock.now();
      // a job let out early (clock rounding) tries again after its backoff rather than spoil a parcel in time
      if (now < shipment.deadlineAt)
        throw new DeadlineNotDueError(`shipment ${shipmentId} is due at ${shipment.deadlineAt.toISOString()}`);
      // its van left in time: the courier's picked-up message may still be on its way
      const graceEnds = shipment.deadlineAt.getTime() + this.config.PICKUP_CONFIRMATION_GRACE_MINUTES * 60_000;
      if (
        shipment.slotStartsAt &&
        shipment.slotStartsAt <= shipment.deadlineAt &&
        now.getTime() < graceEnds &&
        (await this.shipments.runDispatched(tx, shipment.township, shipment.slotStartsAt))
      ) {
        throw new DeadlineNotDueError(
          `shipment ${shipmentId}: its van left at ${shipment.slotStartsAt.toISOString()}; waiting for the pickup to be confirmed`,
        );
      }
      return this.failures.fail(tx, shipment, 'spoiled', 'deadline-watch');
    });
  }

  /** The backstop: spoils what is overdue and dispatches runs whose time has come without one. */
  async sweep(): Promise<{ spoiled: number; runs: number }> {
    const now = this.clock.now();
    let spoiled = 0;
    for (const id of await this.shipments.overdue(this.dataSource.manager, now, SWEEP_BATCH)) {
      try {
        if (await this.spoilIfNotPickedUp(id)) spoiled++;
      } catch (e) {
        if (!(e instanceof DeadlineNotDueError)) throw e; // still within its grace: a later sweep decides
      }
    }
    const stranded = await this.shipments.strandedRuns(this.dataSource.manager, now, SWEEP_BATCH);
    for (const run of stranded) await this.dispatch.dispatchPickupRun(run.township, run.startsAt);
    if (spoiled || stranded.length)
      this.logger.warn({ spoiled, runs: stranded.length }, 'sweep caught what delayed jobs had not done');
    return { spoiled, runs: stranded.length };
  }
}
