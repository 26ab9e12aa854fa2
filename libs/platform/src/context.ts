// The correlation context of the work in progress (an HTTP request, a Kafka event or a job),
// carried by AsyncLocalStorage so logs and new events pick it up without threading it by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { activeTraceparent, underTraceparent } from './tracing';

export interface FlowContext {
  correlationId: string;
  /** The id of the event being handled, when the work was caused by one. */
  causationId: string | null;
  /** The W3C trace context the work belongs to, when it arrived with one (see tracing.ts). */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<FlowContext>();

/** Runs `fn` in a flow; a `traceparent` given becomes the parent of the spans `fn` makes. */
export function runInFlow<T>(context: Partial<FlowContext>, fn: () => T): T {
  const flow: FlowContext = {
    correlationId: context.correlationId ?? randomUUID(),
    causationId: context.causationId ?? null,
  };
  if (context.traceparent) flow.traceparent = context.traceparent;
  return storage.run(flow, () => underTraceparent(flow.traceparent, fn));
}

export function currentFlow(): FlowContext | undefined {
  return storage.getStore();
}

/** The trace that what is written now (an event, a job) continues: the active span's, else the flow's. */
export function currentTraceparent(): string | undefined {
  return activeTraceparent() ?? storage.getStore()?.traceparent;
}
