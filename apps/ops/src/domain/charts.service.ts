// The last hour, where people look: orders reaching each status per minute (from orders' own
// history), each consumer group's lag (the console's lag samples), each service's outbox age and
// checkout latency (sampled here from the services, kept in memory for an hour). Nothing to run
// beside the console; with Prometheus configured, the Grafana dashboard shows the same and more.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@cc/service';
import { OpsConfig } from '../config';
import { ServiceAdminClient, ServiceName } from '../persistence/service-admin.client';
import { ConsumerLagService } from './consumer-lag.service';

const SERVICES: ServiceName[] = ['catalog', 'orders', 'fulfillment', 'payouts'];
const HOUR_MS = 3_600_000;

interface Sample {
  at: string;
  outboxAgeSeconds: Partial<Record<ServiceName, number>>;
  /** 95th percentile of POST /checkouts over the interval before this sample (seconds), null without checkouts. */
  checkoutP95: number | null;
  checkouts: number;
}

/** The cumulative buckets of one histogram series in Prometheus' text format: le → count. */
export function histogramBuckets(text: string, name: string, labels: Record<string, string>): Map<number, number> {
  const buckets = new Map<number, number>();
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const labelText = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    const parsed = new Map([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!wanted.every(([k, v]) => parsed.get(k) === v)) continue;
    const le = parsed.get('le')!;
    const value = Number(line.slice(line.lastIndexOf('}') + 1).trim());
    buckets.set(
      le === '+Inf' ? Infinity : Number(le),
      (buckets.get(le === '+Inf' ? Infinity : Number(le)) ?? 0) + value,
    );
  }
  return buckets;
}

/** The q-quantile of what a histogram counted between two scrapes, as the upper bound of its bucket (null if nothing was counted). */
export function quantileBetween(
  before: Map<number, number>,
  after: Map<number, number>,
  q: number,
): { value: number | null; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const deltas = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = deltas.at(-1) ?? 0;
  if (total <= 0) return { value: null, count: 0 };
  const i = deltas.findIndex((c) => c >= q * total);
  return { value: Number.isFinite(bounds[i]) ? bounds[i] : (bounds[bounds.length - 2] ?? null), count: total };
}

@Injectable()
export class ChartsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly samples: Sample[] = [];
  private lastCheckoutBuckets?: Map<number, number>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly services: ServiceAdminClient,
    private readonly lag: ConsumerLagService,
    private readonly config: OpsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sample().catch((err) => this.logger.warn({ err }, 'chart sample failed')),
      this.config.LAG_SAMPLE_SECONDS * 1000,
    );
    void this.sample().catch(() => undefined);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One sample of outbox ages and checkout latency (also on demand, so tests need not wait). */
  async sample(): Promise<void> {
    const outbox = await Promise.all(
      SERVICES.map(
        async (s) => [s, await this.services.get<{ oldestUnsentAgeSeconds: number }>(s, '/admin/outbox')] as const,
      ),
    );
    const metrics = await this.services.text('orders', '/metrics');
    let checkoutP95: number | null = null;
    let checkouts = 0;
    if (metrics !== null) {
      const buckets = histogramBuckets(metrics, 'http_request_duration_seconds', {
        method: 'POST',
        route: '/checkouts',
      });
      if (this.lastCheckoutBuckets)
        ({ value: checkoutP95, count: checkouts } = quantileBetween(this.lastCheckoutBuckets, buckets, 0.95));
      this.lastCheckoutBuckets = buckets;
    }
    const at = new Date().toISOString();
    this.samples.push({
      at,
      outboxAgeSeconds: Object.fromEntries(
        outbox
          .filter(([, a]) => !('unavailable' in a))
          .map(([s, a]) => [s, (a as { oldestUnsentAgeSeconds: number }).oldestUnsentAgeSeconds]),
      ),
      checkoutP95,
      checkouts,
    });
    const since = Date.now() - HOUR_MS;
    while (this.samples.length && Date.parse(this.samples[0].at) < since) this.samples.shift();
  }

  async lastHour() {
    const [flow, groups] = await Promise.all([
      this.services.get<{ now: string; minutes: { minute: string; status: string; orders: number }[] }>(
        'orders',
        '/admin/order-flow',
      ),
      this.lag.groups().catch(() => []),
    ]);
    return {
      // minutes on orders' clock, as minutes before its now (a demo's clock runs fast)
      orderFlow:
        'unavailable' in flow
          ? flow
          : flow.minutes.map((m) => ({ ...m, minutesAgo: (Date.parse(flow.now) - Date.parse(m.minute)) / 60_000 })),
      consumerLag: groups.map((g) => ({ group: g.groupId, points: g.history })),
      outboxAge: SERVICES.map((service) => ({
        service,
        points: this.samples
          .filter((s) => s.outboxAgeSeconds[service] !== undefined)
          .map((s) => ({ at: s.at, seconds: s.outboxAgeSeconds[service]! })),
      })),
      checkoutP95: this.samples.map((s) => ({ at: s.at, seconds: s.checkoutP95, checkouts: s.checkouts })),
    };
  }
}
