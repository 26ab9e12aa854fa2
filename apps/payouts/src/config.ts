import { ValidateBy } from 'class-validator';
import { CATEGORIES, Category } from '@cc/contracts';
import { BaseConfig, loadConfig } from '@cc/platform';

/** Parses `fresh:500,chilled:500,...`; returns null unless every category has 0..10000 bps, given once. */
export function parseCommission(value: unknown): Record<Category, number> | null {
  if (typeof value !== 'string') return null;
  const pairs = value.split(',').map((p) => p.trim().split(':'));
  const rates: Partial<Record<Category, number>> = {};
  for (const [category, bps] of pairs) {
    if (!CATEGORIES.includes(category as Category) || category in rates || !/^\d{1,5}$/.test(bps ?? '') || Number(bps) > 10_000) return null;
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
      defaultMessage: () => `COMMISSION_BPS must give every category (${CATEGORIES.join(', ')}) 0..10000 bps, like fresh:500,chilled:500,ambient:800,handicraft:1000`,
    },
  })
  COMMISSION_BPS = 'fresh:500,chilled:500,ambient:800,handicraft:1000';

  get commissionBps(): Record<Category, number> {
    return parseCommission(this.COMMISSION_BPS)!;
  }
}

export const loadPayoutsConfig = (env = process.env) =>
  loadConfig(PayoutsConfig, env, { PORT: 3004, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/payouts' });
