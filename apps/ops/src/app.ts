// Builds the console app: the Nest app plus bull-board mounted behind the ops check.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TokenService } from '@cc/platform';
import { createServiceApp } from '@cc/service';
import { OpsConfig } from './config';
import { BULL_BOARD_PATH, bullBoard, opsOnly } from './http/bull-board';
import { OpsModule } from './ops.module';
import { QueueRegistry } from './persistence/queue-registry';

export async function createOpsApp(config: OpsConfig): Promise<NestExpressApplication> {
  const app = await createServiceApp(OpsModule.register(config), 'operations console', { openApi: false });
  const board = await bullBoard(app.get(QueueRegistry));
  app.use(BULL_BOARD_PATH, opsOnly(app.get(TokenService)), board.router);
  app.get(QueueRegistry).onStop(board.stop);
  return app;
}
