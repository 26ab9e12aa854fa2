// Recurring jobs, declared as data beside their queue and computed on the service clock: each
// occurrence is one delayed BullMQ job whose id names it, so every instance that computes the
// same occurrence adds the same job, and a scaled clock runs the schedule at its county times.
import { localDate, nextDate, zonedToUtc } from '@cc/platform';

/** A job of the queue that recurs: every so many clock seconds, or daily at a local time. */
export type Schedule = { name: string } & (
  | {
      /** Clock seconds between occurrences (on a fast clock, at least SCHEDULE_MIN_INTERVAL_MS real ms apart). */
      everySeconds: number;
    }
  | {
      /** HH:MM local time in `timeZone`, once a day. */
      dailyAt: string;
      timeZone: string;
    }
);

export interface Cadence {
  /** The clock's time scale (1 = real time). */
  scale: number;
  /** The least real ms between occurrences of an interval schedule. */
  minIntervalMs: number;
}

/** Clock ms between occurrences of an interval schedule: its own interval, or the real-time floor if that is longer on this clock. */
export function intervalMs(everySeconds: number, cadence: Cadence): number {
  return Math.max(everySeconds * 1000, cadence.minIntervalMs * cadence.scale);
}

/**
 * The first occurrence strictly after `after` (a clock instant). Interval occurrences sit on a
 * grid counted from the epoch, so instances agree on them without talking to each other.
 */
export function nextOccurrence(schedule: Schedule, after: Date, cadence: Cadence): Date {
  if ('everySeconds' in schedule) {
    const step = intervalMs(schedule.everySeconds, cadence);
    return new Date((Math.floor(after.getTime() / step) + 1) * step);
  }
  const today = localDate(after, schedule.timeZone);
  const candidate = zonedToUtc(today, schedule.dailyAt, schedule.timeZone);
  return candidate > after ? candidate : zonedToUtc(nextDate(today), schedule.dailyAt, schedule.timeZone);
}

/** The job id of one occurrence (BullMQ ids may not hold ':'): `sweep-unpaid@2026-06-01T031500Z`. */
export function occurrenceJobId(name: string, at: Date): string {
  return `${name}@${at.toISOString().replace(/:/g, '').replace('.000Z', 'Z')}`;
}

/** Whether a job id is an occurrence of the named schedule (rather than the same job added by hand). */
export function isOccurrenceOf(name: string, jobId: string | undefined): boolean {
  return jobId?.startsWith(`${name}@`) ?? false;
}

/** What makes two declarations the same schedule: a changed interval or time is a new schedule. */
export function scheduleKey(queue: string, schedule: Schedule, cadence: Cadence): string {
  const when =
    'everySeconds' in schedule
      ? `every ${intervalMs(schedule.everySeconds, cadence)} ms`
      : `daily ${schedule.dailyAt} ${schedule.timeZone}`;
  return `${queue}/${schedule.name}/${when}`;
}
