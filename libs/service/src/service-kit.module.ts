// Everything a County Commerce service shares, wired once: configuration, logs, metrics, the
// clock, auth, its PostgreSQL database, Redis, Kafka (outbox relay and idempotent consumer),
// BullMQ jobs, /health and /metrics.
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import IORedis from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { createKafka, Outbox, TopicNames } from '@cc/messaging';
import { AuthGuard, Clock, createLogger, Metrics, ScaledClock, TokenService } from '@cc/platform';
import { AdminController, OutboxBacklog, ServiceGauges } from './admin';
import { HealthController, InfraHealth } from './health';
import { Jobs } from './jobs';
import { MetricsController } from './metrics.controller';
import { OrderTrail, OrderTrailController } from './order-trail';
import type { ServiceOptions } from './options';
import { ServiceRuntime } from './runtime';
import { KAFKA, LOGGER, REDIS, SERVICE_OPTIONS } from './tokens';

/** Requests too frequent and too dull to log: probes and scrapes. */
const QUIET_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceOptions): DynamicModule {
    const { config, service } = options;
    const logger = options.logger ?? createLogger(service, config.LOG_LEVEL);
    const metrics = new Metrics(service);
    const clock = options.clock ?? new ScaledClock(config.TIME_SCALE, config.CLOCK_ANCHOR ?? Date.now());
    const topics = new TopicNames(config.NAMESPACE);
    const kafka = createKafka(
      {
        brokers: config.KAFKA_BROKERS.split(','),
        clientId: `${service}-${process.pid}`,
        namespace: config.NAMESPACE,
        partitions: config.KAFKA_PARTITIONS,
        ...config.kafkaAuth(service),
      },
      logger,
    );
    // queue connections fail fast; workers get their own blocking connections (see Jobs)
    const redis = new IORedis(config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    const prefix = config.NAMESPACE ? `cc-${config.NAMESPACE}` : 'cc';
    const outbox = new Outbox(topics, clock);
    return {
      module: ServiceKitModule,
      imports: [
        DiscoveryModule,
        TerminusModule.forRoot({ logger: false }),
        // one line per request (method, path, status, time, correlation id), through the service's
        // own logger, so it is masked like every other line; health and metrics scrapes are not logged
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
            // the correlation id comes with every line already (the logger's mixin, inside the request's flow)
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: () => undefined,
            },
            customSuccessObject: (_req, res, fields: object) => ({ ...fields, status: res.statusCode }),
            customErrorObject: (_req, res, _err, fields: object) => ({ ...fields, status: res.statusCode }),
          },
        }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.DATABASE_URL,
          entities: options.entities,
          migrations: options.migrations,
          migrationsRun: config.MIGRATE_ON_START === 'true',
          migrationsTransactionMode: 'each',
          synchronize: false,
          logging: false, // failures surface as exceptions and are logged where they are handled
          extra: { max: config.DATABASE_POOL_SIZE, application_name: service },
        }),
      ],
      controllers: [HealthController, MetricsController, AdminController, OrderTrailController],
      providers: [
        { provide: SERVICE_OPTIONS, useValue: options },
        { provide: config.constructor, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: metrics },
        { provide: Clock, useValue: clock },
        { provide: TopicNames, useValue: topics },
        { provide: KAFKA, useValue: kafka },
        { provide: REDIS, useValue: redis },
        { provide: Outbox, useValue: outbox },
        { provide: TokenService, useValue: new TokenService(config.jwtSecret) },
        {
          provide: Jobs,
          useFactory: () =>
            new Jobs(
              options.queues ?? {},
              redis,
              prefix,
              config.REDIS_URL,
              logger.child({ component: 'jobs' }),
              metrics,
              outbox,
              clock,
            ),
        },
        {
          provide: APP_GUARD,
          useFactory: (tokens: TokenService, reflector: Reflector) => new AuthGuard(tokens, reflector),
          inject: [TokenService, Reflector],
        },
        InfraHealth,
        OutboxBacklog,
        ServiceGauges,
        ServiceRuntime,
        OrderTrail,
      ],
      exports: [
        config.constructor as never,
        LOGGER,
        Metrics,
        Clock,
        TopicNames,
        KAFKA,
        REDIS,
        Outbox,
        TokenService,
        Jobs,
        ServiceRuntime,
      ],
    };
  }
}
