import { DynamicModule, Module } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { StoreService } from './domain/store.service';
import { StoreRepository } from './persistence/store.repository';
import { CatalogTrailSource } from './domain/order-trail.source';
import { OrderStockRepository } from './persistence/order-stock.repository';
import { CatalogConfig } from './config';
import { ProductService } from './domain/product.service';
import { StockService } from './domain/stock.service';
import { OrderEventsHandler } from './events/order-events.handler';
import { CatalogController } from './http/catalog.controller';
import { ReservationExpiryJob } from './jobs/reservation-expiry.job';
import { catalogEntities } from './persistence/entities';
import { catalogMigrations } from './persistence/migrations';
import { ProductChangeRepository, ProductRepository } from './persistence/product.repository';
import { StockRepository } from './persistence/stock.repository';
import { catalogQueues } from './jobs/catalogue';

@Module({})
export class CatalogModule {
  static register(config: CatalogConfig, overrides: Partial<ServiceOptions> = {}): DynamicModule {
    return {
      module: CatalogModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'catalog',
          config,
          entities: catalogEntities,
          migrations: catalogMigrations,
          consumes: ['orders.order-placed', 'orders.order-paid', 'orders.order-cancelled'],
          queues: catalogQueues(config),
          ...overrides,
        }),
      ],
      controllers: [CatalogController],
      providers: [
        ProductService,
        StockService,
        StoreService,
        ProductRepository,
        ProductChangeRepository,
        StoreRepository,
        StockRepository,
        OrderEventsHandler,
        ReservationExpiryJob,
        OrderStockRepository,
        { provide: OrderTrailSource, useClass: CatalogTrailSource },
      ],
    };
  }
}
