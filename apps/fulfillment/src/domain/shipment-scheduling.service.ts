// A paid order becomes a shipment on the earliest pickup slot that has room and meets its deadline.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { FulfillmentConfig } from '../config';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { assignPickupSlot, mostPerishable, PickupPlan, pickupDeadline } from './slot-planning';

export const PICKUP_DISPATCH_QUEUE = 'pickup-dispatch';

/**
 * One job per township slot. BullMQ job ids may not hold ':'; URI-encoding keeps every township
 * name distinct (township names are often Chinese) and never produces one.
 */
export const pickupRunJobId = (township: string, startsAt: Date) => `run.${encodeURIComponent(township)}.${startsAt.getTime()}`;

@Injectable()
export class ShipmentSchedulingService {
  constructor(
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
  ) {}

  async scheduleShipment(tx: EntityManager, event: DecodedEvent<'orders.order-paid'>): Promise<void> {
    const order = event.data;
    if (await this.shipments.findByOrder(tx, order.orderId)) return; // order-paid again (a retry upstream, or a re-drive)
    const category = mostPerishable(order.lines.map((l) => l.category));
    const deadlineAt = pickupDeadline(new Date(order.paidAt), category);
    const now = this.clock.now();
    const slot = await this.bookEarliestSlot(tx, order.township, { now, deadline: deadlineAt, timetable: this.config.timetable, zone: this.config.COUNTY_TIME_ZONE, capacity: this.config.SLOT_CAPACITY });

    const shipmentId = randomUUID();
    const shipment = {
      id: shipmentId,
      orderId: order.orderId,
      storeId: order.storeId,
      buyerId: order.buyerId,
      township: order.township,
      category,
      deadlineAt,
      courierRef: null,
      status: slot ? ('scheduled' as const) : ('failed' as const),
      slotStartsAt: slot,
      failureReason: slot ? null : 'undeliverable',
    };
    if (!(await this.shipments.insert(tx, shipment, now, `event:${event.id}`))) {
      // another consumer instance (a rebalance) made it a moment ago: roll back our booking; the retry finds theirs
      throw new Error(`order ${order.orderId} got a shipment concurrently`);
    }
    if (!slot) {
      await this.outbox.add(tx, [
        { type: 'fulfillment.shipment-failed', key: order.orderId, data: { shipmentId, orderId: order.orderId, storeId: order.storeId, reason: 'undeliverable', failedAt: now.toISOString() } },
      ]);
      return;
    }
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-scheduled',
        key: order.orderId,
        data: { shipmentId, orderId: order.orderId, storeId: order.storeId, township: order.township, slotStartsAt: slot.toISOString(), deadlineAt: deadlineAt.toISOString() },
      },
    ]);
    // every booking schedules its slot's run; the deterministic id makes it one job per slot
    await this.jobs.schedule(tx, PICKUP_DISPATCH_QUEUE, 'dispatch-pickup-run', { township: order.township, slotStartsAt: slot.toISOString() }, { jobId: pickupRunJobId(order.township, slot), runAt: slot });
  }

  /** Chooses from the slots' loads as read, then books atomically; if a racing booking took the last place, chooses again. */
  private async bookEarliestSlot(tx: EntityManager, township: string, plan: PickupPlan): Promise<Date | null> {
    const loads = await this.shipments.slotLoads(tx, township, plan.now, new Date(plan.deadline.getTime() + 1)); // a slot may start right on the deadline
    for (;;) {
      const slot = assignPickupSlot(plan, loads);
      if (!slot || (await this.shipments.bookSlot(tx, township, slot, plan.capacity))) return slot;
      loads.set(slot.getTime(), { capacity: 0, booked: 0, closed: true });
    }
  }
}
