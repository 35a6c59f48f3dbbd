#!/usr/bin/env bash
# What the per-process key cache saves: API keys kept in Redis, the gateway's cache on (default) vs
# off (auth.api_keys.cache.max_entries: 0, every request asks Redis), taking turns behind an upstream
# that costs almost nothing (nginx answering a fixed chat completion with `return 200`), each warmed
# first; wrk -t1 -c50 with a valid key. Also counts the Redis commands each build sends per request.
#   benchmarks/key-cache.sh
# Knobs (environment): ROUNDS (3), DURATION (10s), WARMUP (15s), CONNS (50).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10s}; WARMUP=${WARMUP:-15s}; CONNS=${CONNS:-50}
OUT=$PWD/benchmarks/out/key-cache; mkdir -p "$OUT"; rm -f "$OUT"/wrk-*.txt
UP=18091; GW=18080; REDIS_PORT=18379
JAR=target/portcullis.jar
. benchmarks/lib.sh
need nginx:nginx wrk:wrk redis-server:redis-server redis-cli:redis-tools
redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & pids+=($!)
wait_port $REDIS_PORT
start_cheap_upstream $UP
export BENCH_REDIS_URL=redis://127.0.0.1:$REDIS_PORT MOCK_PORT=$UP
KEY=$(java -jar "$JAR" keys -c benchmarks/bench-auth-redis.yaml create --user bench --role bench 2>/dev/null)
sed -e "s|wrk.body|wrk.headers[\"Authorization\"] = \"Bearer $KEY\"\nwrk.body|" benchmarks/chat.lua > "$OUT/chat-auth.lua"
run() { # NAME ROUND CACHE
  BENCH_KEY_CACHE=$3 java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" run -c benchmarks/bench-auth-redis.yaml > "$OUT/$1.log" 2>&1 & local gw=$!
  wait_port $GW
  wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$OUT/chat-auth.lua" "http://127.0.0.1:$GW/v1/chat/completions" > /dev/null
  local before; before=$(redis-cli -p $REDIS_PORT info commandstats | awk -F'[=,]' '/cmdstat_hgetall/ {print $2}'); before=${before:-0}
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$OUT/chat-auth.lua" "http://127.0.0.1:$GW/v1/chat/completions" > "$OUT/wrk-$1-$2.txt"
  local after; after=$(redis-cli -p $REDIS_PORT info commandstats | awk -F'[=,]' '/cmdstat_hgetall/ {print $2}'); after=${after:-0}
  local reqs; reqs=$(awk '/requests in/ {print $1}' "$OUT/wrk-$1-$2.txt")
  echo "$1 round $2: $(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1-$2.txt") req/s, key lookups in Redis per request: $(awk -v a="$before" -v b="$after" -v n="$reqs" 'BEGIN {printf "%.4f", (b - a) / n}')"
  kill $gw; wait $gw 2>/dev/null || true
}
for r in $(seq 1 "$ROUNDS"); do run cached "$r" 100000; run uncached "$r" 0; done
for n in cached uncached; do
  rps=$(cat "$OUT"/wrk-$n-*.txt | awk '/Requests\/sec/ {print $2}' | median)
  non2xx=$(cat "$OUT"/wrk-$n-*.txt | awk '/Non-2xx/ {s+=$NF} END {print s+0}')
  echo "$n: median $rps req/s over $ROUNDS rounds (non-2xx: $non2xx); p99: $(grep -h ' 99%' "$OUT"/wrk-$n-*.txt | awk '{printf "%s ", $2}')"
  eval "${n}_rps=$rps"
done
awk -v a="$uncached_rps" -v b="$cached_rps" 'BEGIN {printf "cached / uncached: %.3f\n", b / a}'
