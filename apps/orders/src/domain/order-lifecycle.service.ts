// The order's moves after checkout: driven by catalog and fulfillment events, or by the buyer
// and seller over HTTP. Every move goes through OrderTransitions, with what it writes as data.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { DecodedEvent, EventType, failedInTransit } from '@cc/contracts';
import { flowOf } from '@cc/messaging';
import { Clock, forbidden, conflict, notFound, Principal } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { OrderEntity } from '../persistence/entities';
import { AfterSalesRepository } from '../persistence/after-sales.repository';
import { OrderRepository } from '../persistence/order.repository';
import { orderCancelled } from './order-events';
import { OrderAction } from './order-states';
import { AutoConfirmationService } from './auto-confirmation.service';
import { allEffects, OrderMove, OrderTransitions } from './order-transitions';
import { PaymentService } from './payment.service';
import { RefundService } from './refund.service';

/** What an event's move writes, besides who caused it (the event, always). */
type EventMove = Omit<OrderMove, 'orderId' | 'causedBy' | 'flow'>;

@Injectable()
export class OrderLifecycleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly afterSales: AfterSalesRepository,
    private readonly transitions: OrderTransitions,
    private readonly payments: PaymentService,
    private readonly refunds: RefundService,
    private readonly autoConfirmation: AutoConfirmationService,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Event-driven moves of the orders the events name, in one statement (events of one type, in the
   * order they came), each with its effects in its event's flow. An event that the order's status
   * does not allow (a late shipment event for a cancelled order, say) is logged and changes nothing.
   * Returns, per event, the moved order or null.
   */
  private async follow<T extends EventType>(
    tx: EntityManager,
    events: DecodedEvent<T>[],
    action: OrderAction,
    orderIdOf: (event: DecodedEvent<T>) => string,
    moveOf: (event: DecodedEvent<T>) => EventMove = () => ({}),
    at = this.clock.now(),
  ): Promise<(OrderEntity | null)[]> {
    const outcomes = await this.transitions.moveMany(
      tx,
      action,
      events.map((e) => ({
        orderId: orderIdOf(e),
        causedBy: `event:${e.type}:${e.id}`,
        flow: flowOf(e),
        ...moveOf(e),
      })),
      at,
    );
    return outcomes.map((outcome, i) => {
      if (outcome.moved) return outcome.order;
      const [orderId, eventId] = [orderIdOf(events[i]), events[i].id];
      if (outcome.status === 'unknown')
        this.logger.warn({ orderId, action, eventId }, 'event for an unknown order ignored');
      else
        this.logger.warn(
          { orderId, action, status: outcome.status, eventId },
          'event not allowed in the order status; ignored',
        );
      return null;
    });
  }

  async onStockReserved(tx: EntityManager, events: DecodedEvent<'catalog.stock-reserved'>[]): Promise<void> {
    await this.follow(
      tx,
      events,
      'stock-reserved',
      (e) => e.data.orderId,
      (e) => ({
        set: { stockReservedUntil: new Date(e.data.expiresAt) },
        effects: { jobs: this.payments.paymentJobs(e.data.orderId) },
      }),
    );
  }

  async onStockRejected(tx: EntityManager, event: DecodedEvent<'catalog.stock-rejected'>): Promise<void> {
    const { orderId, storeId, reason } = event.data;
    await this.follow(
      tx,
      [event],
      'stock-rejected',
      () => orderId,
      () => ({
        reason,
        effects: {
          events: [
            {
              type: 'orders.order-cancelled',
              key: orderId,
              data: orderCancelled({ id: orderId, storeId }, 'stock-rejected', false, this.clock.now()),
            },
          ],
        },
      }),
    );
  }

  async onStockReleased(tx: EntityManager, event: DecodedEvent<'catalog.stock-released'>): Promise<void> {
    if (event.data.reason !== 'reservation-expired') return; // a release we asked for by cancelling
    const { orderId, storeId } = event.data;
    await this.follow(
      tx,
      [event],
      'reservation-expired',
      () => orderId,
      () => ({
        reason: 'the stock reservation expired before payment',
        effects: {
          events: [
            {
              type: 'orders.order-cancelled',
              key: orderId,
              data: orderCancelled({ id: orderId, storeId }, 'reservation-expired', false, this.clock.now()),
            },
          ],
        },
      }),
    );
  }

  async onShipmentScheduled(
    tx: EntityManager,
    events: DecodedEvent<'fulfillment.shipment-scheduled'>[],
  ): Promise<void> {
    await this.follow(tx, events, 'shipment-scheduled', (e) => e.data.orderId);
  }

  async onShipmentPickedUp(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-picked-up'>): Promise<void> {
    await this.follow(tx, [event], 'shipment-picked-up', () => event.data.orderId);
  }

  /** Delivered: announced, and the order will confirm itself after its lines' window unless the buyer does first. */
  async onShipmentDelivered(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-delivered'>): Promise<void> {
    const { orderId, storeId, deliveredAt } = event.data;
    // the window counts from when the order became delivered here, as its history says
    const now = this.clock.now();
    const autoConfirm = this.autoConfirmation.onDelivery(orderId, await this.orders.lines(tx, [orderId]), now);
    await this.follow(
      tx,
      [event],
      'shipment-delivered',
      () => orderId,
      () => ({
        set: autoConfirm.set,
        effects: allEffects(
          { events: [{ type: 'orders.order-delivered', key: orderId, data: { orderId, storeId, deliveredAt } }] },
          autoConfirm.effects,
        ),
      }),
      now,
    );
  }

  /**
   * The parcel will never reach the buyer: refunded in full. Before pickup (spoiled, undeliverable,
   * courier-failed) from paid or scheduled; lost or damaged in the courier's hands from shipped.
   */
  async onShipmentFailed(tx: EntityManager, event: DecodedEvent<'fulfillment.shipment-failed'>): Promise<void> {
    // the refund's amount comes from the order; read without a lock, as nothing changes the money of
    // an order in a status this move leaves from (refunds before completion come only with a move)
    const order = await this.orders.find(tx, event.data.orderId);
    const reason = `shipment ${event.data.reason}`;
    const refund = order ? this.refunds.refundWithMove(order, order.totalFen - order.refundedFen, reason) : undefined;
    const action = failedInTransit(event.data.reason) ? 'shipment-lost' : 'shipment-failed';
    await this.follow(
      tx,
      [event],
      action,
      () => event.data.orderId,
      () => ({ reason: `shipment failed: ${event.data.reason}`, set: refund?.set, effects: refund?.effects }),
    );
  }

  /** Buyer (own order), seller (own store, with a reason) or ops cancels before shipment; paid money goes back. */
  async cancel(user: Principal, orderId: string, reason: string | undefined): Promise<OrderEntity> {
    return this.dataSource.transaction(async (tx) => {
      // locked: what goes with the cancellation (a refund, the stock to release) follows the status read here
      const order = await this.orders.lock(tx, orderId);
      if (!order || (user.role === 'buyer' && order.buyerId !== user.sub)) throw notFound(`order ${orderId}`);
      if (user.role === 'seller' && order.storeId !== user.storeId)
        throw forbidden('a seller may cancel only her own store’s orders');
      if (user.role !== 'buyer' && !reason) throw conflict('a seller or operator must give a reason to cancel');
      const wasPaid = order.status === 'paid' || order.status === 'scheduled';
      const stockReserved = order.status === 'awaiting_payment';
      const refund = wasPaid
        ? this.refunds.refundWithMove(order, order.totalFen - order.refundedFen, 'order cancelled after payment')
        : undefined;
      const cancelled = await this.transitions.moveOrRefuse(tx, 'cancel', {
        orderId,
        reason: reason ?? 'cancelled by the buyer',
        causedBy: `${user.role}:${user.sub}`,
        set: refund?.set,
        effects: allEffects(
          {
            events: [
              {
                type: 'orders.order-cancelled',
                key: order.id,
                data: orderCancelled(order, `${user.role}-cancelled`, stockReserved, this.clock.now()),
              },
            ],
          },
          refund?.effects,
        ),
      });
      return cancelled.order;
    });
  }

  /** The buyer says the parcel arrived: the order completes and the seller's money becomes available. */
  async confirmReceipt(user: Principal, orderId: string): Promise<OrderEntity> {
    return this.dataSource.transaction(async (tx) => {
      const order = await this.orders.lock(tx, orderId);
      if (!order || (user.role === 'buyer' && order.buyerId !== user.sub)) throw notFound(`order ${orderId}`);
      // confirming would release the seller's money while the buyer is still asking for some back
      const open = await this.afterSales.openOf(tx, orderId);
      if (open)
        throw conflict(
          `this order has an after-sales request in progress (${open.status}): it is confirmed once that is settled`,
          { requestId: open.id },
        );
      const completed = await this.transitions.moveOrRefuse(tx, 'receipt-confirmed', {
        orderId,
        reason: 'receipt confirmed',
        causedBy: `${user.role}:${user.sub}`,
        effects: {
          events: [
            {
              type: 'orders.order-completed',
              key: order.id,
              data: {
                orderId: order.id,
                storeId: order.storeId,
                totalFen: order.totalFen,
                completedAt: this.clock.now().toISOString(),
              },
            },
          ],
        },
      });
      return completed.order;
    });
  }
}
