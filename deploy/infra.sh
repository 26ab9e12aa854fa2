#!/usr/bin/env bash
# Brings up what the services need on this machine, without Docker: PostgreSQL and Redis
# (started if installed but down), the four service databases, and the Kafka broker.
#   deploy/infra.sh up     everything above (idempotent: running it again reuses what is up)
#   deploy/infra.sh down   stops the Kafka broker (PostgreSQL and Redis belong to the machine)
# Settings: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), REDIS_HOST, REDIS_PORT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
redis_host="${REDIS_HOST:-127.0.0.1}" redis_port="${REDIS_PORT:-6379}"
DATABASES=(catalog orders fulfillment payouts)

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

case "${1:-up}" in
  up)
    postgres_up
    redis_up
    create_databases
    "$here/kafka.sh" start
    ;;
  down) "$here/kafka.sh" stop ;;
  *) echo "usage: deploy/infra.sh up|down" >&2; exit 2 ;;
esac
