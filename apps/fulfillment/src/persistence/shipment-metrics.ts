// fulfillment_shipments_overdue and fulfillment_shipments_pickup_missed on /metrics: parcels still
// with the courier after their delivery window, and parcels the courier has not collected though
// their round's time has passed, by category, read from the database at each scrape (nothing to
// keep in step).
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CATEGORIES } from '@cc/contracts';
import { Clock, Metrics } from '@cc/platform';

@Injectable()
export class ShipmentMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const { dataSource, clock } = this;
    new Gauge({
      name: 'fulfillment_shipments_overdue',
      help: 'Parcels picked up and not delivered within their category’s delivery window (DELIVERY_WINDOW_HOURS)',
      labelNames: ['category'],
      registers: [this.metrics.registry],
      async collect() {
        const rows: { category: string; n: number }[] = await dataSource.query(
          `SELECT category, count(*)::int AS n FROM shipments WHERE status = 'picked_up' AND delivery_due_at < $1 GROUP BY category`,
          [clock.now()],
        );
        const counts = new Map(rows.map((r) => [r.category, r.n]));
        for (const category of CATEGORIES) this.set({ category }, counts.get(category) ?? 0);
      },
    });
    // the earliest sign of produce at risk: the van was due and no picked-up report came, so the
    // parcel spoils at its pickup deadline unless someone acts (the console lists them as at risk)
    new Gauge({
      name: 'fulfillment_shipments_pickup_missed',
      help: 'Parcels still waiting for the courier after the time of their booked pickup round (service clock); each fails as spoiled at its pickup deadline unless collected',
      labelNames: ['category'],
      registers: [this.metrics.registry],
      async collect() {
        const rows: { category: string; n: number }[] = await dataSource.query(
          `SELECT category, count(*)::int AS n FROM shipments WHERE status = 'scheduled' AND slot_starts_at < $1 GROUP BY category`,
          [clock.now()],
        );
        const counts = new Map(rows.map((r) => [r.category, r.n]));
        for (const category of CATEGORIES) this.set({ category }, counts.get(category) ?? 0);
      },
    });
  }
}
