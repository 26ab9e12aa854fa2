import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument } from './asyncapi';
import { EventCatalogue } from './catalogue';

const FILE = join(__dirname, '..', '..', '..', 'docs', 'asyncapi.json');
// `npm run asyncapi` writes the file (this spec, with UPDATE_ASYNCAPI=1); otherwise it checks it
if (process.env.UPDATE_ASYNCAPI === '1') writeFileSync(FILE, `${JSON.stringify(asyncApiDocument(), null, 2)}\n`);

describe('the AsyncAPI document of the events', () => {
  const committed = JSON.parse(readFileSync(FILE, 'utf8'));

  it('is what the contracts say (regenerate it with `npm run asyncapi` after changing an event)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });

  it('describes every event type with its payload schema, on its topic', () => {
    const doc = asyncApiDocument() as {
      channels: Record<string, { messages: Record<string, unknown> }>;
      components: {
        messages: Record<string, { payload: { allOf: { properties?: { data?: { $ref: string } } }[] } }>;
        schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
      };
    };
    expect(Object.keys(doc.components.messages).sort()).toEqual(Object.keys(EventCatalogue).sort());
    expect(Object.keys(doc.channels['orders.shipping'].messages)).toEqual(['orders.shipment-requested']);
    const paid = doc.components.messages['orders.order-paid'].payload.allOf[1].properties!.data!.$ref.split('/').pop()!;
    expect(doc.components.schemas[paid].required).toEqual(
      expect.arrayContaining(['orderId', 'storeId', 'lines', 'totalFen', 'paidAt']),
    );
    expect(doc.components.schemas.ShippingAddressV1.properties).toHaveProperty('phone');
  });
});
