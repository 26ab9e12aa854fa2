// Shipments, their history, pickup slots and runs.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { eraseAddressRows } from '@cc/service';
import { ShippingAddress, StoredAddress } from '@cc/contracts';
import { FINAL_SHIPMENT_STATUSES, nextShipmentStatus, ShipmentAction, ShipmentStatus } from '../domain/shipment-states';
import type { CourierType } from '../domain/slot-planning';
import { ShipmentEntity, ShipmentHistoryEntity } from './entities';

/** A slot row as stored: its own capacity and courier (the timetable may have changed since). */
export interface SlotLoad {
  capacity: number;
  booked: number;
  closed: boolean;
  courier: CourierType;
}

/** A township's slots lock, held to the end of the transaction ($1: the township). */
const LOCK_TOWNSHIP = `pg_advisory_xact_lock(hashtextextended('pickup-slots:' || $1, 0))`;

@Injectable()
export class ShipmentRepository {
  async lock(tx: EntityManager, shipmentId: string): Promise<ShipmentEntity | null> {
    return tx.getRepository(ShipmentEntity).findOne({ where: { id: shipmentId }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Inserts a new shipment with its first history row and its address (if the order gave one; a
   * shipment born failed has ended already); returns false if the order already has one.
   */
  async insert(
    tx: EntityManager,
    shipment: Omit<ShipmentEntity, 'createdAt' | 'updatedAt' | 'pickedUpAt' | 'deliveryDueAt'>,
    at: Date,
    causedBy: string,
    address?: ShippingAddress,
  ): Promise<boolean> {
    const rows = await tx.query(
      `WITH s AS (
         INSERT INTO shipments (id, order_id, store_id, buyer_id, township, category, status, slot_starts_at, ready_at, deadline_at, shelf_life_hours, courier_ref, failure_reason, lines)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $18::jsonb) ON CONFLICT (order_id) DO NOTHING RETURNING id),
       h AS (INSERT INTO shipment_history (shipment_id, from_status, to_status, reason, caused_by, at) SELECT id, NULL, $7, $13, $14, $15 FROM s),
       a AS (INSERT INTO shipment_addresses (shipment_id, address, ended_at) SELECT id, $16::jsonb, CASE WHEN $17 THEN $15::timestamptz END FROM s WHERE $16::jsonb IS NOT NULL)
       SELECT id FROM s`,
      [
        shipment.id,
        shipment.orderId,
        shipment.storeId,
        shipment.buyerId,
        shipment.township,
        shipment.category,
        shipment.status,
        shipment.slotStartsAt,
        shipment.readyAt,
        shipment.deadlineAt,
        shipment.shelfLifeHours,
        shipment.courierRef,
        shipment.failureReason,
        causedBy,
        at,
        address ? JSON.stringify(address) : null,
        FINAL_SHIPMENT_STATUSES.includes(shipment.status),
        shipment.lines ? JSON.stringify(shipment.lines) : null,
      ],
    );
    return rows.length > 0;
  }

  /** A store's parcels booked on slots in [from, until), by slot then when they were made. */
  async storeParcelsBetween(tx: EntityManager, storeId: string, from: Date, until: Date): Promise<ShipmentEntity[]> {
    return tx
      .getRepository(ShipmentEntity)
      .createQueryBuilder('s')
      .where('s.store_id = :storeId AND s.slot_starts_at >= :from AND s.slot_starts_at < :until', {
        storeId,
        from,
        until,
      })
      .orderBy('s.slot_starts_at')
      .addOrderBy('s.created_at')
      .getMany();
  }

  /** The township of the store's latest parcel (a store ships from one township), or null if it never shipped. */
  async townshipOfStore(tx: EntityManager, storeId: string): Promise<string | null> {
    const rows: { township: string }[] = await tx.query(
      `SELECT township FROM shipments WHERE store_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [storeId],
    );
    return rows[0]?.township ?? null;
  }

  /** The addresses of these shipments as stored (erased ones as their marker); a shipment without one is absent. */
  async addresses(tx: EntityManager, shipmentIds: string[]): Promise<Map<string, StoredAddress>> {
    const rows: { shipment_id: string; address: StoredAddress }[] = await tx.query(
      `SELECT shipment_id, address FROM shipment_addresses WHERE shipment_id = ANY($1::uuid[])`,
      [shipmentIds],
    );
    return new Map(rows.map((r) => [r.shipment_id, r.address]));
  }

  /**
   * Replaces by an erasure marker the addresses of shipments that ended at or before `endedBy` (up
   * to `limit`, oldest first); returns how many.
   */
  eraseAddresses(tx: EntityManager, endedBy: Date, now: Date, limit: number): Promise<number> {
    return eraseAddressRows(tx, 'shipment_addresses', 'shipment_id', endedBy, now, limit);
  }

  /** The one way a shipment's status changes: checked against the transition table, with a history row. */
  async transition(
    tx: EntityManager,
    shipment: ShipmentEntity,
    action: ShipmentAction,
    at: Date,
    why: {
      reason?: string | null;
      causedBy: string;
      courierRef?: string;
      slotStartsAt?: Date;
      pickedUp?: { at: Date; deliveryDueAt: Date };
      failureReason?: string;
    },
  ): Promise<ShipmentEntity> {
    const to: ShipmentStatus = nextShipmentStatus(shipment.status, action);
    const changes: Partial<ShipmentEntity> = {
      status: to,
      ...(why.courierRef ? { courierRef: why.courierRef } : {}),
      ...(action === 'fail' || action === 'fail-in-transit'
        ? { failureReason: why.failureReason ?? why.reason ?? null }
        : {}),
      ...(action === 'reschedule' ? { slotStartsAt: why.slotStartsAt } : {}),
      ...(why.pickedUp ? { pickedUpAt: why.pickedUp.at, deliveryDueAt: why.pickedUp.deliveryDueAt } : {}),
    };
    await tx.getRepository(ShipmentEntity).update({ id: shipment.id }, changes);
    await tx.getRepository(ShipmentHistoryEntity).insert({
      shipmentId: shipment.id,
      fromStatus: shipment.status,
      toStatus: to,
      reason: why.reason ?? null,
      causedBy: why.causedBy,
      at,
    });
    // the parcel's journey is over: the address's retention starts counting
    if (FINAL_SHIPMENT_STATUSES.includes(to))
      await tx.query(`UPDATE shipment_addresses SET ended_at = $2 WHERE shipment_id = $1 AND ended_at IS NULL`, [
        shipment.id,
        at,
      ]);
    return { ...shipment, ...changes };
  }

  /**
   * Serialises everything that changes a township's slots (planning, moving, dispatching) for the
   * rest of the transaction, so a plan is made from a board nobody changes underneath it.
   */
  async lockTownship(tx: EntityManager, township: string): Promise<void> {
    await tx.query(`SELECT ${LOCK_TOWNSHIP}`, [township]);
  }

  /**
   * `lockTownship`, and in the same round trip whether the order has a shipment already
   * (shipment-requested again: a retry upstream, or a re-drive). A shipment made by a racing instance
   * while this waited for the lock is caught by `insert`, which then returns false.
   */
  async lockTownshipForOrder(tx: EntityManager, township: string, orderId: string): Promise<{ shipped: boolean }> {
    const [row]: { shipped: boolean }[] = await tx.query(
      `SELECT ${LOCK_TOWNSHIP} IS NULL AS locked, EXISTS (SELECT 1 FROM shipments WHERE order_id = $2) AS shipped`,
      [township, orderId],
    );
    return { shipped: row.shipped };
  }

  /**
   * Books one parcel into a slot if it is open and has room (the slot row is created on first
   * use, with its timetable capacity and courier). The conditional upsert never overfills a slot.
   */
  async bookSlot(
    tx: EntityManager,
    township: string,
    slot: { startsAt: Date; capacity: number; courier: CourierType },
  ): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO pickup_slots (township, starts_at, capacity, courier, booked) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (township, starts_at) DO UPDATE SET booked = pickup_slots.booked + 1
       WHERE pickup_slots.booked < pickup_slots.capacity AND pickup_slots.closed_at IS NULL
       RETURNING booked`,
      [township, slot.startsAt, slot.capacity, slot.courier],
    );
    return rows.length === 1;
  }

  /** Gives a parcel's place in an open slot back (it moved to another slot). */
  async releaseSlot(tx: EntityManager, township: string, startsAt: Date): Promise<boolean> {
    // for an UPDATE, TypeORM's postgres driver answers [rows, affected]
    const [, affected]: [unknown[], number] = await tx.query(
      `UPDATE pickup_slots SET booked = booked - 1 WHERE township = $1 AND starts_at = $2 AND booked > 0 AND closed_at IS NULL`,
      [township, startsAt],
    );
    return affected === 1;
  }

  /**
   * Closes the slot when its run leaves. Taking the slot row's lock waits for bookings still in
   * flight, so the manifest read after this sees every parcel that made it in, and none joins later.
   */
  async closeSlot(tx: EntityManager, township: string, startsAt: Date, at: Date): Promise<void> {
    await tx.query(
      `UPDATE pickup_slots SET closed_at = coalesce(closed_at, $3) WHERE township = $1 AND starts_at = $2`,
      [township, startsAt, at],
    );
  }

  /** The township's slots starting in [from, until), by start time (epoch ms). */
  async slotLoads(tx: EntityManager, township: string, from: Date, until: Date): Promise<Map<number, SlotLoad>> {
    const rows: { starts_at: Date; capacity: number; booked: number; closed_at: Date | null; courier: CourierType }[] =
      await tx.query(
        `SELECT starts_at, capacity, booked, closed_at, courier FROM pickup_slots WHERE township = $1 AND starts_at >= $2 AND starts_at < $3`,
        [township, from, until],
      );
    return new Map(
      rows.map((r) => [
        r.starts_at.getTime(),
        { capacity: r.capacity, booked: r.booked, closed: r.closed_at !== null, courier: r.courier },
      ]),
    );
  }

  /** The township's parcels waiting for a van that has not left yet: the ones planning may move. */
  async waitingInTownship(tx: EntityManager, township: string, from: Date): Promise<ShipmentEntity[]> {
    return tx
      .getRepository(ShipmentEntity)
      .createQueryBuilder('s')
      .where(`s.township = :township AND s.status = 'scheduled' AND s.slot_starts_at >= :from`, { township, from })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM pickup_slots p WHERE p.township = s.township AND p.starts_at = s.slot_starts_at AND p.closed_at IS NOT NULL)`,
      )
      .getMany();
  }

  /** Scheduled parcels whose deadline has passed (their watch job should have failed them). */
  async overdue(tx: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id FROM shipments WHERE status = 'scheduled' AND deadline_at < $1 ORDER BY deadline_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The shipments of one order (one, unless it was split). */
  ofOrder(tx: EntityManager, orderId: string): Promise<ShipmentEntity[]> {
    return tx.getRepository(ShipmentEntity).findBy({ orderId });
  }

  /** Scheduled parcels whose pickup deadline falls before `horizon`, by township, earliest deadline first. */
  async atRiskByTownship(
    tx: EntityManager,
    horizon: Date,
  ): Promise<{ township: string; atRisk: number; earliestDeadlineAt: Date }[]> {
    const rows: { township: string; at_risk: number; earliest: Date }[] = await tx.query(
      `SELECT township, count(*)::int AS at_risk, min(deadline_at) AS earliest FROM shipments
       WHERE status = 'scheduled' AND deadline_at <= $1 GROUP BY township ORDER BY min(deadline_at)`,
      [horizon],
    );
    return rows.map((r) => ({ township: r.township, atRisk: r.at_risk, earliestDeadlineAt: r.earliest }));
  }

  /** Parcels that failed as spoiled between `from` and `to`. */
  async spoiledBetween(tx: EntityManager, from: Date, to: Date): Promise<number> {
    const [{ spoiled }]: { spoiled: number }[] = await tx.query(
      `SELECT count(*)::int AS spoiled FROM shipment_history h JOIN shipments s ON s.id = h.shipment_id
       WHERE h.to_status = 'failed' AND s.failure_reason = 'spoiled' AND h.at >= $1 AND h.at < $2`,
      [from, to],
    );
    return spoiled;
  }

  /** Parcels still with the courier after their delivery window, longest overdue first, and how many in all. */
  async overdueInTransit(
    tx: EntityManager,
    now: Date,
    limit: number,
  ): Promise<{ total: number; parcels: ShipmentEntity[] }> {
    const [parcels, total] = await tx
      .getRepository(ShipmentEntity)
      .createQueryBuilder('s')
      .where(`s.status = 'picked_up' AND s.delivery_due_at < :now`, { now })
      .orderBy('s.delivery_due_at')
      .take(limit)
      .getManyAndCount();
    return { total, parcels };
  }

  /** Slots whose time has come with parcels booked and no pickup run recorded (their dispatch job should have run). */
  async strandedRuns(tx: EntityManager, now: Date, limit: number): Promise<{ township: string; startsAt: Date }[]> {
    const rows: { township: string; starts_at: Date }[] = await tx.query(
      `SELECT township, starts_at FROM pickup_slots s WHERE closed_at IS NULL AND starts_at <= $1 AND booked > 0
       AND NOT EXISTS (SELECT 1 FROM pickup_runs r WHERE r.township = s.township AND r.slot_starts_at = s.starts_at)
       ORDER BY starts_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ township: r.township, startsAt: r.starts_at }));
  }

  async scheduledInSlot(tx: EntityManager, township: string, startsAt: Date): Promise<ShipmentEntity[]> {
    return tx
      .getRepository(ShipmentEntity)
      .find({ where: { township, slotStartsAt: startsAt, status: 'scheduled' }, order: { createdAt: 'ASC' } });
  }

  /** Records the run; returns false if this slot's run was dispatched before. */
  async recordRun(tx: EntityManager, township: string, startsAt: Date, at: Date, manifest: unknown): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO pickup_runs (township, slot_starts_at, dispatched_at, manifest) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING township`,
      [township, startsAt, at, JSON.stringify(manifest)],
    );
    return rows.length === 1;
  }

  /** Whether the slot's pickup run has left (its manifest went to the courier). */
  async runDispatched(tx: EntityManager, township: string, startsAt: Date): Promise<boolean> {
    return (
      (await tx.query(`SELECT 1 FROM pickup_runs WHERE township = $1 AND slot_starts_at = $2`, [township, startsAt]))
        .length === 1
    );
  }

  /** Records a courier webhook event id; returns false for a replay. */
  async recordWebhookEvent(tx: EntityManager, eventId: string, shipmentId: string, type: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO courier_webhook_events (event_id, shipment_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventId, shipmentId, type],
    );
    return rows.length === 1;
  }

  async history(tx: EntityManager, shipmentIds: string[]): Promise<ShipmentHistoryEntity[]> {
    return tx
      .getRepository(ShipmentHistoryEntity)
      .createQueryBuilder('h')
      .where('h.shipment_id = ANY(:ids)', { ids: shipmentIds })
      .orderBy('h.id')
      .getMany();
  }
}
