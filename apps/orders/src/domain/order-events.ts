// Builds the payloads of the order events from an order and its lines.
import { isErased, OrderLineV1, PayloadOf, StoredAddress } from '@cc/contracts';
import type { OrderEntity, OrderLineEntity } from '../persistence/entities';

type EventLineSource = Pick<
  OrderLineEntity,
  'productId' | 'quantity' | 'unitPriceFen' | 'category' | 'pickupWithinHours' | 'shelfLifeHours' | 'leadTimeDays'
>;

/** Order lines as events carry them; a perishability field appears only when the product overrides its category's default. */
export const eventLines = (lines: EventLineSource[]): OrderLineV1[] =>
  lines.map((l) => ({
    productId: l.productId,
    quantity: l.quantity,
    unitPriceFen: l.unitPriceFen,
    category: l.category,
    ...(l.pickupWithinHours !== null ? { pickupWithinHours: l.pickupWithinHours } : {}),
    ...(l.shelfLifeHours !== null ? { shelfLifeHours: l.shelfLifeHours } : {}),
    ...(l.leadTimeDays !== null ? { leadTimeDays: l.leadTimeDays } : {}),
  }));

export function orderPaid(
  order: OrderEntity,
  lines: OrderLineEntity[],
  paymentId: string,
  at: Date,
): PayloadOf<'orders.order-paid'> {
  return {
    orderId: order.id,
    buyerId: order.buyerId,
    storeId: order.storeId,
    township: order.township,
    lines: eventLines(lines),
    totalFen: order.totalFen,
    paymentId,
    paidAt: at.toISOString(),
  };
}

export function orderCancelled(
  order: Pick<OrderEntity, 'id' | 'storeId'>,
  reason: string,
  stockReserved: boolean,
  at: Date,
): PayloadOf<'orders.order-cancelled'> {
  return { orderId: order.id, storeId: order.storeId, reason, stockReserved, cancelledAt: at.toISOString() };
}

/**
 * The paid order as fulfillment ships it, with the buyer's address (on the private shipping topic).
 * An order placed before checkouts took addresses has none; an erased one (it cannot be: erasure
 * comes after the order ends) would not be sent either.
 */
export function shipmentRequested(
  order: OrderEntity,
  lines: OrderLineEntity[],
  address: StoredAddress | null,
  at: Date,
): PayloadOf<'orders.shipment-requested'> {
  return {
    orderId: order.id,
    buyerId: order.buyerId,
    storeId: order.storeId,
    township: order.township,
    lines: eventLines(lines).map((l, i) => ({ ...l, productName: lines[i].productName })),
    totalFen: order.totalFen,
    paidAt: at.toISOString(),
    ...(address && !isErased(address) ? { shippingAddress: address } : {}),
  };
}
