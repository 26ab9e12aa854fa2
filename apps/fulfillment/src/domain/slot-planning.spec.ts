import fc from 'fast-check';
import { pickupRunJobId } from './shipment-scheduling.service';
import { assignPickupSlot, candidateSlots, hasRoom, mostPerishable, PickupPlan, pickupDeadline, SlotLoad } from './slot-planning';

const ZONE = 'Asia/Shanghai';
const TIMETABLE = ['09:00', '14:00', '18:00'];
const HOUR = 3_600_000;
const local = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);
const plan = (now: Date, deadline: Date, capacity = 2): PickupPlan => ({ now, deadline, timetable: TIMETABLE, zone: ZONE, capacity });
const loads = (...entries: [Date, Partial<SlotLoad>][]) => new Map(entries.map(([at, load]) => [at.getTime(), { capacity: 2, booked: 0, closed: false, ...load }]));

describe('pickup windows', () => {
  it('gives each category its deadline after payment (DESIGN §4)', () => {
    const paidAt = new Date('2026-11-29T03:30:00Z');
    expect(pickupDeadline(paidAt, 'chilled').getTime() - paidAt.getTime()).toBe(12 * HOUR);
    expect(pickupDeadline(paidAt, 'fresh').getTime() - paidAt.getTime()).toBe(24 * HOUR);
    expect(pickupDeadline(paidAt, 'ambient').getTime() - paidAt.getTime()).toBe(72 * HOUR);
    expect(pickupDeadline(paidAt, 'handicraft').getTime() - paidAt.getTime()).toBe(7 * 24 * HOUR);
  });

  it('lets the most perishable line decide a mixed parcel', () => {
    expect(mostPerishable(['ambient', 'chilled', 'fresh'])).toBe('chilled');
    expect(mostPerishable(['handicraft', 'ambient'])).toBe('ambient');
    expect(mostPerishable(['handicraft'])).toBe('handicraft');
  });
});

describe('assigning a pickup slot', () => {
  const now = local('2026-11-29', '11:30');

  it('lists the timetable slots from now to the deadline, day by local day', () => {
    expect(candidateSlots(now, pickupDeadline(now, 'fresh'), TIMETABLE, ZONE)).toEqual([local('2026-11-29', '14:00'), local('2026-11-29', '18:00'), local('2026-11-30', '09:00')]);
    expect(candidateSlots(now, pickupDeadline(now, 'chilled'), TIMETABLE, ZONE)).toEqual([local('2026-11-29', '14:00'), local('2026-11-29', '18:00')]);
  });

  it('takes the earliest slot at or after now when it has room', () => {
    expect(assignPickupSlot(plan(now, pickupDeadline(now, 'fresh')), new Map())).toEqual(local('2026-11-29', '14:00'));
    const atSlot = local('2026-11-29', '14:00');
    expect(assignPickupSlot(plan(atSlot, pickupDeadline(atSlot, 'fresh')), new Map())).toEqual(atSlot);
  });

  it('passes over a full or closed slot to the next one', () => {
    const deadline = pickupDeadline(now, 'fresh');
    expect(assignPickupSlot(plan(now, deadline), loads([local('2026-11-29', '14:00'), { booked: 2 }]))).toEqual(local('2026-11-29', '18:00'));
    expect(assignPickupSlot(plan(now, deadline), loads([local('2026-11-29', '14:00'), { closed: true }]))).toEqual(local('2026-11-29', '18:00'));
    // a slot keeps the capacity it was opened with, whatever the setting is now
    expect(assignPickupSlot(plan(now, deadline, 50), loads([local('2026-11-29', '14:00'), { capacity: 1, booked: 1 }]))).toEqual(local('2026-11-29', '18:00'));
  });

  it('accepts a slot that starts right on the deadline, and none after it', () => {
    const deadline = local('2026-11-29', '18:00');
    expect(assignPickupSlot(plan(now, deadline), loads([local('2026-11-29', '14:00'), { booked: 2 }]))).toEqual(deadline);
    expect(assignPickupSlot(plan(now, new Date(deadline.getTime() - 1)), loads([local('2026-11-29', '14:00'), { booked: 2 }]))).toBeNull();
  });

  it('finds none when every slot before the deadline is full, or none lies before it', () => {
    const deadline = pickupDeadline(now, 'fresh');
    expect(assignPickupSlot(plan(now, deadline), new Map(candidateSlots(now, deadline, TIMETABLE, ZONE).map((s) => [s.getTime(), { capacity: 2, booked: 2, closed: false }])))).toBeNull();
    const evening = local('2026-11-29', '19:00'); // chilled: must go by 07:00, the first van comes at 09:00
    expect(assignPickupSlot(plan(evening, pickupDeadline(evening, 'chilled')), new Map())).toBeNull();
    expect(assignPickupSlot(plan(now, new Date(now.getTime() - HOUR)), new Map())).toBeNull();
  });

  it('looks ahead day by day up to the deadline', () => {
    const deadline = pickupDeadline(now, 'handicraft');
    const slots = candidateSlots(now, deadline, TIMETABLE, ZONE);
    expect(slots).toHaveLength(2 + 6 * 3 + 1); // today's 14:00 and 18:00, six full days, the 9:00 of day seven
    const allButLast = new Map(slots.slice(0, -1).map((s) => [s.getTime(), { capacity: 2, booked: 2, closed: false }]));
    expect(assignPickupSlot(plan(now, deadline), allButLast)).toEqual(local('2026-12-06', '09:00'));
  });

  it('chooses the earliest slot with room, never before now nor after the deadline (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 24 * 60 }),
        fc.constantFrom('fresh', 'chilled', 'ambient', 'handicraft' as const),
        fc.array(fc.record({ booked: fc.integer({ min: 0, max: 3 }), closed: fc.boolean() }), { maxLength: 30 }),
        (minutes, category, loadList) => {
          const at = new Date(Date.UTC(2026, 10, 1) + minutes * 60_000);
          const deadline = pickupDeadline(at, category);
          const candidates = candidateSlots(at, deadline, TIMETABLE, ZONE);
          // the first slots have loads (some full, some closed), the later ones nobody booked yet
          const known = new Map(candidates.slice(0, loadList.length).map((s, i) => [s.getTime(), { capacity: 3, ...loadList[i] }]));
          const chosen = assignPickupSlot({ ...plan(at, deadline), capacity: 3 }, known);
          const roomy = (s: Date) => hasRoom(known.get(s.getTime()) ?? { capacity: 3, booked: 0, closed: false });
          if (chosen === null) return candidates.every((s) => !roomy(s));
          expect(chosen.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(chosen.getTime()).toBeLessThanOrEqual(deadline.getTime());
          expect(roomy(chosen)).toBe(true);
          expect(candidates.filter((s) => s < chosen).some(roomy)).toBe(false);
          return true;
        },
      ),
    );
  });
});

describe('pickup run job ids', () => {
  it('are deterministic, free of ":" and distinct for distinct townships', () => {
    const at = local('2026-11-29', '14:00');
    expect(pickupRunJobId('louguan', at)).toBe(`run.louguan.${at.getTime()}`);
    const ids = ['楼观', '马召', 'a b', 'a_b', 'a:b'].map((t) => pickupRunJobId(t, at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).not.toContain(':');
  });
});
