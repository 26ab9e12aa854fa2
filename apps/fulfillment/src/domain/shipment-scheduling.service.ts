// A paid order (orders.shipment-requested, with its address) becomes a shipment on the earliest pickup slot that has room and meets its
// deadline, making room by moving less perishable parcels when slots are scarce (docs/design.md, “Fresh produce on time”); its
// pickup run and its deadline watch are scheduled in the same transaction.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { Jobs } from '@cc/service';
import { FulfillmentConfig } from '../config';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { parcelClock } from './perishability';
import { Board, BoardParcel, BoardSlot, candidateSlots, placeParcel, SlotMove } from './slot-planning';
import { FulfillmentJobs } from '../jobs/catalogue';

const boardParcel = (
  s: Pick<ShipmentEntity, 'id' | 'category' | 'readyAt' | 'deadlineAt' | 'shelfLifeHours'>,
): BoardParcel => ({
  id: s.id,
  coldChain: s.category === 'chilled', // a parcel's category is its most perishable line's
  readyAt: s.readyAt.getTime(),
  deadlineAt: s.deadlineAt.getTime(),
  shelfLifeHours: s.shelfLifeHours,
});

@Injectable()
export class ShipmentSchedulingService {
  constructor(
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly jobs: Jobs,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
  ) {}

