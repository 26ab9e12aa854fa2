// How long a parcel may wait for a courier and how perishable it is (docs/design.md, “Fresh produce on time”): category
// defaults, overridden by what each product says, folded over an order's lines.
import type { Category, OrderLineV1 } from '@cc/contracts';

const HOUR = 3_600_000;

export interface CategoryClock {
  /** Hours after payment (handicraft: after its lead time) by which a courier must collect it. */
  pickupWithinHours: number;
  /** Hours it keeps; null = keeps for as long as anyone waits (priority comes last). */
  shelfLifeHours: number | null;
  /** Made-to-order days before it can be collected. */
  leadTimeDays: number;
}

export const CATEGORY_CLOCKS: Record<Category, CategoryClock> = {
  chilled: { pickupWithinHours: 12, shelfLifeHours: 48, leadTimeDays: 0 },
  fresh: { pickupWithinHours: 24, shelfLifeHours: 72, leadTimeDays: 0 },
  // "months": six of them, so dried dates still ride before a quilt that keeps for ever
  ambient: { pickupWithinHours: 72, shelfLifeHours: 180 * 24, leadTimeDays: 0 },
  // a handicraft listed without a lead time is on the shelf already
  handicraft: { pickupWithinHours: 72, shelfLifeHours: null, leadTimeDays: 0 },
};

/** Most perishable first: the category that decides a mixed parcel's label and courier. */
const CATEGORY_ORDER: Category[] = ['chilled', 'fresh', 'ambient', 'handicraft'];

export function mostPerishable(categories: readonly Category[]): Category {
  return [...categories].sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b))[0];
}

/** What the planner needs to know about one parcel. */
export interface ParcelClock {
  category: Category;
  /** Only a cold-chain van may take it. */
  coldChain: boolean;
  /** Earliest pickup: payment, or the end of the longest made-to-order lead time. */
  readyAt: Date;
  deadlineAt: Date;
  shelfLifeHours: number | null;
}

type LineClock = Pick<OrderLineV1, 'category' | 'pickupWithinHours' | 'shelfLifeHours' | 'leadTimeDays'>;

/** A parcel is as ready as its slowest line, as urgent as its most urgent line, and keeps as long as its least durable line. */
export function parcelClock(lines: readonly LineClock[], paidAt: Date): ParcelClock {
  const perLine = lines.map((line) => {
    const defaults = CATEGORY_CLOCKS[line.category];
    const readyAt = paidAt.getTime() + (line.leadTimeDays ?? defaults.leadTimeDays) * 24 * HOUR;
    return {
      readyAt,
      deadlineAt: readyAt + (line.pickupWithinHours ?? defaults.pickupWithinHours) * HOUR,
      shelfLifeHours: line.shelfLifeHours ?? defaults.shelfLifeHours,
    };
  });
  const shelfLives = perLine.map((l) => l.shelfLifeHours).filter((h): h is number => h !== null);
  const category = mostPerishable(lines.map((l) => l.category));
  return {
    category,
    coldChain: lines.some((l) => l.category === 'chilled'),
    readyAt: new Date(Math.max(...perLine.map((l) => l.readyAt))),
    deadlineAt: new Date(Math.min(...perLine.map((l) => l.deadlineAt))),
    shelfLifeHours: shelfLives.length ? Math.min(...shelfLives) : null,
  };
}
