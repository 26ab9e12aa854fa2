// The OpenAPI documents clients generate from: current with the code, valid OpenAPI 3.0, every
// route with its answer's schema and problem+json errors, and what a running service serves.
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentFile, generate, RESPONSES_FILE, SERVICES } from '../../scripts/openapi';
import { newNamespace, startService } from '../support/harness';

const ROOT = join(__dirname, '..', '..');
const committed = (file: string) => readFileSync(join(ROOT, file), 'utf8');
type Operation = { operationId: string; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
const operationsOf = (doc: { paths: Record<string, Record<string, Operation>> }) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
  );

describe('OpenAPI documents', () => {
  let generated: Map<string, string>;
  beforeAll(async () => {
    generated = await generate();
  }, 120_000);

  it('are what the controllers and their return types say (npm run openapi writes them)', () => {
    for (const file of [RESPONSES_FILE, ...SERVICES.map(documentFile)])
      expect([file, committed(file) === generated.get(file)]).toEqual([file, true]);
  });

  it.each(SERVICES)(
    '%s: valid OpenAPI, each route with its answer described and its errors as problem+json',
    async (service) => {
      const doc = JSON.parse(committed(documentFile(service)));
      await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
      const operations = operationsOf(doc);
      expect(operations.length).toBeGreaterThan(8);
      for (const { route, op } of operations) {
        const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
        expect([route, success.length > 0]).toEqual([route, true]);
        for (const [status, answer] of success) {
          // a body described by a schema, unless the route answers with none
          if (status !== '204')
            expect([
              route,
              status,
              Object.values(answer.content ?? {}).every((c) => c.schema) &&
                Object.keys(answer.content ?? {}).length > 0,
            ]).toEqual([route, status, true]);
        }
        for (const [status, answer] of Object.entries(op.responses).filter(([s]) => !/^2/.test(s))) {
          expect([route, status, answer.content]).toEqual([
            route,
            status,
            { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          ]);
        }
        expect([route, Object.keys(op.responses)]).toEqual([route, expect.arrayContaining(['4XX', '5XX'])]);
      }
    },
  );

  it('describes the answers by their fields, not as any object', () => {
    const orders = JSON.parse(committed(documentFile('orders')));
    const order = orders.paths['/orders/{id}'].get.responses['200'].content['application/json'].schema;
    expect(order.required).toEqual(expect.arrayContaining(['id', 'status', 'totalFen', 'lines', 'history']));
    expect(order.properties.status.enum).toEqual(expect.arrayContaining(['awaiting_payment', 'paid', 'completed']));
    const fulfillment = JSON.parse(committed(documentFile('fulfillment')));
    expect(Object.keys(fulfillment.paths['/stores/{storeId}/pickups'].get.responses['200'].content)).toEqual([
      'application/json',
      'text/csv',
    ]);
  });

  it('is what a running service serves at /docs-json', async () => {
    const catalog = await startService('catalog', { namespace: newNamespace() });
    try {
      const served = await (await fetch(`${catalog.url}/docs-json`)).json();
      expect(served).toEqual(JSON.parse(committed(documentFile('catalog'))));
    } finally {
      await catalog.close();
    }
  });
});
