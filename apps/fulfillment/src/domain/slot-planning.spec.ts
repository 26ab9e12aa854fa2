import fc from 'fast-check';
import type { Category } from '@cc/contracts';
import { parcelClock } from './perishability';
import {
  applyPlacement,
  Board,
  BoardParcel,
  BoardSlot,
  candidateSlots,
  fits,
  hasRoom,
  placeParcel,
  TimetableSlot,
  urgency,
} from './slot-planning';

const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;
const standard = (time: string, capacity = 2): TimetableSlot => ({ time, courier: 'standard', capacity });
const cold = (time: string, capacity = 2): TimetableSlot => ({ time, courier: 'cold-chain', capacity });
const TIMETABLE = [cold('09:00'), standard('14:00'), cold('18:00')];
const local = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);
const now = local('2026-11-29', '11:30');

/** A parcel paid at `paidAt` whose one line is of `category` (with the product's overrides, if any). */
function parcel(
  id: string,
  category: Category,
  paidAt = now,
  overrides: { pickupWithinHours?: number; shelfLifeHours?: number; leadTimeDays?: number } = {},
): BoardParcel {
  const clock = parcelClock([{ category, ...overrides }], paidAt);
  return {
    id,
    coldChain: clock.coldChain,
    readyAt: clock.readyAt.getTime(),
    deadlineAt: clock.deadlineAt.getTime(),
    shelfLifeHours: clock.shelfLifeHours,
  };
}

/** An empty board of the timetable's slots from `from` for `hours`, then the given parcels placed in order. */
function board(timetable: readonly TimetableSlot[], from = now, hours = 80, placed: BoardParcel[] = []): Board {
  let b: Board = {
    now: from.getTime(),
    slots: candidateSlots(from, new Date(from.getTime() + hours * HOUR), timetable, ZONE).map((s) => ({
      startsAt: s.startsAt.getTime(),
      courier: s.courier,
      capacity: s.capacity,
      booked: 0,
      closed: false,
      parcels: [],
    })),
    parcels: new Map(),
  };
  for (const p of placed) b = applyPlacement(b, p, placeParcel(b, p)!);
  return b;
}
const slotOf = (b: Board, id: string) => b.slots.find((s) => s.parcels.includes(id))?.startsAt;

describe('the timetable', () => {
  it('lists the slots from now to a deadline, day by local day, with their couriers', () => {
    expect(candidateSlots(now, new Date(now.getTime() + 24 * HOUR), TIMETABLE, ZONE)).toEqual([
      { startsAt: local('2026-11-29', '14:00'), courier: 'standard', capacity: 2 },
      { startsAt: local('2026-11-29', '18:00'), courier: 'cold-chain', capacity: 2 },
      { startsAt: local('2026-11-30', '09:00'), courier: 'cold-chain', capacity: 2 },
    ]);
  });
});

