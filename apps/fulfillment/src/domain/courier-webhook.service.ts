// What the courier tells us: a parcel was picked up, or delivered. Signed, replay-safe, and
// sensible about order: "delivered" before "picked up" means both happened.
import { timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Outbox } from '@cc/messaging';
import { Clock, notFound, ProblemException } from '@cc/platform';
import { FulfillmentConfig } from '../config';
import { CourierWebhook, signWebhook } from '../persistence/courier.client';
import { ShipmentEntity } from '../persistence/entities';
import { ShipmentRepository } from '../persistence/shipment.repository';
import { canShipmentTake } from './shipment-states';

@Injectable()
export class CourierWebhookService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shipments: ShipmentRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly config: FulfillmentConfig,
  ) {}

  verifySignature(rawBody: Buffer | undefined, signature: string | undefined): void {
    const expected = Buffer.from(signWebhook(rawBody ?? Buffer.alloc(0), this.config.courierSecret));
    const given = Buffer.from(signature ?? '');
    if (!rawBody || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'the courier signature is missing or wrong');
    }
  }

  async receive(webhook: CourierWebhook): Promise<{ duplicate: boolean; status: string }> {
    return this.dataSource.transaction(async (tx) => {
      const shipment = await this.shipments.lock(tx, webhook.shipmentId);
      if (!shipment) throw notFound(`shipment ${webhook.shipmentId}`);
      if (!(await this.shipments.recordWebhookEvent(tx, webhook.eventId, webhook.shipmentId, webhook.type))) return { duplicate: true, status: shipment.status };
      const at = new Date(webhook.at);
      let current = shipment;
      if (canShipmentTake(current.status, 'picked-up')) current = await this.pickedUp(tx, current, webhook, at);
      if (webhook.type === 'delivered' && canShipmentTake(current.status, 'delivered')) current = await this.delivered(tx, current, webhook, at);
      return { duplicate: false, status: current.status };
    });
  }

  private async pickedUp(tx: EntityManager, shipment: ShipmentEntity, webhook: CourierWebhook, at: Date): Promise<ShipmentEntity> {
    const next = await this.shipments.transition(tx, shipment, 'picked-up', this.clock.now(), { causedBy: `courier:${webhook.eventId}`, courierRef: webhook.courierRef });
    await this.outbox.add(tx, [
      { type: 'fulfillment.shipment-picked-up', key: shipment.orderId, data: { shipmentId: shipment.id, orderId: shipment.orderId, storeId: shipment.storeId, courierRef: webhook.courierRef, pickedUpAt: at.toISOString() } },
    ]);
    return next;
  }

  private async delivered(tx: EntityManager, shipment: ShipmentEntity, webhook: CourierWebhook, at: Date): Promise<ShipmentEntity> {
    const next = await this.shipments.transition(tx, shipment, 'delivered', this.clock.now(), { causedBy: `courier:${webhook.eventId}` });
    await this.outbox.add(tx, [
      { type: 'fulfillment.shipment-delivered', key: shipment.orderId, data: { shipmentId: shipment.id, orderId: shipment.orderId, storeId: shipment.storeId, deliveredAt: at.toISOString() } },
    ]);
    return next;
  }
}
