#!/usr/bin/env bash
# What token budgets cost a stream: the same gateway config (a limit in Redis, redaction off) with a
# request limit only (nothing counted per token), a token limit whose streams reserve their whole
# length (counted, no claim), and one whose streams reserve 1 token and claim the other 199 as they
# go (claim_increment 64: 4 claims each), taking turns against the mock; sse-load
# opens STREAMS streams of 200 stamped tokens at 40 tokens/s. Reports per-token latency (each token
# against the mock's send stamp) and the limiter calls per 1,000 streamed tokens (Redis commands
# counted by redis-server itself).
#   benchmarks/claims.sh
# Knobs (environment): ROUNDS (3), STREAMS (300), INCREMENT (64).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; STREAMS=${STREAMS:-300}; INCREMENT=${INCREMENT:-64}
OUT=$PWD/benchmarks/out/claims; mkdir -p "$OUT"; rm -f "$OUT"/sse-*.json
MOCK=18090; REDIS_PORT=18379
JAR=target/portcullis.jar
. benchmarks/lib.sh
need redis-server:redis-server redis-cli:redis-tools
redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & pids+=($!)
java -Xmx512m -jar "$JAR" mock --port $MOCK > "$OUT/mock.log" 2>&1 & pids+=($!)
wait_port $REDIS_PORT; wait_port $MOCK
export BENCH_REDIS_URL=redis://127.0.0.1:$REDIS_PORT MOCK_PORT=$MOCK BENCH_INCREMENT=$INCREMENT
evals() { redis-cli -p $REDIS_PORT info commandstats | awk -F'[=,]' '/cmdstat_(evalsha|eval):/ {s+=$2} END {print s+0}'; }
run() { # NAME ROUND RESERVE [ROLE]
  BENCH_ROLE=${4:-counted} BENCH_RESERVE=$3 java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$JAR" run -c benchmarks/bench-claims.yaml > "$OUT/$1.log" 2>&1 & local gw=$!
  wait_port 18080
  java -Xmx1g -jar "$JAR" sse-load --url http://127.0.0.1:18080/v1/chat/completions --model sse --streams "$STREAMS" --ramp 500 \
    --warmup 100 > /dev/null 2>&1 || true # warm-up, not measured
  local before; before=$(evals)
  java -Xmx1g -jar "$JAR" sse-load --url http://127.0.0.1:18080/v1/chat/completions --model sse --streams "$STREAMS" --ramp 500 \
    --warmup 0 > "$OUT/sse-$1-$2.json" 2> "$OUT/sse-$1-$2.err" || true
  local after; after=$(evals)
  local tokens; tokens=$(json_field tokens < "$OUT/sse-$1-$2.json")
  echo "$1 round $2: $(tr -d '\n' < "$OUT/sse-$1-$2.json" | head -c 400)"
  echo "$1 round $2: limiter calls to Redis per 1,000 streamed tokens: $(awk -v a="$before" -v b="$after" -v n="$tokens" 'BEGIN {printf "%.2f", (b - a) * 1000 / n}')"
  kill $gw; wait $gw 2>/dev/null || true
}
for r in $(seq 1 "$ROUNDS"); do run uncounted "$r" 200 uncounted; run reserved "$r" 200; run claiming "$r" 1; done
for n in uncounted reserved claiming; do
  row="$n:"
  for f in completed errors ttft_p50_ms token_latency_p50_ms token_latency_p99_ms token_latency_p999_ms; do
    row="$row $f=$(cat "$OUT"/sse-$n-*.json | json_field $f | median)"
  done
  echo "$row (median of $ROUNDS rounds)"
done
