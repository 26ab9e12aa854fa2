import type { EventType, Source } from '@cc/contracts';
import type { BaseConfig, Clock } from '@cc/platform';
import type { Logger } from 'pino';
import type { QueueDefinitions } from './job-catalogue';

export interface ServiceOptions {
  service: Source;
  config: BaseConfig;
  /** TypeORM entity classes and migrations of the service's own database. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes as Function
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- and migration classes
  migrations: Function[];
  /** Event types this service handles; each needs exactly one @OnEvent handler. */
  consumes?: EventType[];
  queues?: QueueDefinitions;
  /** Overrides for tests. */
  clock?: Clock;
  logger?: Logger;
  onConsumerCrash?: (error: Error) => void;
}
