// Imported first by main.ts, so traces start before http, pg and ioredis are loaded; a no-op
// unless an OTLP endpoint is configured (libs/platform/src/tracing.ts).
import { startTracing } from '@cc/platform';

startTracing('catalog');
