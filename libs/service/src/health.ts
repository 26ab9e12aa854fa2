// GET /health: liveness and readiness of the service's database, Redis and Kafka, and what the
// event consumer is doing (information only: an instance whose consumer is still joining its
// group serves HTTP all the same, so that does not make it unready).
import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { Public } from '@cc/platform';
import { KAFKA, REDIS } from './tokens';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);

@Injectable()
export class InfraHealth {
  private admin?: Admin;
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(KAFKA) private readonly kafka: Kafka,
  ) {}

  async redisUp() {
    const check = this.indicator.check('redis');
    try {
      await withTimeout(this.redis.ping(), 1000);
      return check.up();
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  async kafkaUp() {
    const check = this.indicator.check('kafka');
    try {
      if (!this.admin) {
        // no retries of its own: the probe answers within its timeouts, and a broker away must
        // not leave a connection attempt behind per probe
        this.admin = this.kafka.admin({ retry: { retries: 0 } });
        await withTimeout(this.admin.connect(), 2000);
      }
      const cluster = await withTimeout(this.admin.describeCluster(), 2000);
      return check.up({ brokers: cluster.brokers.length });
    } catch (e) {
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
      return check.down({ message: (e as Error).message });
    }
  }

  private consumerState?: () => Record<string, string> | undefined;

  /** The runtime tells where the consumer's state comes from. */
  reportConsumer(state: () => Record<string, string> | undefined): void {
    this.consumerState = state;
  }

  /** Always up: `state` is joining, consuming, reconnecting or stopped (`none` for a service that consumes nothing). */
  consumer() {
    return this.indicator.check('consumer').up(this.consumerState?.() ?? { state: 'none' });
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly infra: InfraHealth,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      () => this.infra.redisUp(),
      () => this.infra.kafkaUp(),
      () => this.infra.consumer(),
    ]);
  }
}
