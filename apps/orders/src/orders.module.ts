import { DynamicModule, Module } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { OrdersConfig } from './config';
import { AutoConfirmationService } from './domain/auto-confirmation.service';
import { CheckoutAdmission } from './domain/checkout-admission.service';
import { CheckoutService } from './domain/checkout.service';
import { IdempotentCommand } from './domain/idempotent-command';
import { OrderLifecycleService } from './domain/order-lifecycle.service';
import { OrderQueryService } from './domain/order-query.service';
import { OrderTransitions } from './domain/order-transitions';
import { PaymentService } from './domain/payment.service';
import { RefundService } from './domain/refund.service';
import { CatalogEventsHandler } from './events/catalog-events.handler';
import { FulfillmentEventsHandler } from './events/fulfillment-events.handler';
import { OrdersController } from './http/orders.controller';
import { AddressErasureJobs } from './jobs/address-erasure.jobs';
import { AfterSalesJobs } from './jobs/after-sales.jobs';
import { AfterSalesService } from './domain/after-sales.service';
import { AfterSalesController } from './http/after-sales.controller';
import { OrdersAdminController } from './http/admin.controller';
import { OrdersTrailSource } from './domain/order-trail.source';
import { AfterSalesRepository } from './persistence/after-sales.repository';
import { AutoConfirmJobs } from './jobs/auto-confirm.jobs';
import { PaymentJobs } from './jobs/payment.jobs';
import { CatalogClient } from './persistence/catalog.client';
import { ordersEntities } from './persistence/entities';
import { IdempotencyRepository } from './persistence/idempotency.repository';
import { ordersMigrations } from './persistence/migrations';
import { OrderMetrics } from './persistence/order-metrics';
import { OrderRepository } from './persistence/order.repository';
import { PaymentRepository } from './persistence/payment.repository';
import { PaymentProvider, SimulatedPaymentProvider } from './persistence/payment-provider';
import { PipelineBacklogRepository } from './persistence/pipeline-backlog.repository';
import { ordersQueues } from './jobs/catalogue';

@Module({})
export class OrdersModule {
  static register(config: OrdersConfig, overrides: Partial<ServiceOptions> = {}): DynamicModule {
    return {
      module: OrdersModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'orders',
          config,
          entities: ordersEntities,
          migrations: ordersMigrations,
          consumes: [
            'catalog.stock-reserved',
            'catalog.stock-rejected',
            'catalog.stock-released',
            'catalog.product-changed',
            'catalog.store-changed',
            'fulfillment.shipment-scheduled',
            'fulfillment.shipment-picked-up',
            'fulfillment.shipment-delivered',
            'fulfillment.shipment-failed',
          ],
          queues: ordersQueues(config),
          ...overrides,
        }),
      ],
      controllers: [OrdersController, AfterSalesController, OrdersAdminController],
      providers: [
        CheckoutService,
        CheckoutAdmission,
        PipelineBacklogRepository,
        IdempotentCommand,
        OrderTransitions,
        OrderLifecycleService,
        AutoConfirmationService,
        AfterSalesService,
        AfterSalesRepository,
        OrderQueryService,
        { provide: OrderTrailSource, useClass: OrdersTrailSource },
        PaymentService,
        RefundService,
        OrderRepository,
        PaymentRepository,
        IdempotencyRepository,
        CatalogClient,
        { provide: PaymentProvider, useClass: SimulatedPaymentProvider },
        CatalogEventsHandler,
        FulfillmentEventsHandler,
        PaymentJobs,
        AutoConfirmJobs,
        AddressErasureJobs,
        AfterSalesJobs,
        OrderMetrics,
      ],
    };
  }
}
