// The console's own gauges on its /metrics: consumer lag per group and dead letters waiting per
// topic — what its Kafka and dead-letter panels show, for Prometheus' alert rules
// (deploy/prometheus/alerts.yml). The services cannot export these themselves: a stopped
// service's lag is exactly what must still be reported.
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { Metrics } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { ConsumerLagService } from '../domain/consumer-lag.service';
import { DeadLettersService } from '../domain/dead-letters.service';

/** Kafka that does not answer must not hold the scrape past Prometheus' timeout (10 s by default). */
const withinScrape = <T>(work: Promise<T>, ms = 3000): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms)),
  );
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
};

@Injectable()
export class OpsMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly lag: ConsumerLagService,
    private readonly deadLetters: DeadLettersService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { lag, deadLetters, logger } = this;
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'kafka_consumer_group_lag',
      help: 'Messages on its topics not yet consumed by each consumer group, as the console last sampled it (every LAG_SAMPLE_SECONDS); absent when Kafka did not answer',
      labelNames: ['group'],
      registers,
      collect() {
        this.reset();
        for (const [group, value] of lag.latest()) this.set({ group }, value);
      },
    });
    new Gauge({
      name: 'dead_letters_waiting',
      help: 'Messages in each dead-letter topic not re-driven yet',
      labelNames: ['topic'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const { topic, waiting } of await withinScrape(deadLetters.waitingCounts()))
            this.set({ topic }, waiting);
        } catch (err) {
          // the rest of /metrics still answers; the series are simply absent this scrape
          logger.warn({ err }, 'dead letters not counted for /metrics');
        }
      },
    });
  }
}
