// What every service tells operations about itself: its outbox backlog (GET /admin/outbox, ops
// only) and, on /metrics, gauges for the backlog and for each BullMQ queue's job counts.
import { Controller, Get, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics, Roles } from '@cc/platform';
import { Jobs } from './jobs';
import type { ServiceOptions } from './options';
import { SERVICE_OPTIONS } from './tokens';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

@Injectable()
export class OutboxBacklog {
  constructor(private readonly dataSource: DataSource) {}

  async read(): Promise<{ unsent: number; oldestUnsentAt: string | null; oldestUnsentAgeSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS unsent, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL`,
    );
    const oldest: Date | null = row.oldest;
    return {
      unsent: row.unsent,
      oldestUnsentAt: oldest?.toISOString() ?? null,
      oldestUnsentAgeSeconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
    };
  }
}

@Injectable()
export class ServiceGauges implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly backlog: OutboxBacklog,
    private readonly jobs: Jobs,
  ) {}

  onApplicationBootstrap(): void {
    const backlog = this.backlog;
    const jobs = this.jobs;
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows (events and jobs) committed but not yet relayed',
      registers,
      async collect() {
        this.set((await backlog.read()).unsent);
      },
    });
    new Gauge({
      name: 'outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unrelayed outbox row',
      registers,
      async collect() {
        this.set((await backlog.read()).oldestUnsentAgeSeconds);
      },
    });
    new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        for (const name of jobs.queueNames()) {
          const counts = await jobs.queue(name).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
  }
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin')
export class AdminController {
  constructor(
    private readonly backlog: OutboxBacklog,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
  ) {}

  @Get('outbox')
  @Roles('ops')
  async outbox() {
    return { service: this.options.service, ...(await this.backlog.read()) };
  }
}
