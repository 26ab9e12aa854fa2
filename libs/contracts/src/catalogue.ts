// The event catalogue: every event type, the topic it travels on and its payload class per version.
import { ProductChangedV1 } from './events/catalog/product-changed';
import { StoreChangedV1 } from './events/catalog/store-changed';
import { StockRejectedV1 } from './events/catalog/stock-rejected';
import { StockReleasedV1 } from './events/catalog/stock-released';
import { StockReservedV1 } from './events/catalog/stock-reserved';
import { ShipmentDeliveredV1 } from './events/fulfillment/shipment-delivered';
import { ShipmentFailedV1 } from './events/fulfillment/shipment-failed';
import { ShipmentPickedUpV1 } from './events/fulfillment/shipment-picked-up';
import { ShipmentRescheduledV1 } from './events/fulfillment/shipment-rescheduled';
import { ShipmentScheduledV1 } from './events/fulfillment/shipment-scheduled';
import { OrderCancelledV1 } from './events/orders/order-cancelled';
import { OrderCompletedV1 } from './events/orders/order-completed';
import { OrderDeliveredV1 } from './events/orders/order-delivered';
import { OrderPaidV1 } from './events/orders/order-paid';
import { OrderPlacedV1 } from './events/orders/order-placed';
import { OrderRefundedV1 } from './events/orders/order-refunded';
import { ShipmentRequestedV1 } from './events/orders/shipment-requested';
import { PayoutFailedV1 } from './events/payouts/payout-failed';
import { PayoutSentV1 } from './events/payouts/payout-sent';
import { PayoutSettledV1 } from './events/payouts/payout-settled';
import { ReconciliationCompletedV1 } from './events/payouts/reconciliation-completed';
import { Source } from './envelope';

export const Topics = {
  catalog: 'catalog.events',
  orders: 'orders.events',
  fulfillment: 'fulfillment.events',
  payouts: 'payouts.events',
} as const satisfies Record<Source, string>;

/**
 * Events that carry personal data travel on a topic of their own, which only the services that
 * need them may read (provision.ts grants it); every other event travels on its source's topic.
 */
const PRIVATE_TOPICS: Partial<Record<string, string>> = {
  'orders.shipment-requested': 'orders.shipping',
};

/** Event type → the payload class of its current version. */
export const EventCatalogue = {
  'orders.order-placed': { 1: OrderPlacedV1 },
  'orders.order-paid': { 1: OrderPaidV1 },
  'orders.order-cancelled': { 1: OrderCancelledV1 },
  'orders.order-delivered': { 1: OrderDeliveredV1 },
  'orders.order-completed': { 1: OrderCompletedV1 },
  'orders.order-refunded': { 1: OrderRefundedV1 },
  'orders.shipment-requested': { 1: ShipmentRequestedV1 },
  'catalog.stock-reserved': { 1: StockReservedV1 },
  'catalog.stock-rejected': { 1: StockRejectedV1 },
  'catalog.stock-released': { 1: StockReleasedV1 },
  'catalog.product-changed': { 1: ProductChangedV1 },
  'catalog.store-changed': { 1: StoreChangedV1 },
  'fulfillment.shipment-scheduled': { 1: ShipmentScheduledV1 },
  'fulfillment.shipment-rescheduled': { 1: ShipmentRescheduledV1 },
  'fulfillment.shipment-picked-up': { 1: ShipmentPickedUpV1 },
  'fulfillment.shipment-delivered': { 1: ShipmentDeliveredV1 },
  'fulfillment.shipment-failed': { 1: ShipmentFailedV1 },
  'payouts.payout-sent': { 1: PayoutSentV1 },
  'payouts.payout-settled': { 1: PayoutSettledV1 },
  'payouts.payout-failed': { 1: PayoutFailedV1 },
  'payouts.reconciliation-completed': { 1: ReconciliationCompletedV1 },
} as const;

export type EventType = keyof typeof EventCatalogue;
type Latest<T> = T extends { 1: new () => infer P } ? P : never;
/** The payload type of the current version of an event type. */
export type PayloadOf<T extends EventType> = Latest<(typeof EventCatalogue)[T]>;

export const CURRENT_VERSION = 1;

export function sourceOf(type: EventType): Source {
  return type.slice(0, type.indexOf('.')) as Source;
}

export function topicOf(type: EventType): string {
  return PRIVATE_TOPICS[type] ?? Topics[sourceOf(type)];
}

/** The event types that carry personal data (they travel on a private topic; the outbox keeps no copy once sent). */
export const PERSONAL_DATA_EVENT_TYPES: readonly string[] = Object.keys(PRIVATE_TOPICS);

/** Every topic a source writes: its events topic, then its private ones. */
export function topicsWrittenBy(source: Source): string[] {
  return [
    Topics[source],
    ...new Set(
      Object.entries(PRIVATE_TOPICS)
        .filter(([type]) => sourceOf(type as EventType) === source)
        .map(([, topic]) => topic!),
    ),
  ];
}

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EventCatalogue, type);
}
