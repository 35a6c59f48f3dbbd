#!/usr/bin/env bash
# Throughput of two builds of the gateway in one run, against an upstream that costs almost nothing
# (nginx answering a fixed chat completion with `return 200`), so the gateway is the bottleneck.
# The two jars take turns (never at once), each warmed first; the report is the median of the rounds.
#   benchmarks/compare-jars.sh OLD.jar NEW.jar
# Knobs (environment): ROUNDS (5), DURATION (10s), WARMUP (20s), CONNS (50), OLD_CONFIG and NEW_CONFIG
# (benchmarks/bench.yaml; an older build may not know options added since).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1; NEW=$2
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10s}; WARMUP=${WARMUP:-20s}; CONNS=${CONNS:-50}
OUT=$PWD/benchmarks/out/compare; mkdir -p "$OUT"; rm -f "$OUT"/wrk-*.txt
UP=18091; GW=18080
. benchmarks/lib.sh
need nginx:nginx wrk:wrk
start_cheap_upstream $UP
run() { # JAR NAME ROUND CONFIG
  MOCK_PORT=$UP java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$1" run -c "$4" > "$OUT/$2.log" 2>&1 & local gw=$!
  wait_port $GW
  wrk -t1 -c"$CONNS" -d"$WARMUP" -s benchmarks/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" > /dev/null
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s benchmarks/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" > "$OUT/wrk-$2-$3.txt"
  kill $gw; wait $gw 2>/dev/null || true
}
for r in $(seq 1 "$ROUNDS"); do
  run "$OLD" old "$r" "${OLD_CONFIG:-benchmarks/bench.yaml}"; run "$NEW" new "$r" "${NEW_CONFIG:-benchmarks/bench.yaml}"
done
for n in old new; do
  rps=$(cat "$OUT"/wrk-$n-*.txt | awk '/Requests\/sec/ {print $2}' | median)
  non2xx=$(cat "$OUT"/wrk-$n-*.txt | awk '/Non-2xx/ {s+=$NF} END {print s+0}')
  echo "$n: median $rps req/s over $ROUNDS rounds (non-2xx: $non2xx); rounds: $(cat "$OUT"/wrk-$n-*.txt | awk '/Requests\/sec/ {printf "%s ", $2}')"
  eval "${n}_rps=$rps"
done
awk -v a="$old_rps" -v b="$new_rps" 'BEGIN {printf "new / old: %.3f\n", b / a}'
