// Shipments, their history, pickup slots and runs.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { nextShipmentStatus, ShipmentAction, ShipmentStatus } from '../domain/shipment-states';
import type { SlotLoad } from '../domain/slot-planning';
import { ShipmentEntity, ShipmentHistoryEntity } from './entities';

@Injectable()
export class ShipmentRepository {
  async findByOrder(tx: EntityManager, orderId: string): Promise<ShipmentEntity | null> {
    return tx.getRepository(ShipmentEntity).findOneBy({ orderId });
  }

  async lock(tx: EntityManager, shipmentId: string): Promise<ShipmentEntity | null> {
    return tx.getRepository(ShipmentEntity).findOne({ where: { id: shipmentId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Inserts a new shipment; returns false if the order already has one. */
  async insert(tx: EntityManager, shipment: Omit<ShipmentEntity, 'createdAt' | 'updatedAt'>, at: Date, causedBy: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO shipments (id, order_id, store_id, buyer_id, township, category, status, slot_starts_at, deadline_at, courier_ref, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (order_id) DO NOTHING RETURNING id`,
      [shipment.id, shipment.orderId, shipment.storeId, shipment.buyerId, shipment.township, shipment.category, shipment.status, shipment.slotStartsAt, shipment.deadlineAt, shipment.courierRef, shipment.failureReason],
    );
    if (rows.length === 0) return false;
    await tx.getRepository(ShipmentHistoryEntity).insert({ shipmentId: shipment.id, fromStatus: null, toStatus: shipment.status, reason: shipment.failureReason, causedBy, at });
    return true;
  }

  /** The one way a shipment's status changes: checked against the transition table, with a history row. */
  async transition(tx: EntityManager, shipment: ShipmentEntity, action: ShipmentAction, at: Date, why: { reason?: string | null; causedBy: string; courierRef?: string }): Promise<ShipmentEntity> {
    const to: ShipmentStatus = nextShipmentStatus(shipment.status, action);
    const changes: Partial<ShipmentEntity> = { status: to, ...(why.courierRef ? { courierRef: why.courierRef } : {}), ...(action === 'fail' ? { failureReason: why.reason ?? null } : {}) };
    await tx.getRepository(ShipmentEntity).update({ id: shipment.id }, changes);
    await tx.getRepository(ShipmentHistoryEntity).insert({ shipmentId: shipment.id, fromStatus: shipment.status, toStatus: to, reason: why.reason ?? null, causedBy: why.causedBy, at });
    return { ...shipment, ...changes };
  }

  /**
   * Books one parcel into a slot if it is open and has room (the slot row is created on first
   * use). The conditional upsert is atomic: racing bookings never overfill a slot.
   */
  async bookSlot(tx: EntityManager, township: string, startsAt: Date, capacity: number): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO pickup_slots (township, starts_at, capacity, booked) VALUES ($1, $2, $3, 1)
       ON CONFLICT (township, starts_at) DO UPDATE SET booked = pickup_slots.booked + 1
       WHERE pickup_slots.booked < pickup_slots.capacity AND pickup_slots.closed_at IS NULL
       RETURNING booked`,
      [township, startsAt, capacity],
    );
    return rows.length === 1;
  }

  /**
   * Closes the slot when its run leaves. Taking the slot row's lock waits for bookings still in
   * flight, so the manifest read after this sees every parcel that made it in, and none joins later.
   */
  async closeSlot(tx: EntityManager, township: string, startsAt: Date, at: Date): Promise<void> {
    await tx.query(`UPDATE pickup_slots SET closed_at = coalesce(closed_at, $3) WHERE township = $1 AND starts_at = $2`, [township, startsAt, at]);
  }

  /** The loads of a township's slots starting in [from, until), by start time (epoch ms). */
  async slotLoads(tx: EntityManager, township: string, from: Date, until: Date): Promise<Map<number, SlotLoad>> {
    const rows: { starts_at: Date; capacity: number; booked: number; closed_at: Date | null }[] = await tx.query(
      `SELECT starts_at, capacity, booked, closed_at FROM pickup_slots WHERE township = $1 AND starts_at >= $2 AND starts_at < $3`,
      [township, from, until],
    );
    return new Map(rows.map((r) => [r.starts_at.getTime(), { capacity: r.capacity, booked: r.booked, closed: r.closed_at !== null }]));
  }

  async scheduledInSlot(tx: EntityManager, township: string, startsAt: Date): Promise<ShipmentEntity[]> {
    return tx.getRepository(ShipmentEntity).find({ where: { township, slotStartsAt: startsAt, status: 'scheduled' }, order: { createdAt: 'ASC' } });
  }

  /** Records the run; returns false if this slot's run was dispatched before. */
  async recordRun(tx: EntityManager, township: string, startsAt: Date, at: Date, manifest: unknown): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO pickup_runs (township, slot_starts_at, dispatched_at, manifest) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING township`,
      [township, startsAt, at, JSON.stringify(manifest)],
    );
    return rows.length === 1;
  }

  /** Records a courier webhook event id; returns false for a replay. */
  async recordWebhookEvent(tx: EntityManager, eventId: string, shipmentId: string, type: string): Promise<boolean> {
    const rows = await tx.query(`INSERT INTO courier_webhook_events (event_id, shipment_id, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`, [eventId, shipmentId, type]);
    return rows.length === 1;
  }

  async history(tx: EntityManager, shipmentIds: string[]): Promise<ShipmentHistoryEntity[]> {
    return tx.getRepository(ShipmentHistoryEntity).createQueryBuilder('h').where('h.shipment_id = ANY(:ids)', { ids: shipmentIds }).orderBy('h.id').getMany();
  }
}
