import { FulfillmentInitial1700000000000 } from './1700000000000-fulfillment-initial';
import { FulfillmentSlotClosing1700000000001 } from './1700000000001-fulfillment-slot-closing';
import { FulfillmentPerishability1700000000002 } from './1700000000002-fulfillment-perishability';
import { FulfillmentDeliveryWindow1700000000004 } from './1700000000004-fulfillment-delivery-window';
import { FulfillmentShippingAddress1700000000005 } from './1700000000005-fulfillment-shipping-address';
import { FulfillmentShipmentLines1700000000006 } from './1700000000006-fulfillment-shipment-lines';
import { FulfillmentOutboxColumns1700000000007 } from './1700000000007-fulfillment-outbox-columns';

export const fulfillmentMigrations = [
  FulfillmentInitial1700000000000,
  FulfillmentSlotClosing1700000000001,
  FulfillmentPerishability1700000000002,
  FulfillmentDeliveryWindow1700000000004,
  FulfillmentShippingAddress1700000000005,
  FulfillmentShipmentLines1700000000006,
  FulfillmentOutboxColumns1700000000007,
];
