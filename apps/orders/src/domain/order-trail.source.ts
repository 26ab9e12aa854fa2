// Orders' part of an order's trail for the operations console: its status history, payments,
// after-sales requests, and what it is waiting for now and since when.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, maskAddress } from '@cc/platform';
import { OrderTrailPart, OrderTrailSource, TrailEntry } from '@cc/service';
import { OrderEntity } from '../persistence/entities';
import { AfterSalesRepository, AfterSalesRequest } from '../persistence/after-sales.repository';
import { OrderRepository } from '../persistence/order.repository';

/** What a live order waits for, from its status (and its after-sales request); null once it ended. */
export function waitingFor(
  order: Pick<OrderEntity, 'status' | 'autoConfirmAt' | 'autoConfirmPausedAt'>,
  request: Pick<AfterSalesRequest, 'status' | 'respondBy'> | null,
): string | null {
  switch (order.status) {
    case 'pending_stock':
      return 'catalog to reserve the stock (orders.order-placed → catalog.stock-reserved)';
    case 'awaiting_payment':
      return 'the payment provider to capture the payment (the capture job, then the payment timeout)';
    case 'paid':
      return 'fulfillment to book a pickup slot (orders.shipment-requested → fulfillment.shipment-scheduled)';
    case 'scheduled':
      return 'the courier to collect the parcel on its pickup round';
    case 'shipped':
      return 'the courier to deliver the parcel (its webhook)';
    case 'delivered':
      if (request?.status === 'open')
        return `the store to answer an after-sales request (accepted by itself at ${request.respondBy.toISOString()})`;
      if (request?.status === 'awaiting-return')
        return 'the returned parcel to reach the store (after-sales: return-received)';
      return order.autoConfirmAt
        ? `the buyer to confirm receipt, or auto-confirmation at ${order.autoConfirmAt.toISOString()}${order.autoConfirmPausedAt ? ' (paused)' : ''}`
        : 'the buyer to confirm receipt';
    default:
      return null;
  }
}

@Injectable()
export class OrdersTrailSource extends OrderTrailSource {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly afterSales: AfterSalesRepository,
    private readonly clock: Clock,
  ) {
    super();
  }

  async trail(orderId: string): Promise<OrderTrailPart> {
    const tx = this.dataSource.manager;
    const order = await this.orders.find(tx, orderId);
    if (!order) return { entries: [], facts: { found: false } };
    const [history, payments, requests, address] = await Promise.all([
      this.orders.history(tx, orderId),
      this.orders.payments(tx, orderId),
      this.afterSales.ofOrder(tx, orderId),
      this.orders.address(tx, orderId),
    ]);
    const entries: TrailEntry[] = [
      ...history.map((h) => ({
        at: h.at.toISOString(),
        kind: 'status',
        what: `${h.fromStatus ?? '∅'} → ${h.toStatus} (${h.action})`,
        detail: { reason: h.reason, causedBy: h.causedBy },
      })),
      ...payments.map((p) => ({
        at: p.createdAt.toISOString(),
        kind: 'payment',
        what: `${p.kind} ${p.status} ${p.amountFen} fen`,
        detail: { paymentId: p.id, providerRef: p.providerRef, reason: p.reason },
      })),
      ...requests.flatMap(({ request, history: steps }) =>
        steps.map((h) => ({
          at: h.at.toISOString(),
          kind: 'after-sales',
          what: `${request.kind} ${request.amountFen} fen: ${h.from ?? '∅'} → ${h.to}`,
          detail: { requestId: request.id, reason: h.reason, causedBy: h.causedBy },
        })),
      ),
    ];
    const open =
      requests.map((r) => r.request).find((r) => r.status === 'open' || r.status === 'awaiting-return') ?? null;
    const since = history.at(-1)?.at ?? order.createdAt;
    return {
      entries,
      facts: {
        found: true,
        checkoutId: order.checkoutId,
        storeId: order.storeId,
        buyerId: order.buyerId,
        status: order.status,
        totalFen: order.totalFen,
        refundedFen: order.refundedFen,
        waitingFor: waitingFor(order, open),
        since: since.toISOString(),
        // what the console shows of personal data: masked
        shipTo: maskAddress(address),
        clockNow: this.clock.now().toISOString(),
      },
    };
  }
}
