// When a delivered order completes by itself: the window of its lines' categories, the buyer's one
// extension, and the pause an open after-sales request will put on it. Pure rules; the service
// (auto-confirmation.service.ts) applies them.
import { CATEGORIES, Category } from '@cc/contracts';

const DAY_MS = 86_400_000;
/** Longest window a setting may give (days). */
export const MAX_CONFIRM_DAYS = 90;

/**
 * Parses `fresh:3,chilled:3` (days, decimals allowed, each category at most once, any subset;
 * empty: none). Returns null for anything else.
 */
export function parseDaysByCategory(value: unknown): Partial<Record<Category, number>> | null {
  if (typeof value !== 'string') return null;
  if (value.trim() === '') return {};
  const days: Partial<Record<Category, number>> = {};
  for (const pair of value.split(',')) {
    const [category, amount, extra] = pair.trim().split(':');
    if (
      extra !== undefined ||
      !CATEGORIES.includes(category as Category) ||
      category in days ||
      !/^\d+(\.\d+)?$/.test(amount ?? '')
    )
      return null;
    const n = Number(amount);
    if (!(n > 0 && n <= MAX_CONFIRM_DAYS)) return null;
    days[category as Category] = n;
  }
  return days;
}

/**
 * An order's window in days: the LONGEST of its lines' categories (each category's override, or
 * the default). Completing ends the time in which the buyer may still raise a problem with any of
 * the order's lines, so every line gets at least its own category's window: a jar of honey bought
 * with the peaches is not confirmed on the peaches' three days. An order without lines (none
 * exist) gets the default.
 */
export function confirmationWindowDays(
  categories: readonly Category[],
  defaultDays: number,
  byCategory: Partial<Record<Category, number>>,
): number {
  if (!categories.length) return defaultDays;
  return Math.max(...categories.map((c) => byCategory[c] ?? defaultDays));
}

export const addDays = (at: Date, days: number) => new Date(at.getTime() + Math.round(days * DAY_MS));

/** Why the buyer may not extend now, or null if she may (once, while delivered, before it is due, not paused). */
export function extensionRefusal(
  order: { status: string; autoConfirmAt: Date | null; confirmationExtended: boolean },
  now: Date,
): string | null {
  if (order.status !== 'delivered')
    return `only a delivered order’s confirmation can be extended (this one is ${order.status})`;
  if (order.confirmationExtended) return 'the confirmation was extended once already';
  if (!order.autoConfirmAt) return 'this order has no automatic confirmation to extend';
  if (order.autoConfirmAt.getTime() <= now.getTime()) return 'the order is already due to confirm itself';
  return null;
}

/** The due time after a pause from `pausedAt` to `now`: moved on by the pause, so the time left is what it was. */
export function resumedDue(due: Date, pausedAt: Date, now: Date): Date {
  return new Date(due.getTime() + Math.max(0, now.getTime() - pausedAt.getTime()));
}