  async scheduleShipment(tx: EntityManager, event: DecodedEvent<'orders.shipment-requested'>): Promise<void> {
    const order = event.data;
    if ((await this.shipments.lockTownshipForOrder(tx, order.township, order.orderId)).shipped) return; // requested again
    const clock = parcelClock(order.lines, new Date(order.paidAt));
    const now = this.clock.now();
    const shipment = {
      id: randomUUID(),
      orderId: order.orderId,
      storeId: order.storeId,
      buyerId: order.buyerId,
      township: order.township,
      category: clock.category,
      readyAt: clock.readyAt,
      deadlineAt: clock.deadlineAt,
      shelfLifeHours: clock.shelfLifeHours,
      courierRef: null,
      lines: order.lines.map((l) => ({
        productId: l.productId,
        productName: l.productName,
        quantity: l.quantity,
        category: l.category,
      })),
    };
    // most parcels find a slot with room: the slots' loads alone say so, without reading the
    // township's waiting parcels (which the planner needs only to move some of them)
    let board = await this.boardOf(tx, order.township, now, clock.deadlineAt, false);
    let placement = placeParcel(board, boardParcel(shipment));
    if (!placement) {
      board = await this.boardOf(tx, order.township, now, clock.deadlineAt, true);
      placement = placeParcel(board, boardParcel(shipment));
    }
    const slot = placement ? new Date(placement.slot) : null;
    const inserted = await this.shipments.insert(
      tx,
      {
        ...shipment,
        status: slot ? 'scheduled' : 'failed',
        slotStartsAt: slot,
        failureReason: slot ? null : 'undeliverable',
      },
      now,
      `event:${event.id}`,
      order.shippingAddress,
    );
    // another consumer instance (a rebalance) made it a moment ago: roll back; the retry finds theirs
    if (!inserted) throw new Error(`order ${order.orderId} got a shipment concurrently`);
    if (!placement || !slot) {
      await this.outbox.add(tx, [
        {
          type: 'fulfillment.shipment-failed',
          key: order.orderId,
          data: {
            shipmentId: shipment.id,
            orderId: order.orderId,
            storeId: order.storeId,
            reason: 'undeliverable',
            failedAt: now.toISOString(),
          },
        },
      ]);
      return;
    }
    // deepest first: each move lands in a place the one before it freed
    for (const move of placement.moves)
      await this.moveShipment(tx, order.township, move, board, `event:${event.id}`, order.orderId);
    await this.book(tx, order.township, board, slot);
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-scheduled',
        key: order.orderId,
        data: {
          shipmentId: shipment.id,
          orderId: order.orderId,
          storeId: order.storeId,
          township: order.township,
          slotStartsAt: slot.toISOString(),
          deadlineAt: clock.deadlineAt.toISOString(),
        },
      },
    ]);
    await this.scheduleRun(tx, order.township, slot);
    await this.jobs.schedule(
      tx,
      FulfillmentJobs.watchDeadline,
      { shipmentId: shipment.id },
      { runAt: clock.deadlineAt },
    );
  }

  /**
   * The township's slots from now to the last deadline that matters (the new parcel's or that
   * of any parcel planning might move), as the timetable offers them and as booked so far.
   * Without parcels, the board shows only the slots up to `deadline` and how full they are: enough
   * to find a slot with room, not to move anyone.
   */
  private async boardOf(
    tx: EntityManager,
    township: string,
    now: Date,
    deadline: Date,
    withParcels: boolean,
  ): Promise<Board> {
    const waiting = withParcels ? await this.shipments.waitingInTownship(tx, township, now) : [];
    const until = new Date(Math.max(deadline.getTime(), ...waiting.map((s) => s.deadlineAt.getTime())));
    const loads = await this.shipments.slotLoads(tx, township, now, new Date(until.getTime() + 1)); // a slot may start right on a deadline
    const slots = new Map<number, BoardSlot>();
    for (const s of candidateSlots(now, until, this.config.timetable, this.config.COUNTY_TIME_ZONE)) {
      slots.set(s.startsAt.getTime(), {
        startsAt: s.startsAt.getTime(),
        courier: s.courier,
        capacity: s.capacity,
        booked: 0,
        closed: false,
        parcels: [],
      });
    }
    // a booked slot keeps the capacity and courier it was opened with, even if the timetable changed since
    for (const [startsAt, load] of loads) slots.set(startsAt, { startsAt, ...load, parcels: [] });
    for (const s of waiting) slots.get(s.slotStartsAt!.getTime())?.parcels.push(s.id);
    return {
      now: now.getTime(),
      slots: [...slots.values()].sort((a, b) => a.startsAt - b.startsAt),
      parcels: new Map(waiting.map((s) => [s.id, boardParcel(s)])),
    };
  }

  /** Moves a scheduled parcel to a later slot: its place, its history, a shipment-rescheduled, and the new slot's run. */
  private async moveShipment(
    tx: EntityManager,
    township: string,
    move: SlotMove,
    board: Board,
    causedBy: string,
    forOrderId: string,
  ): Promise<void> {
    const shipment = await this.shipments.lock(tx, move.parcelId);
    const from = new Date(move.from);
    const to = new Date(move.to);
    if (
      !shipment ||
      shipment.status !== 'scheduled' ||
      shipment.slotStartsAt?.getTime() !== move.from ||
      !(await this.shipments.releaseSlot(tx, township, from))
    ) {
      throw new Error(`shipment ${move.parcelId} changed while its township was locked`); // cannot happen under the lock; roll back rather than guess
    }
    await this.book(tx, township, board, to);
    const reason = `made room for the more perishable order ${forOrderId}`;
    await this.shipments.transition(tx, shipment, 'reschedule', this.clock.now(), {
      causedBy,
      reason,
      slotStartsAt: to,
    });
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-rescheduled',
        key: shipment.orderId,
        data: {
          shipmentId: shipment.id,
          orderId: shipment.orderId,
          storeId: shipment.storeId,
          township,
          previousSlotStartsAt: from.toISOString(),
          slotStartsAt: to.toISOString(),
          deadlineAt: shipment.deadlineAt.toISOString(),
          reason,
        },
      },
    ]);
    await this.scheduleRun(tx, township, to);
  }

  private async book(tx: EntityManager, township: string, board: Board, startsAt: Date): Promise<void> {
    const slot = board.slots.find((s) => s.startsAt === startsAt.getTime())!;
    if (!(await this.shipments.bookSlot(tx, township, { startsAt, capacity: slot.capacity, courier: slot.courier }))) {
      throw new Error(`slot ${startsAt.toISOString()} in ${township} had no room after all`); // the plan was made under the township lock
    }
  }

  /** Every booking schedules its slot's run; the deterministic id makes it one job per slot. */
  private scheduleRun(tx: EntityManager, township: string, startsAt: Date): Promise<void> {
    return this.jobs.schedule(
      tx,
      FulfillmentJobs.dispatchPickupRun,
      { township, slotStartsAt: startsAt.toISOString() },
      { runAt: startsAt },
    );
  }
}
