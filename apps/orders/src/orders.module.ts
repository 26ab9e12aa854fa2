import { DynamicModule, Module } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { OrdersConfig } from './config';
import { AUTO_CONFIRM_QUEUE, AutoConfirmationService } from './domain/auto-confirmation.service';
import { CheckoutAdmission } from './domain/checkout-admission.service';
import { CheckoutService } from './domain/checkout.service';
import { IdempotentCommand } from './domain/idempotent-command';
import { OrderLifecycleService } from './domain/order-lifecycle.service';
import { OrderQueryService } from './domain/order-query.service';
import { OrderTransitions } from './domain/order-transitions';
import { PAYMENT_TIMEOUTS_QUEUE, PAYMENTS_QUEUE, PaymentService } from './domain/payment.service';
import { REFUNDS_QUEUE, RefundService } from './domain/refund.service';
import { CatalogEventsHandler } from './events/catalog-events.handler';
import { FulfillmentEventsHandler } from './events/fulfillment-events.handler';
import { OrdersController } from './http/orders.controller';
import { ADDRESS_ERASURE_QUEUE, AddressErasureJobs } from './jobs/address-erasure.jobs';
import { AfterSalesJobs } from './jobs/after-sales.jobs';
import { AFTER_SALES_QUEUE, AfterSalesService } from './domain/after-sales.service';
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
          queues: {
            [PAYMENTS_QUEUE]: { jobs: ['capture-payment'], concurrency: 16, attempts: 5, backoffMs: 500 },
            // a timeout whose provider cannot say retries for about half an hour (2 s doubling, 10
            // attempts); past that the every-minute sweep keeps asking
            [PAYMENT_TIMEOUTS_QUEUE]: { jobs: ['cancel-unpaid', 'sweep-unpaid'], concurrency: 8, attempts: 10, backoffMs: 2000, schedules: [{ name: 'sweep-unpaid', everySeconds: 60 }] },
            [REFUNDS_QUEUE]: { jobs: ['refund-payment'], concurrency: 4, attempts: 10, backoffMs: 2000 },
            // delivered orders completing by themselves (one delayed job each, named by its due time) and the sweep for lost ones
            [AUTO_CONFIRM_QUEUE]: { jobs: ['auto-confirm', 'sweep-auto-confirm'], concurrency: 4, attempts: 10, backoffMs: 2000, schedules: [{ name: 'sweep-auto-confirm', everySeconds: config.AUTO_CONFIRM_SWEEP_SECONDS }] },
            // a store's silence on an after-sales request accepts it (one delayed job each) and the sweep for lost ones
            [AFTER_SALES_QUEUE]: { jobs: ['auto-accept', 'sweep-after-sales'], concurrency: 4, attempts: 10, backoffMs: 2000, schedules: [{ name: 'sweep-after-sales', everySeconds: config.AFTER_SALES_SWEEP_SECONDS }] },
            // buyers' addresses past their retention, erased by a sweep on an interval
            [ADDRESS_ERASURE_QUEUE]: { jobs: ['erase-expired-addresses'], concurrency: 1, attempts: 5, backoffMs: 5000, schedules: [{ name: 'erase-expired-addresses', everySeconds: config.ADDRESS_ERASURE_SWEEP_SECONDS }] },
          },
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
