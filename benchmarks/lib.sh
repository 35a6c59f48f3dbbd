# Shared by the benchmark scripts (sourced, from the repository root, with OUT set):
# installs, the build, process cleanup, port waiting, the cheap nginx upstream, medians.

# Installs the Debian packages that provide the given commands, when missing (command:package pairs).
need() {
  local missing=()
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
  [ -f target/portcullis.jar ] || mvn -B -q -DskipTests package
  ulimit -n "$(ulimit -Hn)" || true
}

# Everything a script starts goes into pids (and each nginx writes its pid file into $OUT); all of it
# is stopped on exit.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$OUT/nginx.pid" "$OUT/upstream.pid"; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

# An upstream that costs almost nothing: nginx answering every request with one fixed chat completion.
# One worker: it must cost the machine far less than the proxies in front of it.
start_cheap_upstream() { # PORT
  cat > "$OUT/upstream.conf" <<NGINX
worker_processes 1;
pid $OUT/upstream.pid;
error_log $OUT/upstream-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$1;
    location / {
      default_type application/json;
      return 200 '{"id":"c1","object":"chat.completion","created":0,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}';
    }
  }
}
NGINX
  nginx -c "$OUT/upstream.conf" -p "$OUT"
  wait_port "$1"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# One numeric field of a one-line JSON object on stdin.
json_field() { sed -e "s/.*\"$1\":\([^,}]*\).*/\1/"; }
