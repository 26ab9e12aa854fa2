import { DEFAULT_DELIVERY_WINDOW_HOURS, deliveryDueAt, isOverdue, parseDeliveryWindows } from './delivery-window';

const HOUR = 3_600_000;

describe('delivery windows', () => {
  it('gives chilled 48 hours, fresh 72, ambient and handicraft a week by default', () => {
    expect(parseDeliveryWindows('')).toEqual({ chilled: 48, fresh: 72, ambient: 168, handicraft: 168 });
    expect(DEFAULT_DELIVERY_WINDOW_HOURS).toEqual(parseDeliveryWindows(''));
  });

  it('reads category:hours pairs over the defaults, decimals allowed', () => {
    expect(parseDeliveryWindows('chilled:24, fresh:0.5')).toEqual({
      chilled: 24,
      fresh: 0.5,
      ambient: 168,
      handicraft: 168,
    });
  });

  it.each([
    'fresh',
    'fresh:',
    'fruit:3',
    'fresh:3,fresh:4',
    'fresh:0',
    'fresh:-1',
    'fresh:3:4',
    'fresh:1e3',
    `ambient:${24 * 31 + 1}`,
  ])('refuses %j whole', (value) => {
    expect(parseDeliveryWindows(value)).toBeNull();
  });

  it('counts the window from pickup in the parcel’s category', () => {
    const pickedUpAt = new Date('2026-11-29T01:00:00Z');
    const windows = parseDeliveryWindows('fresh:0.001')!;
    expect(deliveryDueAt('chilled', pickedUpAt, windows)).toEqual(new Date(pickedUpAt.getTime() + 48 * HOUR));
    expect(deliveryDueAt('fresh', pickedUpAt, windows)).toEqual(new Date(pickedUpAt.getTime() + 3600));
  });

  it('calls overdue only a parcel still with the courier after its due time', () => {
    const due = new Date('2026-11-30T01:00:00Z');
    const after = new Date(due.getTime() + 1);
    expect(isOverdue({ status: 'picked_up', deliveryDueAt: due }, after)).toBe(true);
    expect(isOverdue({ status: 'picked_up', deliveryDueAt: due }, due)).toBe(false);
    expect(isOverdue({ status: 'delivered', deliveryDueAt: due }, after)).toBe(false);
    expect(isOverdue({ status: 'failed', deliveryDueAt: due }, after)).toBe(false);
    expect(isOverdue({ status: 'scheduled', deliveryDueAt: null }, after)).toBe(false);
  });
});

describe('delivery window settings at their edges', () => {
  it('reads only whole category:hours pairs, up to a month', () => {
    expect(parseDeliveryWindows(undefined)).toBeNull();
    expect(parseDeliveryWindows('  ')).toEqual(DEFAULT_DELIVERY_WINDOW_HOURS);
    expect(parseDeliveryWindows('fresh:744')).toEqual({ ...DEFAULT_DELIVERY_WINDOW_HOURS, fresh: 744 });
    for (const bad of ['fresh:745', 'fresh:3x', 'fresh:x3', 'fresh:0'])
      expect({ bad, parsed: parseDeliveryWindows(bad) }).toEqual({ bad, parsed: null });
  });

  it('counts only a parcel with the courier as overdue', () => {
    const due = new Date('2026-06-01T00:00:00Z');
    const after = new Date('2026-06-02T00:00:00Z');
    expect(isOverdue({ status: 'picked_up', deliveryDueAt: due }, after)).toBe(true);
    expect(isOverdue({ status: 'delivered', deliveryDueAt: due }, after)).toBe(false);
    expect(isOverdue({ status: 'picked_up', deliveryDueAt: null }, after)).toBe(false);
    expect(isOverdue({ status: 'picked_up', deliveryDueAt: due }, due)).toBe(false);
  });
});
