#!/usr/bin/env bash
# Starts, stops or reports on the project's single-node Apache Kafka broker (KRaft mode, no
# Docker). The broker jars come from Maven Central through deploy/kafka/pom.xml.
#   deploy/kafka.sh start    fetch jars (once), format storage (once), start, wait until it answers
#   deploy/kafka.sh stop     stop the broker started here
#   deploy/kafka.sh status   exit 0 when the broker answers
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_HOME_DIR (.run/kafka under the repository), KAFKA_HEAP (512m),
# KAFKA_SECURITY (sasl | plaintext), KAFKA_ADMIN_PASSWORD (cc-dev-admin).
#
# In SASL mode (the default) clients authenticate with SCRAM-SHA-256 on a SASL_PLAINTEXT listener
# and StandardAuthorizer refuses whatever no ACL allows. The SCRAM credentials are written into the
# metadata log when the storage is formatted: `admin` (super user, for provisioning and tools) and
# one principal per service (catalog, orders, fulfillment, payouts, ops), each with its
# development password cc-dev-<name> (the services' default KAFKA_PASSWORD). ACLs are made per
# namespace by libs/messaging/src/provision.ts. Storage formatted earlier without these
# credentials (no marker file, or other credentials) is formatted again: its topics are lost.
# The broker reaches its controller on a SASL/PLAIN listener with a random secret kept in
# $KAFKA_HOME_DIR/controller.secret (SCRAM cannot serve the controller listener in KRaft).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
home="${KAFKA_HOME_DIR:-$root/.run/kafka}"
heap="${KAFKA_HEAP:-512m}"
lib="$here/kafka/target/lib"
pidfile="$home/broker.pid"
security="${KAFKA_SECURITY:-sasl}"
admin_password="${KAFKA_ADMIN_PASSWORD:-cc-dev-admin}"
PRINCIPALS=(catalog orders fulfillment payouts ops)
case "$security" in sasl|plaintext) ;; *) echo "kafka: KAFKA_SECURITY must be sasl or plaintext (got $security)" >&2; exit 2 ;; esac

answers() {
  if [[ "$security" == sasl ]]; then
    KAFKA_SASL_MECHANISM=scram-sha-256 KAFKA_USERNAME=admin KAFKA_PASSWORD="$admin_password" KAFKA_SSL=false \
      node "$here/kafka-ready.js" "127.0.0.1:$port" "${1:-3000}" >/dev/null 2>&1
  else
    KAFKA_SASL_MECHANISM=none KAFKA_SSL=false node "$here/kafka-ready.js" "127.0.0.1:$port" "${1:-3000}" >/dev/null 2>&1
  fi
}

# --add-scram arguments for kafka-storage format, and a fingerprint of them for the marker file
scram_args() {
  printf '%s\n' --add-scram "SCRAM-SHA-256=[name=admin,password=$admin_password]"
  for p in "${PRINCIPALS[@]}"; do printf '%s\n' --add-scram "SCRAM-SHA-256=[name=$p,password=cc-dev-$p]"; done
}
scram_marker() { scram_args | sha256sum | cut -d' ' -f1; }

write_properties() {
  local client=PLAINTEXT controller=PLAINTEXT
  [[ "$security" == sasl ]] && client=SASL_PLAINTEXT controller=SASL_PLAINTEXT
  umask 077 # the file holds the admin's and the controller's secrets
  sed -e "s#@@DATA_DIR@@#$home/data#" -e "s#@@PORT@@#$port#" -e "s#@@CONTROLLER_PORT@@#$controller_port#" \
    -e "s#@@CLIENT@@#$client#g" -e "s#@@CONTROLLER_PROTOCOL@@#$controller#" \
    "$here/kafka/server.properties.template" > "$home/server.properties"
  [[ "$security" == sasl ]] || return 0
  [[ -s "$home/controller.secret" ]] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$home/controller.secret"
  local secret; secret="$(cat "$home/controller.secret")"
  cat >> "$home/server.properties" <<PROPS

# --- security (deploy/kafka.sh, KAFKA_SECURITY=sasl) ---
sasl.enabled.mechanisms=SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$secret" user_controller="$secret";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:controller
PROPS
}

format_storage() {
  local marker="$home/data/.scram-credentials" java_opts=(-cp "$lib/*" -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$home/logs")
  if [[ -f "$home/data/meta.properties" && "$security" == sasl && "$(cat "$marker" 2>/dev/null)" != "$(scram_marker)" ]]; then
    echo "kafka: storage in $home/data has no (or other) SCRAM credentials; formatting it again (its topics are dropped)"
    rm -rf "$home/data"; mkdir -p "$home/data"
  fi
  [[ -f "$home/data/meta.properties" ]] && return 0
  echo "kafka: formatting storage in $home/data (once)"
  local cluster_id extra=()
  cluster_id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid)"
  [[ "$security" == sasl ]] && mapfile -t extra < <(scram_args)
  java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" "${extra[@]}" >"$home/logs/format.log" 2>&1 \
    || { echo "kafka: formatting failed; see $home/logs/format.log" >&2; exit 1; }
  [[ "$security" == sasl ]] && scram_marker > "$marker"
  return 0
}

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch_jars() {
  if [[ ! -f "$lib/.complete" ]]; then
    echo "kafka: fetching broker jars from Maven Central (once)"
    (cd "$here/kafka" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies)
    touch "$lib/.complete"
  fi
}

start() {
  if answers; then echo "kafka: broker already answering on 127.0.0.1:$port (reused)"; return 0; fi
  if pid="$(running_pid)"; then
    echo "kafka: broker process $pid is up but not answering yet; waiting"
  else
    command -v java >/dev/null || { echo "kafka: java not found (Java 17 is needed)" >&2; exit 1; }
    fetch_jars
    mkdir -p "$home/data" "$home/logs"
    write_properties
    format_storage
    echo "kafka: starting broker 3.9.1 on 127.0.0.1:$port ($security, heap $heap, log $home/logs/server.log)"
    nohup java "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$home/logs" \
      -cp "$lib/*" kafka.Kafka "$home/server.properties" >"$home/logs/stdout.log" 2>&1 &
    echo $! > "$pidfile"
  fi
  for _ in $(seq 1 120); do
    if answers 2000; then echo "kafka: broker answers on 127.0.0.1:$port"; return 0; fi
    if ! running_pid >/dev/null; then
      echo "kafka: broker exited; last lines of $home/logs/server.log:" >&2
      tail -n 30 "$home/logs/server.log" "$home/logs/stdout.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka: broker did not answer within 60 s; see $home/logs/server.log" >&2
  exit 1
}

stop() {
  if pid="$(running_pid)"; then
    echo "kafka: stopping broker $pid"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "kafka: stopped"; return 0; }; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true; rm -f "$pidfile"; echo "kafka: killed"
  else
    echo "kafka: no broker started from $home is running"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "kafka: up on 127.0.0.1:$port"; else echo "kafka: down"; exit 1; fi ;;
  *) echo "usage: deploy/kafka.sh start|stop|status" >&2; exit 2 ;;
esac
