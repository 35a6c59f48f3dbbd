#!/usr/bin/env bash
# Side-by-side benchmark, all in one run on one machine, against nginx as a plain reverse proxy.
#
# Non-streaming phases use an upstream that costs almost nothing (nginx answering a fixed chat
# completion with `return 200`), so the proxies are the bottleneck; the streaming phases use the
# mock provider, whose pacing and send stamps they need. Contestants:
#   direct      the upstream itself (cheap nginx, or the mock for streams)
#   nginx       nginx as a plain reverse proxy (upstream keep-alive, proxy_buffering off)
#   vertx       the floor of a proxy on Vert.x: server and client per core, nothing else (benchmarks/BareProxy.java)
#   off         Portcullis with every policy off (benchmarks/bench-off.yaml)
#   full        Portcullis with every policy on, as a production user runs it (benchmarks/bench-full.yaml:
#               API keys in Redis, Redis limits on requests and tokens, redaction, guards, access log,
#               metrics, anomaly detection)
#   portcullis  Portcullis with bench.yaml's defaults (observability on, no policies) for the streaming phases
#
#   benchmarks/run.sh                 # the default phases (about 20 minutes on 2 cores)
#   PHASES=http benchmarks/run.sh     # throughput: nginx, off, full (wrk -t1 -c50)
#   PHASES=latency ...                # one keep-alive connection (wrk -c1): latency added over direct
#   PHASES=close ...                  # a new connection per request (Connection: close)
#   PHASES=warmup ...                 # req/s in each of the first 60 s after a fresh instance is ready
#   PHASES="sse hold" ...             # streams: 1,000 opened within a second; 5,000 held by one process
#   PHASES=scrub|auth|limit|observe|guards|tls ...   # one policy on vs off (not in the default set)
#
# Knobs (environment): ROUNDS (3), DURATION (10s), WARMUP (30s), CONNS (50), SSE_STREAMS (1000),
# SSE_RAMP (1000 streams/s), SSE_WARM_ROUNDS (6 rounds of 2,000 streams), HOLD_STREAMS (5000), GATEWAY_JAVA (java),
# GATEWAY_JAVA_OPTS.
# Results: a Markdown report on stdout and in benchmarks/out/results.md; raw outputs in benchmarks/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-50}
SSE_STREAMS=${SSE_STREAMS:-1000}
SSE_RAMP=${SSE_RAMP:-1000}
HOLD_STREAMS=${HOLD_STREAMS:-5000}
PHASES=${PHASES:-"http latency close warmup sse hold"}
GATEWAY_JAVA=${GATEWAY_JAVA:-java}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}
MOCK_PORT=18090 NGINX_PORT=18081 GW_PORT=18080 ADMIN_PORT=18099
UPSTREAM_PORT=18091 NGINX_CHEAP_PORT=18079 OFF_PORT=18078 FULL_PORT=18077 WARM_PORT=18076 BARE_PORT=18075
export BENCH_REDIS_PORT=18379 UPSTREAM_PORT
OUT=$PWD/benchmarks/out
JAR=target/portcullis.jar
rm -rf "$OUT"; mkdir -p "$OUT"

. benchmarks/lib.sh
need nginx:nginx wrk:wrk redis-server:redis-server redis-cli:redis-tools curl:curl

# --- start the contestants -----------------------------------------------------------------------
java -Xms1g -Xmx1g -jar "$JAR" mock --port $MOCK_PORT --instances 2 > "$OUT/mock.log" 2>&1 & pids+=($!)
wait_port $MOCK_PORT
start_cheap_upstream $UPSTREAM_PORT
sed -e "s|__OUT__|$OUT|g" -e "s|__MOCK_PORT__|$MOCK_PORT|g" -e "s|__NGINX_PORT__|$NGINX_PORT|g" \
  -e "s|__NGINX_CHEAP_PORT__|$NGINX_CHEAP_PORT|g" -e "s|__UPSTREAM_PORT__|$UPSTREAM_PORT|g" \
  benchmarks/nginx.conf.template > "$OUT/nginx.conf"
