// Admission control at checkout: on a festival night the platform refuses early (429) rather than
// accept more than the pipeline carries and fall behind for everyone, while a stage that merely
// stalls for a few seconds (a restart, a rebalance) is ridden out (admission-rules.ts). The decision
// reads a sample of the pipeline's backlog taken in the background every ADMISSION_SAMPLE_MS,
// never per request. When no checkout has come for a while the county is at rest and the sample is
// taken twenty times less often (the gauges still move; a quiet night costs no query every 250 ms);
// the first checkout after the rest takes a fresh one at once.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { Metrics } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { OrdersConfig } from '../config';
import {
  PIPELINE_STAGES,
  PipelineBacklog,
  PipelineBacklogRepository,
} from '../persistence/pipeline-backlog.repository';
import {
  AdmissionBounds,
  judgeStage,
  retryAfterSeconds,
  StageTrack,
  StageVerdict,
  trackStage,
} from './admission-rules';

/** Checkout refused: the pipeline is behind. `retryAfterSeconds` goes out as Retry-After. */
export class PipelineBehind extends Error {
  override readonly name = 'PipelineBehind';
  constructor(
    readonly stage: keyof PipelineBacklog,
    readonly backlogMs: number,
    readonly retryAfterSeconds: number,
    readonly stalled = false,
  ) {
    super(
      `checkout is refused for now: the order pipeline is ${(backlogMs / 1000).toFixed(1)} s behind (${stage})${stalled ? ' and has not moved for a while' : ''}; try again in ${retryAfterSeconds} s`,
    );
  }
}

@Injectable()
export class CheckoutAdmission implements OnApplicationBootstrap, OnModuleDestroy {
  private latest: { verdicts: [keyof PipelineBacklog, StageVerdict][]; at: number } | null = null;
  private readonly tracks = new Map<keyof PipelineBacklog, StageTrack>();
  private timer?: NodeJS.Timeout;
  private sampling = false;
  private failing = false;
  /** When admit() was last asked (a checkout came); long ago means the county is at rest. */
  private lastAskedAt = 0;
  private refused?: Counter<'stage'>;
  private backlogGauge?: Gauge<'stage'>;
  private stalledGauge?: Gauge<'stage'>;

  constructor(
    private readonly backlog: PipelineBacklogRepository,
    private readonly config: OrdersConfig,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get bounds(): AdmissionBounds {
    return {
      maxBacklogMs: this.config.ADMISSION_MAX_BACKLOG_MS,
      stallMs: this.config.ADMISSION_STALL_MS,
      maxStallMs: this.config.ADMISSION_MAX_STALL_MS,
    };
  }

  private get enabled(): boolean {
    return this.config.ADMISSION_MAX_BACKLOG_MS > 0;
  }

  onApplicationBootstrap(): void {
    const registers = [this.metrics.registry];
    this.refused = new Counter({
      name: 'checkouts_refused_total',
      help: 'Checkouts refused with 429 because the pipeline was behind, by the stage that was',
      labelNames: ['stage'],
      registers,
    });
    this.backlogGauge = new Gauge({
      name: 'pipeline_backlog_seconds',
      help: 'Age of the oldest work waiting at each stage, as admission last sampled it',
      labelNames: ['stage'],
      registers,
    });
    this.stalledGauge = new Gauge({
      name: 'pipeline_stage_stalled',
      help: 'Whether admission last judged the stage stalled (its oldest work not moving): 1 stalled, 0 not',
      labelNames: ['stage'],
      registers,
    });
    if (!this.enabled) return;
    this.schedule(this.config.ADMISSION_SAMPLE_MS);
    void this.sample();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private get restIntervalMs(): number {
    return this.config.ADMISSION_SAMPLE_MS * 20;
  }

  /** No checkout for 20 sample intervals: the county is at rest. */
  private restingAt(now: number): boolean {
    return now - this.lastAskedAt > this.restIntervalMs;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  /**
   * The timer: a sample every ADMISSION_SAMPLE_MS while checkouts come, every 20× that at rest —
   * the timer itself then sleeps that long too (a wake-up costs even when it does nothing).
   */
  private tick(): void {
    void this.sample();
    if (this.timer) this.schedule(this.restingAt(Date.now()) ? this.restIntervalMs : this.config.ADMISSION_SAMPLE_MS);
  }

  /** Throws PipelineBehind when the last sample says the pipeline cannot carry more. */
  admit(): void {
    if (!this.enabled) return;
    const now = Date.now();
    const wasResting = this.restingAt(now);
    this.lastAskedAt = now;
    if (wasResting && this.timer) {
      // the first checkout after a rest: a fresh sample now, and the timer back to its pace
      clearTimeout(this.timer);
      this.tick();
    }
    if (!this.latest) return;
    // a sample that is not coming (the database is unreachable) decides nothing: checkout fails or
    // succeeds on its own then, and a stale "behind" must not keep refusing after it has drained
    if (now - this.latest.at > this.config.ADMISSION_SAMPLE_MS * 10) return;
    let worst: { stage: keyof PipelineBacklog; ageMs: number; excessMs: number; stalled: boolean } | undefined;
    for (const [stage, verdict] of this.latest.verdicts) {
      if (!verdict.admit && (!worst || verdict.excessMs > worst.excessMs)) worst = { stage, ...verdict };
    }
    if (!worst) return;
    this.refused?.inc({ stage: worst.stage });
    throw new PipelineBehind(worst.stage, worst.ageMs, retryAfterSeconds(worst.excessMs), worst.stalled);
  }

  /** Takes one sample now (also what the timer does). */
  async sample(): Promise<void> {
    if (this.sampling) return; // the last one is still running: the database is slow, don't pile on
    this.sampling = true;
    try {
      const backlog = await this.backlog.sample(
        Math.max(this.config.ADMISSION_STUCK_AFTER_MS, 2 * this.config.ADMISSION_MAX_STALL_MS),
      );
      const now = Date.now();
      const verdicts = PIPELINE_STAGES.map((stage): [keyof PipelineBacklog, StageVerdict] => {
        const track = trackStage(this.tracks.get(stage), backlog[stage], now);
        this.tracks.set(stage, track);
        this.backlogGauge?.set({ stage }, backlog[stage].ageMs / 1000);
        const verdict = judgeStage(backlog[stage], track, now, this.bounds);
        this.stalledGauge?.set({ stage }, verdict.stalled ? 1 : 0);
        return [stage, verdict];
      });
      this.latest = { verdicts, at: now };
      if (this.failing) this.logger.info('pipeline backlog sampled again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.logger.warn({ err }, 'pipeline backlog could not be sampled; checkout admits while it cannot');
      this.failing = true;
    } finally {
      this.sampling = false;
    }
  }
}
