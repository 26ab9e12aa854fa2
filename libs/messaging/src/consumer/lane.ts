// The consumer's one lane: its transactions run one after another, never side by side.

/**
 * Runs transactions one after another. Side by side, two transactions hold each other's row and
 * advisory locks (a hot product in catalog, a township's slots in fulfillment) until they
 * commit, and deadlock: measured, 547 deadlocks in one benchmark run, each costing PostgreSQL's
 * one-second detection and a replay.
 */
export class Lane {
  private last: Promise<unknown> = Promise.resolve();

  /** Runs `work` once everything given to the lane before it has settled (whether it failed or not). */
  alone<T>(work: () => Promise<T>): Promise<T> {
    const run = this.last.then(work, work);
    this.last = run.catch(() => undefined);
    return run;
  }
}
