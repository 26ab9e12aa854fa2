import fc from 'fast-check';
import { localDate, localTime, zonedToUtc } from './local-time';
import { candidateSlots, chooseSlot, mostPerishable, pickupDeadline } from './slot-planning';
import { canShipmentTake, nextShipmentStatus } from './shipment-states';

const ZONE = 'Asia/Shanghai';
const TIMETABLE = ['09:00', '14:00', '18:00'];

describe('local time', () => {
  it('converts county times to UTC and back', () => {
    expect(zonedToUtc('2026-11-29', '09:00', ZONE).toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(localDate(new Date('2026-11-28T17:30:00Z'), ZONE)).toBe('2026-11-29');
    expect(localTime(new Date('2026-11-28T17:30:00Z'), ZONE)).toBe('01:30');
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }), fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/New_York'), (at, zone) => {
        const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
        const back = zonedToUtc(localDate(minute, zone), localTime(minute, zone), zone);
        // equal, except in the hour a daylight-saving change repeats
        expect(Math.abs(back.getTime() - minute.getTime())).toBeLessThanOrEqual(3_600_000);
      }),
    );
  });
});

describe('slot planning', () => {
  const paidAt = new Date('2026-11-29T03:30:00Z'); // 11:30 local

  it('lists the slots between now and the deadline', () => {
    const slots = candidateSlots(paidAt, pickupDeadline(paidAt, 'fresh'), TIMETABLE, ZONE);
    expect(slots.map((s) => s.toISOString())).toEqual(['2026-11-29T06:00:00.000Z', '2026-11-29T10:00:00.000Z', '2026-11-30T01:00:00.000Z']);
    expect(candidateSlots(paidAt, pickupDeadline(paidAt, 'chilled'), TIMETABLE, ZONE)).toHaveLength(2);
  });

  it('takes the earliest slot with room, or none', () => {
    const slots = candidateSlots(paidAt, pickupDeadline(paidAt, 'fresh'), TIMETABLE, ZONE);
    const full = new Set([slots[0].getTime()]);
    expect(chooseSlot(slots, (s) => (full.has(s.getTime()) ? 2 : 0), 2)).toEqual(slots[1]);
    expect(chooseSlot(slots, () => 2, 2)).toBeNull();
  });

  it('lets the most perishable line decide a mixed parcel', () => {
    expect(mostPerishable(['ambient', 'chilled', 'fresh'])).toBe('chilled');
    expect(mostPerishable(['handicraft', 'ambient'])).toBe('ambient');
  });

  it('never offers a slot past the deadline or before now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 24 * 60 }), fc.constantFrom('fresh', 'chilled', 'ambient', 'handicraft' as const), (minutes, category) => {
        const now = new Date(Date.UTC(2026, 10, 1) + minutes * 60_000);
        const deadline = pickupDeadline(now, category);
        for (const slot of candidateSlots(now, deadline, TIMETABLE, ZONE)) {
          expect(slot.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(slot.getTime()).toBeLessThanOrEqual(deadline.getTime());
        }
      }),
    );
  });
});

describe('shipment transitions', () => {
  it('follows scheduled → picked up → delivered and refuses the rest', () => {
    expect(nextShipmentStatus(nextShipmentStatus('scheduled', 'picked-up'), 'delivered')).toBe('delivered');
    expect(canShipmentTake('delivered', 'picked-up')).toBe(false);
    expect(canShipmentTake('picked_up', 'fail')).toBe(false);
    expect(() => nextShipmentStatus('failed', 'delivered')).toThrow(/cannot take/);
  });
});
