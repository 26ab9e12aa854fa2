// What a service gives the consumer: a handler per event type, each taking the event and the
// transaction its inbox row commits in. A batch handler takes a run of events of its type at once.
import type { EntityManager } from 'typeorm';
import type { DecodedEvent, EventType } from '@cc/contracts';

export type EventHandler<T extends EventType = EventType> = ((
  event: DecodedEvent<T>,
  tx: EntityManager,
) => Promise<void>) & {
  /** Set for handlers that take a run of events at once (see `batchHandler`). */
  batch?: BatchEventHandler<T>;
};
export type BatchEventHandler<T extends EventType = EventType> = (
  events: DecodedEvent<T>[],
  tx: EntityManager,
) => Promise<void>;

/** A handler for runs of events; called with one event when the consumer takes events one by one. */
export function batchHandler<T extends EventType>(batch: BatchEventHandler<T>): EventHandler<T> {
  const one: EventHandler<T> = (event, tx) => batch([event], tx);
  one.batch = batch;
  return one;
}
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

/** An event to handle, and its handler. */
export interface EventWork {
  event: DecodedEvent;
  handler: EventHandler;
}
