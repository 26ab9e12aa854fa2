// County local time (pickup slots, daily schedules); storage is UTC. Conversions through Intl,
// so any IANA zone works (Asia/Shanghai has no daylight saving, other zones may).

// building a DateTimeFormat costs far more than using one: one per zone, kept
const formats = new Map<string, Intl.DateTimeFormat>();

function partsIn(zone: string, at: Date): Record<string, number> {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(at);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(zone: string, at: Date): number {
  const p = partsIn(zone, at);
  return Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at.getTime()) / 60_000);
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date, zone: string): string {
  const p = partsIn(zone, at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

export function localTime(at: Date, zone: string): string {
  const p = partsIn(zone, at);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** The instant of a local date and HH:MM in the zone. */
export function zonedToUtc(date: string, time: string, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const naive = Date.UTC(y, m - 1, d, hh, mm);
  let at = new Date(naive - offsetMinutes(zone, new Date(naive)) * 60_000);
  at = new Date(naive - offsetMinutes(zone, at) * 60_000); // once more, in case the offset changed in between
  return at;
}

/** The next local date after `date`. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
