// Reading request bodies: JSON and forms up to a size limit, JSON no deeper than a bound (checked
// on the raw bytes, before anything recursive sees it), and body-parser's failures turned into
// plain problem+json answers instead of parser internals or a 500.
import { HttpStatus } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { json, urlencoded } from 'express';
import { ProblemException } from './problem';

/** Deeper than any of our DTOs by far (a checkout is 3 levels), shallow enough for any recursive walk. */
export const MAX_JSON_DEPTH = 32;

/** The body types every service parses. A route that takes another (the payout statement's CSV) reads it itself. */
export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * True when the JSON text nests objects/arrays deeper than `max`. One pass over the bytes, brackets
 * inside strings not counted; valid only for UTF-8 (where every byte of a multi-byte character is
 * ≥ 0x80), which is why other charsets are refused. Malformed input may be miscounted: the parser
 * refuses it anyway.
 */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // a backslash escapes the next byte (\" must not end the string)
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** body-parser's `verify` step: keeps the raw bytes (the courier signature is checked on them) and bounds the depth. */
function verifyJson(req: Request, _res: Response, bytes: Buffer, encoding: string): void {
  (req as Request & { rawBody?: Buffer }).rawBody = bytes;
  if (encoding.toLowerCase() !== 'utf-8')
    throw new BodyRefused(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'charset.unsupported',
      `JSON must be sent as UTF-8, not ${encoding}`,
    );
  if (jsonNestsDeeperThan(bytes, MAX_JSON_DEPTH))
    throw new BodyRefused(
      HttpStatus.BAD_REQUEST,
      'entity.too.deep',
      `the request body nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
}

function keepRawBody(req: Request, _res: Response, bytes: Buffer): void {
  (req as Request & { rawBody?: Buffer }).rawBody = bytes;
}

/** What a client is told when body-parser refuses its body; undefined for errors that are not body-parser's. */
export function bodyProblem(err: unknown, limitBytes: number): ProblemException | undefined {
  const e = err as { type?: unknown; status?: unknown; message?: string; encoding?: string; charset?: string };
  if (typeof e?.type !== 'string' || typeof e.status !== 'number') return undefined;
  switch (e.type) {
    case 'entity.too.large':
      return new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, `the request body is larger than ${limitBytes} bytes`);
    case 'parameters.too.many':
      return new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'the form has too many fields');
    case 'entity.parse.failed':
      return new ProblemException(
        HttpStatus.BAD_REQUEST,
        'the request body is not valid JSON (a JSON object or array is expected)',
      );
    case 'entity.too.deep':
    case 'charset.unsupported':
      return new ProblemException(e.status, e.message ?? 'the request body was refused');
    case 'encoding.unsupported':
      return new ProblemException(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        `content encoding "${e.encoding ?? ''}" is not supported (send identity, gzip, deflate or br)`,
      );
    case 'request.size.invalid':
    case 'request.aborted':
      return new ProblemException(HttpStatus.BAD_REQUEST, 'the request body did not match its Content-Length');
    default:
      // any other 4xx of body-parser (its messages are written for clients); a 5xx stays an error
      return e.status >= 400 && e.status < 500
        ? new ProblemException(e.status, 'the request body could not be read')
        : undefined;
  }
}

/**
 * Installs the JSON and form parsers (Nest then adds no defaults of its own) and, right after them,
 * the step that turns their failures into problems. Must run before any route is registered.
 */
export function installBodyParsers(app: NestExpressApplication, limitBytes: number): void {
  app.use(json({ limit: limitBytes, type: JSON_TYPE, verify: verifyJson }));
  // forms are flat (the console's sign-in): no nested keys to bound
  app.use(
    urlencoded({ limit: limitBytes, type: FORM_TYPE, extended: false, parameterLimit: 100, verify: keepRawBody }),
  );
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) =>
    next(bodyProblem(err, limitBytes) ?? err),
  );
}

/**
 * Requests Node's HTTP parser refuses before any middleware sees them (a URL or headers over its
 * 16 KB, a malformed request line) get a problem+json answer too, not Node's bare status line.
 */
export function answerParserErrorsAsProblems(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, title, detail] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than 16 KB']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'the request is not valid HTTP'];
    const body = JSON.stringify({ type: 'about:blank', title, status, detail });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
