// How long a parcel may ride with the courier before ops should look for it (docs/design.md, lost and
// late parcels): a window per category from pickup. Pure rules; the window is fixed on the
// shipment at pickup (delivery_due_at), so "overdue" is a plain query and nothing can be missed.
import { CATEGORIES, Category } from '@cc/contracts';

const HOUR = 3_600_000;
/** Longest window a setting may give (hours): a month. */
export const MAX_DELIVERY_WINDOW_HOURS = 24 * 31;

export const DEFAULT_DELIVERY_WINDOW_HOURS: Record<Category, number> = {
  chilled: 48,
  fresh: 72,
  ambient: 168,
  handicraft: 168,
};

/**
 * Reads `chilled:48,fresh:72` (hours, decimals allowed, each category at most once, any subset)
 * over the defaults; null for anything else, so a typo stops the service rather than a parcel
 * riding for ever unwatched.
 */
export function parseDeliveryWindows(value: unknown): Record<Category, number> | null {
  if (typeof value !== 'string') return null;
  const windows = { ...DEFAULT_DELIVERY_WINDOW_HOURS };
  if (value.trim() === '') return windows;
  const seen = new Set<string>();
  for (const pair of value.split(',')) {
    const [category, hours, extra] = pair.trim().split(':');
    if (
      extra !== undefined ||
      !CATEGORIES.includes(category as Category) ||
      seen.has(category) ||
      !/^\d+(\.\d+)?$/.test(hours ?? '')
    )
      return null;
    const n = Number(hours);
    if (!(n > 0 && n <= MAX_DELIVERY_WINDOW_HOURS)) return null;
    seen.add(category);
    windows[category as Category] = n;
  }
  return windows;
}

/** When a parcel of `category` picked up at `pickedUpAt` should have been delivered by. */
export function deliveryDueAt(category: Category, pickedUpAt: Date, windows: Record<Category, number>): Date {
  return new Date(pickedUpAt.getTime() + Math.round(windows[category] * HOUR));
}

/** Overdue: still in the courier's hands after its due time. */
export function isOverdue(shipment: { status: string; deliveryDueAt: Date | null }, now: Date): boolean {
  return (
    shipment.status === 'picked_up' &&
    shipment.deliveryDueAt !== null &&
    shipment.deliveryDueAt.getTime() < now.getTime()
  );
}
