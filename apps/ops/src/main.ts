import 'reflect-metadata';
import './tracing';
import { ConfigError, createLogger } from '@cc/platform';
import { createOpsApp } from './app';
import { loadOpsConfig, OpsConfig } from './config';

async function main(): Promise<void> {
  let config: OpsConfig;
  try {
    config = loadOpsConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ops: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger('ops', config.LOG_LEVEL);
  try {
    const app = await createOpsApp(config);
    await app.listen(config.PORT, '0.0.0.0');
    logger.info({ port: config.PORT }, 'operations console listening');
  } catch (err) {
    logger.fatal({ err }, 'operations console failed to start');
    process.exit(1);
  }
}

void main();
