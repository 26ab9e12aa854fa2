import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { CATEGORIES, Category } from '@cc/contracts';
import { BaseConfig, ConfigError, Decimal, loadConfig, refuseSimulatedProviders } from '@cc/platform';
import { MAX_DELIVERY_WINDOW_HOURS, parseDeliveryWindows } from './domain/delivery-window';
import type { TimetableSlot } from './domain/slot-planning';

export const DEV_COURIER_SECRET = 'county-commerce-dev-courier-secret';

const TIMETABLE_ENTRY = String.raw`([01]\d|2[0-3]):[0-5]\d(\/cold)?(\/[1-9]\d{0,4})?`;

export class FulfillmentConfig extends BaseConfig {
  /**
   * Every township's courier rounds, local HH:MM, comma-separated. `/cold` marks a cold-chain van
   * (the only kind that takes chilled parcels); `/N` gives that round its own parcel capacity.
   * Example: `09:00/cold,14:00,18:00/cold/20`.
   */
  @Matches(new RegExp(String.raw`^\s*${TIMETABLE_ENTRY}\s*(,\s*${TIMETABLE_ENTRY}\s*)*$`), {
    message: 'PICKUP_TIMETABLE must be HH:MM[/cold][/capacity][,...] like 09:00/cold,14:00,18:00/cold',
  })
  PICKUP_TIMETABLE = '09:00/cold,14:00,18:00/cold';
  /** Parcels one courier round takes from one township, unless its timetable entry says otherwise. */
  @IsInt() @Min(1) @Max(100_000) SLOT_CAPACITY = 50;
  /** The county's time zone: pickup times are local. */
  @IsString() COUNTY_TIME_ZONE = 'Asia/Shanghai';
  /** Clock seconds between sweeps for overdue shipments and pickup runs whose job was lost (the backstop to the delayed jobs); at least SCHEDULE_MIN_INTERVAL_MS real ms apart. */
  @IsInt() @Min(1) @Max(3600) DEADLINE_SWEEP_SECONDS = 60;
  /**
   * A buyer's delivery address is erased (replaced by a marker saying so) this many days after the shipment ends (delivered or failed)
   * (service clock; decimals allowed): China's PIPL asks for no longer retention than the purpose needs.
   */
  @Decimal() @IsNumber() @Min(0.0001) @Max(3650) ADDRESS_RETENTION_DAYS = 180;
  /** Clock seconds between runs of the erasure sweep. */
  @IsInt() @Min(1) @Max(86_400) ADDRESS_ERASURE_SWEEP_SECONDS = 3600;
  /** Tries of one call to the courier's API (exponential backoff from COURIER_CALL_BACKOFF_MS) before the run's parcels fail as courier-failed. */
  @IsInt() @Min(1) @Max(20) COURIER_CALL_ATTEMPTS = 8;
  @IsInt() @Min(10) @Max(600_000) COURIER_CALL_BACKOFF_MS = 2000;
  /** HMAC-SHA256 key the courier signs its webhooks with; required in production (see loader). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'COURIER_WEBHOOK_SECRET must be at least 16 characters' })
  COURIER_WEBHOOK_SECRET?: string;
  /**
   * Base URL of this service as the courier reaches it (the simulated courier posts its webhooks
   * there). Unset: http://127.0.0.1 and the port this process actually listens on.
   */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) PUBLIC_URL?: string;
  /** Clock minutes the simulated courier takes from pickup to delivery. */
  @IsInt() @Min(1) @Max(60 * 24 * 14) SIMULATED_COURIER_DELIVERY_MINUTES = 600;
  /**
   * Clock minutes a parcel whose van left in time may wait past its deadline for the courier's
   * picked-up message before it counts as spoiled (the van came; the message may lag).
   */
  @IsInt() @Min(0) @Max(24 * 60) PICKUP_CONFIRMATION_GRACE_MINUTES = 30;
  /** Share of the simulated courier's API calls that fail (0..1), to exercise retries and courier-failed. */
  @Transform(({ value }) => (typeof value === 'string' ? Number(value) : value))
  @IsNumber({ allowNaN: false })
  @Min(0)
  @Max(1)
  SIMULATED_COURIER_FAILURE_RATE = 0;
  /** false: the simulated courier takes manifests but never collects a parcel (its deadline then passes). */
  @IsIn(['true', 'false']) SIMULATED_COURIER_PICKUP: 'true' | 'false' = 'true';
  /**
   * Hours from pickup within which a parcel should be delivered, per category (decimals allowed;
   * categories left out keep their default); one still with the courier after that is overdue.
   */
  @ValidateBy({
    name: 'deliveryWindows',
    validator: {
      validate: (v) => parseDeliveryWindows(v) !== null,
      defaultMessage: () =>
        `DELIVERY_WINDOW_HOURS must be category:hours pairs (${CATEGORIES.join(', ')}; 0 < hours <= ${MAX_DELIVERY_WINDOW_HOURS}), like chilled:48,fresh:72`,
    },
  })
  DELIVERY_WINDOW_HOURS = 'chilled:48,fresh:72,ambient:168,handicraft:168';

  /** The courier rounds, each time once (a later entry for the same time wins), earliest first. */
  get timetable(): TimetableSlot[] {
    const byTime = new Map<string, TimetableSlot>();
    for (const entry of this.PICKUP_TIMETABLE.split(',').map((t) => t.trim())) {
      const [time, ...marks] = entry.split('/');
      const capacity = marks.find((m) => /^\d+$/.test(m));
      byTime.set(time, {
        time,
        courier: marks.includes('cold') ? 'cold-chain' : 'standard',
        capacity: capacity ? Number(capacity) : this.SLOT_CAPACITY,
      });
    }
    return [...byTime.values()].sort((a, b) => a.time.localeCompare(b.time)); // HH:MM sorts as text
  }
  get deliveryWindowHours(): Record<Category, number> {
    return parseDeliveryWindows(this.DELIVERY_WINDOW_HOURS)!;
  }
  get courierSecret(): string {
    return this.COURIER_WEBHOOK_SECRET ?? DEV_COURIER_SECRET;
  }
}

export function loadFulfillmentConfig(env = process.env): FulfillmentConfig {
  const config = loadConfig(FulfillmentConfig, env, {
    PORT: 3003,
    DATABASE_URL: 'postgres://fulfillment:cc-dev-fulfillment@127.0.0.1:5432/fulfillment',
  });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.COUNTY_TIME_ZONE });
  } catch {
    throw new ConfigError(
      `invalid configuration:\n  COUNTY_TIME_ZONE: unknown time zone (got "${config.COUNTY_TIME_ZONE}")`,
    );
  }
  if (config.isProduction && !config.COURIER_WEBHOOK_SECRET) {
    throw new ConfigError('invalid configuration:\n  COURIER_WEBHOOK_SECRET: must be set when NODE_ENV=production');
  }
  // the only courier adapter is the simulated one (fulfillment.module.ts)
  refuseSimulatedProviders(config, ['courier: the simulated courier calls no van (parcels would never be collected)']);
  return config;
}
