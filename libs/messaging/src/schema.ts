// The outbox and inbox tables every service has; each service's first migration creates them.
// The outbox carries both events for Kafka and jobs for BullMQ, so neither leaves before its
// transaction commits and neither is lost if the process dies right after the commit.

export const createMessagingTablesSql = [
  `CREATE TABLE outbox (
     seq bigserial PRIMARY KEY,
     event_id uuid NOT NULL UNIQUE,
     -- 'event': a Kafka message (topic, key, envelope); 'job': a BullMQ job (queue, job id, name, data)
     kind text NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'job')),
     topic text NOT NULL,
     key text NOT NULL,
     type text NOT NULL,
     envelope jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     sent_at timestamptz
   )`,
  `CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL`,
  `CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL`,
  `CREATE TABLE inbox (
     consumer_group text NOT NULL,
     event_id uuid NOT NULL,
     event_type text NOT NULL,
     handled_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (consumer_group, event_id)
   )`,
];

export const dropMessagingTablesSql = ['DROP TABLE inbox', 'DROP TABLE outbox'];

/**
 * The outbox's columns named for both kinds of row (each service's migration "outbox columns"):
 * `id` (an event's id, or the job row's own), `destination` (an event's topic, or a job's queue)
 * and `payload` (an event's envelope, or a job's data and notBefore). `key` is already both: an
 * event's partition key, a job's id.
 */
export const nameOutboxColumnsSql = [
  'ALTER TABLE outbox RENAME COLUMN event_id TO id',
  'ALTER TABLE outbox RENAME COLUMN topic TO destination',
  'ALTER TABLE outbox RENAME COLUMN envelope TO payload',
  "COMMENT ON COLUMN outbox.destination IS 'an event''s Kafka topic, or a job''s BullMQ queue'",
  "COMMENT ON COLUMN outbox.key IS 'an event''s partition key, or a job''s id'",
  "COMMENT ON COLUMN outbox.payload IS 'an event''s envelope, or a job''s data and notBefore'",
];
export const unnameOutboxColumnsSql = [
  'ALTER TABLE outbox RENAME COLUMN payload TO envelope',
  'ALTER TABLE outbox RENAME COLUMN destination TO topic',
  'ALTER TABLE outbox RENAME COLUMN id TO event_id',
];