describe('placing a parcel', () => {
  it('takes the earliest slot with room that meets the deadline', () => {
    const b = board(TIMETABLE);
    expect(placeParcel(b, parcel('a', 'fresh'))).toEqual({ slot: local('2026-11-29', '14:00').getTime(), moves: [] });
    const full = board([standard('14:00', 1), cold('18:00')], now, 80, [parcel('x', 'ambient')]);
    expect(placeParcel(full, parcel('b', 'ambient'))?.slot).toBe(local('2026-11-29', '18:00').getTime());
  });

  it('puts chilled parcels on cold-chain vans only, and anything else on either', () => {
    expect(placeParcel(board(TIMETABLE), parcel('c', 'chilled'))?.slot).toBe(local('2026-11-29', '18:00').getTime());
    expect(
      placeParcel(board([standard('09:00'), standard('14:00'), standard('18:00')]), parcel('c', 'chilled')),
    ).toBeNull();
    expect(placeParcel(board([cold('14:00')]), parcel('a', 'ambient'))?.slot).toBe(
      local('2026-11-29', '14:00').getTime(),
    );
  });

  it('waits for a handicraft’s lead time, then gives it three days', () => {
    const quilt = parcel('q', 'handicraft', now, { leadTimeDays: 2 });
    expect(quilt.readyAt).toBe(now.getTime() + 48 * HOUR);
    expect(quilt.deadlineAt).toBe(quilt.readyAt + 72 * HOUR);
    expect(placeParcel(board(TIMETABLE, now, 200), quilt)?.slot).toBe(local('2026-12-01', '14:00').getTime());
  });

  it('accepts a slot right on the deadline and none after it; a closed slot takes nothing', () => {
    const atDeadline = { ...parcel('a', 'fresh'), deadlineAt: local('2026-11-29', '14:00').getTime() };
    expect(placeParcel(board(TIMETABLE), atDeadline)?.slot).toBe(atDeadline.deadlineAt);
    expect(placeParcel(board(TIMETABLE), { ...atDeadline, deadlineAt: atDeadline.deadlineAt - 1 })).toBeNull();
    const b = board(TIMETABLE);
    b.slots[0].closed = true;
    expect(placeParcel(b, parcel('a', 'fresh'))?.slot).toBe(local('2026-11-29', '18:00').getTime());
  });

  it('moves a less perishable parcel to a later slot within its own deadline to make room for a fresh one', () => {
    // one van a day, one parcel each: dried dates took tomorrow's, the kiwi must go by tomorrow noon
    const daily = [standard('09:00', 1)];
    const b = board(daily, now, 80, [parcel('dates', 'ambient')]);
    expect(slotOf(b, 'dates')).toBe(local('2026-11-30', '09:00').getTime());
    const kiwi = parcel('kiwi', 'fresh');
    expect(placeParcel(b, kiwi)).toEqual({
      slot: local('2026-11-30', '09:00').getTime(),
      moves: [
        { parcelId: 'dates', from: local('2026-11-30', '09:00').getTime(), to: local('2026-12-01', '09:00').getTime() },
      ],
    });
  });

  it('moves parcels along a chain when the one in the way has no free slot of its own', () => {
    const daily = [standard('09:00', 1)];
    const soonDates = parcel('dates', 'ambient', new Date(now.getTime() - 24 * HOUR)); // paid yesterday: must go by 12-01 11:30
    const quilt = parcel('quilt', 'handicraft');
    const b = board(daily, now, 80, [soonDates, quilt]); // dates 11-30, quilt 12-01
    const placement = placeParcel(b, parcel('kiwi', 'fresh'));
    expect(placement?.slot).toBe(local('2026-11-30', '09:00').getTime());
    // the quilt goes to 12-02 first, then the dates take its 12-01 place
    expect(placement?.moves.map((m) => m.parcelId)).toEqual(['quilt', 'dates']);
  });

  it('never moves a parcel for a less perishable one, nor past its own deadline', () => {
    const daily = [standard('09:00', 1)];
    const b = board(daily, now, 80, [parcel('kiwi', 'fresh')]);
    expect(
      placeParcel(b, { ...parcel('dates', 'ambient'), deadlineAt: local('2026-11-30', '12:00').getTime() }),
    ).toBeNull();
    const peach = parcel('peach', 'fresh', now, { shelfLifeHours: 24 }); // the product says it keeps one day: more urgent than kiwi
    expect(placeParcel(b, peach)).toBeNull(); // kiwi cannot go later than tomorrow 11:30
  });
});

