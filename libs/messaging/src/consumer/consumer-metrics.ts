// What the consumer counts, under one consumer group's label: events by outcome (handled,
// duplicate, ignored, retried, dead-lettered), the time to handle an event, its hop latency (from
// occurring to handled) and the events in each committed transaction.
import type { DecodedEvent } from '@cc/contracts';
import type { Metrics } from '@cc/platform';

export class ConsumerMetrics {
  /** `group` is the logical group name (e.g. `catalog`), as the metrics label it. */
  constructor(
    private readonly group: string,
    private readonly metrics?: Metrics,
  ) {}

  /** An event of a type the consumer has no handler for. */
  ignored(type: string): void {
    this.metrics?.eventsConsumed.inc({ group: this.group, type, outcome: 'ignored' });
  }

  /** A committed transaction, with the events it counts (the slow path's counts as one, duplicate or not). */
  transaction(events: number): void {
    this.metrics?.consumerTransactionEvents.observe({ group: this.group }, events);
  }

  /**
   * An event done with in a committed transaction: handled, or a duplicate (handled before). The
   * time it took is recorded when given; the hop latency only for an event handled now.
   */
  done(event: DecodedEvent, handled: boolean, seconds?: number): void {
    const labels = { group: this.group, type: event.type };
    if (seconds !== undefined) this.metrics?.eventHandleDuration.observe(labels, seconds);
    this.metrics?.eventsConsumed.inc({ ...labels, outcome: handled ? 'handled' : 'duplicate' });
    if (handled)
      this.metrics?.eventHopLatency.observe(labels, Math.max(0, Date.now() - Date.parse(event.occurredAt)) / 1000);
  }

  /** A handler failed and the event will be tried again. */
  retried(event: DecodedEvent): void {
    this.metrics?.eventsConsumed.inc({ group: this.group, type: event.type, outcome: 'retried' });
  }

  /** A message sent to the dead-letter topic; `type` is from its headers (`unknown` without). */
  deadLettered(type: string): void {
    this.metrics?.eventsConsumed.inc({ group: this.group, type, outcome: 'dead-lettered' });
  }
}
