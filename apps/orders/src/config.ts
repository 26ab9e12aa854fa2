import { IsIn, IsInt, IsUrl, Max, Min } from 'class-validator';
import { BaseConfig, loadConfig } from '@cc/platform';

export class OrdersConfig extends BaseConfig {
  /** Where catalog answers product reads at checkout. */
  @IsUrl({ require_tld: false, require_protocol: true }) CATALOG_URL = 'http://127.0.0.1:3001';
  /**
   * How long a product read from catalog is reused by later checkouts (0: ask every time). Prices
   * cannot change through the API today; when they can, this bounds how long an old one is used.
   */
  @IsInt() @Min(0) @Max(300_000) CATALOG_CACHE_MS = 30_000;
  @IsIn(['simulated']) PAYMENT_PROVIDER: 'simulated' = 'simulated';
  /** How long one call to the payment provider may take before the attempt is abandoned. */
  @IsInt() @Min(100) @Max(120_000) PAYMENT_CALL_TIMEOUT_MS = 10_000;
  /** How long the simulated provider's tok_slow takes to answer a capture it has already taken. */
  @IsInt() @Min(0) @Max(120_000) SIMULATED_PAYMENT_SLOW_MS = 3_000;
  /** An order still awaiting payment this long after its stock was reserved is cancelled. */
  @IsInt() @Min(1) @Max(24 * 3600) PAYMENT_TIMEOUT_SECONDS = 120;
  /** Idempotency keys of POST /checkouts are remembered this long. */
  @IsInt() @Min(1) @Max(24 * 30) IDEMPOTENCY_KEY_TTL_HOURS = 24;
}

export const loadOrdersConfig = (env = process.env) =>
  loadConfig(OrdersConfig, env, { PORT: 3002, DATABASE_URL: 'postgres://orders:cc-dev-orders@127.0.0.1:5432/orders' });
