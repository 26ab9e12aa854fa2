// Turns a raw Kafka value into a validated envelope with a validated payload, or says why not.
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { EventCatalogue, EventType, isEventType, PayloadOf } from './catalogue';
import { EventEnvelope } from './envelope';

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export type DecodedEvent<T extends EventType = EventType> = EventEnvelope<PayloadOf<T>> & { type: T };

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...describe(e.children ?? [], path)];
  });
}

function check(object: object, what: string): void {
  const errors = validateSync(object, { whitelist: true, forbidUnknownValues: true });
  if (errors.length) throw new InvalidEventError(`${what} is invalid: ${describe(errors).join('; ')}`);
}

/** Parses and validates the envelope only (the payload is left as plain JSON). */
export function decodeEnvelope(raw: Buffer | string | null): EventEnvelope {
  if (raw === null || raw.length === 0) throw new InvalidEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (e) {
    throw new InvalidEventError(`message is not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InvalidEventError('message is not a JSON object');
  const data = (json as { data?: unknown }).data;
  const envelope = plainToInstance(EventEnvelope, { ...json, data: undefined });
  envelope.data = data as Record<string, unknown>;
  check(envelope, 'envelope');
  return envelope;
}

/** Validates the payload of an envelope against the catalogue's class for its type and version. */
export function decodePayload<T extends EventType>(envelope: EventEnvelope): DecodedEvent<T> {
  if (!isEventType(envelope.type)) throw new InvalidEventError(`unknown event type ${envelope.type}`);
  const versions = EventCatalogue[envelope.type] as Record<number, new () => object>;
  const payloadClass = versions[envelope.version];
  if (!payloadClass) throw new InvalidEventError(`unsupported version ${envelope.version} of ${envelope.type}`);
  const payload = plainToInstance(payloadClass, envelope.data);
  check(payload, `${envelope.type} v${envelope.version} payload`);
  return { ...envelope, data: payload } as unknown as DecodedEvent<T>;
}

export function decodeEvent<T extends EventType = EventType>(raw: Buffer | string | null): DecodedEvent<T> {
  return decodePayload<T>(decodeEnvelope(raw));
}
