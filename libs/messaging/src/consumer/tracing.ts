// The consumer's traces: a span per event handled (a child of the sender's, with the attempt), and
// the flow its handler works in, which carries that span's context to what the handler writes.
import type { Span } from '@opentelemetry/api';
import type { DecodedEvent } from '@cc/contracts';
import { FlowContext, isTraceparent, startConsumerSpan, traceparentOf } from '@cc/platform';

/** The trace context of each event while a consumer handles it: its span's, child of the sender's. */
const handling = new WeakMap<DecodedEvent, string>();

/**
 * The flow an event's handler works in: its correlation, the event as the cause, and the trace it
 * continues. Handlers that take a run of events (`batchHandler`) run what they write for each
 * event in that event's flow, so its answer carries the right ids.
 */
export function flowOf(event: DecodedEvent): FlowContext {
  const traceparent = handling.get(event) ?? (isTraceparent(event.traceparent) ? event.traceparent : undefined);
  return { correlationId: event.correlationId, causationId: event.id, ...(traceparent ? { traceparent } : {}) };
}

/**
 * A span for handling `event` (a child of the sender's), read from `topic` by the consumer group
 * `groupId`, whose context the event's flow carries while it is handled.
 */
export function startEventSpan(groupId: string, topic: string, event: DecodedEvent, attempt: number): Span {
  const span = startConsumerSpan(
    `process ${event.type}`,
    isTraceparent(event.traceparent) ? event.traceparent : undefined,
    {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': groupId,
      'messaging.message.id': event.id,
      'cc.event_type': event.type,
      'cc.correlation_id': event.correlationId,
      'cc.attempt': attempt,
    },
  );
  const traceparent = traceparentOf(span);
  if (traceparent) handling.set(event, traceparent);
  return span;
}
