// Admission control at checkout: on a festival night the platform refuses early (429) rather than
// accept more than the pipeline carries and fall behind for everyone. The decision reads a sample
// of the pipeline's backlog taken in the background every ADMISSION_SAMPLE_MS, never per request.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { Metrics } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { OrdersConfig } from '../config';
import { PIPELINE_STAGES, PipelineBacklog, PipelineBacklogRepository } from '../persistence/pipeline-backlog.repository';

/** Checkout refused: the pipeline is behind. `retryAfterSeconds` goes out as Retry-After. */
export class PipelineBehind extends Error {
  override readonly name = 'PipelineBehind';
  constructor(
    readonly stage: keyof PipelineBacklog,
    readonly backlogMs: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`checkout is refused for now: the order pipeline is ${(backlogMs / 1000).toFixed(1)} s behind (${stage}); try again in ${retryAfterSeconds} s`);
  }
}

@Injectable()
export class CheckoutAdmission implements OnApplicationBootstrap, OnModuleDestroy {
  private latest: { backlog: PipelineBacklog; at: number } | null = null;
  private timer?: NodeJS.Timeout;
  private sampling = false;
  private failing = false;
  private refused?: Counter<'stage'>;
  private backlogGauge?: Gauge<'stage'>;

  constructor(
    private readonly backlog: PipelineBacklogRepository,
    private readonly config: OrdersConfig,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get enabled(): boolean {
    return this.config.ADMISSION_MAX_BACKLOG_MS > 0;
  }

  onApplicationBootstrap(): void {
    const registers = [this.metrics.registry];
    this.refused = new Counter({ name: 'checkouts_refused_total', help: 'Checkouts refused with 429 because the pipeline was behind, by the stage that was', labelNames: ['stage'], registers });
    this.backlogGauge = new Gauge({ name: 'pipeline_backlog_seconds', help: 'Age of the oldest work waiting at each stage, as admission last sampled it', labelNames: ['stage'], registers });
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.sample(), this.config.ADMISSION_SAMPLE_MS);
    this.timer.unref();
    void this.sample();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Throws PipelineBehind when the last sample says the pipeline cannot carry more. */
  admit(): void {
    if (!this.enabled || !this.latest) return;
    // a sample that is not coming (the database is unreachable) decides nothing: checkout fails or
    // succeeds on its own then, and a stale "behind" must not keep refusing after it has drained
    if (Date.now() - this.latest.at > this.config.ADMISSION_SAMPLE_MS * 10) return;
    const [stage, ms] = worst(this.latest.backlog);
    if (ms <= this.config.ADMISSION_MAX_BACKLOG_MS) return;
    this.refused?.inc({ stage });
    // about as long as the excess takes to drain if the pipeline keeps carrying what it does
    const retryAfter = Math.min(30, Math.max(1, Math.ceil((ms - this.config.ADMISSION_MAX_BACKLOG_MS) / 1000)));
    throw new PipelineBehind(stage, ms, retryAfter);
  }

  /** Takes one sample now (also what the timer does). */
  async sample(): Promise<void> {
    if (this.sampling) return; // the last one is still running: the database is slow, don't pile on
    this.sampling = true;
    try {
      const backlog = await this.backlog.sample(Math.max(this.config.ADMISSION_STUCK_AFTER_MS, 2 * this.config.ADMISSION_MAX_BACKLOG_MS));
      this.latest = { backlog, at: Date.now() };
      for (const stage of PIPELINE_STAGES) this.backlogGauge?.set({ stage }, backlog[stage] / 1000);
      if (this.failing) this.logger.info('pipeline backlog sampled again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err }, 'pipeline backlog could not be sampled; checkout admits while it cannot');
      this.failing = true;
    } finally {
      this.sampling = false;
    }
  }
}

function worst(backlog: PipelineBacklog): [keyof PipelineBacklog, number] {
  return PIPELINE_STAGES.map((s) => [s, backlog[s]] as [keyof PipelineBacklog, number]).reduce((a, b) => (b[1] > a[1] ? b : a));
}
