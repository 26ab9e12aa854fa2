// What catalog does when an order moves: reserve on placement, sell on payment, release on cancellation.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { OnEvent } from '@cc/service';
import { StockService } from '../domain/stock.service';

@Injectable()
export class OrderEventsHandler {
  constructor(private readonly stock: StockService) {}

  @OnEvent('orders.order-placed', { batch: true })
  async onOrderPlaced(events: DecodedEvent<'orders.order-placed'>[], tx: EntityManager) {
    await this.stock.reserveStock(
      tx,
      events.map((event) => ({ ...event.data, event })),
    );
  }

  @OnEvent('orders.order-paid', { batch: true })
  async onOrderPaid(events: DecodedEvent<'orders.order-paid'>[], tx: EntityManager) {
    await this.stock.convertToSales(
      tx,
      events.map((e) => e.data.orderId),
    );
  }

  @OnEvent('orders.order-cancelled')
  async onOrderCancelled(event: DecodedEvent<'orders.order-cancelled'>, tx: EntityManager) {
    await this.stock.releaseStock(tx, event.data.orderId, 'order-cancelled');
  }
}
