import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { FulfillmentTrailSource } from './domain/order-trail.source';
import { FulfillmentConfig } from './config';
import { CourierWebhookService } from './domain/courier-webhook.service';
import { COURIER_CALLS_QUEUE, PickupDispatchService } from './domain/pickup-dispatch.service';
import { DEADLINE_WATCH_QUEUE, PICKUP_DISPATCH_QUEUE, ShipmentSchedulingService } from './domain/shipment-scheduling.service';
import { DeadlineWatchService } from './domain/deadline-watch.service';
import { LostParcelsService } from './domain/lost-parcels.service';
import { ShipmentFailures } from './domain/shipment-failures.service';
import { PackingListService } from './domain/packing-list.service';
import { ShipmentQueryService } from './domain/shipment-query.service';
import { OrderEventsHandler } from './events/order-events.handler';
import { FulfillmentAdminController } from './http/admin.controller';
import { FulfillmentController } from './http/fulfillment.controller';
import { ADDRESS_ERASURE_QUEUE, AddressErasureJobs } from './jobs/address-erasure.jobs';
import { PickupJobs } from './jobs/pickup.jobs';
import { CourierClient, SimulatedCourier } from './persistence/courier.client';
import { fulfillmentEntities } from './persistence/entities';
import { fulfillmentMigrations } from './persistence/migrations';
import { ShipmentMetrics } from './persistence/shipment-metrics';
import { ShipmentRepository } from './persistence/shipment.repository';

@Module({})
export class FulfillmentModule implements OnApplicationShutdown {
  constructor(private readonly courier: CourierClient) {}

  static register(config: FulfillmentConfig, overrides: Partial<ServiceOptions> = {}): DynamicModule {
    return {
      module: FulfillmentModule,
      imports: [
        ServiceKitModule.forRoot({
          service: 'fulfillment',
          config,
          entities: fulfillmentEntities,
          migrations: fulfillmentMigrations,
          consumes: ['orders.shipment-requested'],
          queues: {
            // a run that cannot leave strands its parcels: retry for long (about 17 minutes in all)
            [PICKUP_DISPATCH_QUEUE]: { jobs: ['dispatch-pickup-run'], concurrency: 4, attempts: 10, backoffMs: 1000 },
            // the courier's API takes at most 10 calls a second from us; after the last try the run's parcels fail as courier-failed
            [COURIER_CALLS_QUEUE]: { jobs: ['send-manifest'], concurrency: 4, attempts: config.COURIER_CALL_ATTEMPTS, backoffMs: config.COURIER_CALL_BACKOFF_MS, limiter: { max: 10, durationMs: 1000 } },
            // one delayed watch per shipment at its deadline, and a sweep for what lost jobs would miss (deadlines and pickup runs)
            [DEADLINE_WATCH_QUEUE]: { jobs: ['watch-deadline', 'sweep-overdue'], concurrency: 4, attempts: 5, backoffMs: 1000, schedules: [{ name: 'sweep-overdue', everySeconds: config.DEADLINE_SWEEP_SECONDS }] },
            // buyers' addresses past their retention, erased by a sweep on an interval
            [ADDRESS_ERASURE_QUEUE]: { jobs: ['erase-expired-addresses'], concurrency: 1, attempts: 5, backoffMs: 5000, schedules: [{ name: 'erase-expired-addresses', everySeconds: config.ADDRESS_ERASURE_SWEEP_SECONDS }] },
          },
          ...overrides,
        }),
      ],
      controllers: [FulfillmentController, FulfillmentAdminController],
      providers: [
        { provide: OrderTrailSource, useClass: FulfillmentTrailSource },
        ShipmentSchedulingService,
        PickupDispatchService,
        DeadlineWatchService,
        ShipmentFailures,
        CourierWebhookService,
        LostParcelsService,
        ShipmentQueryService,
        PackingListService,
        ShipmentMetrics,
        ShipmentRepository,
        { provide: CourierClient, useClass: SimulatedCourier },
        OrderEventsHandler,
        PickupJobs,
        AddressErasureJobs,
      ],
    };
  }

  onApplicationShutdown(): void {
    if (this.courier instanceof SimulatedCourier) this.courier.stop();
  }
}
