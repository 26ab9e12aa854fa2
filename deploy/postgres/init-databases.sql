-- One database per service (docs/design.md, “Services and what each owns”); each service migrates its own (MIGRATE_ON_START, or
-- node dist/scripts/migrate.js <service>). docker-compose.yml mounts this file into
-- /docker-entrypoint-initdb.d, so it runs once, when the postgres data volume is new.
-- Without Docker, deploy/infra.sh creates the same databases.
CREATE DATABASE catalog;
CREATE DATABASE orders;
CREATE DATABASE fulfillment;
CREATE DATABASE payouts;
