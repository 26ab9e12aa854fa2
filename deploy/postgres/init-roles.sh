#!/usr/bin/env bash
# Runs after init-databases.sql when the postgres data volume is new (docker-compose.yml): each
# service's role, with the password from PG_PASSWORD_<ROLE>, owns its database and only that one;
# CONNECT is revoked from PUBLIC, so one service's role cannot enter another's database.
# Without Docker, deploy/infra.sh does the same.
set -euo pipefail
for role in catalog orders fulfillment payouts; do
  var="PG_PASSWORD_${role^^}"
  [[ -n "${!var:-}" ]] || { echo "init-roles: $var is not set" >&2; exit 1; }
  psql -v ON_ERROR_STOP=1 -v role="$role" -v password="${!var}" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
ALTER DATABASE :"role" OWNER TO :"role";
REVOKE CONNECT, TEMPORARY ON DATABASE :"role" FROM PUBLIC;
SQL
done
