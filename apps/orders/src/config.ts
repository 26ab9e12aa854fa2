import { IsIn, IsInt, IsNumber, IsUrl, Max, Min, ValidateBy } from 'class-validator';
import { CATEGORIES, Category } from '@cc/contracts';
import { BaseConfig, Decimal, loadConfig, refuseSimulatedProviders } from '@cc/platform';
import { MAX_CONFIRM_DAYS, parseDaysByCategory } from './domain/auto-confirm-rules';

export class OrdersConfig extends BaseConfig {
  /** Where catalog answers product reads at checkout. */
  @IsUrl({ require_tld: false, require_protocol: true }) CATALOG_URL = 'http://127.0.0.1:3001';
  /**
   * How long a product read from catalog is reused by later checkouts (0: ask every time). Prices
   * cannot change through the API today; when they can, this bounds how long an old one is used.
   */
  @IsInt() @Min(0) @Max(300_000) CATALOG_CACHE_MS = 30_000;
  @IsIn(['simulated']) PAYMENT_PROVIDER = 'simulated' as const;
  /** How long one call to the payment provider may take before the attempt is abandoned. */
  @IsInt() @Min(100) @Max(120_000) PAYMENT_CALL_TIMEOUT_MS = 10_000;
  /** How long the simulated provider's tok_slow takes to answer a capture it has already taken. */
  @IsInt() @Min(0) @Max(120_000) SIMULATED_PAYMENT_SLOW_MS = 3_000;
  /** An order still awaiting payment this long after its stock was reserved is cancelled. */
  @IsInt() @Min(1) @Max(24 * 3600) PAYMENT_TIMEOUT_SECONDS = 120;
  /**
   * Checkout answers 429 while the oldest work waiting in a stage of the pipeline that is moving
   * (unrelayed outbox rows, orders waiting for stock, paid orders waiting for a shipment) is older
   * than this: accepted orders keep a bounded latency instead of all falling behind. 0 turns
   * admission control off.
   */
  @IsInt() @Min(0) @Max(600_000) ADMISSION_MAX_BACKLOG_MS = 2_000;
  /**
   * A stage whose oldest waiting item has stayed the oldest this long is stalled (a restart, a
   * rebalance, the broker away), not overloaded: checkout admits through the stall, whose orders
   * wait safely in PostgreSQL, up to ADMISSION_MAX_STALL_MS.
   */
  @IsInt() @Min(100) @Max(60_000) ADMISSION_STALL_MS = 1_000;
  /** A stall whose oldest item is older than this refuses too: the stage is broken, not busy. */
  @IsInt() @Min(1_000) @Max(600_000) ADMISSION_MAX_STALL_MS = 10_000;
  /** How often the backlog is sampled (in the background; requests read the last sample). */
  @IsInt() @Min(50) @Max(10_000) ADMISSION_SAMPLE_MS = 250;
  /** Orders waiting longer than this are stuck (the sweeps' business), not backlog: one cannot close checkout. */
  @IsInt() @Min(1_000) @Max(3_600_000) ADMISSION_STUCK_AFTER_MS = 60_000;
  /** Idempotency keys of POST /checkouts are remembered this long. */
  @IsInt() @Min(1) @Max(24 * 30) IDEMPOTENCY_KEY_TTL_HOURS = 24;
  /** A delivered order the buyer does not confirm completes by itself this many days later (service clock; decimals allowed). */
  @Decimal() @IsNumber() @Min(0.0001) @Max(MAX_CONFIRM_DAYS) AUTO_CONFIRM_DAYS = 10;
  /** Per-category windows over AUTO_CONFIRM_DAYS, e.g. `fresh:3,chilled:3`; an order takes the longest of its lines'. */
  @ValidateBy({
    name: 'daysByCategory',
    validator: {
      validate: (v) => parseDaysByCategory(v) !== null,
      defaultMessage: () =>
        `AUTO_CONFIRM_DAYS_BY_CATEGORY must be category:days pairs (${CATEGORIES.join(', ')}; 0 < days <= ${MAX_CONFIRM_DAYS}), like fresh:3,chilled:3`,
    },
  })
  AUTO_CONFIRM_DAYS_BY_CATEGORY = '';
  /** How many days the buyer's one extension adds. */
  @Decimal() @IsNumber() @Min(0.0001) @Max(MAX_CONFIRM_DAYS) AUTO_CONFIRM_EXTENSION_DAYS = 3;
  /** Clock seconds between sweeps that complete delivered orders whose auto-confirmation job was lost. */
  @IsInt() @Min(1) @Max(86_400) AUTO_CONFIRM_SWEEP_SECONDS = 600;
  /** A store that does not answer an after-sales request within this many hours has accepted it (service clock; decimals allowed). */
  @Decimal() @IsNumber() @Min(0.0001) @Max(24 * 30) AFTER_SALES_RESPONSE_HOURS = 48;
  /** Clock seconds between sweeps that accept requests whose timeout job was lost. */
  @IsInt() @Min(1) @Max(86_400) AFTER_SALES_SWEEP_SECONDS = 600;
  /**
   * A buyer's delivery address is erased (replaced by a marker saying so) this many days after the
   * order ends (completed, cancelled or refunded), on the service clock, decimals allowed: China's
   * PIPL asks for no longer retention than the purpose needs.
   */
  @Decimal() @IsNumber() @Min(0.0001) @Max(3650) ADDRESS_RETENTION_DAYS = 180;
  /** Clock seconds between runs of the erasure sweep. */
  @IsInt() @Min(1) @Max(86_400) ADDRESS_ERASURE_SWEEP_SECONDS = 3600;

  get autoConfirmDaysByCategory(): Partial<Record<Category, number>> {
    return parseDaysByCategory(this.AUTO_CONFIRM_DAYS_BY_CATEGORY)!;
  }
}

export function loadOrdersConfig(env = process.env): OrdersConfig {
  const config = loadConfig(OrdersConfig, env, {
    PORT: 3002,
    DATABASE_URL: 'postgres://orders:cc-dev-orders@127.0.0.1:5432/orders',
  });
  refuseSimulatedProviders(
    config,
    config.PAYMENT_PROVIDER === 'simulated'
      ? ['PAYMENT_PROVIDER: "simulated" takes no real payment (orders would ship unpaid)']
      : [],
  );
  return config;
}
