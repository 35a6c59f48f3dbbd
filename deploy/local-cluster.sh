#!/usr/bin/env bash
# A real cluster on one machine: Redis (or a 3-master Redis Cluster), N Portcullis instances, haproxy
# in front with health checks on /readyz and X-Forwarded-For, every instance trusting it.
#
#   deploy/local-cluster.sh up [N]          # start (default 3 instances); clients use http://127.0.0.1:18080
#   deploy/local-cluster.sh up 3 cluster    # the same on a 3-master Redis Cluster
#   deploy/local-cluster.sh restart         # rolling restart: each instance drained (SIGTERM) and started again in turn
#   deploy/local-cluster.sh down
#
# Instance i listens on 1818i (API) and 1919i (admin); its config is written to
# deploy/.cluster/instance-i.yaml (keys in Redis, limits shared with a local fallback, redaction on,
# every model routed to the mock provider, which runs as its own process on 18090). Logs: deploy/.cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=deploy/.cluster
JAR=target/portcullis.jar
LB_PORT=${LB_PORT:-18080}
cmd=${1:-up}; N=${2:-3}; REDIS_MODE=${3:-single}

need=()
for c in haproxy redis-server redis-cli curl; do command -v "$c" >/dev/null 2>&1 || need+=("${c/redis-cli/redis-tools}"); done
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; fi
[ -f "$JAR" ] || mvn -B -q -DskipTests package

wait_ready() { # ADMIN_PORT
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  echo "instance with admin port $1 never became ready" >&2; return 1
}

start_instance() { # I
  local i=$1
  PORTCULLIS_CONFIG="$DIR/instance-$i.yaml" nohup java -Xms256m -Xmx512m -XX:+UseParallelGC -jar "$JAR" run \
    > "$DIR/instance-$i.log" 2>&1 &
  echo $! > "$DIR/instance-$i.pid"
}

write_config() { # I REDIS_URL_OR_CLUSTER
  local i=$1
  cat > "$DIR/instance-$i.yaml" <<CFG
server:
  host: 127.0.0.1
  port: 1818$i
  readiness_delay: 1s        # haproxy (inter 250ms, fall 2) notices /readyz failing well within it
  drain_timeout: 30s
  trusted_proxies: [127.0.0.1]
  connections: {max_per_client: 0}
admin: {host: 127.0.0.1, port: 1919$i}
mock: {enabled: false}
redis: $2
auth:
  enabled: true
  api_keys: {redis: true}
  roles:
    - {name: chat, models: ["*"], limit: standard}
  default_roles: [chat]
limits:
  policies:
    standard: {requests: {limit: 600, window: 1m}, on_redis_failure: local}
scrub: {enabled: true}
providers:
  - {name: mock, base_url: "http://127.0.0.1:18090/v1", api_keys: [mock-key-1]}
  - {name: mock-anthropic, type: anthropic, base_url: "http://127.0.0.1:18090/v1", api_keys: [mock-key-1]}
models:
  - {name: gpt-4o-mini, targets: [{provider: mock}]}
  - {name: claude-sonnet, targets: [{provider: mock-anthropic}]}
CFG
}

case "$cmd" in
  up)
    mkdir -p "$DIR"
    if [ "$REDIS_MODE" = cluster ]; then
      nodes=()
      for p in 17001 17002 17003; do
        redis-server --port $p --cluster-enabled yes --cluster-config-file "$DIR/nodes-$p.conf" --save "" --appendonly no \
          --bind 127.0.0.1 --daemonize yes --logfile "$DIR/redis-$p.log" --pidfile "$DIR/redis-$p.pid"
        nodes+=("127.0.0.1:$p")
      done
      sleep 0.5
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes > "$DIR/redis-cluster.log"
      until redis-cli -p 17001 cluster info | grep -q 'cluster_state:ok'; do sleep 0.2; done
      redis_yaml='{cluster: ["redis://127.0.0.1:17001", "redis://127.0.0.1:17002", "redis://127.0.0.1:17003"]}'
    else
      redis-server --port 16379 --save "" --appendonly no --bind 127.0.0.1 --daemonize yes \
        --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid"
      redis_yaml='{url: "redis://127.0.0.1:16379"}'
    fi
    servers=""
    for i in $(seq 1 "$N"); do
      write_config "$i" "$redis_yaml"
      servers+="  server instance-$i 127.0.0.1:1818$i check port 1919$i"$'\n'
    done
    # the mock provider every instance routes to, in a process of its own (so restarts leave it be)
    nohup java -Xmx256m -jar "$JAR" mock --port 18090 --tokens-per-second 20 > "$DIR/mock.log" 2>&1 &
    echo $! > "$DIR/mock.pid"
    for i in $(seq 1 "$N"); do start_instance "$i"; done
    for i in $(seq 1 "$N"); do wait_ready "1919$i"; done
    sed -e "s|__PORT__|$LB_PORT|" deploy/haproxy.cfg | awk -v s="$servers" '{ if ($0 == "__SERVERS__") printf "%s", s; else print }' \
      > "$DIR/haproxy.cfg"
    haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid"
    echo "cluster up: $N instances behind http://127.0.0.1:$LB_PORT (Redis: $REDIS_MODE)"
    echo "a key:  PORTCULLIS_CONFIG=$DIR/instance-1.yaml java -jar $JAR keys create --user me"
    ;;
  restart)
    for f in "$DIR"/instance-*.pid; do
      i=$(basename "$f" .pid); i=${i#instance-}
      pid=$(cat "$f")
      kill -TERM "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done   # readiness off, drained, exited
      start_instance "$i"
      wait_ready "1919$i"
      echo "instance $i restarted"
    done
    ;;
  down)
    [ -f "$DIR/haproxy.pid" ] && kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true
    for f in "$DIR"/instance-*.pid "$DIR"/mock.pid "$DIR"/redis*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
    sleep 1; rm -rf "$DIR"
    echo "cluster down"
    ;;
  *) echo "usage: $0 up [N] [single|cluster] | restart | down" >&2; exit 2 ;;
esac
