#!/usr/bin/env bash
# Starts, stops or reports on the project's single-node Apache Kafka broker (KRaft mode, no
# Docker). The broker jars come from Maven Central through deploy/kafka/pom.xml.
#   deploy/kafka.sh start    fetch jars (once), format storage (once), start, wait until it answers
#   deploy/kafka.sh stop     stop the broker started here
#   deploy/kafka.sh status   exit 0 when the broker answers
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_HOME_DIR (.run/kafka under the repository), KAFKA_HEAP (512m).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
home="${KAFKA_HOME_DIR:-$root/.run/kafka}"
heap="${KAFKA_HEAP:-512m}"
lib="$here/kafka/target/lib"
pidfile="$home/broker.pid"

answers() { node "$here/kafka-ready.js" "127.0.0.1:$port" "${1:-3000}" >/dev/null 2>&1; }

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
    sed -e "s#@@DATA_DIR@@#$home/data#" -e "s#@@PORT@@#$port#" -e "s#@@CONTROLLER_PORT@@#$controller_port#" \
      "$here/kafka/server.properties.template" > "$home/server.properties"
    if [[ ! -f "$home/data/meta.properties" ]]; then
      echo "kafka: formatting storage in $home/data (once)"
      cluster_id="$(java -cp "$lib/*" -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$home/logs" kafka.tools.StorageTool random-uuid)"
      java -cp "$lib/*" -Dlog4j.configuration="file:$here/kafka/log4j.properties" -Dkafka.logs.dir="$home/logs" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" >"$home/logs/format.log" 2>&1
    fi
    echo "kafka: starting broker 3.9.1 on 127.0.0.1:$port (heap $heap, log $home/logs/server.log)"
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
