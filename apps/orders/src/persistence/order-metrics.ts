// orders_by_status on /metrics: what operations watch pile up on a festival night.
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics } from '@cc/platform';
import { ORDER_STATUSES } from '../domain/order-states';

@Injectable()
export class OrderMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const dataSource = this.dataSource;
    new Gauge({
      name: 'orders_by_status',
      help: 'Orders per status',
      labelNames: ['status'],
      registers: [this.metrics.registry],
      async collect() {
        const rows: { status: string; n: number }[] = await dataSource.query(
          'SELECT status, count(*)::int AS n FROM orders GROUP BY status',
        );
        const counts = new Map(rows.map((r) => [r.status, r.n]));
        for (const status of ORDER_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      },
    });
  }
}
