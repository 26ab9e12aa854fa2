import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runInFlow } from '../context';

export const CORRELATION_HEADER = 'x-correlation-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Takes the caller's correlation id (or makes one), echoes it, and runs the request inside its flow. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const correlationId = given && UUID.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, correlationId);
  runInFlow({ correlationId }, next);
}
