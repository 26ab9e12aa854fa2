import { FulfillmentInitial1700000000000 } from './1700000000000-fulfillment-initial';

export const fulfillmentMigrations = [FulfillmentInitial1700000000000];
