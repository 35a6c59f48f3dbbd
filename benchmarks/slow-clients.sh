#!/usr/bin/env bash
# Slow and idle clients: N connections with half a request and N with nothing, held against nginx
# (a plain reverse proxy with its default timeouts) and against Portcullis (its default
# server.connections, but the per-client cap off so that the timeouts do the work), one after the
# other on one machine. Each second: connections still open, one ordinary request's latency, the
# server's resident memory.
#
#   benchmarks/slow-clients.sh          # N=2000 (4,000 connections per server), up to 90 s each
#
# Knobs (environment): N (2000), LIMIT seconds (90). Results: JSON lines on stdout and in
# benchmarks/out/slow-clients.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
LIMIT=${LIMIT:-90}
MOCK_PORT=18090 NGINX_PORT=18081 GW_PORT=18080 NGINX_CHEAP_PORT=18079 UPSTREAM_PORT=18091
OUT=$PWD/benchmarks/out
JAR=target/portcullis.jar
mkdir -p "$OUT"
. benchmarks/lib.sh
need nginx:nginx python3:python3

java -Xms256m -Xmx256m -jar "$JAR" mock --port $MOCK_PORT > "$OUT/mock.log" 2>&1 & pids+=($!)
wait_port $MOCK_PORT
printf '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' > "$OUT/slow-body.json"
: > "$OUT/slow-clients.jsonl"

sed -e "s|__OUT__|$OUT|g" -e "s|__MOCK_PORT__|$MOCK_PORT|g" -e "s|__NGINX_PORT__|$NGINX_PORT|g" -e "s|__NGINX_CHEAP_PORT__|$NGINX_CHEAP_PORT|g" -e "s|__UPSTREAM_PORT__|$UPSTREAM_PORT|g" \
  benchmarks/nginx.conf.template > "$OUT/nginx.conf"
nginx -c "$OUT/nginx.conf" -p "$OUT"
wait_port $NGINX_PORT
sleep 1
npids=$(echo $(cat "$OUT/nginx.pid") $(pgrep -P "$(cat "$OUT/nginx.pid")") | tr " " ,)
echo "nginx: $(python3 benchmarks/slow_clients.py 127.0.0.1 $NGINX_PORT "$npids" "$N" /v1/chat/completions "$OUT/slow-body.json" "$LIMIT")" \
  | tee -a "$OUT/slow-clients.jsonl"
kill "$(cat "$OUT/nginx.pid")"; rm -f "$OUT/nginx.pid"

MOCK_PORT=$MOCK_PORT java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" run -c benchmarks/bench.yaml > "$OUT/portcullis-slow.log" 2>&1 & gw=$!; pids+=($gw)
wait_port $GW_PORT
sleep 2
echo "portcullis: $(python3 benchmarks/slow_clients.py 127.0.0.1 $GW_PORT "$gw" "$N" /v1/chat/completions "$OUT/slow-body.json" "$LIMIT")" \
  | tee -a "$OUT/slow-clients.jsonl"
