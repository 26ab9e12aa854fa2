// The ways a parcel fails after the fact: before pickup (spoiled, courier-failed) and in the
// courier's hands (lost-in-transit, damaged). Each is the status change with its history row and
// the shipment-failed event on which orders refunds the buyer.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { InTransitFailureReason, ShipmentFailureReason } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { canShipmentTake, ShipmentAction } from './shipment-states';

@Injectable()
export class ShipmentFailures {
  constructor(
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Fails a locked shipment if it may still fail (a parcel picked up meanwhile stays as it is); true if it did. */
  async fail(
    tx: EntityManager,
    shipment: ShipmentEntity,
    reason: Exclude<ShipmentFailureReason, InTransitFailureReason>,
    causedBy: string,
  ): Promise<boolean> {
    return this.failBy(tx, shipment, 'fail', reason, causedBy);
  }

  /**
   * Fails a locked shipment the courier has (lost or damaged) if it still has it: a parcel
   * delivered or failed already stays as it is, so a replayed report changes nothing; true if it failed.
   */
  async failInTransit(
    tx: EntityManager,
    shipment: ShipmentEntity,
    reason: InTransitFailureReason,
    causedBy: string,
    note?: string,
  ): Promise<boolean> {
    return this.failBy(tx, shipment, 'fail-in-transit', reason, causedBy, note);
  }

  private async failBy(
    tx: EntityManager,
    shipment: ShipmentEntity,
    action: ShipmentAction,
    reason: ShipmentFailureReason,
    causedBy: string,
    note?: string,
  ): Promise<boolean> {
    if (!canShipmentTake(shipment.status, action)) return false;
    const now = this.clock.now();
    // the history keeps the why of who declared it (ops' words); the shipment and the event carry the reason
    await this.shipments.transition(tx, shipment, action, now, {
      reason: note ? `${reason}: ${note}` : reason,
      failureReason: reason,
      causedBy,
    });
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-failed',
        key: shipment.orderId,
        data: {
          shipmentId: shipment.id,
          orderId: shipment.orderId,
          storeId: shipment.storeId,
          reason,
          failedAt: now.toISOString(),
        },
      },
    ]);
    return true;
  }
}
