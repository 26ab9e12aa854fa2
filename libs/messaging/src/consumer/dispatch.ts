// From a Kafka message to the work it asks for: the envelope is decoded, its type looked up among
// the handlers, and only then its payload decoded and validated. A type with no handler is ignored,
// and when the message's event-type header already names such a type, the value is never parsed
// (catalog and payouts read topics where most events are not theirs).
import type { KafkaMessage } from 'kafkajs';
import { decodeEnvelope, decodePayload, EnvelopeHeaders, EventType } from '@cc/contracts';
import type { EventHandler, EventHandlers, EventWork } from './handlers';

/** The event and its handler, or the type of an event this consumer has no handler for. */
export type Dispatched = EventWork | { ignored: string };

/** Throws (an `InvalidEventError` for a bad envelope or payload) when the message cannot be decoded. */
export function dispatch(message: KafkaMessage, handlers: EventHandlers): Dispatched {
  const header = message.headers?.[EnvelopeHeaders.type];
  if (header !== undefined && !Array.isArray(header)) {
    const type = header.toString();
    if (!handlers[type as EventType]) return { ignored: type };
  }
  const envelope = decodeEnvelope(message.value);
  const handler = handlers[envelope.type as EventType] as EventHandler | undefined;
  if (!handler) return { ignored: envelope.type };
  return { event: decodePayload(envelope), handler };
}
