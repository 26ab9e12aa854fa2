import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { currentTraceparent, runInFlow } from './context';
import {
  contextOf,
  endSpan,
  isTraceparent,
  startConsumerSpan,
  traceparentOf,
  underTraceparent,
  withSpan,
} from './tracing';

// no SDK is registered in unit tests: what is checked here is that a trace passes through unchanged
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context carried by flows, events and jobs', () => {
  it('accepts only well-formed W3C traceparents', () => {
    expect(isTraceparent(PARENT)).toBe(true);
    for (const bad of [
      undefined,
      '',
      'abc',
      PARENT.toUpperCase(),
      '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      `${PARENT}-x`,
    ]) {
      expect([bad, isTraceparent(bad)]).toEqual([bad, false]);
    }
  });

  it('reads back the traceparent of a remote parent', () => {
    const span = trace.getSpan(contextOf(PARENT))!;
    expect(traceparentOf(span)).toBe(PARENT);
    expect(trace.getSpan(contextOf('not-a-traceparent'))).toBeUndefined();
  });

  it('starts a consumer span that, without an SDK, passes the sender’s trace on', () => {
    const span = startConsumerSpan('process orders.order-placed', PARENT, { 'messaging.system': 'kafka' });
    expect(traceparentOf(span)).toBe(PARENT);
    // no context manager either: the flow is what carries it to what the handler writes
    expect(
      withSpan(span, () =>
        runInFlow({ correlationId: 'c', traceparent: traceparentOf(span) }, () => currentTraceparent()),
      ),
    ).toBe(PARENT);
    endSpan(span, new Error('does not throw on a non-recording span'));
    const orphan = startConsumerSpan('process x', undefined, {});
    expect(traceparentOf(orphan)).toBeUndefined();
  });

  it('gives what a flow writes the flow’s trace, and nothing when it has none', () => {
    expect(runInFlow({ correlationId: 'c', traceparent: PARENT }, () => currentTraceparent())).toBe(PARENT);
    expect(runInFlow({ correlationId: 'c' }, () => currentTraceparent())).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
  });
});

describe('with the SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it('makes the consumer span a child of the sender’s, and what the handler writes continues it', () => {
    const span = startConsumerSpan('process orders.order-placed', PARENT, { 'messaging.system': 'kafka' });
    const own = traceparentOf(span)!;
    expect(own.split('-')[1]).toBe(PARENT.split('-')[1]); // the same trace
    expect(own).not.toBe(PARENT); // its own span
    // the active span wins over the flow's traceparent (the HTTP span over the caller's, say)
    expect(
      withSpan(span, () => runInFlow({ correlationId: 'c', traceparent: PARENT }, () => currentTraceparent())),
    ).toBe(own);
    endSpan(span, new Error('handler failed'));
    const [done] = exporter.getFinishedSpans();
    expect([done.name, done.parentSpanContext?.spanId, done.status.code]).toEqual([
      'process orders.order-placed',
      PARENT.split('-')[2],
      SpanStatusCode.ERROR,
    ]);
  });

  it('leaves an active span in place rather than the remote parent', () => {
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const active = trace.getSpan(contextOf(other))!;
    const seen = context.with(trace.setSpan(context.active(), active), () =>
      underTraceparent(PARENT, () => traceparentOf(trace.getSpan(context.active())!)),
    );
    expect(seen).toBe(other);
    expect(underTraceparent(PARENT, () => currentTraceparent())).toBe(PARENT);
  });
});
