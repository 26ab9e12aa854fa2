import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { ShipmentSchedulingService } from '../domain/shipment-scheduling.service';

@Injectable()
export class OrderEventsHandler {
  constructor(private readonly scheduling: ShipmentSchedulingService) {}

  @OnEvent('orders.shipment-requested')
  onShipmentRequested(event: DecodedEvent<'orders.shipment-requested'>, tx: EntityManager) {
    return this.scheduling.scheduleShipment(tx, event);
  }
}
