import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig, loadConfig } from '@cc/platform';

export class CatalogConfig extends BaseConfig {
  /** Minutes a stock reservation holds before it is released (docs/design.md, “An order’s life”: 15). */
  @IsInt() @Min(1) @Max(24 * 60) RESERVATION_TTL_MINUTES = 15;
  /** Clock seconds between looks of the backstop sweeper for reservations whose expiry job was lost (at least SCHEDULE_MIN_INTERVAL_MS real ms apart). */
  @IsInt() @Min(1) @Max(3600) SWEEP_INTERVAL_SECONDS = 60;
}

export const loadCatalogConfig = (env = process.env) =>
  loadConfig(CatalogConfig, env, {
    PORT: 3001,
    DATABASE_URL: 'postgres://catalog:cc-dev-catalog@127.0.0.1:5432/catalog',
  });
