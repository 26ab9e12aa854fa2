import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { BaseConfig, loadConfig } from '@cc/platform';

const url = { require_tld: false, require_protocol: true };

/** The console owns no database: DATABASE_URL is unused (kept for the shared settings' shape). */
export class OpsConfig extends BaseConfig {
  @IsUrl(url) CATALOG_URL = 'http://127.0.0.1:3001';
  @IsUrl(url) ORDERS_URL = 'http://127.0.0.1:3002';
  @IsUrl(url) FULFILLMENT_URL = 'http://127.0.0.1:3003';
  @IsUrl(url) PAYOUTS_URL = 'http://127.0.0.1:3004';
  /** How often consumer lag is sampled for its trend, and how many samples are kept. */
  @IsInt() @Min(1) @Max(3600) LAG_SAMPLE_SECONDS = 15;
  @IsInt() @Min(2) @Max(1000) LAG_SAMPLES_KEPT = 240; // an hour at the default interval: the charts show the last hour
  /** "At risk": scheduled shipments whose pickup deadline is within this many hours. */
  @IsInt() @Min(1) @Max(168) AT_RISK_HOURS = 6;
  /** BullMQ key prefixes to look for queues under (defaults to the services' prefix for NAMESPACE). */
  @Matches(/^[a-z0-9:,-]*$/) QUEUE_PREFIXES = '';
  /**
   * The local launcher's supervisor (scripts/platform.ts) writes each service process's state and
   * restarts here; unset (as under Kubernetes, which reports restarts itself), the panel says so.
   */
  @IsOptional() @IsString() PLATFORM_STATUS_FILE?: string;

  get queuePrefix(): string {
    return this.QUEUE_PREFIXES || (this.NAMESPACE ? `cc-${this.NAMESPACE}` : 'cc');
  }
  get serviceUrls(): Record<'catalog' | 'orders' | 'fulfillment' | 'payouts', string> {
    return {
      catalog: this.CATALOG_URL,
      orders: this.ORDERS_URL,
      fulfillment: this.FULFILLMENT_URL,
      payouts: this.PAYOUTS_URL,
    };
  }
}

export const loadOpsConfig = (env = process.env) =>
  loadConfig(OpsConfig, env, { PORT: 3000, DATABASE_URL: 'postgres://unused@127.0.0.1/none' });