nginx -c "$OUT/nginx.conf" -p "$OUT"
wait_port $NGINX_PORT
redis-server --port $BENCH_REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & pids+=($!)
wait_port $BENCH_REDIS_PORT
gateway() { # NAME CONFIG [extra JVM flags...]: starts a Portcullis process, its log in $OUT/portcullis-NAME.log
  local name=$1 conf=$2; shift 2
  MOCK_PORT=$MOCK_PORT $GATEWAY_JAVA $GATEWAY_JAVA_OPTS "$@" -jar "$JAR" run -c "$conf" > "$OUT/portcullis-$name.log" 2>&1 & pids+=($!)
}
gateway main benchmarks/bench.yaml -Xlog:gc:file="$OUT/gc.log"; gw=$!
wait_port $GW_PORT
ln -sf portcullis-main.log "$OUT/portcullis.log"

declare -A URL=([direct]="http://127.0.0.1:$MOCK_PORT" [nginx]="http://127.0.0.1:$NGINX_PORT" [portcullis]="http://127.0.0.1:$GW_PORT"
  [up]="http://127.0.0.1:$UPSTREAM_PORT" [nginx-cheap]="http://127.0.0.1:$NGINX_CHEAP_PORT"
  [off]="http://127.0.0.1:$OFF_PORT" [full]="http://127.0.0.1:$FULL_PORT" [vertx]="http://127.0.0.1:$BARE_PORT")
CONTESTANTS="up nginx-cheap vertx off full" # of the non-streaming phases
# wrk scripts: full needs an API key (made in Redis with the CLI against the full config)
declare -A LUA=([up]=benchmarks/chat.lua [nginx-cheap]=benchmarks/chat.lua [vertx]=benchmarks/chat.lua [off]=benchmarks/chat.lua
  [full]="$OUT/chat-full.lua")
if [[ " $PHASES " == *" http "* || " $PHASES " == *" latency "* || " $PHASES " == *" close "* ]]; then
  gateway off benchmarks/bench-off.yaml
  FULL_KEY=$(java -jar "$JAR" keys -c benchmarks/bench-full.yaml create --user bench --role bench 2>/dev/null)
  sed -e "s|wrk.body|wrk.headers[\"Authorization\"] = \"Bearer $FULL_KEY\"\nwrk.body|" benchmarks/chat.lua > "$OUT/chat-full.lua"
  gateway full benchmarks/bench-full.yaml
  $GATEWAY_JAVA $GATEWAY_JAVA_OPTS -cp "$JAR" benchmarks/BareProxy.java $BARE_PORT $UPSTREAM_PORT > "$OUT/bare-proxy.log" 2>&1 & pids+=($!)
  wait_port $OFF_PORT; wait_port $FULL_PORT; wait_port $BARE_PORT
  for t in off full; do # ready means warmed up and every check passed
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "${URL[$t]}/v1/chat/completions" -H "Authorization: Bearer ${FULL_KEY}" \
      -H 'Content-Type: application/json' -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}')" = 200 ]; do sleep 0.2; done
  done
  # the JIT warm-up: WARMUP of load on each contestant before anything is measured
  for t in $CONTESTANTS; do wrk -t1 -c"$CONNS" -d"${WARMUP:-30s}" -s "${LUA[$t]}" "${URL[$t]}/v1/chat/completions" >/dev/null; done
