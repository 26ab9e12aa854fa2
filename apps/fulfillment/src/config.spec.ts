import { ConfigError } from '@cc/platform';
import { DEV_COURIER_SECRET, loadFulfillmentConfig } from './config';

describe('fulfillment configuration', () => {
  it('defaults to port 3003, the fulfillment database, three daily slots in Shanghai time', () => {
    const config = loadFulfillmentConfig({});
    expect(config.PORT).toBe(3003);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/fulfillment');
    expect(config.timetable).toEqual(['09:00', '14:00', '18:00']);
    expect(config.SLOT_CAPACITY).toBe(50);
    expect(config.COUNTY_TIME_ZONE).toBe('Asia/Shanghai');
    expect(config.SIMULATED_COURIER_DELIVERY_MINUTES).toBe(600);
    expect(config.courierSecret).toBe(DEV_COURIER_SECRET);
    expect(config.PUBLIC_URL).toBeUndefined();
  });

  it('reads the timetable in any order, with spaces and repeats, as sorted unique times', () => {
    expect(loadFulfillmentConfig({ PICKUP_TIMETABLE: '18:00, 07:30,18:00' }).timetable).toEqual(['07:30', '18:00']);
  });

  it.each([
    ['a malformed timetable', { PICKUP_TIMETABLE: '9am,14:00' }, /PICKUP_TIMETABLE/],
    ['an impossible time', { PICKUP_TIMETABLE: '24:00' }, /PICKUP_TIMETABLE/],
    ['an unknown time zone', { COUNTY_TIME_ZONE: 'Asia/Atlantis' }, /COUNTY_TIME_ZONE/],
    ['a short courier secret', { COURIER_WEBHOOK_SECRET: 'short' }, /COURIER_WEBHOOK_SECRET/],
    ['no slot capacity', { SLOT_CAPACITY: '0' }, /SLOT_CAPACITY/],
    ['a public URL without scheme', { PUBLIC_URL: 'fulfillment.internal:3003' }, /PUBLIC_URL/],
  ])('refuses %s', (_, env, setting) => {
    expect(() => loadFulfillmentConfig(env)).toThrow(ConfigError);
    expect(() => loadFulfillmentConfig(env)).toThrow(setting);
  });

  it('refuses to start in production with the development courier secret', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(() => loadFulfillmentConfig(production)).toThrow(/COURIER_WEBHOOK_SECRET: must be set/);
    expect(loadFulfillmentConfig({ ...production, COURIER_WEBHOOK_SECRET: 'a-real-courier-secret' }).courierSecret).toBe('a-real-courier-secret');
  });
});
