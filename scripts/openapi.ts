// Generates what the services' OpenAPI documents need and @nestjs/swagger cannot read from
// decorators: the schema of each route's answer, from the TypeScript type its handler returns
// (typescript-json-schema, over the type checker), into libs/service/src/openapi-responses.json.
// Then writes each service's whole document to docs/openapi/<service>.json, built as the running
// service builds it (the Nest app in preview mode: no database, no broker), for clients to
// generate from. `npm run openapi` writes both; test/integration/openapi.test.ts fails when either
// is not what the code says.
//
//   npm run openapi            write
//   node dist/scripts/openapi.js --check   exit 1 if a file differs
import 'reflect-metadata';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import type { ResponseCatalogue, ServiceResponses } from '@cc/service';
import * as TJS from 'typescript-json-schema';
import ts from 'typescript';

const ROOT = join(__dirname, '..', ...(__dirname.includes(`${join('dist', 'scripts')}`) ? ['..'] : []));
export const SERVICES = ['catalog', 'orders', 'fulfillment', 'payouts'] as const;
type Service = (typeof SERVICES)[number];
type Schema = Record<string, unknown>;

/** Controllers every service mounts (ServiceKitModule), beside its own under apps/<service>/src/http. */
const SHARED_CONTROLLERS = [
  'libs/service/src/admin.ts',
  'libs/service/src/health.ts',
  'libs/service/src/metrics.controller.ts',
  'libs/service/src/order-trail.ts',
];
const ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete']);

interface Route {
  file: string;
  controller: string;
  method: string;
  /** The success status Nest answers with: @HttpCode's, else 201 for POST and 200 for the rest. */
  status: string;
}

const decoratorNames = (node: ts.Node): string[] =>
  (ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []).map((d) =>
    ts.isCallExpression(d.expression) ? d.expression.expression.getText() : d.expression.getText(),
  );

/** The route handlers of the controllers in `file` (classes decorated @Controller, methods decorated @Get, @Post...). */
function routesIn(file: string): Route[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const routes: Route[] = [];
  source.forEachChild((node) => {
    if (!ts.isClassDeclaration(node) || !node.name || !decoratorNames(node).includes('Controller')) return;
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member)) continue;
      const verb = decoratorNames(member).find((d) => ROUTE_DECORATORS.has(d));
      if (!verb) continue;
      const httpCode = (ts.getDecorators(member) ?? [])
        .map((d) => d.expression)
        .find((e): e is ts.CallExpression => ts.isCallExpression(e) && e.expression.getText() === 'HttpCode');
      const status = httpCode ? httpCode.arguments[0].getText() : verb === 'Post' ? '201' : '200';
      routes.push({ file, controller: node.name.text, method: member.name.getText(), status });
    }
  });
  return routes;
}

function controllerFiles(service: Service): string[] {
  const http = `apps/${service}/src/http`;
  return [
    ...readdirSync(join(ROOT, http))
      .filter((f) => f.endsWith('.controller.ts'))
      .map((f) => `${http}/${f}`),
    ...SHARED_CONTROLLERS,
  ];
}

/** OpenAPI 3.0 wants `nullable` and `enum` where JSON Schema draft 7 says `type: [.., "null"]` and `const`. */
function toOpenApi(schema: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toOpenApi(s, rename));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = `#/components/schemas/${rename(decodeURIComponent(value.replace('#/definitions/', '')))}`;
    else if (key === 'const') out.enum = [value];
    else out[key] = toOpenApi(value, rename);
  }
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== 'null');
    if (types.length < (out.type as string[]).length) out.nullable = true;
    if (types.length === 1) out.type = types[0];
    else {
      delete out.type;
      out.anyOf = types.map((type) => ({ type }));
    }
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = out[key] as Schema[] | undefined;
    if (!list) continue;
    const rest = list.filter((s) => s.type !== 'null');
    if (rest.length < list.length) out.nullable = true;
    if (rest.length === 1 && Object.keys(out).length <= 2) {
      const nullable = out.nullable;
      delete out[key];
      delete out.nullable;
      // a lone $ref cannot carry nullable in 3.0: wrap it
      Object.assign(
        out,
        rest[0].$ref
          ? { allOf: [rest[0]], ...(nullable ? { nullable } : {}) }
          : { ...rest[0], ...(nullable ? { nullable } : {}) },
      );
    } else out[key] = rest;
  }
  return out;
}

function quietly<T>(fn: () => T): T {
  const { log, warn } = console;
  console.log = console.warn = () => undefined;
  try {
    return fn();
  } finally {
    Object.assign(console, { log, warn });
  }
}

