// The AsyncAPI document of the platform's events, generated from this library: every event type
// of the catalogue, its topic (channel), the envelope, and its payload's JSON Schema from the
// class-validator rules the consumers check it with. `npm run asyncapi` writes docs/asyncapi.json;
// asyncapi.spec.ts fails when the committed file is not what the contracts say. Not exported from
// the library's index: only the script and the spec load it (and its dev dependency).
// class-transformer keeps its @Type() metadata here (nested payloads); its types ship under types/
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: unknown };
import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { CURRENT_VERSION, EventCatalogue, EventType, sourceOf, topicOf } from './catalogue';
import './envelope';

export function asyncApiDocument(): Record<string, unknown> {
  // every class the contracts declare, as JSON Schemas that refer to each other by name
  const all = validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    classTransformerMetadataStorage: defaultMetadataStorage as never,
    refPointerPrefix: '#/components/schemas/',
  });
  const types = (Object.keys(EventCatalogue) as EventType[]).sort();
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const type of types) {
    const payloadClass = (EventCatalogue[type] as Record<number, { name: string }>)[CURRENT_VERSION];
    const topic = topicOf(type);
    const channel = (channels[topic] ??= { address: topic, messages: {} }) as { messages: Record<string, unknown> };
    channel.messages[type] = { $ref: `#/components/messages/${type}` };
    messages[type] = {
      name: type,
      title: type,
      summary: `${type} v${CURRENT_VERSION}, written by ${sourceOf(type)} through its outbox`,
      headers: { $ref: '#/components/schemas/EnvelopeHeaders' },
      payload: {
        allOf: [
          { $ref: '#/components/schemas/EventEnvelope' },
          {
            type: 'object',
            properties: {
              type: { const: type },
              version: { const: CURRENT_VERSION },
              source: { const: sourceOf(type) },
              data: { $ref: `#/components/schemas/${payloadClass.name}` },
            },
          },
        ],
      },
    };
  }
  // a payload class that extends another (ShipmentLineV1 extends OrderLineV1) gets its parent's fields too
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<{ name: string }, unknown> };
  for (const target of storage.validationMetadatas.keys()) {
    const own = all[target.name] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (
      let parent = Object.getPrototypeOf(target) as { name?: string } | null;
      own && parent?.name;
      parent = Object.getPrototypeOf(parent)
    ) {
      const inherited = all[parent.name] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      if (!inherited) continue;
      own.properties = { ...inherited.properties, ...own.properties };
      own.required = [...new Set([...(inherited.required ?? []), ...(own.required ?? [])])];
    }
  }
  // only the schemas the events reach (whatever else the process has loaded stays out)
  const schemas: Record<string, unknown> = {};
  const reach = (name: string) => {
    if (schemas[name] || !all[name]) return;
    schemas[name] = all[name];
    for (const [, ref] of JSON.stringify(all[name]).matchAll(/"#\/components\/schemas\/([A-Za-z0-9_]+)"/g)) reach(ref);
  };
  reach('EventEnvelope');
  for (const type of types) reach((EventCatalogue[type] as Record<number, { name: string }>)[CURRENT_VERSION].name);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'County Commerce events',
      version: '1',
      description:
        'Every event the services exchange over Kafka. Generated from libs/contracts by scripts/asyncapi.ts; do not edit by hand.',
    },
    channels,
    components: {
      messages,
      schemas: {
        ...Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
        EnvelopeHeaders: {
          type: 'object',
          properties: Object.fromEntries(
            [
              'event-id',
              'event-type',
              'event-version',
              'event-source',
              'correlation-id',
              'causation-id',
              'traceparent',
            ].map((h) => [h, { type: 'string' }]),
          ),
        },
      },
    },
  };
}