fi
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# wrk latency lines look like "99%   12.34ms": normalise to milliseconds
wrk_ms() { awk -v q="$1" '$1==q { v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v); if(u=="us") v/=1000; else if(u=="s") v*=1000; print v }'; }
# wrk_stats PREFIX: "requests/s p50 p99 non-2xx" over the rounds in $OUT/PREFIX-*.txt (medians, non-2xx summed)
wrk_stats() {
  echo "$(cat "$OUT"/$1-*.txt | awk '/Requests\/sec/ {print $2}' | median) $(cat "$OUT"/$1-*.txt | wrk_ms 50% | median)" \
    "$(cat "$OUT"/$1-*.txt | wrk_ms 99% | median) $(cat "$OUT"/$1-*.txt | awk '/Non-2xx/ {s+=$NF} END {print s+0}')"
}
# wrk_on_off NAME OFF_SCRIPT OFF_URL ON_SCRIPT ON_URL [HOOK]: warm both gateways up, run HOOK (if any), then
# ROUNDS alternating rounds into $OUT/wrk-NAME-off-R.txt and $OUT/wrk-NAME-on-R.txt
wrk_on_off() {
  wrk -t1 -c"$CONNS" -d"${WARMUP:-30s}" -s "$2" "$3/v1/chat/completions" >/dev/null
  wrk -t1 -c"$CONNS" -d"${WARMUP:-30s}" -s "$4" "$5/v1/chat/completions" >/dev/null
  [ -n "${6:-}" ] && "$6"
  for r in $(seq 1 "$ROUNDS"); do
    wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$2" "$3/v1/chat/completions" > "$OUT/wrk-$1-off-$r.txt"
    wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$4" "$5/v1/chat/completions" > "$OUT/wrk-$1-on-$r.txt"
  done
}
# wrk_on_off_table NAME LABEL: the two table rows; sets RPS_off/on, P50_off/on, P99_off/on
wrk_on_off_table() {
  echo "| gateway | requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|---|"
  for t in off on; do
    read -r rps p50 p99 bad <<< "$(wrk_stats "wrk-$1-$t")"
    echo "| $2 $t | $rps | $p50 | $p99 | $bad |"
    eval "RPS_$t=$rps; P50_$t=$p50; P99_$t=$p99"
  done
}

# on_off_report NAME LABEL TITLE [NOTE]: the Markdown section of one on/off comparison; sets RPS_on/off
on_off_report() {
  {
    echo "## $3: wrk -t1 -c$CONNS -d$DURATION, non-streaming, median of $ROUNDS rounds"
    echo
    if [ -n "${4:-}" ]; then echo "$4"; echo; fi
    wrk_on_off_table "$1" "$2"
    echo
    echo "$3, on / off: $(awk -v a="$RPS_on" -v b="$RPS_off" 'BEGIN {printf "%.2f", a/b}')"
    echo
  } >> "$report"
}

report="$OUT/results.md"
{
  echo "# Run of $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores"
  echo
} > "$report"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print "n/a"}'; }
rps_of() { awk '/Requests\/sec/ {print $2}' "$1"; }
# spread LIST: "median (min-max)" of numbers
spread() { local m lo hi; m=$(tr ' ' '\n' <<< "$1" | median); lo=$(tr ' ' '\n' <<< "$1" | sort -g | head -1); hi=$(tr ' ' '\n' <<< "$1" | sort -g | tail -1); echo "$m ($lo-$hi)"; }
# contestant_rounds PREFIX WRK_ARGS...: ROUNDS rounds, each contestant in turn, into $OUT/PREFIX-CONTESTANT-ROUND.txt
contestant_rounds() {
  local prefix=$1; shift
  for r in $(seq 1 "$ROUNDS"); do
    for t in $CONTESTANTS; do
      wrk -t1 -d"$DURATION" --latency "$@" -s "${LUA[$t]}" "${URL[$t]}/v1/chat/completions" > "$OUT/$prefix-$t-$r.txt"
    done
  done
}
# contestant_table PREFIX: the throughput table of those rounds; sets RPS_<contestant> and P99_<contestant> (- as _)
contestant_table() {
  echo "| contestant | requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---|---|---|---|"
  for t in $CONTESTANTS; do
    read -r rps p50 p99 bad <<< "$(wrk_stats "$1-$t")"
    echo "| $t | $rps | $p50 | $p99 | $bad |"
    eval "RPS_${t//-/_}=$rps; P99_${t//-/_}=$p99"
  done
}

