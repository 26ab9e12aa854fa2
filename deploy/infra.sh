#!/usr/bin/env bash
# Brings up what the services need on this machine, without Docker: PostgreSQL and Redis
# (started if installed but down), the four service databases, and the Kafka broker.
#   deploy/infra.sh up     everything above (idempotent: running it again reuses what is up)
#   deploy/infra.sh down   stops the Kafka broker (PostgreSQL and Redis belong to the machine)
# Settings: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), REDIS_HOST, REDIS_PORT.
#
# Each service connects as its own PostgreSQL role (catalog, orders, fulfillment, payouts: LOGIN,
# no superuser, no CREATEDB) that owns its database and only that one; CONNECT is revoked from
# PUBLIC, so one role cannot even connect to another's database. Their passwords are the
# development ones, cc-dev-<role> (PG_PASSWORD_<ROLE> overrides; local trust auth does not check
# them, a production server must). Redis gets an ACL user REDIS_USER (cc) with REDIS_PASSWORD
# (cc-dev-redis), re-applied on every run (Redis keeps ACL users only in memory here); the
# machine's default user is left as it is, since this Redis belongs to the machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
redis_host="${REDIS_HOST:-127.0.0.1}" redis_port="${REDIS_PORT:-6379}"
DATABASES=(catalog orders fulfillment payouts)
redis_user="${REDIS_USER:-cc}" redis_password="${REDIS_PASSWORD:-cc-dev-redis}"

postgres_up() {
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then echo "postgres: answers on $PGHOST:$PGPORT"; return; fi
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    echo "postgres: down; starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 60); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && { echo "postgres: answers on $PGHOST:$PGPORT"; return; }; sleep 0.5; done
  echo "postgres: not answering on $PGHOST:$PGPORT and could not be started" >&2; exit 1
}

redis_up() {
  if redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then echo "redis: answers on $redis_host:$redis_port"; return; fi
  if command -v redis-server >/dev/null; then
    echo "redis: down; starting redis-server"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
      --maxmemory-policy noeviction --dir /var/lib/redis --logfile /var/log/redis/cc.log
  fi
  for _ in $(seq 1 40); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && { echo "redis: answers on $redis_host:$redis_port"; return; }; sleep 0.25; done
  echo "redis: not answering on $redis_host:$redis_port and could not be started" >&2; exit 1
}

create_databases() {
  for db in "${DATABASES[@]}"; do
    if [[ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres)" != "1" ]]; then
      psql -q -c "CREATE DATABASE \"$db\"" postgres && echo "postgres: created database $db"
    fi
  done
}

role_password() { local var="PG_PASSWORD_${1^^}"; echo "${!var:-cc-dev-$1}"; }

# the service roles, each owning its database (and whatever an earlier run made in it as postgres)
own_databases() {
  for db in "${DATABASES[@]}"; do
    psql -q -v ON_ERROR_STOP=1 -v role="$db" -v password="$(role_password "$db")" postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
ALTER DATABASE :"role" OWNER TO :"role";
REVOKE CONNECT, TEMPORARY ON DATABASE :"role" FROM PUBLIC;
SQL
    psql -q -v ON_ERROR_STOP=1 -v role="$db" "$db" <<'SQL'
SELECT format('ALTER %s public.%I OWNER TO %I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname, :'role')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> :'role'::regrole \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', c.relname, :'role')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> :'role'::regrole \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'role')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.proowner <> :'role'::regrole \gexec
SELECT format('ALTER TYPE public.%I OWNER TO %I', t.typname, :'role')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> :'role'::regrole \gexec
SQL
  done
  echo "postgres: roles ${DATABASES[*]} own their databases"
}

# the services' Redis user: every command, keys under the cc prefix (BullMQ queues, cc-<namespace>)
redis_user_up() {
  redis-cli -h "$redis_host" -p "$redis_port" ACL SETUSER "$redis_user" reset on ">$redis_password" '~cc*' '&*' +@all -@admin +info >/dev/null
  echo "redis: user $redis_user ready"
}

case "${1:-up}" in
  up)
    postgres_up
    redis_up
    redis_user_up
    create_databases
    own_databases
    "$here/kafka.sh" start
    ;;
  down) "$here/kafka.sh" stop ;;
  *) echo "usage: deploy/infra.sh up|down" >&2; exit 2 ;;
esac
