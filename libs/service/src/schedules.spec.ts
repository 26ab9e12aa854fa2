import fc from 'fast-check';
import { intervalMs, isOccurrenceOf, nextOccurrence, occurrenceJobId, Schedule, scheduleKey } from './schedules';

const realTime = { scale: 1, minIntervalMs: 1000 };
const next = (schedule: Schedule, after: string, cadence = realTime) =>
  nextOccurrence(schedule, new Date(after), cadence).toISOString();

describe('next occurrence of a daily schedule', () => {
  const shanghai: Schedule = { name: 'start-payout-run', dailyAt: '03:42', timeZone: 'Asia/Shanghai' };
  const berlin: Schedule = { name: 'start-payout-run', dailyAt: '02:30', timeZone: 'Europe/Berlin' };

  it('is today at the local time if that is still ahead, else tomorrow (Asia/Shanghai, UTC+8 all year)', () => {
    expect(next(shanghai, '2026-06-01T12:00:00Z')).toBe('2026-06-01T19:42:00.000Z'); // 20:00 local → 03:42 the next local day
    expect(next(shanghai, '2026-06-01T19:00:00Z')).toBe('2026-06-01T19:42:00.000Z'); // 03:00 local on 06-02
    expect(next(shanghai, '2026-06-01T19:43:00Z')).toBe('2026-06-02T19:42:00.000Z');
  });

  it('exactly at an occurrence, is the next one: the occurrence that is due is not added again', () => {
    expect(next(shanghai, '2026-06-01T19:42:00.000Z')).toBe('2026-06-02T19:42:00.000Z');
    expect(next(shanghai, '2026-06-01T19:41:59.999Z')).toBe('2026-06-01T19:42:00.000Z');
  });

  it('crosses the local day boundary, not the UTC one', () => {
    const midnight: Schedule = { name: 'x', dailyAt: '00:00', timeZone: 'Asia/Shanghai' };
    expect(next(midnight, '2026-06-01T15:59:59Z')).toBe('2026-06-01T16:00:00.000Z'); // 23:59:59 local → local midnight
    expect(next(midnight, '2026-06-01T16:00:00Z')).toBe('2026-06-02T16:00:00.000Z');
    const lateEvening: Schedule = { name: 'x', dailyAt: '23:30', timeZone: 'Asia/Shanghai' };
    expect(next(lateEvening, '2026-12-31T15:00:00Z')).toBe('2026-12-31T15:30:00.000Z'); // 23:00 local on the year's last day
    expect(next(lateEvening, '2026-12-31T16:00:00Z')).toBe('2027-01-01T15:30:00.000Z'); // already 2027 locally
  });

  it('follows daylight saving (Europe/Berlin): the same local time, an hour apart in UTC across the change', () => {
    expect(next(berlin, '2026-01-15T12:00:00Z')).toBe('2026-01-16T01:30:00.000Z'); // CET, UTC+1
    expect(next(berlin, '2026-07-15T12:00:00Z')).toBe('2026-07-16T00:30:00.000Z'); // CEST, UTC+2
    const at0900: Schedule = { name: 'x', dailyAt: '09:00', timeZone: 'Europe/Berlin' };
    expect(next(at0900, '2026-03-28T08:00:00Z')).toBe('2026-03-29T07:00:00.000Z'); // the day the clocks go forward
    expect(next(at0900, '2026-10-24T07:00:00Z')).toBe('2026-10-25T08:00:00.000Z'); // the day they go back
  });

  it('runs once on the days a daylight-saving change skips or repeats its local time', () => {
    // 2026-03-29: 02:30 does not exist in Berlin; 2026-10-25: it comes twice
    const days = (from: string, n: number) => {
      const out: string[] = [];
      let at = new Date(from);
      for (let i = 0; i < n; i++) out.push((at = nextOccurrence(berlin, at, realTime)).toISOString());
      return out;
    };
    expect(days('2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
    expect(days('2026-10-23T12:00:00Z', 4)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('is always ahead and within a day and an hour, one per local date (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/New_York'),
        fc.integer({ min: 0, max: 23 * 60 + 59 }),
        (after, timeZone, minute) => {
          const schedule: Schedule = {
            name: 'x',
            dailyAt: `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`,
            timeZone,
          };
          const first = nextOccurrence(schedule, after, realTime);
          const second = nextOccurrence(schedule, first, realTime);
          expect(first.getTime()).toBeGreaterThan(after.getTime());
          expect(first.getTime() - after.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
          expect(second.getTime() - first.getTime()).toBeGreaterThanOrEqual(22 * 3_600_000);
          expect(second.getTime() - first.getTime()).toBeLessThanOrEqual(26 * 3_600_000);
        },
      ),
    );
  });
});

describe('next occurrence of an interval schedule', () => {
  const sweep: Schedule = { name: 'sweep-unpaid', everySeconds: 60 };

  it('sits on a grid of the interval counted from the epoch, so every instance computes the same one', () => {
    expect(next(sweep, '2026-06-01T12:00:10Z')).toBe('2026-06-01T12:01:00.000Z');
    expect(next(sweep, '2026-06-01T12:00:59.999Z')).toBe('2026-06-01T12:01:00.000Z');
    expect(next(sweep, '2026-06-01T12:01:00Z')).toBe('2026-06-01T12:02:00.000Z'); // exactly at one: the next
  });

  it('on a fast clock, keeps at least the real-time floor between sweeps', () => {
    const fast = { scale: 3600, minIntervalMs: 1000 };
    expect(intervalMs(60, fast)).toBe(3_600_000); // a county hour: a real second
    expect(next(sweep, '2026-06-01T12:00:10Z', fast)).toBe('2026-06-01T13:00:00.000Z');
    expect(intervalMs(60, { scale: 10, minIntervalMs: 1000 })).toBe(60_000); // its own interval is longer than the floor
  });
});

describe('occurrence job ids', () => {
  it('name the occurrence, hold no ":" and tell an occurrence from the same job added by hand', () => {
    const id = occurrenceJobId('start-payout-run', new Date('2026-06-01T19:42:00Z'));
    expect(id).toBe('start-payout-run@2026-06-01T194200Z');
    expect(isOccurrenceOf('start-payout-run', id)).toBe(true);
    expect(isOccurrenceOf('start-payout-run', 'finance-run')).toBe(false);
    expect(occurrenceJobId('x', new Date('2026-06-01T19:42:00.250Z'))).toBe('x@2026-06-01T194200.250Z');
  });

  it('key a schedule by what it is, so a changed time or interval is a new schedule', () => {
    expect(
      scheduleKey('payout-runs', { name: 'start-payout-run', dailyAt: '03:42', timeZone: 'Asia/Shanghai' }, realTime),
    ).toBe('payout-runs/start-payout-run/daily 03:42 Asia/Shanghai');
    expect(
      scheduleKey('timeouts', { name: 'sweep-unpaid', everySeconds: 60 }, { scale: 3600, minIntervalMs: 1000 }),
    ).toBe('timeouts/sweep-unpaid/every 3600000 ms');
  });
});
