// Structured JSON logs (pino); every line carries the correlation id of the flow it belongs to.
import pino, { Logger } from 'pino';
import { currentFlow } from './context';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const flow = currentFlow();
      return flow ? { correlationId: flow.correlationId, ...(flow.causationId ? { causationId: flow.causationId } : {}) } : {};
    },
  });
}

export type { Logger };
