import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runInFlow } from '../context';
import { isTraceparent } from '../tracing';

export const CORRELATION_HEADER = 'x-correlation-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Takes the caller's correlation id (or makes one), echoes it, and runs the request inside its
 * flow, with the caller's `traceparent` when it sent a well-formed one (when traces are exported,
 * the HTTP instrumentation's span is active and takes precedence: see `currentTraceparent`).
 */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const correlationId = given && UUID.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, correlationId);
  const traceparent = req.header('traceparent');
  runInFlow({ correlationId, ...(isTraceparent(traceparent) ? { traceparent } : {}) }, next);
}
