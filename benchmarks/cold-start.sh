#!/usr/bin/env bash
# A cold instance: the time from start to ready (/readyz 200), then throughput in each of the first
# ten seconds after ready against the steady state (seconds 30-40), with the warm-up on and off,
# behind an upstream that costs almost nothing (nginx `return 200`); wrk -t1 -c50, one-second runs
# back to back from the moment the instance is ready.
#   benchmarks/cold-start.sh
# Knobs (environment): ROUNDS (3), CONNS (50).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; CONNS=${CONNS:-50}
OUT=$PWD/benchmarks/out/cold-start; mkdir -p "$OUT"
UP=18091; GW=18080; ADMIN=18097
JAR=target/portcullis.jar
. benchmarks/lib.sh
need nginx:nginx wrk:wrk curl:curl
start_cheap_upstream $UP
run() { # WARMUP ROUND
  local t0; t0=$(date +%s%N)
  BENCH_WARMUP=$1 MOCK_PORT=$UP java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" run -c benchmarks/bench-cold.yaml > "$OUT/gw-$1-$2.log" 2>&1 & local gw=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN/readyz" 2>/dev/null)" = 200 ]; do sleep 0.05; done
  local ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  local first=()
  for s in $(seq 1 10); do
    first+=("$(wrk -t1 -c"$CONNS" -d1s -s benchmarks/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" | awk '/Requests\/sec/ {printf "%d", $2}')")
  done
  wrk -t1 -c"$CONNS" -d20s -s benchmarks/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" > /dev/null
  local steady; steady=$(wrk -t1 -c"$CONNS" -d10s -s benchmarks/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" | awk '/Requests\/sec/ {printf "%d", $2}')
  local sum=0; for x in "${first[@]}"; do sum=$((sum + x)); done
  echo "warmup=$1 round $2: start to ready ${ready_ms} ms; first 10 s after ready: ${first[*]} req/s (mean $((sum / 10))); steady ${steady} req/s; first 10 s / steady $(awk -v a=$((sum / 10)) -v b="$steady" 'BEGIN {printf "%.2f", a / b}')"
  kill $gw; wait $gw 2>/dev/null || true
}
for r in $(seq 1 "$ROUNDS"); do run true "$r"; run false "$r"; done
