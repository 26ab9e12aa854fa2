// The envelope every Kafka message carries (docs/design.md, “Events”); the payload lives in `data`.
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Min } from 'class-validator';

export const SOURCES = ['catalog', 'orders', 'fulfillment', 'payouts'] as const;
export type Source = (typeof SOURCES)[number];

export class EventEnvelope<T = Record<string, unknown>> {
  @IsUUID() id!: string;
  @IsString() @Matches(/^[a-z]+\.[a-z][a-z-]*$/) type!: string;
  @IsInt() @Min(1) version!: number;
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsIn(SOURCES) source!: Source;
  @IsUUID() correlationId!: string;
  @IsOptional() @IsUUID() causationId!: string | null;
  /**
   * The W3C trace context of the work that wrote the event (mirrored in the `traceparent` header).
   * Only a string is required: a malformed one is ignored by consumers, never a reason to refuse the event.
   */
  @IsOptional() @IsString() traceparent?: string;
  @IsObject() data!: T;
}

/** Header names that mirror the envelope, so tools can route without parsing the value. */
export const EnvelopeHeaders = {
  id: 'event-id',
  type: 'event-type',
  version: 'event-version',
  source: 'event-source',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  traceparent: 'traceparent',
} as const;
