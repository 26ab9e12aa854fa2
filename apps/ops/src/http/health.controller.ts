import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@cc/platform';
import { KafkaAdmin } from '../persistence/kafka-admin';
import { QueueRegistry } from '../persistence/queue-registry';

/** Liveness and readiness of the console: Redis and Kafka answer. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: QueueRegistry,
    private readonly kafka: KafkaAdmin,
  ) {}

  @Get()
  @Public()
  async check() {
    const details: Record<string, { status: 'up' | 'down'; message?: string }> = {};
    await this.registry.redis.ping().then(
      () => (details.redis = { status: 'up' }),
      (e: Error) => (details.redis = { status: 'down', message: e.message }),
    );
    await this.kafka
      .connected()
      .then((a) => a.describeCluster())
      .then(
        () => (details.kafka = { status: 'up' }),
        (e: Error) => (details.kafka = { status: 'down', message: e.message }),
      );
    const status = Object.values(details).every((d) => d.status === 'up') ? 'ok' : 'error';
    if (status !== 'ok') throw new ServiceUnavailableException({ status, details });
    return { status, details };
  }
}
