// The Kafka panel: per consumer group and partition the committed offset, the end offset and
// the lag, with a short history of each group's total lag so a growing lag shows as a trend.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { OpsConfig } from '../config';
import { KafkaAdmin } from '../persistence/kafka-admin';
import { LOGGER } from '@cc/service';

@Injectable()
export class ConsumerLagService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly history = new Map<string, { at: string; lag: number }[]>();
  private lastSample?: { at: number; lags: Map<string, number> };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: KafkaAdmin,
    private readonly config: OpsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sample().catch((err) => this.logger.warn({ err }, 'lag sample failed')),
      this.config.LAG_SAMPLE_SECONDS * 1000,
    );
    void this.sample().catch(() => undefined);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async groups() {
    const groups = await this.kafka.consumerGroups();
    return Promise.all(
      groups.sort().map(async (groupId) => {
        const partitions = await this.kafka.groupLag(groupId);
        return {
          groupId,
          totalLag: partitions.reduce((n, p) => n + p.lag, 0),
          partitions,
          history: this.history.get(groupId) ?? [],
        };
      }),
    );
  }

  /** Takes one sample of every group's total lag (also on demand, so tests need not wait). */
  async sample(): Promise<void> {
    const at = new Date().toISOString();
    const lags = new Map<string, number>();
    for (const groupId of await this.kafka.consumerGroups()) {
      const lag = (await this.kafka.groupLag(groupId)).reduce((n, p) => n + p.lag, 0);
      const series = [...(this.history.get(groupId) ?? []), { at, lag }].slice(-this.config.LAG_SAMPLES_KEPT);
      this.history.set(groupId, series);
      lags.set(groupId, lag);
    }
    this.lastSample = { at: Date.now(), lags };
  }

  /**
   * Each group's total lag from the last complete sample (for /metrics, which must not wait on
   * Kafka); nothing once that sample is three intervals old, so a console that cannot reach Kafka
   * reports no lag rather than an old one.
   */
  latest(): Map<string, number> {
    const fresh = this.lastSample && Date.now() - this.lastSample.at <= 3 * this.config.LAG_SAMPLE_SECONDS * 1000;
    return fresh ? this.lastSample!.lags : new Map();
  }
}
