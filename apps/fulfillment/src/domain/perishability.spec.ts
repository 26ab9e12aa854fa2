import { CATEGORY_CLOCKS, mostPerishable, parcelClock } from './perishability';

const HOUR = 3_600_000;
const paidAt = new Date('2026-11-29T03:30:00Z');
const after = (at: Date) => (at.getTime() - paidAt.getTime()) / HOUR;

describe('perishability', () => {
  it('gives each category its docs/design.md, “Fresh produce on time” clock', () => {
    expect(after(parcelClock([{ category: 'chilled' }], paidAt).deadlineAt)).toBe(12);
    expect(after(parcelClock([{ category: 'fresh' }], paidAt).deadlineAt)).toBe(24);
    expect(after(parcelClock([{ category: 'ambient' }], paidAt).deadlineAt)).toBe(72);
    expect(parcelClock([{ category: 'fresh' }], paidAt).shelfLifeHours).toBe(72);
    expect(parcelClock([{ category: 'chilled' }], paidAt)).toMatchObject({ coldChain: true, shelfLifeHours: 48 });
    expect(parcelClock([{ category: 'handicraft' }], paidAt)).toMatchObject({
      coldChain: false,
      shelfLifeHours: null,
      readyAt: paidAt,
    });
    expect(CATEGORY_CLOCKS.ambient.shelfLifeHours).toBeGreaterThan(CATEGORY_CLOCKS.fresh.shelfLifeHours!);
  });

  it('lets a product override its category, and a handicraft wait for its lead time', () => {
    expect(parcelClock([{ category: 'fresh', pickupWithinHours: 6, shelfLifeHours: 30 }], paidAt)).toMatchObject({
      shelfLifeHours: 30,
    });
    expect(after(parcelClock([{ category: 'fresh', pickupWithinHours: 6 }], paidAt).deadlineAt)).toBe(6);
    const quilt = parcelClock([{ category: 'handicraft', leadTimeDays: 5 }], paidAt);
    expect(after(quilt.readyAt)).toBe(5 * 24);
    expect(after(quilt.deadlineAt)).toBe(5 * 24 + 72);
  });

  it('makes a mixed parcel as late as its slowest line, as urgent as its most urgent, as durable as its least', () => {
    const mixed = parcelClock(
      [{ category: 'handicraft', leadTimeDays: 1 }, { category: 'fresh' }, { category: 'ambient', shelfLifeHours: 40 }],
      paidAt,
    );
    expect(mixed).toMatchObject({ category: 'fresh', coldChain: false, shelfLifeHours: 40 });
    expect(after(mixed.readyAt)).toBe(24);
    expect(after(mixed.deadlineAt)).toBe(24);
    expect(mostPerishable(['ambient', 'chilled', 'fresh'])).toBe('chilled');
    expect(mostPerishable(['handicraft', 'ambient'])).toBe('ambient');
  });
});

describe('a parcel of mixed lines', () => {
  it('rides cold-chain when any of its lines is chilled, and not when none is', () => {
    expect(
      parcelClock([{ category: 'chilled' }, { category: 'ambient' }, { category: 'handicraft' }], paidAt).coldChain,
    ).toBe(true);
    expect(parcelClock([{ category: 'ambient' }, { category: 'chilled' }], paidAt).coldChain).toBe(true);
    expect(parcelClock([{ category: 'ambient' }, { category: 'fresh' }], paidAt).coldChain).toBe(false);
  });
});
