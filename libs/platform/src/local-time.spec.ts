import fc from 'fast-check';
import { localDate, localTime, nextDate, zonedToUtc } from './local-time';

describe('county local time', () => {
  it('turns a Shanghai date and time into UTC (8 hours ahead, all year)', () => {
    expect(zonedToUtc('2026-11-29', '09:00', 'Asia/Shanghai').toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(zonedToUtc('2026-07-01', '00:00', 'Asia/Shanghai').toISOString()).toBe('2026-06-30T16:00:00.000Z');
  });

  it('reads the local date and time of an instant, across local midnight', () => {
    const at = new Date('2026-11-28T17:30:00Z');
    expect(localDate(at, 'Asia/Shanghai')).toBe('2026-11-29');
    expect(localTime(at, 'Asia/Shanghai')).toBe('01:30');
    expect(localDate(at, 'UTC')).toBe('2026-11-28');
  });

  it('follows daylight saving in zones that have it', () => {
    expect(zonedToUtc('2026-01-15', '12:00', 'Europe/Berlin').toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(zonedToUtc('2026-07-15', '12:00', 'Europe/Berlin').toISOString()).toBe('2026-07-15T10:00:00.000Z');
    // the morning the clocks go forward (02:00 → 03:00)
    expect(zonedToUtc('2026-03-29', '09:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(zonedToUtc('2026-11-01', '09:00', 'America/New_York').toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });

  it('steps to the next calendar date over month, year and leap-day ends', () => {
    expect(nextDate('2026-11-30')).toBe('2026-12-01');
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
    expect(nextDate('2028-02-28')).toBe('2028-02-29');
    expect(nextDate('2027-02-28')).toBe('2027-03-01');
  });

  it('round-trips any minute: local date and time back to the same instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/New_York'),
        (at, zone) => {
          const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
          const back = zonedToUtc(localDate(minute, zone), localTime(minute, zone), zone);
          if (zone === 'Asia/Shanghai') expect(back).toEqual(minute);
          // elsewhere equal, except in the hour a daylight-saving change repeats
          else expect(Math.abs(back.getTime() - minute.getTime())).toBeLessThanOrEqual(3_600_000);
        },
      ),
    );
  });
});
