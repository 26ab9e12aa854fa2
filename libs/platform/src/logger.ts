// Structured JSON logs (pino); every line carries the correlation id of the flow it belongs to.
import pino, { Logger } from 'pino';
import { currentFlow } from './context';
import { maskForLog, maskPhonesIn } from './personal-data';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // personal data never reaches a log unmasked, whoever logs it (personal-data.ts)
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => maskForLog(fields) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskPhonesIn(a) : a)) as Parameters<typeof method>);
      },
    },
    mixin() {
      const flow = currentFlow();
      return flow
        ? { correlationId: flow.correlationId, ...(flow.causationId ? { causationId: flow.causationId } : {}) }
        : {};
    },
  });
}

export type { Logger };
