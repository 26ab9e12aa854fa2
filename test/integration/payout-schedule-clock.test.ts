// The daily payout run follows the service clock: on a clock where a county day passes in 12 real
// seconds, two payouts instances sharing one database start one run at PAYOUT_RUN_TIME county time
// on each of three consecutive county days, and no other.
import { localDate, localTime, nextDate, ScaledClock, zonedToUtc } from '@cc/platform';
import { occurrenceJobId } from '@cc/service';
import { call, tokenFor, waitFor } from '../support/http';
import { newNamespace, RunningService, startService } from '../support/harness';

const SCALE = 7200; // a county day in 12 real seconds
const ZONE = 'Asia/Shanghai';
const COUNTY_HOUR = 3_600_000;

describe('the daily payout run on a fast clock', () => {
  const namespace = newNamespace();
  const anchor = Date.now();
  const clock = new ScaledClock(SCALE, anchor);
  // the first run about 8 county hours (4 real seconds) from now, once both instances are up
  const runTime = localTime(new Date(clock.now().getTime() + 8 * COUNTY_HOUR), ZONE);
  const env = {
    TIME_SCALE: String(SCALE),
    CLOCK_ANCHOR: String(anchor),
    PAYOUT_RUN_TIME: runTime,
    COUNTY_TIME_ZONE: ZONE,
  };
  let first: RunningService;
  let second: RunningService;

  beforeAll(async () => {
    first = await startService('payouts', { namespace, env });
    second = await startService('payouts', { namespace, env, databaseUrl: first.config.DATABASE_URL });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  type Run = { id: string; request_key: string; started_at: Date };
  const scheduledRuns = (): Promise<Run[]> =>
    first.dataSource.query(
      `SELECT id, request_key, started_at FROM payout_runs WHERE trigger = 'schedule' ORDER BY started_at`,
    );

  it('starts one run at PAYOUT_RUN_TIME county time on each of three consecutive county days', async () => {
    const runs = await waitFor(
      async () => {
        const found = await scheduledRuns();
        return found.length >= 3 && found;
      },
      'three scheduled runs',
      60_000,
      200,
    );
    expect(runs).toHaveLength(3);

    const firstDay = localDate(runs[0].started_at, ZONE);
    const days = [firstDay, nextDate(firstDay), nextDate(nextDate(firstDay))];
    const lags: number[] = [];
    runs.forEach((run, i) => {
      const occurrence = zonedToUtc(days[i], runTime, ZONE);
      // the run is keyed by the occurrence it belongs to...
      expect(run.request_key).toBe(`schedule:${occurrenceJobId('start-payout-run', occurrence)}`);
      // ...and started at its time on the service clock: not before, and within half a county hour (250 real ms) after
      const lag = run.started_at.getTime() - occurrence.getTime();
      lags.push(lag);
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(COUNTY_HOUR / 2);
      expect(localDate(run.started_at, ZONE)).toBe(days[i]);
    });
    console.log(
      `payout runs started ${lags.map((l) => `${Math.round(l / 1000)} s`).join(', ')} (county time) after ${runTime}`,
    );

    // the API says the same
    const viaApi = (await call('GET', `${second.url}/payout-runs/${runs[2].id}`, { token: tokenFor('ops') })).body;
    expect(viaApi).toMatchObject({ trigger: 'schedule', startedAt: runs[2].started_at.toISOString() });

    // a few county hours later, still one run a day: the two instances never made a second
    const after = zonedToUtc(days[2], runTime, ZONE).getTime() + 3 * COUNTY_HOUR;
    await new Promise((r) => setTimeout(r, clock.delayUntil(new Date(after))));
    const all: { trigger: string; n: number }[] = await first.dataSource.query(
      `SELECT trigger, count(*)::int AS n FROM payout_runs GROUP BY trigger`,
    );
    expect(all).toEqual([{ trigger: 'schedule', n: 3 }]);
  }, 90_000);
});
