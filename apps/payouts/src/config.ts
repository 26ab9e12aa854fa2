import { IsInt, IsNumber, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { CATEGORIES, Category } from '@cc/contracts';
import { BaseConfig, CommaList, ConfigError, Decimal, loadConfig, refuseSimulatedProviders } from '@cc/platform';

/** Parses `fresh:500,chilled:500,...`; returns null unless every category has 0..10000 bps, given once. */
export function parseCommission(value: unknown): Record<Category, number> | null {
  if (typeof value !== 'string') return null;
  const pairs = value.split(',').map((p) => p.trim().split(':'));
  const rates: Partial<Record<Category, number>> = {};
  for (const [category, bps] of pairs) {
    if (
      !CATEGORIES.includes(category as Category) ||
      category in rates ||
      !/^\d{1,5}$/.test(bps ?? '') ||
      Number(bps) > 10_000
    )
      return null;
    rates[category as Category] = Number(bps);
  }
  return CATEGORIES.every((c) => rates[c] !== undefined) ? (rates as Record<Category, number>) : null;
}

export class PayoutsConfig extends BaseConfig {
  /** Platform commission per category in basis points (1 bp = 0.01 %). */
  @ValidateBy({
    name: 'commission',
    validator: {
      validate: (v) => parseCommission(v) !== null,
      defaultMessage: () =>
        `COMMISSION_BPS must give every category (${CATEGORIES.join(', ')}) 0..10000 bps, like fresh:500,chilled:500,ambient:800,handicraft:1000`,
    },
  })
  COMMISSION_BPS = 'fresh:500,chilled:500,ambient:800,handicraft:1000';

  /** Local time (HH:MM, county time zone, on the service clock) of the daily payout run. */
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'PAYOUT_RUN_TIME must be HH:MM like 02:00' }) PAYOUT_RUN_TIME =
    '02:00';
  @IsString() COUNTY_TIME_ZONE = 'Asia/Shanghai';
  /** A store is paid only once her available balance reaches this (¥100.00 by default). */
  @IsInt() @Min(1) @Max(1_000_000_000) PAYOUT_MINIMUM_FEN = 10_000;
  /** Clock seconds between asks to the provider whether a sent payout has settled. */
  @IsInt() @Min(1) @Max(86_400) PAYOUT_SETTLEMENT_POLL_SECONDS = 300;
  /**
   * A store whose payout account changed less than this many hours ago (service clock) is held
   * by the payout runs: whoever took over a seller's login cannot redirect her money at once,
   * and she has a day to notice the change. 0 turns the hold off (tests); decimals allowed.
   */
  @Decimal() @IsNumber() @Min(0) @Max(30 * 24) PAYOUT_ACCOUNT_HOLD_HOURS = 24;
  /** The simulated provider refuses payouts to these stores (comma-separated ids). */
  @CommaList() @IsString({ each: true }) SIMULATED_PAYOUT_FAILURE_STORES: string[] = [];
  /** Clock seconds the simulated provider takes to settle a payout it accepted. */
  @IsInt() @Min(0) @Max(7 * 86_400) SIMULATED_PAYOUT_SETTLE_SECONDS = 3_600;

  get commissionBps(): Record<Category, number> {
    return parseCommission(this.COMMISSION_BPS)!;
  }
}

export function loadPayoutsConfig(env = process.env): PayoutsConfig {
  const config = loadConfig(PayoutsConfig, env, {
    PORT: 3004,
    DATABASE_URL: 'postgres://payouts:cc-dev-payouts@127.0.0.1:5432/payouts',
  });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.COUNTY_TIME_ZONE });
  } catch {
    throw new ConfigError(
      `invalid configuration:\n  COUNTY_TIME_ZONE: unknown time zone (got "${config.COUNTY_TIME_ZONE}")`,
    );
  }
  // the only payout adapter is the simulated one (payouts.module.ts)
  refuseSimulatedProviders(config, [
    'payout provider: the simulated provider sends no money (sellers would be shown as paid)',
  ]);
  return config;
}
