// The operations console: no database of its own; it reads BullMQ (Redis), Kafka's admin API
// and the services' admin APIs, and acts on them for the ops role.
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { Logger } from 'pino';
import { createKafka } from '@cc/messaging';
import { AuthGuard, createLogger, Metrics, TokenService } from '@cc/platform';
import { LOGGER, MetricsController } from '@cc/service';
import { OpsConfig } from './config';
import { ConsumerLagService } from './domain/consumer-lag.service';
import { DeadLettersService } from './domain/dead-letters.service';
import { PlatformStatusService } from './domain/platform-status.service';
import { OrderTimelineService } from './domain/order-timeline.service';
import { ChartsService } from './domain/charts.service';
import { PlatformOverviewService } from './domain/platform-overview.service';
import { QueuesService } from './domain/queues.service';
import { ApiController } from './http/api.controller';
import { ConsoleController } from './http/console.controller';
import { HealthController } from './http/health.controller';
import { AuditLog } from './persistence/audit-log';
import { KafkaAdmin, OPS_KAFKA } from './persistence/kafka-admin';
import { OpsMetrics } from './persistence/ops-metrics';
import { QueueRegistry } from './persistence/queue-registry';
import { ServiceAdminClient } from './persistence/service-admin.client';

@Module({})
export class OpsModule {
  static register(config: OpsConfig, logger: Logger = createLogger('ops', config.LOG_LEVEL)): DynamicModule {
    const kafka = createKafka(
      {
        brokers: config.KAFKA_BROKERS.split(','),
        clientId: `ops-${process.pid}`,
        namespace: config.NAMESPACE,
        partitions: config.KAFKA_PARTITIONS,
        ...config.kafkaAuth('ops'),
      },
      logger,
    );
    return {
      module: OpsModule,
      controllers: [ConsoleController, ApiController, HealthController, MetricsController],
      providers: [
        { provide: OpsConfig, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics('ops') },
        { provide: TokenService, useValue: new TokenService(config.jwtSecret) },
        { provide: OPS_KAFKA, useValue: kafka },
        {
          provide: APP_GUARD,
          useFactory: (tokens: TokenService, reflector: Reflector) => new AuthGuard(tokens, reflector),
          inject: [TokenService, Reflector],
        },
        QueueRegistry,
        AuditLog,
        KafkaAdmin,
        ServiceAdminClient,
        QueuesService,
        ConsumerLagService,
        DeadLettersService,
        PlatformStatusService,
        OrderTimelineService,
        ChartsService,
        PlatformOverviewService,
        OpsMetrics,
      ],
    };
  }
}
