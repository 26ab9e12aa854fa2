// The OpenAPI document a service serves at /docs (and docs/openapi/<service>.json holds): what
// @nestjs/swagger reads from the controllers, completed with what it cannot see. Each route's
// answer is described by a schema generated from the TypeScript type its handler returns
// (`npm run openapi`, scripts/openapi.ts, into openapi-responses.json), and every route says
// that its errors are problem+json documents (RFC 9457) of one schema.
import type { INestApplication } from '@nestjs/common';
import { ApiExtension, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import responseCatalogue from './openapi-responses.json';

type Schema = Record<string, unknown>;

/** What scripts/openapi.ts generates for one service: each operation's answer, and the types they use. */
export interface ServiceResponses {
  /** By operationId (`Controller_method`): the success status, and the body's schema (null when the handler answers with nothing). */
  operations: Record<string, { status: string; schema: Schema | null }>;
  schemas: Record<string, Schema>;
}
export type ResponseCatalogue = Record<string, ServiceResponses>;

/** The problem+json document every error answer is (libs/platform/src/http/problem.ts). */
export const PROBLEM_SCHEMA: Schema = {
  type: 'object',
  description:
    'An error, as RFC 9457 problem details. Validation errors list each field in `errors`; some problems add members (e.g. `retryAfterSeconds`).',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: 'about:blank' },
    title: { type: 'string', example: 'Unprocessable Entity' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string', example: 'not for sale: 3f2c… (archived)' },
    instance: { type: 'string', example: '/checkouts' },
    errors: {
      type: 'array',
      items: { type: 'string' },
      description: 'one line per invalid field, e.g. `shippingAddress.phone: …`',
    },
  },
  additionalProperties: true,
};

const TEXT_MEDIA = 'x-cc-text-answer';

/**
 * A route whose answer is text of `mediaType` (a CSV file, Prometheus' exposition format): always,
 * or only when asked (`alsoJson`: JSON otherwise). The text part of the handler's return type is
 * described under that media type, the rest as JSON.
 */
export const ApiTextAnswer = (mediaType: string, options: { alsoJson?: boolean } = {}) =>
  ApiExtension(TEXT_MEDIA, { mediaType, alsoJson: options.alsoJson ?? false });

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const problemContent = () => ({ 'application/problem+json': { schema: PROBLEM_REF } });
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The service's document: the controllers as @nestjs/swagger reads them, with answers and problems. */
export function openApiDocument(
  app: INestApplication,
  service: string,
  title: string,
  catalogue: ResponseCatalogue = responseCatalogue as unknown as ResponseCatalogue,
): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(`County Commerce — ${title}`).setVersion('1').addBearerAuth().build(),
  );
  return describeAnswers(document, catalogue[service] ?? { operations: {}, schemas: {} });
}

/**
 * Adds to each operation: its success answer's schema (unless a decorator gave one), the
 * problem+json content of each error status it declares, and `4XX` / `5XX` answers for the rest.
 */
export function describeAnswers(document: OpenAPIObject, responses: ServiceResponses): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = {
    ...(components.schemas ?? {}),
    ...responses.schemas,
    Problem: PROBLEM_SCHEMA,
  } as typeof components.schemas;
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) continue;
      const generated = operation.operationId ? responses.operations[operation.operationId] : undefined;
      const text = (operation as unknown as Record<string, unknown>)[TEXT_MEDIA] as
        { mediaType: string; alsoJson: boolean } | undefined;
      delete (operation as unknown as Record<string, unknown>)[TEXT_MEDIA];
      // a route that declares only its errors (@ApiResponse) loses the success answer Nest would have listed
      if (generated && !Object.keys(operation.responses ?? {}).some((s) => /^2/.test(s)))
        operation.responses[generated.status] = { description: '' };
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        if (!answer || !('description' in answer)) continue;
        if (/^2/.test(status)) {
          if (!answer.content && generated?.schema) answer.content = contentOf(generated.schema, text);
          if (!answer.description)
            answer.description = status === '201' ? 'created' : status === '204' ? 'done; no body' : 'OK';
        } else {
          answer.content = problemContent();
        }
      }
      operation.responses['4XX'] ??= {
        description: 'the request was refused; nothing was changed',
        content: problemContent(),
      };
      operation.responses['5XX'] ??= { description: 'the service failed or is unavailable', content: problemContent() };
    }
  }
  return document;
}

/** The answer's content: JSON, or text, or JSON with a text alternative (the string members of the schema). */
function contentOf(
  schema: Schema,
  text: { mediaType: string; alsoJson: boolean } | undefined,
): Record<string, { schema: Schema }> {
  if (!text) return { 'application/json': { schema } };
  const textSchema = { type: 'string' };
  if (!text.alsoJson) return { [text.mediaType]: { schema: textSchema } };
  const members = ((schema.anyOf as Schema[] | undefined) ?? [schema]).filter((m) => m.type !== 'string');
  return {
    'application/json': { schema: members.length === 1 ? members[0] : { anyOf: members } },
    [text.mediaType]: { schema: textSchema },
  };
}
