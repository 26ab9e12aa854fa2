import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { OrderTrailSource, ServiceKitModule, ServiceOptions } from '@cc/service';
import { FulfillmentTrailSource } from './domain/order-trail.source';
import { FulfillmentConfig } from './config';
import { CourierWebhookService } from './domain/courier-webhook.service';
import { PickupDispatchService } from './domain/pickup-dispatch.service';
import { ShipmentSchedulingService } from './domain/shipment-scheduling.service';
import { DeadlineWatchService } from './domain/deadline-watch.service';
import { LostParcelsService } from './domain/lost-parcels.service';
import { ShipmentFailures } from './domain/shipment-failures.service';
import { PackingListService } from './domain/packing-list.service';
import { ShipmentQueryService } from './domain/shipment-query.service';
import { OrderEventsHandler } from './events/order-events.handler';
import { FulfillmentAdminController } from './http/admin.controller';
import { FulfillmentController } from './http/fulfillment.controller';
import { AddressErasureJobs } from './jobs/address-erasure.jobs';
import { PickupJobs } from './jobs/pickup.jobs';
import { CourierClient, SimulatedCourier } from './persistence/courier.client';
import { fulfillmentEntities } from './persistence/entities';
import { fulfillmentMigrations } from './persistence/migrations';
import { ShipmentMetrics } from './persistence/shipment-metrics';
import { ShipmentRepository } from './persistence/shipment.repository';
import { fulfillmentQueues } from './jobs/catalogue';

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
          queues: fulfillmentQueues(config),
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
