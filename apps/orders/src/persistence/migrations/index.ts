import { OrdersInitial1700000000000 } from './1700000000000-orders-initial';
import { OrdersLinePerishability1700000000001 } from './1700000000001-orders-line-perishability';

import { OrdersReservationExpiry1700000000002 } from './1700000000002-orders-reservation-expiry';
import { OrdersSimulatedProvider1700000000003 } from './1700000000003-orders-simulated-provider';
import { OrdersPaidSince1700000000004 } from './1700000000004-orders-paid-since';
import { OrdersAutoConfirm1700000000005 } from './1700000000005-orders-auto-confirm';
import { OrdersShippingAddress1700000000006 } from './1700000000006-orders-shipping-address';
import { OrdersAfterSales1700000000007 } from './1700000000007-orders-after-sales';
import { OrdersHistoryTime1700000000008 } from './1700000000008-orders-history-time';
import { OrdersOutboxColumns1700000000009 } from './1700000000009-orders-outbox-columns';

export const ordersMigrations = [
  OrdersInitial1700000000000,
  OrdersLinePerishability1700000000001,
  OrdersReservationExpiry1700000000002,
  OrdersSimulatedProvider1700000000003,
  OrdersPaidSince1700000000004,
  OrdersAutoConfirm1700000000005,
  OrdersShippingAddress1700000000006,
  OrdersAfterSales1700000000007,
  OrdersHistoryTime1700000000008,
  OrdersOutboxColumns1700000000009,
];
