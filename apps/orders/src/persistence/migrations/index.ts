import { OrdersInitial1700000000000 } from './1700000000000-orders-initial';

export const ordersMigrations = [OrdersInitial1700000000000];
