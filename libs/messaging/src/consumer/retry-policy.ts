// What the slow path does when handling an event fails: wait for the database (it is away; the
// event is not at fault, so this uses none of its attempts), retry with backoff, or give up and
// send the event to the dead-letter topic (it can never succeed, or its attempts are used up).
import { InvalidEventError } from '@cc/contracts';
import { databaseUnavailable } from '../database-faults';

/** Throw this from a handler when retrying cannot help (the event goes straight to the dead-letter topic). */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/** A retry's backoff never exceeds this (it used to reach 30 s), heartbeating meanwhile. */
export const MAX_RETRY_DELAY_MS = 10_000;

export type RetryDecision =
  /** Try the same attempt again after `delay` ms. */
  | { action: 'wait-for-database'; delay: number }
  /** Try the next attempt after `delay` ms. */
  | { action: 'retry'; delay: number }
  | { action: 'dead-letter' };

export class RetryPolicy {
  constructor(
    private readonly maxAttempts: number,
    private readonly retryBaseMs: number,
  ) {}

  /**
   * What to do after attempt `attempt` (from 1) failed with `error`, when the event has waited for
   * the database `outages` times before. Waits double from `retryBaseMs`, at most MAX_RETRY_DELAY_MS.
   */
  decide(error: unknown, attempt: number, outages: number): RetryDecision {
    const permanent = error instanceof PermanentEventError || error instanceof InvalidEventError;
    if (!permanent && databaseUnavailable(error)) {
      // wait for the database, however long it takes
      return {
        action: 'wait-for-database',
        delay: Math.min(MAX_RETRY_DELAY_MS, this.retryBaseMs * 2 ** Math.min(outages, 10)),
      };
    }
    if (permanent || attempt >= this.maxAttempts) return { action: 'dead-letter' };
    return { action: 'retry', delay: Math.min(MAX_RETRY_DELAY_MS, this.retryBaseMs * 2 ** (attempt - 1)) };
  }
}

/** Sleeps `ms`, returning early (false) as soon as `keepGoing` says to stop. */
export async function pause(ms: number, keepGoing: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!keepGoing()) return false;
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
  }
  return keepGoing();
}
