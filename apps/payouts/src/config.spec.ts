import { ConfigError } from '@cc/platform';
import { loadPayoutsConfig, parseCommission } from './config';

describe('payouts configuration', () => {
  it('defaults to port 3004, the payouts database and a commission for every category', () => {
    const config = loadPayoutsConfig({});
    expect(config.PORT).toBe(3004);
    expect(config.DATABASE_URL).toBe('postgres://payouts:cc-dev-payouts@127.0.0.1:5432/payouts');
    expect(config.commissionBps).toEqual({ fresh: 500, chilled: 500, ambient: 800, handicraft: 1000 });
  });

  it('reads the commission per category from COMMISSION_BPS', () => {
    expect(
      loadPayoutsConfig({ COMMISSION_BPS: 'handicraft:0, fresh:10000,chilled:250,ambient:800' }).commissionBps,
    ).toEqual({ fresh: 10000, chilled: 250, ambient: 800, handicraft: 0 });
  });

  it.each([
    ['a category missing', 'fresh:500,chilled:500,ambient:800'],
    ['more than 100 %', 'fresh:10001,chilled:500,ambient:800,handicraft:1000'],
    ['a fraction', 'fresh:5.5,chilled:500,ambient:800,handicraft:1000'],
    ['an unknown category', 'fresh:500,chilled:500,ambient:800,handicraft:1000,frozen:300'],
    ['a category twice', 'fresh:500,fresh:600,chilled:500,ambient:800,handicraft:1000'],
  ])('refuses %s', (_, value) => {
    expect(parseCommission(value)).toBeNull();
    expect(() => loadPayoutsConfig({ COMMISSION_BPS: value })).toThrow(ConfigError);
  });

  it('runs payouts daily at 02:00 county time by default, from ¥100.00', () => {
    const config = loadPayoutsConfig({});
    expect([config.PAYOUT_RUN_TIME, config.COUNTY_TIME_ZONE, config.PAYOUT_MINIMUM_FEN]).toEqual([
      '02:00',
      'Asia/Shanghai',
      10_000,
    ]);
    expect(loadPayoutsConfig({ PAYOUT_RUN_TIME: '23:45' }).PAYOUT_RUN_TIME).toBe('23:45');
    expect(loadPayoutsConfig({ SIMULATED_PAYOUT_FAILURE_STORES: 'a, b' }).SIMULATED_PAYOUT_FAILURE_STORES).toEqual([
      'a',
      'b',
    ]);
  });

  it('holds payouts to a changed account for 24 hours by default; 0 turns it off, decimals allowed', () => {
    expect(loadPayoutsConfig({}).PAYOUT_ACCOUNT_HOLD_HOURS).toBe(24);
    expect(loadPayoutsConfig({ PAYOUT_ACCOUNT_HOLD_HOURS: '0' }).PAYOUT_ACCOUNT_HOLD_HOURS).toBe(0);
    expect(loadPayoutsConfig({ PAYOUT_ACCOUNT_HOLD_HOURS: '1.5' }).PAYOUT_ACCOUNT_HOLD_HOURS).toBe(1.5);
  });

  it.each([
    ['a run time that is not HH:MM', { PAYOUT_RUN_TIME: '2am' }],
    ['a negative account hold', { PAYOUT_ACCOUNT_HOLD_HOURS: '-1' }],
    ['an account hold that is no number', { PAYOUT_ACCOUNT_HOLD_HOURS: 'a day' }],
    ['an account hold over 30 days', { PAYOUT_ACCOUNT_HOLD_HOURS: '721' }],
    ['an unknown time zone', { COUNTY_TIME_ZONE: 'Mars/Olympus' }],
    ['a minimum of nothing', { PAYOUT_MINIMUM_FEN: '0' }],
  ])('refuses %s', (_, env) => {
    expect(() => loadPayoutsConfig(env)).toThrow(ConfigError);
  });

  it('refuses to start in production with the simulated payout provider unless ALLOW_SIMULATED_PROVIDERS=true, and says why', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://payouts:real@db/payouts',
      REDIS_URL: 'redis://cc:real@redis:6379',
      KAFKA_PASSWORD: 'real',
    };
    expect(() => loadPayoutsConfig(production)).toThrow(ConfigError);
    expect(() => loadPayoutsConfig(production)).toThrow(
      /payout provider: the simulated provider sends no money[\s\S]*configure a real provider adapter, or set ALLOW_SIMULATED_PROVIDERS=true/,
    );
    expect(loadPayoutsConfig({ ...production, ALLOW_SIMULATED_PROVIDERS: 'true' }).isProduction).toBe(true);
    expect(loadPayoutsConfig({ NODE_ENV: 'test' }).ALLOW_SIMULATED_PROVIDERS).toBe('false');
  });
});
