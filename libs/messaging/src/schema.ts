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
