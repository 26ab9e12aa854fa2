// What the courier tells us: a parcel was picked up, delivered, lost or damaged. The signature is
// checked before we get here (CourierSignatureGuard); each courier event id counts once, and
// "delivered", "lost" or "damaged" before "picked up" means the pickup happened too. A parcel
// delivered or failed already stays as it is, whatever the courier says after.
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock, notFound } from '@cc/platform';
import type { CourierWebhook } from '../persistence/courier.client';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { FulfillmentConfig } from '../config';
import { deliveryDueAt } from './delivery-window';
import { ShipmentFailures } from './shipment-failures.service';
import { canShipmentTake } from './shipment-states';

@Injectable()
export class CourierWebhookService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly failures: ShipmentFailures,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
  ) {}

  /** Applies one courier event in one transaction with its events; a replayed event id changes nothing. */
  async receive(webhook: CourierWebhook): Promise<{ duplicate: boolean; status: string }> {
    return this.dataSource.transaction(async (tx) => {
      const shipment = await this.shipments.lock(tx, webhook.shipmentId);
      if (!shipment) throw notFound(`shipment ${webhook.shipmentId}`);
      if (!(await this.shipments.recordWebhookEvent(tx, webhook.eventId, webhook.shipmentId, webhook.type)))
        return { duplicate: true, status: shipment.status };
      const at = new Date(webhook.at);
      let current = shipment;
      if (canShipmentTake(current.status, 'picked-up')) current = await this.pickedUp(tx, current, webhook, at);
      if (webhook.type === 'delivered' && canShipmentTake(current.status, 'delivered'))
        current = await this.delivered(tx, current, webhook, at);
      if (webhook.type === 'lost' || webhook.type === 'damaged') {
        const reason = webhook.type === 'lost' ? 'lost-in-transit' : 'damaged';
        if (await this.failures.failInTransit(tx, current, reason, `courier:${webhook.eventId}`))
          current = { ...current, status: 'failed', failureReason: reason };
      }
      return { duplicate: false, status: current.status };
    });
  }

  private async pickedUp(
    tx: EntityManager,
    shipment: ShipmentEntity,
    webhook: CourierWebhook,
    at: Date,
  ): Promise<ShipmentEntity> {
    // the delivery window runs from when the courier took it
    const pickedUp = { at, deliveryDueAt: deliveryDueAt(shipment.category, at, this.config.deliveryWindowHours) };
    const next = await this.shipments.transition(tx, shipment, 'picked-up', this.clock.now(), {
      causedBy: `courier:${webhook.eventId}`,
      courierRef: webhook.courierRef,
      pickedUp,
    });
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-picked-up',
        key: shipment.orderId,
        data: {
          shipmentId: shipment.id,
          orderId: shipment.orderId,
          storeId: shipment.storeId,
          courierRef: webhook.courierRef,
          pickedUpAt: at.toISOString(),
        },
      },
    ]);
    return next;
  }

  private async delivered(
    tx: EntityManager,
    shipment: ShipmentEntity,
    webhook: CourierWebhook,
    at: Date,
  ): Promise<ShipmentEntity> {
    const next = await this.shipments.transition(tx, shipment, 'delivered', this.clock.now(), {
      causedBy: `courier:${webhook.eventId}`,
    });
    await this.outbox.add(tx, [
      {
        type: 'fulfillment.shipment-delivered',
        key: shipment.orderId,
        data: {
          shipmentId: shipment.id,
          orderId: shipment.orderId,
          storeId: shipment.storeId,
          deliveredAt: at.toISOString(),
        },
      },
    ]);
    return next;
  }
}
