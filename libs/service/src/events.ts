// Event handlers are plain service methods marked @OnEvent; the kit finds them at start-up and
// refuses to run if a consumed event type has no handler, or two.
import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { EventType } from '@cc/contracts';
import { batchHandler } from '@cc/messaging';
import type { BatchEventHandler, EventHandler, EventHandlers } from '@cc/messaging';

const ON_EVENT = 'service:on-event';

/**
 * Marks a method as the handler of one event type: `(event, tx)`. With `{ batch: true }` the
 * method takes `(events, tx)`: the consumer hands it each run of consecutive events of that type
 * in a transaction at once, so it can do with one statement what would take one per event. It
 * sets each event's flow (`runInFlow`) around what it writes for that event, so the outputs carry
 * the right correlation and causation.
 */
export function OnEvent(type: EventType, options: { batch?: boolean } = {}) {
  return SetMetadata(ON_EVENT, { type, batch: options.batch ?? false });
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
      const meta = Reflect.getMetadata(ON_EVENT, prototype[method]) as { type: EventType; batch: boolean } | undefined;
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
