// bull-board for the job-level view (job data, stack traces, logs), behind the same ops check.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { tokenOf, TokenService } from '@cc/platform';
import { QueueRegistry } from '../persistence/queue-registry';

export const BULL_BOARD_PATH = '/bull-board';

export function opsOnly(tokens: TokenService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = tokenOf(req);
    try {
      if (token && tokens.verify(token).role === 'ops') return next();
      res
        .status(token ? 403 : 401)
        .type('application/problem+json')
        .json({
          title: token ? 'Forbidden' : 'Unauthorized',
          status: token ? 403 : 401,
          detail: 'the operations role is required',
        });
    } catch {
      res
        .status(401)
        .type('application/problem+json')
        .json({ title: 'Unauthorized', status: 401, detail: 'the token was refused' });
    }
  };
}

/** Builds the board and keeps its queue list in step with what Redis holds. */
export async function bullBoard(
  registry: QueueRegistry,
): Promise<{ router: ReturnType<ExpressAdapter['getRouter']>; stop: () => void }> {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  const board = createBullBoard({
    queues: [],
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'County Commerce jobs' } },
  });
  const sync = async () => board.replaceQueues((await registry.discover()).map((q) => new BullMQAdapter(q)));
  await sync();
  const timer = setInterval(() => void sync().catch(() => undefined), 30_000);
  return { router: adapter.getRouter(), stop: () => clearInterval(timer) };
}
