import { ConfigError } from '@cc/platform';
import { DEV_COURIER_SECRET, loadFulfillmentConfig } from './config';

describe('fulfillment configuration', () => {
  it('defaults to port 3003, the fulfillment database, three daily slots (two cold-chain) in Shanghai time', () => {
    const config = loadFulfillmentConfig({});
    expect(config.PORT).toBe(3003);
    expect(config.DATABASE_URL).toBe('postgres://fulfillment:cc-dev-fulfillment@127.0.0.1:5432/fulfillment');
    expect(config.timetable).toEqual([
      { time: '09:00', courier: 'cold-chain', capacity: 50 },
      { time: '14:00', courier: 'standard', capacity: 50 },
      { time: '18:00', courier: 'cold-chain', capacity: 50 },
    ]);
    expect(config.SLOT_CAPACITY).toBe(50);
    expect(config.SIMULATED_COURIER_FAILURE_RATE).toBe(0);
    expect(config.SIMULATED_COURIER_PICKUP).toBe('true');
    expect(config.COUNTY_TIME_ZONE).toBe('Asia/Shanghai');
    expect(config.SIMULATED_COURIER_DELIVERY_MINUTES).toBe(600);
    expect(config.courierSecret).toBe(DEV_COURIER_SECRET);
    expect(config.PUBLIC_URL).toBeUndefined();
  });

  it('reads the timetable in any order, with spaces and repeats, as sorted unique times', () => {
    expect(loadFulfillmentConfig({ PICKUP_TIMETABLE: '18:00, 07:30,18:00', SLOT_CAPACITY: '3' }).timetable).toEqual([
      { time: '07:30', courier: 'standard', capacity: 3 },
      { time: '18:00', courier: 'standard', capacity: 3 },
    ]);
  });

  it('reads delivery windows per category over the defaults', () => {
    expect(loadFulfillmentConfig({}).deliveryWindowHours).toEqual({
      chilled: 48,
      fresh: 72,
      ambient: 168,
      handicraft: 168,
    });
    expect(loadFulfillmentConfig({ DELIVERY_WINDOW_HOURS: 'fresh:24' }).deliveryWindowHours).toEqual({
      chilled: 48,
      fresh: 24,
      ambient: 168,
      handicraft: 168,
    });
  });

  it('reads cold-chain rounds and a round’s own capacity', () => {
    expect(
      loadFulfillmentConfig({ PICKUP_TIMETABLE: '09:00/cold,14:00/20,18:00/cold/5', SLOT_CAPACITY: '30' }).timetable,
    ).toEqual([
      { time: '09:00', courier: 'cold-chain', capacity: 30 },
      { time: '14:00', courier: 'standard', capacity: 20 },
      { time: '18:00', courier: 'cold-chain', capacity: 5 },
    ]);
    expect(loadFulfillmentConfig({ SIMULATED_COURIER_FAILURE_RATE: '0.25' }).SIMULATED_COURIER_FAILURE_RATE).toBe(0.25);
  });

  it.each([
    ['a malformed timetable', { PICKUP_TIMETABLE: '9am,14:00' }, /PICKUP_TIMETABLE/],
    ['an impossible time', { PICKUP_TIMETABLE: '24:00' }, /PICKUP_TIMETABLE/],
    ['an unknown courier', { PICKUP_TIMETABLE: '09:00/frozen' }, /PICKUP_TIMETABLE/],
    ['a round without room', { PICKUP_TIMETABLE: '09:00/0' }, /PICKUP_TIMETABLE/],
    ['a failure rate above 1', { SIMULATED_COURIER_FAILURE_RATE: '1.5' }, /SIMULATED_COURIER_FAILURE_RATE/],
    ['a failure rate that is no number', { SIMULATED_COURIER_FAILURE_RATE: 'often' }, /SIMULATED_COURIER_FAILURE_RATE/],
    ['an unknown time zone', { COUNTY_TIME_ZONE: 'Asia/Atlantis' }, /COUNTY_TIME_ZONE/],
    ['a short courier secret', { COURIER_WEBHOOK_SECRET: 'short' }, /COURIER_WEBHOOK_SECRET/],
    ['no slot capacity', { SLOT_CAPACITY: '0' }, /SLOT_CAPACITY/],
    ['a public URL without scheme', { PUBLIC_URL: 'fulfillment.internal:3003' }, /PUBLIC_URL/],
    ['a delivery window of an unknown category', { DELIVERY_WINDOW_HOURS: 'fruit:48' }, /DELIVERY_WINDOW_HOURS/],
  ])('refuses %s', (_, env, setting) => {
    expect(() => loadFulfillmentConfig(env)).toThrow(ConfigError);
    expect(() => loadFulfillmentConfig(env)).toThrow(setting);
  });

  it('refuses to start in production with the development courier secret', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://fulfillment:real@db/fulfillment',
      REDIS_URL: 'redis://cc:real@redis:6379',
      KAFKA_PASSWORD: 'real',
    };
    expect(() => loadFulfillmentConfig(production)).toThrow(/COURIER_WEBHOOK_SECRET: must be set/);
    expect(
      loadFulfillmentConfig({
        ...production,
        COURIER_WEBHOOK_SECRET: 'a-real-courier-secret',
        ALLOW_SIMULATED_PROVIDERS: 'true',
      }).courierSecret,
    ).toBe('a-real-courier-secret');
  });

  it('refuses to start in production with the simulated courier unless ALLOW_SIMULATED_PROVIDERS=true, and says why', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://fulfillment:real@db/fulfillment',
      REDIS_URL: 'redis://cc:real@redis:6379',
      KAFKA_PASSWORD: 'real',
      COURIER_WEBHOOK_SECRET: 'a-real-courier-secret',
    };
    expect(() => loadFulfillmentConfig(production)).toThrow(ConfigError);
    expect(() => loadFulfillmentConfig(production)).toThrow(
      /courier: the simulated courier calls no van[\s\S]*ALLOW_SIMULATED_PROVIDERS: NODE_ENV=production refuses/,
    );
    expect(() => loadFulfillmentConfig({ ...production, ALLOW_SIMULATED_PROVIDERS: 'false' })).toThrow(
      /ALLOW_SIMULATED_PROVIDERS/,
    );
    expect(() => loadFulfillmentConfig({ ...production, ALLOW_SIMULATED_PROVIDERS: 'yes' })).toThrow(
      /ALLOW_SIMULATED_PROVIDERS: ALLOW_SIMULATED_PROVIDERS must be one of/,
    );
    expect(loadFulfillmentConfig({ ...production, ALLOW_SIMULATED_PROVIDERS: 'true' }).ALLOW_SIMULATED_PROVIDERS).toBe(
      'true',
    );
    // outside production the simulations are what development, tests and the demo run on
    expect(loadFulfillmentConfig({}).ALLOW_SIMULATED_PROVIDERS).toBe('false');
  });
});
