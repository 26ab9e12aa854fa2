import type { EventType, Source } from '@cc/contracts';
import type { BaseConfig, Clock } from '@cc/platform';
import type { Logger } from 'pino';
import type { QueueDefinitions } from './job-catalogue';

export interface ServiceOptions {
  service: Source;
  config: BaseConfig;
  /** TypeORM entity classes and migrations of the service's own database. */
  entities: Function[];
  migrations: Function[];
  /** Event types this service handles; each needs exactly one @OnEvent handler. */
  consumes?: EventType[];
  queues?: QueueDefinitions;
  /** Overrides for tests. */
  clock?: Clock;
  logger?: Logger;
  onConsumerCrash?: (error: Error) => void;
}
