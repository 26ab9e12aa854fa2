import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { BaseConfig, ConfigError, loadConfig } from '@cc/platform';

export const DEV_COURIER_SECRET = 'county-commerce-dev-courier-secret';

export class FulfillmentConfig extends BaseConfig {
  /** Local pickup times of every township's courier round, HH:MM, comma-separated. */
  @Matches(/^\s*([01]\d|2[0-3]):[0-5]\d\s*(,\s*([01]\d|2[0-3]):[0-5]\d\s*)*$/, { message: 'PICKUP_TIMETABLE must be HH:MM[,HH:MM...] like 09:00,14:00,18:00' })
  PICKUP_TIMETABLE = '09:00,14:00,18:00';
  /** Parcels one courier round takes from one township. */
  @IsInt() @Min(1) @Max(100_000) SLOT_CAPACITY = 50;
  /** The county's time zone: pickup times are local. */
  @IsString() COUNTY_TIME_ZONE = 'Asia/Shanghai';
  /** HMAC-SHA256 key the courier signs its webhooks with; required in production (see loader). */
  @IsOptional() @IsString() @MinLength(16, { message: 'COURIER_WEBHOOK_SECRET must be at least 16 characters' }) COURIER_WEBHOOK_SECRET?: string;
  /**
   * Base URL of this service as the courier reaches it (the simulated courier posts its webhooks
   * there). Unset: http://127.0.0.1 and the port this process actually listens on.
   */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) PUBLIC_URL?: string;
  /** Clock minutes the simulated courier takes from pickup to delivery. */
  @IsInt() @Min(1) @Max(60 * 24 * 14) SIMULATED_COURIER_DELIVERY_MINUTES = 600;

  /** The pickup times, each once, earliest first (HH:MM sorts as text). */
  get timetable(): string[] {
    return [...new Set(this.PICKUP_TIMETABLE.split(',').map((t) => t.trim()))].sort();
  }
  get courierSecret(): string {
    return this.COURIER_WEBHOOK_SECRET ?? DEV_COURIER_SECRET;
  }
}

export function loadFulfillmentConfig(env = process.env): FulfillmentConfig {
  const config = loadConfig(FulfillmentConfig, env, { PORT: 3003, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/fulfillment' });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.COUNTY_TIME_ZONE });
  } catch {
    throw new ConfigError(`invalid configuration:\n  COUNTY_TIME_ZONE: unknown time zone (got "${config.COUNTY_TIME_ZONE}")`);
  }
  if (config.isProduction && !config.COURIER_WEBHOOK_SECRET) {
    throw new ConfigError('invalid configuration:\n  COURIER_WEBHOOK_SECRET: must be set when NODE_ENV=production');
  }
  return config;
}