/** Each route's answer schema, and the named types they use, for one service. */
export function responsesOf(service: Service): ServiceResponses {
  const routes = controllerFiles(service).flatMap(routesIn);
  const dir = join(ROOT, '.run', 'openapi');
  mkdirSync(dir, { recursive: true });
  const aliasFile = join(dir, `${service}-answers.ts`);
  const alias = (r: Route) => `${r.controller}_${r.method}`;
  const imports = [...new Map(routes.map((r) => [r.controller, r.file])).entries()]
    .map(
      ([controller, file]) =>
        `import type { ${controller} } from '${relative(dir, join(ROOT, file)).replace(/\.ts$/, '')}';`,
    )
    .join('\n');
  const aliases = routes
    .map((r) => `export type ${alias(r)} = Awaited<ReturnType<${r.controller}['${r.method}']>>;`)
    .join('\n');
  writeFileSync(aliasFile, `// generated by scripts/openapi.ts\n${imports}\n${aliases}\n`);
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  const program = TJS.getProgramFromFiles(
    [aliasFile],
    { ...compilerOptions, baseUrl: ROOT, incremental: false, noEmit: true },
    ROOT,
  );
  // typescript-json-schema remarks on every initializer it does not evaluate (it needs not: the type is what counts)
  const all = quietly(() => {
    const generator = TJS.buildGenerator(
      program,
      {
        required: true,
        strictNullChecks: true,
        ref: true,
        aliasRef: false,
        ignoreErrors: true,
        titles: false,
        defaultProps: false,
      },
      [aliasFile],
    );
    if (!generator) throw new Error(`typescript-json-schema could not read ${service}'s controllers`);
    return generator.getSchemaForSymbols(routes.map(alias)) as { definitions?: Record<string, Schema> };
  });
  const definitions = all.definitions ?? {};
  const rename = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/_+$/, '');
  const operations: ServiceResponses['operations'] = {};
  const schemas: Record<string, Schema> = {};
  const answerNames = new Set(routes.map(alias));
  for (const [name, schema] of Object.entries(definitions)) {
    if (answerNames.has(name)) continue;
    schemas[rename(name)] = toOpenApi(schema, rename) as Schema;
  }
  for (const route of routes) {
    const schema = definitions[alias(route)];
    // a handler that returns nothing (void, undefined) answers with no body
    const empty = !schema || Object.keys(schema).length === 0 || (schema as Schema).type === 'undefined';
    operations[alias(route)] = { status: route.status, schema: empty ? null : (toOpenApi(schema, rename) as Schema) };
  }
  return { operations, schemas };
}

async function documentOf(service: Service, catalogue: ResponseCatalogue): Promise<object> {
  const { NestFactory } = await import('@nestjs/core');
  const { openApiDocument } = await import('@cc/service');
  const modules: Record<Service, () => Promise<DynamicModule>> = {
    catalog: async () =>
      (await import('../apps/catalog/src/catalog.module')).CatalogModule.register(
        (await import('../apps/catalog/src/config')).loadCatalogConfig({}),
      ),
    orders: async () =>
      (await import('../apps/orders/src/orders.module')).OrdersModule.register(
        (await import('../apps/orders/src/config')).loadOrdersConfig({}),
      ),
    fulfillment: async () =>
      (await import('../apps/fulfillment/src/fulfillment.module')).FulfillmentModule.register(
        (await import('../apps/fulfillment/src/config')).loadFulfillmentConfig({}),
      ),
    payouts: async () =>
      (await import('../apps/payouts/src/payouts.module')).PayoutsModule.register(
        (await import('../apps/payouts/src/config')).loadPayoutsConfig({}),
      ),
  };
  // preview: the module graph without instances, so nothing connects to anything
  const app = await NestFactory.create(await modules[service](), { preview: true, logger: false, abortOnError: false });
  try {
    return openApiDocument(app, service, service, catalogue);
  } finally {
    await app.close();
  }
}

export const RESPONSES_FILE = 'libs/service/src/openapi-responses.json';
export const documentFile = (service: Service) => `docs/openapi/${service}.json`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The files as the code says they should be: the response catalogue first, then the documents built with it. */
export async function generate(): Promise<Map<string, string>> {
  const catalogue = Object.fromEntries(SERVICES.map((s) => [s, responsesOf(s)]));
  const files = new Map<string, string>([[RESPONSES_FILE, json(catalogue)]]);
  for (const service of SERVICES) files.set(documentFile(service), json(await documentOf(service, catalogue)));
  return files;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const before = new Map(
    [RESPONSES_FILE, ...SERVICES.map(documentFile)].map((f) => [
      f,
      (() => {
        try {
          return readFileSync(join(ROOT, f), 'utf8');
        } catch {
          return '';
        }
      })(),
    ]),
  );
  generate().then(
    (files) => {
      const stale = [...files].filter(([f, text]) => before.get(f) !== text).map(([f]) => f);
      if (check) {
        if (stale.length) {
          process.stderr.write(`out of date (run npm run openapi): ${stale.join(', ')}\n`);
          process.exit(1);
        }
        process.exit(0);
      }
      mkdirSync(join(ROOT, 'docs', 'openapi'), { recursive: true });
      for (const [f, text] of files) writeFileSync(join(ROOT, f), text);
      process.stdout.write(`wrote ${[...files.keys()].join(', ')}\n`);
      process.exit(0); // the preview apps leave handles open
    },
    (err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
