// The one way a scheduled parcel fails after the fact (spoiled, courier-failed): the status change
// with its history row and the shipment-failed event on which orders refunds the buyer.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ShipmentFailureReason } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { Clock } from '@cc/platform';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { canShipmentTake } from './shipment-states';

@Injectable()
export class ShipmentFailures {
  constructor(
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Fails a locked shipment if it may still fail (a parcel picked up meanwhile stays as it is); true if it did. */
  async fail(tx: EntityManager, shipment: ShipmentEntity, reason: ShipmentFailureReason, causedBy: string): Promise<boolean> {
    if (!canShipmentTake(shipment.status, 'fail')) return false;
    const now = this.clock.now();
    await this.shipments.transition(tx, shipment, 'fail', now, { reason, causedBy });
    await this.outbox.add(tx, [{ type: 'fulfillment.shipment-failed', key: shipment.orderId, data: { shipmentId: shipment.id, orderId: shipment.orderId, storeId: shipment.storeId, reason, failedAt: now.toISOString() } }]);
    return true;
  }
}
