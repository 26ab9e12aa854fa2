// The services under test: how each is configured and assembled.
import type { DynamicModule } from '@nestjs/common';
import type { BaseConfig } from '@cc/platform';
import type { ServiceOptions } from '@cc/service';
import { CatalogModule } from '../../apps/catalog/src/catalog.module';
import { CatalogConfig, loadCatalogConfig } from '../../apps/catalog/src/config';
import { catalogEntities } from '../../apps/catalog/src/persistence/entities';
import { catalogMigrations } from '../../apps/catalog/src/persistence/migrations';
import { FulfillmentConfig, loadFulfillmentConfig } from '../../apps/fulfillment/src/config';
import { FulfillmentModule } from '../../apps/fulfillment/src/fulfillment.module';
import { fulfillmentEntities } from '../../apps/fulfillment/src/persistence/entities';
import { fulfillmentMigrations } from '../../apps/fulfillment/src/persistence/migrations';
import { OrdersConfig, loadOrdersConfig } from '../../apps/orders/src/config';
import { OrdersModule } from '../../apps/orders/src/orders.module';
import { ordersEntities } from '../../apps/orders/src/persistence/entities';
import { ordersMigrations } from '../../apps/orders/src/persistence/migrations';
import { loadPayoutsConfig, PayoutsConfig } from '../../apps/payouts/src/config';
import { PayoutsModule } from '../../apps/payouts/src/payouts.module';
import { payoutsEntities } from '../../apps/payouts/src/persistence/entities';
import { payoutsMigrations } from '../../apps/payouts/src/persistence/migrations';

export interface ServiceDefinition {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes as Function
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- and migration classes
  migrations: Function[];
  load: (env: NodeJS.ProcessEnv) => BaseConfig;
  module: (config: BaseConfig, overrides: Partial<ServiceOptions>) => DynamicModule;
}

export const SERVICES = {
  catalog: {
    entities: catalogEntities,
    migrations: catalogMigrations,
    load: loadCatalogConfig,
    module: (config, overrides) => CatalogModule.register(config as CatalogConfig, overrides),
  },
  orders: {
    entities: ordersEntities,
    migrations: ordersMigrations,
    load: loadOrdersConfig,
    module: (config, overrides) => OrdersModule.register(config as OrdersConfig, overrides),
  },
  fulfillment: {
    entities: fulfillmentEntities,
    migrations: fulfillmentMigrations,
    load: loadFulfillmentConfig,
    module: (config, overrides) => FulfillmentModule.register(config as FulfillmentConfig, overrides),
  },
  payouts: {
    entities: payoutsEntities,
    migrations: payoutsMigrations,
    load: loadPayoutsConfig,
    module: (config, overrides) => PayoutsModule.register(config as PayoutsConfig, overrides),
  },
} satisfies Record<string, ServiceDefinition>;
