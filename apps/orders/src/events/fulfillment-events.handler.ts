import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { OrderLifecycleService } from '../domain/order-lifecycle.service';

@Injectable()
export class FulfillmentEventsHandler {
  constructor(private readonly lifecycle: OrderLifecycleService) {}

  @OnEvent('fulfillment.shipment-scheduled', { batch: true })
  onScheduled(events: DecodedEvent<'fulfillment.shipment-scheduled'>[], tx: EntityManager) {
    return this.lifecycle.onShipmentScheduled(tx, events);
  }

  @OnEvent('fulfillment.shipment-picked-up')
  onPickedUp(event: DecodedEvent<'fulfillment.shipment-picked-up'>, tx: EntityManager) {
    return this.lifecycle.onShipmentPickedUp(tx, event);
  }

  @OnEvent('fulfillment.shipment-delivered')
  onDelivered(event: DecodedEvent<'fulfillment.shipment-delivered'>, tx: EntityManager) {
    return this.lifecycle.onShipmentDelivered(tx, event);
  }

  @OnEvent('fulfillment.shipment-failed')
  onFailed(event: DecodedEvent<'fulfillment.shipment-failed'>, tx: EntityManager) {
    return this.lifecycle.onShipmentFailed(tx, event);
  }
}
