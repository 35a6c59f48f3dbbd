#!/usr/bin/env bash
# Where the time and the memory of a request go: one Portcullis process (every policy off, or every
# policy on), warmed, under wrk -t1 -c50 against the cheap upstream (nginx `return 200`), profiled
# with async-profiler (from Maven Central) for CPU and then for allocation. Prints a table per
# stage, in microseconds of CPU and bytes allocated per request (benchmarks/profile_stages.py), and
# leaves flame graphs (HTML) and the collapsed stacks in benchmarks/out/profile/.
#   benchmarks/profile.sh            # CONFIG=full (bench-full.yaml); CONFIG=off for bench-off.yaml
# Knobs (environment): CONFIG (full), WARMUP (30s), DURATION (15s), CONNS (50), GATEWAY_JAVA, GATEWAY_JAVA_OPTS.
# The profiler's own cost lowers throughput by about a fifth; the shares, not the req/s, are the result.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-full}; WARMUP=${WARMUP:-30s}; DURATION=${DURATION:-15s}; CONNS=${CONNS:-50}
GATEWAY_JAVA=${GATEWAY_JAVA:-java}; GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
OUT=$PWD/benchmarks/out/profile; rm -rf "$OUT"; mkdir -p "$OUT"
JAR=target/portcullis.jar
export UPSTREAM_PORT=18091 BENCH_REDIS_PORT=18379
. benchmarks/lib.sh
need nginx:nginx wrk:wrk redis-server:redis-server curl:curl python3:python3

# async-profiler's native library for this machine, from its Maven Central artifact
AP_VERSION=4.1
mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:$AP_VERSION:jar:linux-x64 -DoutputDirectory="$OUT" >/dev/null
unzip -q -o "$OUT/async-profiler-$AP_VERSION-linux-x64.jar" 'linux-x64/*' -d "$OUT/ap"
AP=$OUT/ap/linux-x64/libasyncProfiler.so
# jcmd reads key=value pairs itself: the agent's options go in one quoted string
profiler() { jcmd "$gw" JVMTI.agent_load "$AP" "\"$1\"" > /dev/null; }

start_cheap_upstream $UPSTREAM_PORT
redis-server --port $BENCH_REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & pids+=($!)
wait_port $BENCH_REDIS_PORT
lua=benchmarks/chat.lua; port=18078
if [ "$CONFIG" = full ]; then
  key=$(java -jar "$JAR" keys -c benchmarks/bench-full.yaml create --user bench --role bench 2>/dev/null)
  sed -e "s|wrk.body|wrk.headers[\"Authorization\"] = \"Bearer $key\"\nwrk.body|" benchmarks/chat.lua > "$OUT/chat-full.lua"
  lua=$OUT/chat-full.lua; port=18077
fi
$GATEWAY_JAVA $GATEWAY_JAVA_OPTS -jar "$JAR" run -c "benchmarks/bench-$CONFIG.yaml" > "$OUT/portcullis.log" 2>&1 & gw=$!; pids+=($gw)
wait_port $port
url=http://127.0.0.1:$port/v1/chat/completions
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" -H "Authorization: Bearer ${key:-none}" -H 'Content-Type: application/json' \
  -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}')" = 200 ]; do sleep 0.2; done
wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$lua" "$url" > /dev/null

measure() { # EVENT OPTIONS NAME: profile one wrk run; prints the number of requests
  profiler "start,event=$1,$2"
  local n; n=$(wrk -t1 -c"$CONNS" -d"$DURATION" -s "$lua" "$url" | tee "$OUT/wrk-$3.txt" | awk '/requests in/ {print $1}')
  profiler "dump,file=$OUT/$3.collapsed,collapsed${4:-}"
  profiler "stop,file=$OUT/$3.html"
  echo "$n"
}
cpu_requests=$(measure cpu interval=1ms cpu)
alloc_requests=$(measure alloc alloc=64k alloc ",total")
{
  echo "## Profile of one request, CONFIG=$CONFIG ($(basename "$GATEWAY_JAVA") $GATEWAY_JAVA_OPTS), wrk -t1 -c$CONNS -d$DURATION under async-profiler $AP_VERSION"
  echo
  echo "CPU: $cpu_requests requests ($(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-cpu.txt") req/s while profiled), sampled every 1 ms of CPU"
  echo
  python3 benchmarks/profile_stages.py "$OUT/cpu.collapsed" "$cpu_requests" 1000
  echo
  echo "Allocation: $alloc_requests requests, sampled every 64 KiB, totals estimated by async-profiler"
  echo
  python3 benchmarks/profile_stages.py "$OUT/alloc.collapsed" "$alloc_requests" bytes
} | tee "$OUT/profile.md"
