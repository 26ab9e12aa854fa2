// Event handlers are plain service methods marked @OnEvent; the kit finds them at start-up and
// refuses to run if a consumed event type has no handler, or two.
import { SetMetadata } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { EventType } from '@cc/contracts';
import type { EventHandler, EventHandlers } from '@cc/messaging';

const ON_EVENT = 'service:on-event';

export const OnEvent = (type: EventType) => SetMetadata(ON_EVENT, type);

export function discoverEventHandlers(discovery: DiscoveryService, scanner: MetadataScanner, consumes: readonly EventType[]): EventHandlers {
  const found = new Map<EventType, { handler: EventHandler; where: string }[]>();
  for (const wrapper of discovery.getProviders()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance);
    for (const method of scanner.getAllMethodNames(prototype)) {
      const type = Reflect.getMetadata(ON_EVENT, prototype[method]) as EventType | undefined;
      if (!type) continue;
      const list = found.get(type) ?? [];
      list.push({ handler: (prototype[method] as EventHandler).bind(instance), where: `${prototype.constructor.name}.${method}` });
      found.set(type, list);
    }
  }
  const problems: string[] = [];
  for (const type of consumes) {
    const list = found.get(type) ?? [];
    if (list.length === 0) problems.push(`event ${type} is consumed but has no @OnEvent handler`);
    if (list.length > 1) problems.push(`event ${type} has ${list.length} handlers: ${list.map((h) => h.where).join(', ')}`);
  }
  for (const [type, list] of found) if (!consumes.includes(type)) problems.push(`${list[0].where} handles ${type}, which the service does not declare it consumes`);
  if (problems.length) throw new Error(`event handlers are miswired:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries([...found].map(([type, [{ handler }]]) => [type, handler])) as EventHandlers;
}
