// Runs a command at most once per caller and Idempotency-Key: the same key and request replay the
// first answer; the same key with another request is refused (422); two racing requests with
// one key make one effect (the second waits on the key's row, then replays).
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { unprocessable } from '@cc/platform';
import { OrdersConfig } from '../config';
import { IdempotencyRepository } from '../persistence/idempotency.repository';
import { oneStatement } from '../persistence/one-statement';

class KeyTaken extends Error {}

export const requestHash = (request: unknown) => createHash('sha256').update(JSON.stringify(request)).digest('hex');

@Injectable()
export class IdempotentCommand {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyRepository,
    private readonly config: OrdersConfig,
  ) {}

  /** The earlier answer for this key, if any (422 if the key came with another request). */
  async replay<T>(callerId: string, key: string | undefined, hash: string): Promise<T | null> {
    if (!key) return null;
    const earlier = await this.keys.find(this.dataSource.manager, callerId, key, this.config.IDEMPOTENCY_KEY_TTL_HOURS);
    if (!earlier) return null;
    if (earlier.requestHash !== hash)
      throw unprocessable('this Idempotency-Key was used with a different request body');
    return earlier.response as T;
  }

  /**
   * Runs `work` in a transaction that also claims the key and stores the answer. Without a key,
   * `singleStatement` work runs without a transaction around it: one statement is atomic by
   * itself. That is checked, not taken on trust: the work gets a manager that runs one `query`
   * and refuses a second one, or anything else (see `oneStatement`).
   */
  async run<T>(
    callerId: string,
    key: string | undefined,
    hash: string,
    options: { singleStatement?: boolean },
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<{ result: T; created: boolean }> {
    if (!key && options.singleStatement)
      return { result: await work(oneStatement(this.dataSource.manager)), created: true };
    const earlier = await this.replay<T>(callerId, key, hash);
    if (earlier) return { result: earlier, created: false };
    try {
      const result = await this.dataSource.transaction(async (tx) => {
        if (key && !(await this.keys.claim(tx, callerId, key, hash, this.config.IDEMPOTENCY_KEY_TTL_HOURS)))
          throw new KeyTaken();
        const answer = await work(tx);
        if (key) await this.keys.saveResponse(tx, callerId, key, answer);
        return answer;
      });
      return { result, created: true };
    } catch (e) {
      if (e instanceof KeyTaken) {
        const replayed = await this.replay<T>(callerId, key, hash);
        if (replayed) return { result: replayed, created: false };
      }
      throw e;
    }
  }
}
