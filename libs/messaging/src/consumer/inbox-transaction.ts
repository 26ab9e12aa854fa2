// One inbox transaction, the only way the consumer handles events (a chunk on the fast path, one
// event on the slow path): one multi-row insert into `inbox` turns away the events handled before
// (and an event's second copy in the same chunk), then the handlers run in order in the same
// transaction, so an event's effects and its inbox row commit together or not at all.
import type { Span } from '@opentelemetry/api';
import type { DataSource } from 'typeorm';
import type { DecodedEvent } from '@cc/contracts';
import { runInFlow, withSpan } from '@cc/platform';
import { deferOutboxWrites, flushOutbox } from '../outbox';
import type { EventWork } from './handlers';
import { flowOf } from './tracing';

/** What a committed inbox transaction did with its events: handled now, or turned away as handled before. */
export interface InboxOutcome {
  handled: DecodedEvent[];
  duplicates: DecodedEvent[];
}

export class InboxTransaction {
  /** `group` is the logical group name the inbox rows carry (e.g. `catalog`). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly group: string,
  ) {}

  /**
   * Handles `work` in one transaction: a handler with a batch form gets each run of consecutive
   * events it handles at once; any other handler gets its events one at a time, in the event's
   * flow with the event's span (from `spans`) active, as does a batch handler given a run of one.
   * Throws, having changed nothing, if any
   * handler throws.
   */
  async run(work: EventWork[], spans: ReadonlyMap<DecodedEvent, Span>): Promise<InboxOutcome> {
    const handled = await this.dataSource.transaction(async (tx) => {
      const inserted: { event_id: string }[] = await tx.query(
        `INSERT INTO inbox (consumer_group, event_id, event_type) SELECT $1, * FROM unnest($2::uuid[], $3::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.group, work.map((w) => w.event.id), work.map((w) => w.event.type)],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const done: DecodedEvent[] = [];
      deferOutboxWrites(tx); // the events and jobs of the whole transaction leave in one insert, before the commit
      const todo = work.filter(({ event }) => fresh.delete(event.id)); // not handled before, nor twice in this chunk
      for (let i = 0; i < todo.length;) {
        const { event, handler } = todo[i];
        let end = i + 1;
        if (handler.batch) while (end < todo.length && todo[end].handler === handler) end++;
        if (end - i > 1) {
          // a run of consecutive events of one type goes to its batch handler at once, in order;
          // its statements belong to no single event's trace
          const run = todo.slice(i, end).map((w) => w.event);
          await handler.batch!(run, tx);
          done.push(...run);
        } else {
          // one event (a handler of one, or a batch handler's run of one): in its flow, under its span
          const span = spans.get(event);
          const handle = () => runInFlow(flowOf(event), () => handler(event, tx));
          await (span ? withSpan(span, handle) : handle());
          done.push(event);
        }
        i = end;
      }
      await flushOutbox(tx);
      return done;
    });
    return { handled, duplicates: work.map((w) => w.event).filter((event) => !handled.includes(event)) };
  }
}