# --- phase http: non-streaming throughput, nginx vs Portcullis off vs full -------------------------
if [[ " $PHASES " == *" http "* ]]; then
  redis-cli -p $BENCH_REDIS_PORT CONFIG RESETSTAT >/dev/null
  contestant_rounds wrk -c"$CONNS"
  redis-cli -p $BENCH_REDIS_PORT INFO commandstats > "$OUT/redis-commandstats-http.txt"
  off_ratios=""; full_ratios=""; bare_ratios=""
  for r in $(seq 1 "$ROUNDS"); do
    n=$(rps_of "$OUT/wrk-nginx-cheap-$r.txt")
    bare_ratios="$bare_ratios $(ratio "$(rps_of "$OUT/wrk-vertx-$r.txt")" "$n")"
    off_ratios="$off_ratios $(ratio "$(rps_of "$OUT/wrk-off-$r.txt")" "$n")"
    full_ratios="$full_ratios $(ratio "$(rps_of "$OUT/wrk-full-$r.txt")" "$n")"
  done
  {
    echo "## Non-streaming throughput: wrk -t1 -c$CONNS -d$DURATION, upstream nginx \`return 200\`, median of $ROUNDS rounds"
    echo
    echo "Each contestant warmed with ${WARMUP:-30s} of the same load first; rounds alternate the contestants."
    echo
    contestant_table wrk
    echo
    echo "- bare Vert.x proxy / nginx: $(spread "${bare_ratios# }") (the framework's floor, for reference)"
    echo "- every policy off / nginx: **$(spread "${off_ratios# }")** (median, min-max over rounds; target >= 0.8)"
    echo "- every policy on / nginx: **$(spread "${full_ratios# }")** (target >= 0.5)"
    echo "- full p99 $P99_full ms against nginx's $P99_nginx_cheap ms (target <= 2 x nginx + 2 ms = $(awk -v a="$P99_nginx_cheap" 'BEGIN {printf "%.2f", 2*a+2}') ms)"
    echo "- Redis calls per full request: $(awk -F'[=,]' '/^cmdstat_evalsha:/ {print $2}' "$OUT/redis-commandstats-http.txt") scripts for $(cat "$OUT"/wrk-full-*.txt | awk '/requests in/ {s+=$1} END {print s}') requests"
    echo
  } >> "$report"
fi

# --- phase latency: one warmed keep-alive connection ---------------------------------------------
if [[ " $PHASES " == *" latency "* ]]; then
  contestant_rounds lat -c1
  {
    echo "## Latency on one keep-alive connection: wrk -t1 -c1 -d$DURATION, upstream nginx \`return 200\`, median of $ROUNDS rounds"
    echo
    echo "| contestant | requests/s | p50 ms | p99 ms | added p50 ms | added p99 ms |"
    echo "|---|---|---|---|---|---|"
    read -r _ d50 d99 _ <<< "$(wrk_stats lat-up)"
    for t in $CONTESTANTS; do
      read -r rps p50 p99 _ <<< "$(wrk_stats "lat-$t")"
      echo "| $t | $rps | $p50 | $p99 | $(awk -v a="$p50" -v b="$d50" 'BEGIN {printf "%.3f", a-b}') | $(awk -v a="$p99" -v b="$d99" 'BEGIN {printf "%.3f", a-b}') |"
    done
    echo
    echo "Targets: added p50 <= 0.3 ms and p99 <= 1 ms over direct."
    echo
  } >> "$report"
fi

# --- phase close: a new connection for every request ---------------------------------------------
if [[ " $PHASES " == *" close "* ]]; then
  contestant_rounds close -c"$CONNS" -H "Connection: close"
  {
    echo "## A new connection per request: wrk -t1 -c$CONNS -d$DURATION -H 'Connection: close', median of $ROUNDS rounds"
    echo
    contestant_table close
    echo
    echo "Cost of a connection, Portcullis off / nginx (nginx req/s / Portcullis req/s): $(ratio "$RPS_nginx_cheap" "$RPS_off") (target <= 2)"
    echo
  } >> "$report"
fi

# --- phase warmup: a fresh instance, req/s in each second after it is ready -----------------------
if [[ " $PHASES " == *" warmup "* ]]; then
  sed -e "s/port: 18078/port: $WARM_PORT/" -e "s/port: 18093/port: 18089/" benchmarks/bench-off.yaml > "$OUT/bench-warm.yaml"
  t0=$(date +%s%N)
  gateway warm "$OUT/bench-warm.yaml"; warm=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:18089/readyz" 2>/dev/null)" = 200 ]; do sleep 0.05; done
  ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  curve=()
  for s in $(seq 1 60); do
    curve+=("$(wrk -t1 -c"$CONNS" -d1s -s benchmarks/chat.lua "http://127.0.0.1:$WARM_PORT/v1/chat/completions" | awk '/Requests\/sec/ {printf "%d", $2}')")
  done
  kill $warm
  steady=$(printf '%s\n' "${curve[@]:45:15}" | median)
  reach=$(for i in "${!curve[@]}"; do echo "$((i + 1)) ${curve[$i]}"; done | awk -v s="$steady" '$2 >= 0.8 * s {print $1; exit}')
  {
    echo "## Warm-up: a fresh instance (every policy off), wrk -t1 -c$CONNS in one-second runs from the moment it is ready"
    echo
    echo "Start to ready: $ready_ms ms (server.warmup on, its default). Steady state = median of seconds 46-60: $steady req/s."
    echo "First second at >= 80% of steady: second ${reach:-never} after ready (target <= 10)."
    echo
    echo "req/s per second after ready: ${curve[*]}"
    echo
  } >> "$report"
fi

# --- phase 2: concurrent SSE streams, time to first token and inter-token gaps ----------------------
sse_run() { # name url model streams ramp [warm-up streams inside the load generator, default 100]
  java -Xmx1g -jar "$JAR" sse-load --url "$2/v1/chat/completions" --model "$3" --streams "$4" --ramp "$5" \
    --warmup "${6:-100}" > "$OUT/sse-$1.json" 2>"$OUT/sse-$1.err" || true
}
if [[ " $PHASES " == *" sse "* ]]; then
  # warm-up, not measured: the gateway's streaming path must be JIT-compiled like nginx's C is. A
  # stream's set-up runs once per stream, so it reaches the optimizing compiler only after thousands
  # of streams: with 2,000 the JIT still took a fifth of the gateway's CPU in the measured round.
  sse_run "warm-direct" "${URL[direct]}" "bench@tokens=40;rate=10;stamp=1" "$SSE_STREAMS" 500
  sse_run "warm-nginx" "${URL[nginx]}" "bench@tokens=40;rate=10;stamp=1" "$SSE_STREAMS" 500
  for w in $(seq 1 "${SSE_WARM_ROUNDS:-6}"); do
    sse_run "warm-portcullis-$w" "${URL[portcullis]}" "bench" 2000 2000 0 # short streams, 12,000 in all
  done
  sse_run "warm-portcullis" "${URL[portcullis]}" "sse" "$SSE_STREAMS" 500
  for r in $(seq 1 "$ROUNDS"); do
    sse_run "direct-$r" "${URL[direct]}" "bench@tokens=40;rate=10;stamp=1" "$SSE_STREAMS" "$SSE_RAMP"
    sse_run "nginx-$r" "${URL[nginx]}" "bench@tokens=40;rate=10;stamp=1" "$SSE_STREAMS" "$SSE_RAMP"
    sse_run "portcullis-$r" "${URL[portcullis]}" "sse" "$SSE_STREAMS" "$SSE_RAMP"
  done
  {
    echo "## $SSE_STREAMS concurrent streams opened at $SSE_RAMP per second, 40 tokens at 10 tokens/s each, median of $ROUNDS rounds"
    echo
    echo "Token latency = arrival at the client minus the mock's send time of that token (one monotonic clock)."
    echo
    echo "| path | completed | errors | TTFT p50 ms | TTFT p99 ms | gap p50 ms | gap p99 ms | token latency p50 ms | p99 ms | p99.9 ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for t in direct nginx portcullis; do
      row="| $t"
      for f in completed errors ttft_p50_ms ttft_p99_ms gap_p50_ms gap_p99_ms token_latency_p50_ms token_latency_p99_ms token_latency_p999_ms; do
        row="$row | $(cat "$OUT"/sse-$t-*.json | json_field $f | median)"
      done
      echo "$row |"
      eval "LAT99_$t=$(cat "$OUT"/sse-$t-*.json | json_field token_latency_p99_ms | median)"
    done
    echo
    echo "Time to first token p99, Portcullis - nginx: $(awk -v a="$(cat "$OUT"/sse-portcullis-*.json | json_field ttft_p99_ms | median)" -v b="$(cat "$OUT"/sse-nginx-*.json | json_field ttft_p99_ms | median)" 'BEGIN {printf "%.2f", a-b}') ms (target <= 10 ms)"
    echo
    echo "Added per-token latency p99 vs direct: nginx $(awk -v a="$LAT99_nginx" -v b="$LAT99_direct" 'BEGIN {printf "%.2f", a-b}') ms, portcullis $(awk -v a="$LAT99_portcullis" -v b="$LAT99_direct" 'BEGIN {printf "%.2f", a-b}') ms"
    echo
  } >> "$report"
fi

# --- phase 3: many streams held by one gateway process (heap capped at 512 MB) -----------------------
if [[ " $PHASES " == *" hold "* ]]; then
  if [[ " $PHASES " != *" sse "* ]]; then # the streaming path must be warm, as in the sse phase
    for w in $(seq 1 "${SSE_WARM_ROUNDS:-6}"); do
      sse_run "warm-hold-$w" "${URL[portcullis]}" "bench" 2000 2000 0
    done
  fi
  sse_run "hold-direct" "${URL[direct]}" "bench@tokens=60;rate=2;stamp=1" "$HOLD_STREAMS" 1000 0
  gc_from=$(wc -l < "$OUT/gc.log")
  sse_run "hold-portcullis" "${URL[portcullis]}" "sse-hold" "$HOLD_STREAMS" 1000 0 &
  loader=$!
  sleep 15 # all streams are open by now (ramp 1000/s) and each lasts 30 s
  open_conns=$(ss -Htn state established "( sport = :$GW_PORT )" | wc -l)
  rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$gw/status)
  wait $loader
  # young collections during the hold: count, longest pause, and the most heap left after one
  gc=$(tail -n +"$((gc_from + 1))" "$OUT/gc.log" | awk '/Pause/ { n++; split($(NF-1), h, "->"); sub(/\(.*/, "", h[2]); sub(/M/, "", h[2]); if (h[2]+0 > live) live = h[2]+0;
         ms = $NF; sub(/ms/, "", ms); if (ms+0 > worst) worst = ms+0 } END { printf "%d collections, longest pause %.1f ms, at most %d MB live after a collection", n, worst, live }')
  {
    echo "## $HOLD_STREAMS concurrent streams held by one Portcullis process (-Xmx512m), 60 tokens at 2 tokens/s each, opened at 1000/s"
    echo
    echo "Client connections open on the gateway 15 s in: $open_conns; process RSS then: $rss; GC during the hold: $gc."
    echo
    echo "| path | completed | errors | max concurrent | TTFT p50 ms | TTFT p99 ms | gap p50 ms | gap p99 ms | token latency p50 ms | p99 ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for t in direct portcullis; do
      row="| $t"
      for f in completed errors max_concurrent ttft_p50_ms ttft_p99_ms gap_p50_ms gap_p99_ms token_latency_p50_ms token_latency_p99_ms; do
        row="$row | $(json_field $f < "$OUT/sse-hold-$t.json")"
      done
      echo "$row |"
    done
    echo
    d=$(json_field token_latency_p99_ms < "$OUT/sse-hold-direct.json"); p=$(json_field token_latency_p99_ms < "$OUT/sse-hold-portcullis.json")
    d50=$(json_field token_latency_p50_ms < "$OUT/sse-hold-direct.json"); p50=$(json_field token_latency_p50_ms < "$OUT/sse-hold-portcullis.json")
    echo "Added per-token latency vs direct: p50 $(awk -v a="$p50" -v b="$d50" 'BEGIN {printf "%.2f", a-b}') ms, p99 $(awk -v a="$p" -v b="$d" 'BEGIN {printf "%.2f", a-b}') ms"
    echo
  } >> "$report"
fi

# --- phase 4: streaming with redaction on vs off (two gateways, same mock, same run) ---------------
if [[ " $PHASES " == *" scrub "* ]]; then
  MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c benchmarks/bench-scrub.yaml \
    > "$OUT/portcullis-scrub.log" 2>&1 & pids+=($!)
  wait_port 18082
  SCRUB_URL="http://127.0.0.1:18082"
  for w in 1 2; do
    sse_run "warm-off-$w" "${URL[portcullis]}" "sse" "$SSE_STREAMS" 500
    sse_run "warm-on-$w" "$SCRUB_URL" "sse" "$SSE_STREAMS" 500
  done
  for r in $(seq 1 "$ROUNDS"); do
    sse_run "scrub-off-$r" "${URL[portcullis]}" "sse" "$SSE_STREAMS" 500
    sse_run "scrub-on-$r" "$SCRUB_URL" "sse" "$SSE_STREAMS" 500
  done
  {
    echo "## Redaction on vs off: $SSE_STREAMS streams, 40 tokens at 10 tokens/s, median of $ROUNDS rounds"
    echo
    echo "| gateway | completed | errors | TTFT p50 ms | TTFT p99 ms | token latency p50 ms | p99 ms | p99.9 ms |"
    echo "|---|---|---|---|---|---|---|---|"
    for t in off on; do
      row="| scrub $t"
      for f in completed errors ttft_p50_ms ttft_p99_ms token_latency_p50_ms token_latency_p99_ms token_latency_p999_ms; do
        row="$row | $(cat "$OUT"/sse-scrub-$t-*.json | json_field $f | median)"
      done
      echo "$row |"
      eval "SLAT99_$t=$(cat "$OUT"/sse-scrub-$t-*.json | json_field token_latency_p99_ms | median)"
      eval "SLAT50_$t=$(cat "$OUT"/sse-scrub-$t-*.json | json_field token_latency_p50_ms | median)"
    done
    echo
    echo "Added by redaction: p50 $(awk -v a="$SLAT50_on" -v b="$SLAT50_off" 'BEGIN {printf "%.2f", a-b}') ms, p99 $(awk -v a="$SLAT99_on" -v b="$SLAT99_off" 'BEGIN {printf "%.2f", a-b}') ms (per event: each event against its own send stamp; text held back by a live partial match and released with a later event is not counted as delayed here)"
    echo
  } >> "$report"
fi

# --- phase 5: non-streaming throughput with API-key authentication on vs off (same run) -------------
if [[ " $PHASES " == *" auth "* ]]; then
  export BENCH_KEY_FILE="$OUT/bench-keys.yaml"
  cat > "$OUT/bench-auth-cli.yaml" <<CFG
auth: {enabled: true, api_keys: {file: "$BENCH_KEY_FILE"}, roles: [{name: bench, models: ["*"]}]}
providers: [{name: mock, base_url: "http://127.0.0.1:$MOCK_PORT/v1"}]
models: [{name: bench, targets: [{provider: mock}]}]
CFG
  KEY=$(java -jar "$JAR" keys -c "$OUT/bench-auth-cli.yaml" create --user bench --role bench 2>/dev/null)
  MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c benchmarks/bench-auth.yaml \
    > "$OUT/portcullis-auth.log" 2>&1 & pids+=($!)
  wait_port 18083
  sed -e "s|wrk.body|wrk.headers[\"Authorization\"] = \"Bearer $KEY\"\nwrk.body|" benchmarks/chat.lua > "$OUT/chat-auth.lua"
  wrk_on_off auth benchmarks/chat.lua "${URL[portcullis]}" "$OUT/chat-auth.lua" "http://127.0.0.1:18083"
  on_off_report auth auth "API-key authentication"
fi

# --- phase 7: non-streaming throughput with observability on (bench.yaml's defaults) vs off ----------
if [[ " $PHASES " == *" observe "* ]]; then
  MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c benchmarks/bench-observe-off.yaml \
    > "$OUT/portcullis-observe-off.log" 2>&1 & pids+=($!)
  wait_port 18085
  wrk_on_off observe benchmarks/chat.lua "http://127.0.0.1:18085" benchmarks/chat.lua "${URL[portcullis]}"
  on_off_report observe observability "Observability" "on: metrics, Vert.x and JVM metrics, the access log (a JSON line per request, to a file; $(grep -c '^{"ts"' "$OUT/portcullis.log" || true) lines written) and anomaly detection; off: all four off"
fi

# --- phase 8: non-streaming throughput with every guard on vs the guard stage off ----------------------
if [[ " $PHASES " == *" guards "* ]]; then
  for cfg in on:18086 off:18087; do
    MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c "benchmarks/bench-guards-${cfg%%:*}.yaml" \
      > "$OUT/portcullis-guards-${cfg%%:*}.log" 2>&1 & pids+=($!)
    wait_port "${cfg##*:}"
  done
  wrk_on_off guards benchmarks/chat.lua "http://127.0.0.1:18087" benchmarks/chat.lua "http://127.0.0.1:18086"
  on_off_report guards guards "Guards" "on: validation (unknown fields rejected, a forbidden parameter), injection screening (block), CORS; off: the guard stage off"
fi

# --- phase 9: non-streaming throughput over HTTPS vs plain HTTP ----------------------------------------
if [[ " $PHASES " == *" tls "* ]]; then
  export BENCH_TLS_P12="$OUT/bench-tls.p12"
  "$(dirname "$(readlink -f "$(command -v java)")")/keytool" -genkeypair -alias bench -keyalg EC -groupname secp256r1 -dname CN=localhost \
    -ext SAN=ip:127.0.0.1 -validity 2 -storetype PKCS12 -keystore "$BENCH_TLS_P12" -storepass bench-pass -keypass bench-pass >/dev/null 2>&1
  MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c benchmarks/bench-tls.yaml \
    > "$OUT/portcullis-tls.log" 2>&1 & pids+=($!)
  wait_port 18088
  wrk_on_off tls benchmarks/chat.lua "${URL[portcullis]}" benchmarks/chat.lua "https://127.0.0.1:18088"
  on_off_report tls TLS "HTTPS (on) vs plain HTTP (off)" "keep-alive connections: the cost of TLS records, not of handshakes"
fi

# --- phase 6: non-streaming throughput with the Redis limiter on vs off (same run) -------------------
if [[ " $PHASES " == *" limit "* ]]; then
  MOCK_PORT=$MOCK_PORT java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" run -c benchmarks/bench-limit.yaml \
    > "$OUT/portcullis-limit.log" 2>&1 & pids+=($!)
  wait_port 18084
  reset_redis_stats() { redis-cli -p $BENCH_REDIS_PORT CONFIG RESETSTAT >/dev/null; } # count the measured rounds only
  wrk_on_off limit benchmarks/chat.lua "${URL[portcullis]}" benchmarks/chat.lua "http://127.0.0.1:18084" reset_redis_stats
  redis-cli -p $BENCH_REDIS_PORT INFO commandstats > "$OUT/redis-commandstats.txt"
  {
    echo "## Redis limiter on vs off: wrk -t1 -c$CONNS -d$DURATION, non-streaming, median of $ROUNDS rounds"
    echo
    wrk_on_off_table limit limiter
    requests=$(cat "$OUT"/wrk-limit-on-*.txt | awk '/requests in/ {s+=$1} END {print s}')
    calls=$(awk -F'[=,]' '/^cmdstat_(evalsha|eval):/ {s+=$2} END {print s+0}' "$OUT/redis-commandstats.txt")
    decisions=$(awk -F'[=,]' '/^cmdstat_time:/ {s+=$2} END {print s+0}' "$OUT/redis-commandstats.txt") # one TIME per decision script
    usec=$(awk -F'[=,:]' '/^cmdstat_evalsha:/ {for (i=1;i<=NF;i++) if ($i=="usec_per_call") print $(i+1)}' "$OUT/redis-commandstats.txt")
    echo
    echo "Limiter on / off throughput: $(awk -v a="$RPS_on" -v b="$RPS_off" 'BEGIN {printf "%.2f", a/b}'); added p50 $(awk -v a="$P50_on" -v b="$P50_off" 'BEGIN {printf "%.2f", a-b}') ms, p99 $(awk -v a="$P99_on" -v b="$P99_off" 'BEGIN {printf "%.2f", a-b}') ms"
    echo "Redis decisions per request: $(awk -v c="$decisions" -v r="$requests" 'BEGIN {printf "%.3f", c/r}') ($decisions decision scripts for $requests requests; with settlements $calls script calls, $(awk -v c="$calls" -v r="$requests" 'BEGIN {printf "%.3f", c/r}') per request, the settlement off the request path); Redis CPU per script call: ${usec:-n/a} us (INFO commandstats usec_per_call of EVALSHA)"
    echo
  } >> "$report"
fi

cat "$report"
