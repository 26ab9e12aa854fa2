import { loadOrdersConfig } from '../config';
import {
  addDays,
  confirmationWindowDays,
  extensionRefusal,
  parseDaysByCategory,
  resumedDue,
} from './auto-confirm-rules';

const at = (iso: string) => new Date(iso);

describe('auto-confirmation rules', () => {
  it('reads per-category windows, and refuses anything it cannot read whole', () => {
    expect(parseDaysByCategory('')).toEqual({});
    expect(parseDaysByCategory('fresh:3, chilled:2.5')).toEqual({ fresh: 3, chilled: 2.5 });
    for (const bad of [
      'fresh',
      'fresh:',
      'fresh:0',
      'fresh:-1',
      'fresh:91',
      'frozen:3',
      'fresh:3,fresh:4',
      'fresh:3:1',
      'fresh:3;chilled:3',
    ])
      expect(parseDaysByCategory(bad)).toBeNull();
  });

  it('gives an order the longest window of its lines, the default where a category has none', () => {
    const byCategory = { fresh: 3, chilled: 2 };
    expect(confirmationWindowDays(['fresh'], 10, byCategory)).toBe(3);
    expect(confirmationWindowDays(['fresh', 'chilled'], 10, byCategory)).toBe(3);
    expect(confirmationWindowDays(['fresh', 'ambient'], 10, byCategory)).toBe(10);
    expect(confirmationWindowDays([], 10, byCategory)).toBe(10);
  });

  it('lets the buyer extend once, only while delivered and before it is due', () => {
    const now = at('2026-06-10T00:00:00Z');
    const delivered = { status: 'delivered', autoConfirmAt: at('2026-06-12T00:00:00Z'), confirmationExtended: false };
    expect(extensionRefusal(delivered, now)).toBeNull();
    expect(extensionRefusal({ ...delivered, confirmationExtended: true }, now)).toMatch(/extended once already/);
    expect(extensionRefusal({ ...delivered, status: 'shipped', autoConfirmAt: null }, now)).toMatch(
      /only a delivered order/,
    );
    expect(extensionRefusal({ ...delivered, status: 'completed' }, now)).toMatch(/this one is completed/);
    expect(extensionRefusal({ ...delivered, autoConfirmAt: now }, now)).toMatch(/already due/);
  });

  it('resumes a paused confirmation with the time it had left', () => {
    const due = at('2026-06-12T00:00:00Z');
    // paused two days before it was due, resumed five days later: due two days after the resume
    expect(resumedDue(due, at('2026-06-10T00:00:00Z'), at('2026-06-15T00:00:00Z'))).toEqual(at('2026-06-17T00:00:00Z'));
    expect(resumedDue(due, at('2026-06-10T00:00:00Z'), at('2026-06-09T00:00:00Z'))).toEqual(due);
  });

  it('adds days, half days included', () => {
    expect(addDays(at('2026-06-01T00:00:00Z'), 0.5)).toEqual(at('2026-06-01T12:00:00Z'));
  });

  it('takes its settings from the environment, decimals allowed, and refuses bad ones by name', () => {
    const config = loadOrdersConfig({
      AUTO_CONFIRM_DAYS: '0.5',
      AUTO_CONFIRM_DAYS_BY_CATEGORY: 'fresh:3',
      AUTO_CONFIRM_EXTENSION_DAYS: '2',
    });
    expect([config.AUTO_CONFIRM_DAYS, config.autoConfirmDaysByCategory, config.AUTO_CONFIRM_EXTENSION_DAYS]).toEqual([
      0.5,
      { fresh: 3 },
      2,
    ]);
    expect(loadOrdersConfig({}).AUTO_CONFIRM_DAYS).toBe(10);
    expect(() => loadOrdersConfig({ AUTO_CONFIRM_DAYS_BY_CATEGORY: 'frozen:3' })).toThrow(
      /AUTO_CONFIRM_DAYS_BY_CATEGORY/,
    );
    expect(() => loadOrdersConfig({ AUTO_CONFIRM_DAYS: '0' })).toThrow(/AUTO_CONFIRM_DAYS/);
    expect(() => loadOrdersConfig({ AUTO_CONFIRM_EXTENSION_DAYS: 'three' })).toThrow(/AUTO_CONFIRM_EXTENSION_DAYS/);
  });
});

describe('auto-confirmation settings and refusals at their edges', () => {
  it('reads only whole category:days pairs, within 0 and 90 days', () => {
    expect(parseDaysByCategory(undefined)).toBeNull();
    expect(parseDaysByCategory(3 as unknown)).toBeNull();
    expect(parseDaysByCategory('   ')).toEqual({});
    expect(parseDaysByCategory('fresh:90')).toEqual({ fresh: 90 });
    expect(parseDaysByCategory('fresh:12.25')).toEqual({ fresh: 12.25 });
    for (const bad of [
      'fresh:90.5',
      'fresh:3x',
      'fresh:x3',
      'fresh:.5',
      'fresh:3.',
      'fresh:0',
      'fresh:3:1',
      'fresh:3,fresh:4',
      'frozen:3',
    ])
      expect({ bad, parsed: parseDaysByCategory(bad) }).toEqual({ bad, parsed: null });
  });

  it('says why an order without an automatic confirmation cannot be extended', () => {
    expect(
      extensionRefusal({ status: 'delivered', autoConfirmAt: null, confirmationExtended: false }, new Date()),
    ).toBe('this order has no automatic confirmation to extend');
  });
});