describe('assignment under scarce slots (property)', () => {
  const categories = fc.constantFrom<Category>('fresh', 'chilled', 'ambient', 'handicraft');
  const round = fc.record({
    courier: fc.constantFrom('standard' as const, 'cold-chain' as const),
    capacity: fc.integer({ min: 1, max: 3 }),
  });

  /** The most parcels any assignment can put on time (Hall's theorem with capacities: |P| − max over X of (|X| − capacity of X's slots)). */
  function mostOnTime(parcels: BoardParcel[], slots: BoardSlot[], nowMs: number): number {
    const reach = parcels.map((p) => slots.reduce((mask, s, i) => (fits(p, s, nowMs) ? mask | (1 << i) : mask), 0));
    const capacityOf = (mask: number) => slots.reduce((sum, s, i) => (mask & (1 << i) ? sum + s.capacity : sum), 0);
    const neighbours = new Array<number>(1 << parcels.length).fill(0);
    let worst = 0;
    for (let subset = 1; subset < 1 << parcels.length; subset++) {
      const lowest = subset & -subset;
      neighbours[subset] = neighbours[subset ^ lowest] | reach[31 - Math.clz32(lowest)];
      let size = 0;
      for (let x = subset; x; x &= x - 1) size++;
      worst = Math.max(worst, size - capacityOf(neighbours[subset]));
    }
    return parcels.length - worst;
  }

  it('puts on time as many parcels as any plan could, never drops a promise, moves only less perishable parcels, and fresh goes before ambient', () => {
    fc.assert(
      fc.property(
        fc.array(round, { minLength: 1, maxLength: 3 }),
        fc.array(categories, { minLength: 1, maxLength: 12 }),
        (rounds, load) => {
          // a market-day rush: every order paid at the same moment, in any order
          const timetable = rounds.map((r, i) => ({ time: ['09:00', '14:00', '18:00'][i], ...r }));
          let b = board(timetable);
          const parcels = load.map((category, i) => parcel(`p${i}`, category));
          const turnedAway: BoardParcel[] = [];
          for (const p of parcels) {
            const placement = placeParcel(b, p);
            if (!placement) {
              turnedAway.push(p);
              if (p.shelfLifeHours === 72) {
                // a fresh parcel is refused only when no ambient or handicraft parcel in its slots could go elsewhere
                for (const s of b.slots.filter((s) => fits(p, s, b.now))) {
                  expect(hasRoom(s)).toBe(false);
                  for (const q of s.parcels.map((id) => b.parcels.get(id)!).filter((q) => urgency(p, q) < 0)) {
                    expect(b.slots.some((t) => t !== s && fits(q, t, b.now) && hasRoom(t))).toBe(false);
                  }
                }
              }
              continue;
            }
            for (const move of placement.moves) {
              const moved = b.parcels.get(move.parcelId)!;
              expect(urgency(p, moved)).toBeLessThan(0);
            }
            const before = new Set(b.slots.flatMap((s) => s.parcels));
            b = applyPlacement(b, p, placement);
            for (const id of before) expect(slotOf(b, id)).toBeDefined(); // nobody scheduled loses its pickup
          }
          // every parcel rides a slot it fits, no slot over capacity
          for (const s of b.slots) {
            expect(s.parcels.length).toBe(s.booked);
            expect(s.booked).toBeLessThanOrEqual(s.capacity);
            for (const id of s.parcels) expect(fits(b.parcels.get(id)!, s, b.now)).toBe(true);
          }
          // every shipment that can meet its deadline does
          expect(parcels.length - turnedAway.length).toBe(mostOnTime(parcels, b.slots, b.now));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('slots and parcels at their edges', () => {
  it('takes a slot starting exactly at `from` and one starting exactly at `until`, and none after', () => {
    const from = local('2026-11-29', '14:00');
    const until = local('2026-11-30', '09:00');
    expect(candidateSlots(from, until, TIMETABLE, ZONE).map((s) => s.startsAt)).toEqual([
      from,
      local('2026-11-29', '18:00'),
      until,
    ]);
    // a window that ends at the next local midnight still looks at that day
    expect(
      candidateSlots(local('2026-11-29', '19:00'), local('2026-11-30', '00:00'), [standard('00:00')], ZONE).map(
        (s) => s.startsAt,
      ),
    ).toEqual([local('2026-11-30', '00:00')]);
  });

  it('lets a parcel ride a slot starting exactly now, exactly when it is ready, or exactly at its deadline, and never a closed one', () => {
    const at = local('2026-11-29', '14:00').getTime();
    const slot: BoardSlot = { startsAt: at, courier: 'standard', capacity: 2, booked: 0, closed: false, parcels: [] };
    const p: BoardParcel = { id: 'p', coldChain: false, readyAt: at, deadlineAt: at, shelfLifeHours: 72 };
    expect(fits(p, slot, at)).toBe(true);
    expect(fits(p, slot, at + 1)).toBe(false);
    expect(fits({ ...p, readyAt: at + 1, deadlineAt: at + 10 }, slot, at)).toBe(false);
    expect(fits({ ...p, deadlineAt: at - 1, readyAt: at - 10 }, slot, at - 10)).toBe(false);
    expect(fits(p, { ...slot, closed: true }, at)).toBe(false);
  });

  it('ranks by shelf life first, then by the earlier deadline; a parcel that keeps for ever comes last', () => {
    const base: BoardParcel = { id: 'a', coldChain: false, readyAt: 0, deadlineAt: 100, shelfLifeHours: 48 };
    expect(urgency(base, { ...base, id: 'b', shelfLifeHours: 72 })).toBeLessThan(0);
    expect(urgency(base, { ...base, id: 'b', deadlineAt: 50 })).toBeGreaterThan(0);
    expect(urgency(base, { ...base, id: 'b', deadlineAt: 150 })).toBeLessThan(0);
    expect(urgency({ ...base, shelfLifeHours: null }, { ...base, id: 'b', shelfLifeHours: 10_000 })).toBeGreaterThan(0);
    expect(urgency(base, { ...base, id: 'b' })).toBe(0);
  });
});
