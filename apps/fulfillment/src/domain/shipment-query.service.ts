// Reading shipments and pickup slots; a buyer sees her parcels, a seller her store's, ops all.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, Principal } from '@cc/platform';
import { FulfillmentConfig } from '../config';

import { ShipmentRepository } from '../persistence/shipment.repository';
import { isOverdue } from './delivery-window';
import { localTime, nextDate, zonedToUtc } from './local-time';

@Injectable()
export class ShipmentQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly config: FulfillmentConfig,
    private readonly clock: Clock,
  ) {}

  async shipmentsOfOrder(user: Principal, orderId: string) {
    const tx = this.dataSource.manager;
    const found = await this.shipments.ofOrder(tx, orderId);
    const visible = found.filter(
      (s) =>
        user.role === 'ops' ||
        (user.role === 'buyer' && s.buyerId === user.sub) ||
        (user.role === 'seller' && s.storeId === user.storeId),
    );
    const ids = visible.map((s) => s.id);
    const [history, addresses] = visible.length
      ? await Promise.all([this.shipments.history(tx, ids), this.shipments.addresses(tx, ids)])
      : [[], new Map()];
    const now = this.clock.now();
    return {
      items: visible.map((s) => ({
        id: s.id,
        orderId: s.orderId,
        storeId: s.storeId,
        township: s.township,
        category: s.category,
        status: s.status,
        slotStartsAt: s.slotStartsAt?.toISOString() ?? null,
        readyAt: s.readyAt.toISOString(),
        deadlineAt: s.deadlineAt.toISOString(),
        shelfLifeHours: s.shelfLifeHours,
        courierRef: s.courierRef,
        failureReason: s.failureReason,
        pickedUpAt: s.pickedUpAt?.toISOString() ?? null,
        deliveryDueAt: s.deliveryDueAt?.toISOString() ?? null,
        overdue: isOverdue(s, now),
        // personal data: this reader is the buyer, the store's seller or ops; erased, a marker says when
        shippingAddress: addresses.get(s.id) ?? null,
        history: history
          .filter((h) => h.shipmentId === s.id)
          .map((h) => ({
            from: h.fromStatus,
            to: h.toStatus,
            reason: h.reason,
            causedBy: h.causedBy,
            at: h.at.toISOString(),
          })),
      })),
    };
  }

  /** The timetable of one township's local day, each slot with its load. */
  async slotsOfDay(township: string, date: string) {
    const zone = this.config.COUNTY_TIME_ZONE;
    const loads = await this.shipments.slotLoads(
      this.dataSource.manager,
      township,
      zonedToUtc(date, '00:00', zone),
      zonedToUtc(nextDate(date), '00:00', zone),
    );
    return {
      township,
      date,
      timeZone: zone,
      slots: this.config.timetable.map((round) => {
        const startsAt = zonedToUtc(date, round.time, zone);
        // a booked slot shows what it was opened with; one nobody booked yet, what the timetable offers
        const { capacity, booked, closed, courier } = loads.get(startsAt.getTime()) ?? {
          capacity: round.capacity,
          booked: 0,
          closed: false,
          courier: round.courier,
        };
        return {
          localTime: localTime(startsAt, zone),
          startsAt: startsAt.toISOString(),
          courier,
          capacity,
          booked,
          free: closed ? 0 : capacity - booked,
          closed,
        };
      }),
    };
  }
}
