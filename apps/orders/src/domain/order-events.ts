// Builds the payloads of the order events from an order and its lines.
import type { OrderLineV1, PayloadOf } from '@cc/contracts';
import type { OrderEntity, OrderLineEntity } from '../persistence/entities';

export const eventLines = (lines: OrderLineEntity[]): OrderLineV1[] =>
  lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPriceFen: l.unitPriceFen, category: l.category }));

export function orderPaid(order: OrderEntity, lines: OrderLineEntity[], paymentId: string, at: Date): PayloadOf<'orders.order-paid'> {
  return { orderId: order.id, buyerId: order.buyerId, storeId: order.storeId, township: order.township, lines: eventLines(lines), totalFen: order.totalFen, paymentId, paidAt: at.toISOString() };
}

export function orderCancelled(order: OrderEntity, reason: string, stockReserved: boolean, at: Date): PayloadOf<'orders.order-cancelled'> {
  return { orderId: order.id, storeId: order.storeId, reason, stockReserved, cancelledAt: at.toISOString() };
}
