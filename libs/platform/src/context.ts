// The correlation context of the work in progress (an HTTP request, a Kafka event or a job),
// carried by AsyncLocalStorage so logs and new events pick it up without threading it by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface FlowContext {
  correlationId: string;
  /** The id of the event being handled, when the work was caused by one. */
  causationId: string | null;
}

const storage = new AsyncLocalStorage<FlowContext>();

export function runInFlow<T>(context: Partial<FlowContext>, fn: () => T): T {
  return storage.run({ correlationId: context.correlationId ?? randomUUID(), causationId: context.causationId ?? null }, fn);
}

export function currentFlow(): FlowContext | undefined {
  return storage.getStore();
}
