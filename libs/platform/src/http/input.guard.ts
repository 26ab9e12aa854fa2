// One check every request passes before its handler (after authentication): a body only of a media
// type the route takes, and no control characters anywhere in the path, the query or the body.
// PostgreSQL refuses NUL in text, and no field of ours has a use for the others.
import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { Request } from 'express';
import { JSON_TYPE } from './body';
import { FieldProblem, ProblemException } from './problem';

/** U+0000–U+001F and U+007F, except tab, line feed and carriage return (free text may hold them). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
const printable = (s: string) => s.replace(new RegExp(CONTROL.source, 'g'), codePoint);

function where(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return line > 1 ? `line ${line}, character ${index - before.lastIndexOf('\n')}` : `character ${index + 1}`;
}

/** The first control character in `input` (strings and keys, at any depth), as a field problem; `root` names a bare string. */
export function controlCharacterProblem(input: unknown, root: string): FieldProblem | undefined {
  const pending: { value: unknown; field: string }[] = [{ value: input, field: '' }];
  while (pending.length) {
    const { value, field } = pending.pop()!;
    if (typeof value === 'string') {
      const found = CONTROL.exec(value);
      if (found) {
        const name = field || root;
        return {
          field: name,
          messages: [
            `${name} must not contain control characters (${codePoint(found[0])} at ${where(value, found.index)})`,
          ],
        };
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const path = field ? `${field}.${printable(key)}` : printable(key);
        if (CONTROL.test(key))
          return { field: path, messages: [`the field name ${path} must not contain control characters`] };
        pending.push({ value: child, field: path });
      }
    }
  }
  return undefined;
}

/** True when the request has a body to read (a POST without one still says Content-Length: 0). */
function carriesBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The media types a route takes are the ones it declares for OpenAPI with `@ApiConsumes` (the
 * statement upload: text/csv), JSON otherwise, so the documentation and the check cannot disagree.
 */
@Injectable()
export class InputGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (carriesBody(req)) {
      const accepted = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [JSON_TYPE];
      if (!req.is(accepted)) {
        const given = req.headers['content-type']
          ? `not ${printable(req.headers['content-type'])}`
          : 'with a Content-Type';
        throw new ProblemException(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          `send the request body as ${accepted.join(' or ')}, ${given}`,
        );
      }
    }
    const problem =
      controlCharacterProblem(req.params, 'path') ??
      controlCharacterProblem(req.query, 'query') ??
      controlCharacterProblem(req.body, 'body');
    if (problem)
      throw new ProblemException(HttpStatus.BAD_REQUEST, `request is invalid: ${problem.field}`, { errors: [problem] });
    return true;
  }
}
