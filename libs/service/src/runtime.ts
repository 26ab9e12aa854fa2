// Starts and stops what runs beside the HTTP server: topics, the outbox relay, the event
// consumer and the job workers, in that order; stops them in reverse on shutdown.
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Topics, topicOf } from '@cc/contracts';
import { ensureTopics, EventConsumer, OutboxRelay, TopicNames } from '@cc/messaging';
import { Metrics } from '@cc/platform';
import { discoverEventHandlers } from './events';
import { InfraHealth } from './health';
import { discoverJobHandlers, Jobs } from './jobs';
import type { ServiceOptions } from './options';
import { KAFKA, LOGGER, REDIS, SERVICE_OPTIONS } from './tokens';

@Injectable()
export class ServiceRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  relay?: OutboxRelay;
  consumer?: EventConsumer;

  constructor(
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly dataSource: DataSource,
    private readonly topics: TopicNames,
    private readonly jobs: Jobs,
    private readonly metrics: Metrics,
    private readonly health: InfraHealth,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { service, config } = this.options;
    const consumes = this.options.consumes ?? [];
    const handlers = discoverEventHandlers(this.discovery, this.scanner, consumes);
    const jobHandlers = discoverJobHandlers(this.discovery, this.scanner, this.options.queues ?? {});
    const subscribe = [...new Set(consumes.map(topicOf))];
    await ensureTopics(
      this.kafka,
      [Topics[service], ...subscribe, this.topics.deadLetter(service)].map((t) => this.topics.topic(t)),
      config.KAFKA_PARTITIONS,
    );
    this.relay = new OutboxRelay(
      this.dataSource,
      this.kafka,
      { databaseUrl: config.DATABASE_URL, batchSize: config.OUTBOX_BATCH_SIZE, pollMs: config.OUTBOX_POLL_MS, coalesceMs: config.OUTBOX_COALESCE_MS },
      this.logger.child({ component: 'outbox-relay' }),
      this.metrics,
      (jobs) => this.jobs.enqueueFromOutbox(jobs),
    );
    await this.relay.start();
    if (subscribe.length) {
      this.consumer = new EventConsumer(
        this.kafka,
        this.dataSource,
        this.topics,
        {
          group: service,
          subscribe,
          handlers,
          maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
          retryBaseMs: config.CONSUMER_RETRY_BASE_MS,
          minBytes: config.CONSUMER_MIN_BYTES,
          maxWaitMs: config.CONSUMER_MAX_WAIT_MS,
          onCrash: this.options.onConsumerCrash ?? (() => process.exit(1)),
        },
        this.logger.child({ component: 'consumer' }),
        this.metrics,
      );
      await this.consumer.start();
    }
    this.jobs.startWorkers(jobHandlers);
    await this.jobs.startSchedulers({ checkMs: config.SCHEDULE_CHECK_MS, minIntervalMs: config.SCHEDULE_MIN_INTERVAL_MS });
    this.logger.info({ consumes, queues: this.jobs.queueNames() }, `${service} started its relay, consumer and workers`);
  }

  /** Runs before the database pool closes: consumers and workers finish what they hold first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop().catch((err) => this.logger.warn({ err }, 'consumer stop failed'));
    await this.jobs.close().catch((err) => this.logger.warn({ err }, 'workers stop failed'));
    await this.relay?.stop().catch((err) => this.logger.warn({ err }, 'relay stop failed'));
    await this.health.close();
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
