// The order's moves after checkout: driven by catalog and fulfillment events, or by the buyer
// and seller over HTTP. Every move goes through the transition table.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { DecodedEvent, EventType } from '@cc/contracts';
import { Outbox } from '@cc/messaging';
import { Clock, conflict, forbidden, notFound, Principal, runInFlow } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { OrderEntity } from '../persistence/entities';
import { OrderRepository } from '../persistence/order.repository';
import { orderCancelled } from './order-events';
import { IllegalTransitionError, OrderAction } from './order-states';
import { PaymentService } from './payment.service';
import { RefundService } from './refund.service';

@Injectable()
export class OrderLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentService,
    private readonly refunds: RefundService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Applies an event-driven move. An event that the order's status does not allow (a late
   * shipment event for a cancelled order, say) is recorded in the log and changes nothing.
   */
  private async follow(tx: EntityManager, orderId: string, action: OrderAction, event: DecodedEvent, reason: string | null = null, also: { stockReservedUntil?: Date } = {}): Promise<OrderEntity | null> {
    const moved = await this.orders.tryTransition(tx, orderId, action, this.clock.now(), { reason, causedBy: `event:${event.type}:${event.id}` }, also);
    if (moved.order) return moved.order;
    if (moved.status === 'unknown') this.logger.warn({ orderId, action, eventId: event.id }, 'event for an unknown order ignored');
    else this.logger.warn({ orderId, action, status: moved.status, eventId: event.id }, 'event not allowed in the order status; ignored');
    return null;
  }

  /**
   * Event-driven moves of many orders in one statement (events of one type, in the order they
   * came); `then` runs, in each event's flow, for each order that moved.
   */
  private async followAll<T extends EventType>(
    tx: EntityManager,
    events: DecodedEvent<T>[],
    action: OrderAction,
    orderIdOf: (event: DecodedEvent<T>) => string,
    stockReservedUntilOf: (event: DecodedEvent<T>) => Date | undefined = () => undefined,
    then?: (event: DecodedEvent<T>, order: OrderEntity) => Promise<void>,
  ): Promise<void> {
    const { moved, refused } = await this.orders.tryTransitionMany(
      tx,
      action,
      this.clock.now(),
      events.map((e) => ({ orderId: orderIdOf(e), causedBy: `event:${e.type}:${e.id}`, stockReservedUntil: stockReservedUntilOf(e) })),
    );
    for (const event of events) {
      const orderId = orderIdOf(event);
      const order = moved.get(orderId);
      if (!order) {
        const status = refused.get(orderId) ?? 'unknown';
        if (status === 'unknown') this.logger.warn({ orderId, action, eventId: event.id }, 'event for an unknown order ignored');
        else this.logger.warn({ orderId, action, status, eventId: event.id }, 'event not allowed in the order status; ignored');
        continue;
      }
      // a second event for the same order in this run is refused, as it would be one by one
      moved.delete(orderId);
      refused.set(orderId, order.status);
      if (then) await runInFlow({ correlationId: event.correlationId, causationId: event.id }, () => then(event, order));
    }
  }

  async onStockReserved(tx: EntityManager, events: DecodedEvent<'catalog.stock-reserved'>[]): Promise<void> {
    await this.followAll(
      tx,
      events,
      'stock-reserved',
      (e) => e.data.orderId,
      (e) => new Date(e.data.expiresAt),
      (e) => this.payments.requestPayment(tx, e.data.orderId),
    );
  }

  async onStockRejected(tx: EntityManager, event: DecodedEvent<'catalog.stock-rejected'>): Promise<void> {
    const order = await this.follow(tx, event.data.orderId, 'stock-rejected', event, event.data.reason);
    if (order) await this.outbox.add(tx, [{ type: 'orders.order-cancelled', key: order.id, data: orderCancelled(order, 'stock-rejected', false, this.clock.now()) }]);
  }

  async onStockReleased(tx: EntityManager, event: DecodedEvent<'catalog.stock-released'>): Promise<void> {
    if (event.data.reason !== 'reservation-expired') return; // a release we asked for by cancelling
    const order = await this.follow(tx, event.data.orderId, 'reservation-expired', event, 'the stock reservation expired before payment');
    if (order) await this.outbox.add(tx, [{ type: 'orders.order-cancelled', key: order.id, data: orderCancelled(order, 'reservation-expired', false, this.clock.now()) }]);
  }

  async onShipmentScheduled(tx: EntityManager, events: DecodedEvent<'fulfillment.shipment-scheduled'>[]): Promise<void> {
    await this.followAll(tx, events, 'shipment-scheduled', (e) => e.data.orderId);
  }

  async onShipmentPickedUp(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-picked-up'>): Promise<void> {
    await this.follow(tx, event.data.orderId, 'shipment-picked-up', event);
  }

  async onShipmentDelivered(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-delivered'>): Promise<void> {
    const order = await this.follow(tx, event.data.orderId, 'shipment-delivered', event);
    if (order) {
      await this.outbox.add(tx, [{ type: 'orders.order-delivered', key: order.id, data: { orderId: order.id, storeId: order.storeId, deliveredAt: event.data.deliveredAt } }]);
    }
  }

  async onShipmentFailed(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-failed'>): Promise<void> {
    const order = await this.follow(tx, event.data.orderId, 'shipment-failed', event, `shipment failed: ${event.data.reason}`);
    if (order) await this.refunds.refundCapture(tx, order, order.totalFen - order.refundedFen, `shipment ${event.data.reason}`);
  }

  /** Buyer (own order), seller (own store, with a reason) or ops cancels before shipment; paid money goes back. */
  async cancel(user: Principal, orderId: string, reason: string | undefined): Promise<OrderEntity> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || (user.role === 'buyer' && order.buyerId !== user.sub)) throw notFound(`order ${orderId}`);
      if (user.role === 'seller' && order.storeId !== user.storeId) throw forbidden('a seller may cancel only her own store’s orders');
      if (user.role !== 'buyer' && !reason) throw conflict('a seller or operator must give a reason to cancel');
      const now = this.clock.now();
      const wasPaid = order.status === 'paid' || order.status === 'scheduled';
      const stockReserved = order.status === 'awaiting_payment';
      const { order: cancelled } = await this.transitionOr409(tx, order, 'cancel', { reason: reason ?? 'cancelled by the buyer', causedBy: `${user.role}:${user.sub}` });
      await this.outbox.add(tx, [{ type: 'orders.order-cancelled', key: order.id, data: orderCancelled(order, `${user.role}-cancelled`, stockReserved, now) }]);
      if (wasPaid) await this.refunds.refundCapture(tx, order, order.totalFen - order.refundedFen, 'order cancelled after payment');
      return cancelled;
    });
  }

  /** The buyer says the parcel arrived: the order completes and the seller's money becomes available. */
  async confirmReceipt(user: Principal, orderId: string): Promise<OrderEntity> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || (user.role === 'buyer' && order.buyerId !== user.sub)) throw notFound(`order ${orderId}`);
      const now = this.clock.now();
      const { order: completed } = await this.transitionOr409(tx, order, 'receipt-confirmed', { reason: 'receipt confirmed', causedBy: `${user.role}:${user.sub}` });
      await this.outbox.add(tx, [{ type: 'orders.order-completed', key: order.id, data: { orderId: order.id, storeId: order.storeId, totalFen: order.totalFen, completedAt: now.toISOString() } }]);
      return completed;
    });
  }

  private async transitionOr409(tx: EntityManager, order: OrderEntity, action: OrderAction, why: { reason: string; causedBy: string }) {
    try {
      return await this.orders.transition(tx, order, action, this.clock.now(), why);
    } catch (e) {
      if (e instanceof IllegalTransitionError) throw conflict(e.message, { orderStatus: order.status });
      throw e;
    }
  }
}
