// Event handlers are plain service methods marked @OnEvent, which is Nest's own @EventPattern
// (@nestjs/microservices) with the event type checked against the catalogue; the kit finds them at
// start-up by that metadata and refuses to run if a consumed event type has no handler, or two.
// They are run by our consumer (libs/messaging), not by a Nest microservice transport: see
// docs/architecture.md, "Why the consumer is not a Nest transport".
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import type { EventType } from '@cc/contracts';
import { batchHandler } from '@cc/messaging';
import type { BatchEventHandler, EventHandler, EventHandlers } from '@cc/messaging';

/**
 * Marks a method as the handler of one event type: `(event, tx)`. With `{ batch: true }` the
 * method takes `(events, tx)`: the consumer hands it each run of consecutive events of that type
 * in a transaction at once, so it can do with one statement what would take one per event. It
 * sets each event's flow (`runInFlow`) around what it writes for that event, so the outputs carry
 * the right correlation and causation.
 */
export function OnEvent(type: EventType, options: { batch?: boolean } = {}) {
  return EventPattern(type, { batch: options.batch ?? false });
}

/** The event type and options an @OnEvent (an @EventPattern) gave the method, if any. */
function patternOf(method: object): { type: EventType; batch: boolean } | undefined {
  const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined;
  if (!patterns?.length) return undefined;
  const extras = (Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) ?? {}) as { batch?: boolean };
  return { type: patterns[0] as EventType, batch: extras.batch === true };
}

export function discoverEventHandlers(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  consumes: readonly EventType[],
): EventHandlers {
  const found = new Map<EventType, { handler: EventHandler; where: string }[]>();
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance);
    for (const method of scanner.getAllMethodNames(prototype)) {
      const meta = patternOf(prototype[method]);
      if (!meta) continue;
      const { type } = meta;
      const list = found.get(type) ?? [];
      const bound = (prototype[method] as (...args: unknown[]) => Promise<void>).bind(instance);
      list.push({
        handler: meta.batch ? batchHandler(bound as BatchEventHandler) : (bound as EventHandler),
        where: `${prototype.constructor.name}.${method}`,
      });
      found.set(type, list);
    }
  }
  const problems: string[] = [];
  for (const type of consumes) {
    const list = found.get(type) ?? [];
    if (list.length === 0) problems.push(`event ${type} is consumed but has no @OnEvent handler`);
    if (list.length > 1)
      problems.push(`event ${type} has ${list.length} handlers: ${list.map((h) => h.where).join(', ')}`);
  }
  for (const [type, list] of found)
    if (!consumes.includes(type))
      problems.push(`${list[0].where} handles ${type}, which the service does not declare it consumes`);
  if (problems.length) throw new Error(`event handlers are miswired:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries([...found].map(([type, [{ handler }]]) => [type, handler])) as EventHandlers;
}
