// Distributed traces with OpenTelemetry. HTTP, PostgreSQL and Redis calls are traced by the
// ecosystem's instrumentations; Kafka events and BullMQ jobs carry a W3C `traceparent` next to
// their correlation id (in the event's envelope and headers, in the job's data), because both
// leave through the outbox, after the request or handler that wrote them has returned: no library
// instrumentation can see that hop, so the flow (context.ts) carries it across.
//
// Traces are exported by OTLP/HTTP only when an endpoint is configured
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); otherwise no SDK is loaded
// and nothing is recorded, but a `traceparent` that arrives still travels on unchanged, so a
// caller's trace is not cut by a service that does not export.
import {
  context,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const w3c = new W3CTraceContextPropagator();
let shutdown: (() => Promise<void>) | undefined;

/** Whether `value` is a well-formed W3C traceparent (version 00). */
export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value) && !/^00-0{32}-/.test(value) && !/-0{16}-..$/.test(value);
}

/**
 * Starts exporting traces for `service` when an OTLP endpoint is configured; call it before
 * anything else is loaded (each service's `tracing.ts`, imported first by its `main.ts`), so the
 * instrumentations see `http`, `pg` and `ioredis` being required. Returns whether it did.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (shutdown || env.OTEL_SDK_DISABLED === 'true') return false;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  // loaded only here: a service that does not export pays nothing for the SDK
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? service,
      'service.namespace': 'county-commerce',
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: w3c });
  const quiet = new Set(['/health', '/metrics']);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // probes and scrapes every few seconds are not work anyone traces
        ignoreIncomingRequestHook: (req) => quiet.has((req.url ?? '').split('?')[0]),
        // the exporter's own calls would trace themselves
        ignoreOutgoingRequestHook: (req) => String(req.path ?? '').startsWith('/v1/traces'),
        requestHook: (span, req) => {
          const id = 'headers' in req ? req.headers['x-correlation-id'] : undefined;
          if (typeof id === 'string') span.setAttribute('cc.correlation_id', id);
        },
      }),
      // statements inside a traced request, event or job; not the pool's or the relay's housekeeping
      new PgInstrumentation({ requireParentSpan: true }),
      // BullMQ polls Redis all the time: only commands made inside a traced piece of work
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  shutdown = () => provider.shutdown();
  return true;
}

/** Sends the spans still buffered; called as a service stops. */
export async function stopTracing(): Promise<void> {
  const done = shutdown;
  shutdown = undefined;
  await done?.().catch(() => undefined);
}

/** The `traceparent` of the active span, if a valid one is active. */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpan(context.active());
  return span && trace.isSpanContextValid(span.spanContext()) ? traceparentOf(span) : undefined;
}

export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier.traceparent;
}

/** The context of a remote parent named by `traceparent` (the root context if there is none). */
export function contextOf(traceparent: string | undefined): Context {
  if (!isTraceparent(traceparent)) return ROOT_CONTEXT;
  return w3c.extract(
    ROOT_CONTEXT,
    { traceparent },
    { get: (c, k) => c[k as 'traceparent'], keys: () => ['traceparent'] },
  );
}

const tracer = () => trace.getTracer('county-commerce');

/**
 * Starts a span for work that arrived by Kafka or BullMQ, as a child of the `traceparent` it
 * carried. Without an SDK the span records nothing but keeps the parent's ids, so its
 * `traceparent` passes the caller's on. The caller ends it.
 */
export function startConsumerSpan(name: string, parent: string | undefined, attributes: Attributes): Span {
  return tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, contextOf(parent));
}

/** Ends `span`, marking it failed with `error` if there was one. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Runs `fn` with `span` active (for the instrumentations' child spans). */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/**
 * Runs `fn` under the remote parent `traceparent`, unless a span is active already (the HTTP
 * instrumentation's for a request, the consumer's for an event): that one is the better parent.
 */
export function underTraceparent<T>(traceparent: string | undefined, fn: () => T): T {
  if (!isTraceparent(traceparent) || activeTraceparent() !== undefined) return fn();
  return context.with(contextOf(traceparent), fn);
}
