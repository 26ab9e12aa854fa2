// Prometheus metrics shared by every service; each service adds its own to the same registry.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsProduced: Counter<'type'>;
  readonly eventsConsumed: Counter<'group' | 'type' | 'outcome'>;
  readonly eventHandleDuration: Histogram<'group' | 'type'>;
  readonly eventHopLatency: Histogram<'group' | 'type'>;
  readonly jobsProcessed: Counter<'queue' | 'name' | 'outcome'>;
  /** Rows per relay batch and events per consumer transaction: how much the batching amortises. */
  readonly relayBatchRows: Histogram<string>;
  readonly consumerTransactionEvents: Histogram<'group'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    // the event-loop delay histogram samples every 100 ms, not prom-client's 10 ms: a hundred
    // wake-ups a second per process were a measurable part of the platform's cost at rest
    // (npm run bench:idle); delays are still measured to the millisecond, from fewer samples
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    // prom-client's sums of nodejs_active_{handles,requests,resources} are gauges named _total,
    // which `promtool check metrics` refuses (a _total is a counter); the per-type gauges stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(name);
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.eventsProduced = new Counter({
      name: 'events_produced_total',
      help: 'Events relayed from the outbox to Kafka',
      labelNames: ['type'],
      registers,
    });
    this.eventsConsumed = new Counter({
      name: 'events_consumed_total',
      help: 'Events taken from Kafka, by outcome (handled, duplicate, ignored, dead-lettered, retried)',
      labelNames: ['group', 'type', 'outcome'],
      registers,
    });
    this.eventHandleDuration = new Histogram({
      name: 'event_handle_duration_seconds',
      help: 'Time to handle one event, including its transaction',
      labelNames: ['group', 'type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.eventHopLatency = new Histogram({
      name: 'event_hop_latency_seconds',
      help: 'From the event occurring (outbox commit) to its consumer finishing',
      labelNames: ['group', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.jobsProcessed = new Counter({
      name: 'jobs_processed_total',
      help: 'BullMQ jobs processed, by outcome',
      labelNames: ['queue', 'name', 'outcome'],
      registers,
    });
    const sizes = [1, 2, 5, 10, 20, 50, 100, 200, 500];
    this.relayBatchRows = new Histogram({
      name: 'outbox_relay_batch_rows',
      help: 'Outbox rows (events and jobs) sent per relay batch',
      buckets: sizes,
      registers,
    });
    this.consumerTransactionEvents = new Histogram({
      name: 'event_consumer_transaction_events',
      help: 'Events handled per consumer transaction',
      labelNames: ['group'],
      buckets: sizes,
      registers,
    });
  }
}
