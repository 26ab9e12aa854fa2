import { InvalidEventError } from '@cc/contracts';
import { MAX_RETRY_DELAY_MS, pause, PermanentEventError, RetryPolicy } from './retry-policy';

const databaseAway = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const handlerBug = () => new TypeError("Cannot read properties of undefined (reading 'id')");

describe('the retry and dead-letter policy', () => {
  const policy = new RetryPolicy(3, 100);

  it('waits for the database without using an attempt, however many it has used', () => {
    expect(policy.decide(databaseAway(), 1, 0)).toEqual({ action: 'wait-for-database', delay: 100 });
    // on its last attempt an outage is still no reason to give the event up
    expect(policy.decide(databaseAway(), 3, 0)).toEqual({ action: 'wait-for-database', delay: 100 });
    // TypeORM wraps the driver's error
    expect(policy.decide(Object.assign(new Error('query failed'), { driverError: databaseAway() }), 3, 0).action).toBe(
      'wait-for-database',
    );
  });

  it('waits longer for each outage, doubling, never more than MAX_RETRY_DELAY_MS', () => {
    expect([0, 1, 2, 3].map((outages) => policy.decide(databaseAway(), 1, outages))).toEqual(
      [100, 200, 400, 800].map((delay) => ({ action: 'wait-for-database', delay })),
    );
    expect(policy.decide(databaseAway(), 1, 7)).toEqual({ action: 'wait-for-database', delay: MAX_RETRY_DELAY_MS });
    expect(policy.decide(databaseAway(), 1, 500)).toEqual({ action: 'wait-for-database', delay: MAX_RETRY_DELAY_MS });
  });

  it('retries a failing handler with a backoff doubling from the base, bounded by MAX_RETRY_DELAY_MS', () => {
    expect(policy.decide(handlerBug(), 1, 0)).toEqual({ action: 'retry', delay: 100 });
    expect(policy.decide(handlerBug(), 2, 0)).toEqual({ action: 'retry', delay: 200 });
    const slow = new RetryPolicy(10, 4_000);
    expect([1, 2, 3, 9].map((attempt) => slow.decide(handlerBug(), attempt, 0))).toEqual(
      [4_000, 8_000, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS].map((delay) => ({ action: 'retry', delay })),
    );
    expect(MAX_RETRY_DELAY_MS).toBe(10_000);
  });

  it('dead-letters an event once its attempts are used up', () => {
    expect(policy.decide(handlerBug(), 3, 0)).toEqual({ action: 'dead-letter' });
    expect(policy.decide(handlerBug(), 4, 2)).toEqual({ action: 'dead-letter' });
    expect(new RetryPolicy(1, 100).decide(handlerBug(), 1, 0)).toEqual({ action: 'dead-letter' });
  });

  it('dead-letters a permanent failure or an invalid event at once, even one that reads like an outage', () => {
    expect(policy.decide(new PermanentEventError('store closed for good'), 1, 0)).toEqual({ action: 'dead-letter' });
    expect(policy.decide(new InvalidEventError('payload is invalid'), 1, 0)).toEqual({ action: 'dead-letter' });
    expect(
      policy.decide(Object.assign(new PermanentEventError('Connection terminated'), { code: 'ECONNRESET' }), 1, 0),
    ).toEqual({ action: 'dead-letter' });
  });
});

describe('pausing between attempts', () => {
  it('sleeps the whole delay while the consumer keeps going', async () => {
    const started = Date.now();
    await expect(pause(150, () => true)).resolves.toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('returns false soon after the consumer is told to stop', async () => {
    let going = true;
    setTimeout(() => (going = false), 50);
    const started = Date.now();
    await expect(pause(5_000, () => going)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
