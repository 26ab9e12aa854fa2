// Which pickup slot a parcel takes (DESIGN §4), as pure functions.
import type { Category } from '@cc/contracts';
import { localDate, nextDate, zonedToUtc } from './local-time';

/** How long after payment a parcel of each category must be picked up (hours). */
export const PICKUP_WINDOW_HOURS: Record<Category, number> = {
  chilled: 12,
  fresh: 24,
  ambient: 72,
  handicraft: 7 * 24,
};

/** Shortest window first: the category that decides a mixed parcel's deadline. */
export function mostPerishable(categories: readonly Category[]): Category {
  return [...categories].sort((a, b) => PICKUP_WINDOW_HOURS[a] - PICKUP_WINDOW_HOURS[b])[0];
}

export function pickupDeadline(paidAt: Date, category: Category): Date {
  return new Date(paidAt.getTime() + PICKUP_WINDOW_HOURS[category] * 3_600_000);
}

/** Every timetable slot starting at or after `from` and no later than `deadline`, earliest first. */
export function candidateSlots(from: Date, deadline: Date, timetable: readonly string[], zone: string): Date[] {
  const slots: Date[] = [];
  for (let date = localDate(from, zone); ; date = nextDate(date)) {
    for (const time of timetable) {
      const start = zonedToUtc(date, time, zone);
      if (start > deadline) return slots;
      if (start >= from) slots.push(start);
    }
    if (zonedToUtc(date, '00:00', zone) > deadline) return slots;
  }
}

/** The earliest candidate with room, given how many parcels each slot already has. */
export function chooseSlot(candidates: readonly Date[], booked: (start: Date) => number, capacity: number): Date | null {
  return candidates.find((start) => booked(start) < capacity) ?? null;
}
