// Starts the operations console in-process, pointed at the given namespace and services.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createOpsApp } from '../../apps/ops/src/app';
import { loadOpsConfig, OpsConfig } from '../../apps/ops/src/config';
import { brokerEnv } from './harness';

export async function startOps(
  namespace: string,
  urls: Partial<Record<'CATALOG_URL' | 'ORDERS_URL' | 'FULFILLMENT_URL' | 'PAYOUTS_URL', string>> = {},
) {
  const config: OpsConfig = loadOpsConfig({
    NODE_ENV: 'test',
    PORT: '1',
    NAMESPACE: namespace,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    LAG_SAMPLE_SECONDS: '1',
    ...brokerEnv(),
    ...urls,
  });
  const app: NestExpressApplication = await createOpsApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
