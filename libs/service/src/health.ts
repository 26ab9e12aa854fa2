// GET /health: liveness and readiness of the service's database, Redis and Kafka.
import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { Public } from '@cc/platform';
import { KAFKA, REDIS } from './tokens';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

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
        this.admin = this.kafka.admin();
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
    return this.health.check([() => this.db.pingCheck('database', { timeout: 1500 }), () => this.infra.redisUp(), () => this.infra.kafkaUp()]);
  }
}
