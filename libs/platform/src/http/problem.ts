// Errors as application/problem+json (RFC 9457), and request validation that says which fields failed.
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

export interface FieldProblem {
  field: string;
  messages: string[];
}

export class ProblemException extends HttpException {
  constructor(status: number, detail: string, extra: Record<string, unknown> = {}) {
    super({ detail, ...extra }, status);
  }
}

export const notFound = (what: string) => new ProblemException(HttpStatus.NOT_FOUND, `${what} was not found`);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemException(HttpStatus.CONFLICT, detail, extra);
export const unprocessable = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, detail, extra);
export const badRequest = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemException(HttpStatus.BAD_REQUEST, detail, extra);
export const forbidden = (detail: string) => new ProblemException(HttpStatus.FORBIDDEN, detail);

/**
 * Constraints that only bound a value of the right kind (a length, a range, a count): a value of
 * the wrong kind breaks its kind's rule, not these, so they are not listed for it.
 */
const BOUNDS = new Set([
  'min',
  'max',
  'isLength',
  'minLength',
  'maxLength',
  'arrayMinSize',
  'arrayMaxSize',
  'arrayNotEmpty',
  'minDate',
  'maxDate',
]);

/** The messages for the rules a value broke: "is required" alone for a missing one, else kind before bounds. */
export function brokenRules(error: ValidationError, field: string): string[] {
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) return Object.values(constraints);
  // class-validator reports every rule of a missing value; only one was broken (null is a value: of the wrong kind)
  if (error.value === undefined) return [`${field} is required`];
  const failed = Object.entries(constraints);
  const kind = failed.filter(([name]) => !BOUNDS.has(name));
  if (!kind.length) return failed.map(([, message]) => message);
  // "must be an array" says it; "each value in nested property … must be either object or array" only repeats it
  const plain = kind.filter(([name]) => name !== 'nestedValidation');
  return (plain.length ? plain : kind).map(([, message]) => message);
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: brokenRules(e, field) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Whitelisting validation: unknown fields are refused, known ones converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ProblemException(
        HttpStatus.BAD_REQUEST,
        `request is invalid: ${fields.map((f) => f.field).join(', ')}`,
        { errors: fields },
      );
    },
  });
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const isClientError = (e: unknown): e is { status: number; message: string } =>
  typeof (e as { status?: unknown })?.status === 'number' &&
  (e as { expose?: unknown }).expose === true &&
  (e as { status: number }).status >= 400 &&
  (e as { status: number }).status < 500;

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown> = { detail: 'an unexpected error occurred; it has been logged' };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const res = exception.getResponse();
      if (typeof res === 'string') body = { detail: res };
      else if (exception instanceof ProblemException) body = res as Record<string, unknown>;
      else {
        // Nest's own exceptions (404 for unknown routes, body-parser errors...)
        const message = (res as { message?: unknown }).message;
        body = { detail: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message) };
      }
    } else if (isClientError(exception)) {
      // an http-errors error from a parser no problem step translated (its messages are for clients)
      status = exception.status;
      body = { detail: exception.message };
    }
    if (status >= 500) this.logger.error({ err: exception, path: request.url }, 'request failed');
    response
      .status(status)
      .type('application/problem+json')
      // the standard members come last: an extension member of the same name (an order's "status") must not replace the HTTP status
      .json({
        type: 'about:blank',
        ...body,
        title: titles[status] ?? HttpStatus[status] ?? 'Error',
        status,
        instance: request.originalUrl,
      });
  }
}

export { BadRequestException };
