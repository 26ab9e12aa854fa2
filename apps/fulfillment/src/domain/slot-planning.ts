// Which pickup slot a parcel takes (DESIGN §4), as pure functions: the service feeds them the
// clock, the timetable and the slots' loads, and books what they choose.
import type { Category } from '@cc/contracts';
import { localDate, nextDate, zonedToUtc } from './local-time';

/** How long after payment a parcel of each category must be picked up (hours). */
export const PICKUP_WINDOW_HOURS: Record<Category, number> = {
  chilled: 12,
  fresh: 24,
  ambient: 72,
  // made to order: a fixed week until lead times are kept per product
  handicraft: 7 * 24,
};

/** Shortest window first: the category that decides a mixed parcel's deadline. */
export function mostPerishable(categories: readonly Category[]): Category {
  return [...categories].sort((a, b) => PICKUP_WINDOW_HOURS[a] - PICKUP_WINDOW_HOURS[b])[0];
}

export function pickupDeadline(paidAt: Date, category: Category): Date {
  return new Date(paidAt.getTime() + PICKUP_WINDOW_HOURS[category] * 3_600_000);
}

/** Every timetable slot starting at or after `from` and no later than `deadline`, earliest first, day by local day. */
export function candidateSlots(from: Date, deadline: Date, timetable: readonly string[], zone: string): Date[] {
  const slots: Date[] = [];
  for (let date = localDate(from, zone); zonedToUtc(date, '00:00', zone) <= deadline; date = nextDate(date)) {
    for (const time of timetable) {
      const start = zonedToUtc(date, time, zone);
      if (start > deadline) return slots;
      if (start >= from) slots.push(start);
    }
  }
  return slots;
}

/** A slot's state; a slot nobody booked yet has none (full capacity, nothing booked). */
export interface SlotLoad {
  capacity: number;
  booked: number;
  /** Its pickup run has left: nothing more can join it. */
  closed: boolean;
}

export const hasRoom = (load: SlotLoad) => !load.closed && load.booked < load.capacity;

export interface PickupPlan {
  now: Date;
  deadline: Date;
  /** Local HH:MM times, sorted. */
  timetable: readonly string[];
  zone: string;
  /** Parcels per slot for slots not booked yet. */
  capacity: number;
}

/** The earliest slot at or after now, no later than the deadline, that has room; null if none does. */
export function assignPickupSlot(plan: PickupPlan, loads: ReadonlyMap<number, SlotLoad>): Date | null {
  const empty: SlotLoad = { capacity: plan.capacity, booked: 0, closed: false };
  return candidateSlots(plan.now, plan.deadline, plan.timetable, plan.zone).find((start) => hasRoom(loads.get(start.getTime()) ?? empty)) ?? null;
}
