// Starts and stops what runs beside the HTTP server: topics, the outbox relay, the event
// consumer and the job workers. Kafka is brought up in the background, so the service answers
// HTTP and /health within seconds whatever its broker or consumer group is doing; shutdown runs
// in bounded steps (HTTP, consumer and workers, relay, pools) within SHUTDOWN_TIMEOUT_MS.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { topicOf, topicsWrittenBy } from '@cc/contracts';
import { cannotHeal, ensureTopics, EventConsumer, OutboxRelay, TopicNames } from '@cc/messaging';
import { Metrics } from '@cc/platform';
import { discoverEventHandlers } from './events';
import { InfraHealth } from './health';
import { discoverJobHandlers, Jobs } from './jobs';
import type { ServiceOptions } from './options';
import { KAFKA, LOGGER, REDIS, SERVICE_OPTIONS } from './tokens';

/**
 * Shares of SHUTDOWN_TIMEOUT_MS each step may take (they add up to 0.9: the rest is margin for
 * Nest's own closing). A step that overruns is left behind, logged, and the stop counts as unclean.
 */
const SHUTDOWN_SHARES = { http: 0.25, consumersAndWorkers: 0.4, relay: 0.15, pools: 0.1 };

/** The steps of one shutdown, each bounded; remembers what did not finish, for the log. */
export class ShutdownSteps {
  readonly running = new Set<string>();
  readonly overran: string[] = [];
  constructor(
    private readonly totalMs: number,
    private readonly logger: Logger,
  ) {}

  async step(name: string, share: number, work: () => Promise<unknown>): Promise<void> {
    const boundMs = Math.round(this.totalMs * share);
    const started = Date.now();
    this.running.add(name);
    let timer: NodeJS.Timeout | undefined;
    const done = work().then(
      () => true,
      (err) => {
        this.logger.warn({ err, step: name }, `shutdown: ${name} failed`);
        return true;
      },
    );
    const inTime = await Promise.race([done, new Promise<false>((r) => (timer = setTimeout(() => r(false), boundMs)))]);
    clearTimeout(timer);
    if (inTime) {
      this.running.delete(name);
      this.logger.debug({ step: name, ms: Date.now() - started }, `shutdown: ${name} done`);
    } else {
      this.overran.push(name);
      this.logger.warn(
        { step: name, boundMs },
        `shutdown: ${name} did not finish within ${boundMs} ms; going on without it`,
      );
      void done.then(() => this.running.delete(name));
    }
  }
}

@Injectable()
export class ServiceRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  relay?: OutboxRelay;
  consumer?: EventConsumer;
  /** Set once a shutdown has begun: what it is doing, and what did not finish. */
  shutdown?: ShutdownSteps;
  private stopping = false;

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
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { service, config } = this.options;
    const consumes = this.options.consumes ?? [];
    const handlers = discoverEventHandlers(this.discovery, this.scanner, consumes);
    const jobHandlers = discoverJobHandlers(this.discovery, this.scanner, this.options.queues ?? {});
    const subscribe = [...new Set(consumes.map(topicOf))];
    this.relay = new OutboxRelay(
      this.dataSource,
      this.kafka,
      {
        databaseUrl: config.DATABASE_URL,
        batchSize: config.OUTBOX_BATCH_SIZE,
        pollMs: config.OUTBOX_POLL_MS,
        coalesceMs: config.OUTBOX_COALESCE_MS,
        onFatal: this.fatal,
      },
      this.logger.child({ component: 'outbox-relay' }),
      this.metrics,
      (jobs) => this.jobs.enqueueFromOutbox(jobs),
    );
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
          onCrash: this.fatal,
        },
        this.logger.child({ component: 'consumer' }),
        this.metrics,
      );
    }
    this.health.reportConsumer(() => this.consumer?.state());
    // not awaited: a consumer's first join waits out a dead member's session, and a broker may
    // be away; the service answers HTTP meanwhile and /health says what the consumer is doing
    void this.startMessaging(
      [...topicsWrittenBy(service), ...subscribe, this.topics.deadLetter(service)].map((t) => this.topics.topic(t)),
    );
    this.jobs.startWorkers(jobHandlers, { lockMs: config.JOB_LOCK_MS });
    await this.jobs.startSchedulers({
      checkMs: config.SCHEDULE_CHECK_MS,
      minIntervalMs: config.SCHEDULE_MIN_INTERVAL_MS,
    });
    this.logger.info(
      { consumes, queues: this.jobs.queueNames() },
      `${service} started its workers; relay and consumer are starting`,
    );
  }

  /** Ends the process on an error that cannot heal (tests may override it). */
  private readonly fatal = (error: Error): void => (this.options.onConsumerCrash ?? (() => process.exit(1)))(error);

  /** Topics, then the relay, then the consumer; waits (and warns) while the broker is away. */
  private async startMessaging(topics: string[]): Promise<void> {
    for (let delay = 1000; !this.stopping; delay = Math.min(2 * delay, 5000)) {
      try {
        await ensureTopics(this.kafka, topics, this.options.config.KAFKA_PARTITIONS);
        break;
      } catch (err) {
        const hopeless = cannotHeal(err);
        if (hopeless) {
          this.logger.fatal(
            { err, reason: hopeless },
            `cannot create or find the service's topics (${hopeless}); giving up`,
          );
          return this.fatal(err as Error);
        }
        this.logger.warn(
          { err: { name: (err as Error).name, message: (err as Error).message }, retryInMs: delay },
          'topics not ready (the broker may be away); retrying',
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (this.stopping) return;
    try {
      await this.relay!.start();
    } catch (err) {
      this.logger.fatal({ err }, 'outbox relay could not start');
      return this.fatal(err as Error);
    }
    this.consumer?.start();
  }

  /**
   * The graceful stop, in bounded steps: stop taking HTTP requests (those in flight finish), stop
   * the consumer (it finishes the chunk in hand, commits and leaves its group) and the workers
   * (they finish the job in hand), stop the relay, close the pools. A step that overruns its share
   * of SHUTDOWN_TIMEOUT_MS is left behind, so the next ones still run, whatever Kafka, Redis or
   * PostgreSQL are doing.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const steps = (this.shutdown = new ShutdownSteps(this.options.config.SHUTDOWN_TIMEOUT_MS, this.logger));
    await steps.step('http', SHUTDOWN_SHARES.http, () => this.stopHttp());
    await Promise.all([
      steps.step('consumer', SHUTDOWN_SHARES.consumersAndWorkers, async () => this.consumer?.stop()),
      steps.step('workers', SHUTDOWN_SHARES.consumersAndWorkers, () => this.jobs.close()),
    ]);
    await steps.step('relay', SHUTDOWN_SHARES.relay, async () => this.relay?.stop());
    await steps.step('pools', SHUTDOWN_SHARES.pools, async () => {
      await this.health.close();
      this.redis.disconnect();
      // TypeORM's own shutdown hook would do this unbounded, after ours
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
  }

  /** Stops accepting connections and waits for the requests in flight. */
  private async stopHttp(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // keep-alive connections idle between requests would hold close() up
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    try {
      await closed;
    } finally {
      clearInterval(idle);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
    // left behind by an overrun step: nothing may keep answering once we are gone
    (this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined)?.closeAllConnections();
  }
}
