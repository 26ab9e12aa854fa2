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
import { candidateSlots, mostPerishable, pickupDeadline } from './slot-planning';

export const PICKUP_DISPATCH_QUEUE = 'pickup-dispatch';
/** BullMQ job ids may not hold ':'; township names are kept readable otherwise. */
export const pickupRunJobId = (township: string, startsAt: Date) => `run.${township.replace(/[^A-Za-z0-9_-]/g, '_')}.${startsAt.getTime()}`;

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
    if (await this.shipments.findByOrder(tx, order.orderId)) return; // a second order-paid for the same order
    const category = mostPerishable(order.lines.map((l) => l.category));
    const deadlineAt = pickupDeadline(new Date(order.paidAt), category);
    const now = this.clock.now();
    let slot: Date | null = null;
    for (const candidate of candidateSlots(now, deadlineAt, this.config.timetable, this.config.COUNTY_TIME_ZONE)) {
      if (await this.shipments.bookSlot(tx, order.township, candidate, this.config.SLOT_CAPACITY)) {
        slot = candidate;
        break;
      }
    }
    const shipmentId = randomUUID();
    const base = { id: shipmentId, orderId: order.orderId, storeId: order.storeId, buyerId: order.buyerId, township: order.township, category, deadlineAt, courierRef: null };
    if (!slot) {
      await this.shipments.insert(tx, { ...base, status: 'failed', slotStartsAt: null, failureReason: 'undeliverable' }, now, `event:${event.id}`);
      await this.outbox.add(tx, [
        { type: 'fulfillment.shipment-failed', key: order.orderId, data: { shipmentId, orderId: order.orderId, storeId: order.storeId, reason: 'undeliverable', failedAt: now.toISOString() } },
      ]);
      return;
    }
    await this.shipments.insert(tx, { ...base, status: 'scheduled', slotStartsAt: slot, failureReason: null }, now, `event:${event.id}`);
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-scheduled',
        key: order.orderId,
        data: { shipmentId, orderId: order.orderId, storeId: order.storeId, township: order.township, slotStartsAt: slot.toISOString(), deadlineAt: deadlineAt.toISOString() },
      },
    ]);
    // one job per township slot, whoever books first schedules it; the same id never makes a second
    await this.jobs.schedule(tx, PICKUP_DISPATCH_QUEUE, 'dispatch-pickup-run', { township: order.township, slotStartsAt: slot.toISOString() }, { jobId: pickupRunJobId(order.township, slot), runAt: slot });
  }
}
