#!/usr/bin/env bash
# Proxy overhead: requests/s and latency of a fast upstream reached directly, through nginx
# `proxy_pass`, and through `rampart proxy` with every detector on — side by side in one run.
#
#   bench/proxy.sh [SECONDS] [CONNECTIONS] [ROUNDS]
#
# The upstream is an nginx that answers a small JSON document to every request. The proxy under
# test (nginx, one worker; or Rampart) is pinned to CPU 0; the load generator (wrk, one thread)
# and the upstream share CPU 1, so both proxies get the same core. wrk walks 1,000 object ids on
# one endpoint (`/api/v1/users/<n>`) over keep-alive connections. Rampart runs with its default
# detectors, a policy whose rules only monitor (so the load generator's single address is never
# blocked and every request goes upstream), and its access log off; its inventory and alerts are
# built as in production, and its inspection thread is scheduled as by default (`inspect_nice:
# idle`: spare CPU only), so the last lines say how many requests the engine saw. A second Rampart with detection off and no policy shows what the
# proxying and discovery cost alone; Rampart's data plane with no hooks (the `rampart-proxy`
# example: routing, limits, forwarding, recording, no engine) and a bare keep-alive proxy on
# hyper alone (the `bare_hyper` example) show what is Rampart's and what is hyper's and tokio's.
# Every target is run once per round, ROUNDS rounds (3 unless given), and its best requests/s is
# kept: on a shared machine more rounds make the best less a matter of luck.
#
# Needs nginx and wrk (Debian: `apt-get install nginx-light wrk`; installed when missing and
# running as root). Binds 127.0.0.1 only. Writes only under bench/data/proxy/. Prints a markdown
# table.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${1:-10}"
CONNS="${2:-64}"
ROUNDS="${3:-3}"
DIR="$PWD/bench/data/proxy"
mkdir -p "$DIR"

need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq nginx-light wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null; }
  fi
  command -v "$1" >/dev/null || { echo "needs $1 (apt-get install nginx-light wrk)" >&2; exit 1; }
}
need nginx
need wrk
NGINX=$(command -v nginx)

# free_port: an unused TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port)
NGX=$(free_port)
RMP=$(free_port)
API=$(free_port)
PLAIN=$(free_port)
PLAIN_API=$(free_port)
NOHOOK=$(free_port)
BARE=$(free_port)

cargo build --release -q -p rampart
cargo build --release -q -p rampart-proxy --example proxy --example bare_hyper
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/rampart"
EXAMPLES="${CARGO_TARGET_DIR:-$PWD/target}/release/examples"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# nginx_conf NAME WORKER_CPU BODY: writes $DIR/NAME.conf for a one-worker nginx in the foreground.
nginx_conf() {
  local name=$1 body=$2
  mkdir -p "$DIR/$name"
  cat > "$DIR/$name.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $DIR/$name/nginx.pid;
error_log $DIR/$name/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/$name/body;
  proxy_temp_path $DIR/$name/proxy;
  fastcgi_temp_path $DIR/$name/fastcgi;
  uwsgi_temp_path $DIR/$name/uwsgi;
  scgi_temp_path $DIR/$name/scgi;
  keepalive_requests 1000000;
  $body
}
EOF
}

nginx_conf upstream "server { listen 127.0.0.1:$UP; default_type application/json;
    location / { return 200 '{\"id\":1,\"name\":\"Ada\",\"email\":\"ada@example.com\",\"plan\":\"pro\"}'; } }"
nginx_conf nginx "upstream up { server 127.0.0.1:$UP; keepalive 64; }
  server { listen 127.0.0.1:$NGX;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } }"

cat > "$DIR/policy.yaml" <<'EOF'
# Every rule monitors: the benchmark measures the full path without blocking its one client.
rules:
  - name: watch-everything-flagged
    when: { detector: [enumeration, volumetric, timing, scraping, direct_to_api, agent] }
    action: monitor
  - name: watch-users
    when: { endpoint: "GET /api/v1/users/{id}" }
    action: monitor
EOF
cat > "$DIR/rampart.yaml" <<EOF
policy: policy.yaml
db: rampart.db
api:
  listen: 127.0.0.1:$API
proxy:
  listen:
    - addr: 127.0.0.1:$RMP
  routes:
    - { path_prefix: /, upstream: api }
  upstreams:
    api: { servers: ["127.0.0.1:$UP"], max_idle_per_server: 64 }
EOF
# The same proxy without detection and without a policy: what the proxying and discovery cost
# alone, so the difference to the row above is what detection and the verdict cost.
mkdir -p "$DIR/plain"
cat > "$DIR/plain/rampart.yaml" <<EOF
db: rampart.db
detect: { enabled: false }
api:
  listen: 127.0.0.1:$PLAIN_API
proxy:
  listen:
    - addr: 127.0.0.1:$PLAIN
  routes:
    - { path_prefix: /, upstream: api }
  upstreams:
    api: { servers: ["127.0.0.1:$UP"], max_idle_per_server: 64 }
EOF
# The data plane alone: the proxy library with no hooks.
cat > "$DIR/nohook.yaml" <<EOF
listen:
  - addr: 127.0.0.1:$NOHOOK
routes:
  - { path_prefix: /, upstream: api }
upstreams:
  api: { servers: ["127.0.0.1:$UP"], max_idle_per_server: 64 }
EOF
rm -f "$DIR"/rampart.db* "$DIR"/plain/rampart.db*

cat > "$DIR/ids.lua" <<'EOF'
-- One endpoint, 1,000 object ids, a browser-like user agent.
local n = 0
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
wrk.headers["Accept"] = "application/json"
request = function()
  n = (n + 1) % 1000
  return wrk.format("GET", "/api/v1/users/" .. n)
end
EOF

taskset -c 1 "$NGINX" -c "$DIR/upstream.conf" -p "$DIR/upstream" & pids+=($!)
taskset -c 0 "$NGINX" -c "$DIR/nginx.conf" -p "$DIR/nginx" & pids+=($!)
taskset -c 0 "$BIN" proxy --config "$DIR/rampart.yaml" > "$DIR/rampart.log" 2>&1 & pids+=($!)
RAMPART_PID=$!
taskset -c 0 "$BIN" proxy --config "$DIR/plain/rampart.yaml" > "$DIR/plain/rampart.log" 2>&1 & pids+=($!)
taskset -c 0 "$EXAMPLES/proxy" "$DIR/nohook.yaml" > "$DIR/nohook.log" 2>&1 & pids+=($!)
taskset -c 0 "$EXAMPLES/bare_hyper" "127.0.0.1:$BARE" "127.0.0.1:$UP" > "$DIR/bare.log" 2>&1 & pids+=($!)

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  cat "$DIR/rampart.log" >&2
  exit 1
}
wait_port "$UP"; wait_port "$NGX"; wait_port "$RMP"; wait_port "$PLAIN"; wait_port "$NOHOOK"; wait_port "$BARE"

# once PORT: one wrk run → "req_per_s p50_ms p99_ms non2xx".
once() {
  local out rps p50 p99 bad
  out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$DIR/ids.lua" "http://127.0.0.1:$1/" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0}"
}

# to_ms VALUE: wrk's latency ("850.00us", "1.20ms", "2.00s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN{
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v/1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v*1000 }
    else printf "%s", v }'
}

# Warm up: connections, the inventory's first sight of the endpoint, the page cache.
taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$DIR/ids.lua" "http://127.0.0.1:$RMP/" >/dev/null 2>&1
taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$DIR/ids.lua" "http://127.0.0.1:$NGX/" >/dev/null 2>&1
taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$DIR/ids.lua" "http://127.0.0.1:$PLAIN/" >/dev/null 2>&1
taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$DIR/ids.lua" "http://127.0.0.1:$NOHOOK/" >/dev/null 2>&1
taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s "$DIR/ids.lua" "http://127.0.0.1:$BARE/" >/dev/null 2>&1

# Rounds, each running every target once in turn, so that a slow minute of a shared
# machine falls on all of them alike; each target's best round is kept.
declare -A best
for _ in $(seq 1 "$ROUNDS"); do
  for port in "$UP" "$NGX" "$RMP" "$PLAIN" "$NOHOOK" "$BARE"; do
    line=$(once "$port")
    if [ -z "${best[$port]:-}" ] || awk -v a="${line%% *}" -v b="${best[$port]%% *}" 'BEGIN{exit !(a > b)}'; then
      best[$port]=$line
    fi
  done
done
read -r d_rps d_p50 d_p99 d_bad <<<"${best[$UP]}"
read -r n_rps n_p50 n_p99 n_bad <<<"${best[$NGX]}"
read -r r_rps r_p50 r_p99 r_bad <<<"${best[$RMP]}"
read -r p_rps p_p50 p_p99 p_bad <<<"${best[$PLAIN]}"
read -r h_rps h_p50 h_p99 h_bad <<<"${best[$NOHOOK]}"
read -r b_rps b_p50 b_p99 b_bad <<<"${best[$BARE]}"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$RAMPART_PID/status" 2>/dev/null || echo 0)

echo "| target | requests/s | p50 | p99 | non-2xx | vs nginx |"
echo "|---|---:|---:|---:|---:|---:|"
printf '| upstream directly | %.0f | %.3f ms | %.3f ms | %s | |\n' "$d_rps" "$d_p50" "$d_p99" "$d_bad"
printf '| nginx proxy_pass (1 worker) | %.0f | %.3f ms | %.3f ms | %s | 100 %% |\n' "$n_rps" "$n_p50" "$n_p99" "$n_bad"
awk -v r="$r_rps" -v n="$n_rps" -v p50="$r_p50" -v p99="$r_p99" -v np99="$n_p99" -v bad="$r_bad" \
  'BEGIN{printf "| rampart proxy, every detector on | %.0f | %.3f ms | %.3f ms (%+.3f ms) | %s | %.0f %% |\n", r, p50, p99, p99-np99, bad, 100*r/n}'
awk -v r="$p_rps" -v n="$n_rps" -v p50="$p_p50" -v p99="$p_p99" -v np99="$n_p99" -v bad="$p_bad" \
  'BEGIN{printf "| rampart proxy, detection off, no policy | %.0f | %.3f ms | %.3f ms (%+.3f ms) | %s | %.0f %% |\n", r, p50, p99, p99-np99, bad, 100*r/n}'
awk -v r="$h_rps" -v n="$n_rps" -v p50="$h_p50" -v p99="$h_p99" -v np99="$n_p99" -v bad="$h_bad" \
  'BEGIN{printf "| reference: the data plane alone (rampart-proxy, no hooks, no engine) | %.0f | %.3f ms | %.3f ms (%+.3f ms) | %s | %.0f %% |\n", r, p50, p99, p99-np99, bad, 100*r/n}'
awk -v r="$b_rps" -v n="$n_rps" -v p50="$b_p50" -v p99="$b_p99" -v np99="$n_p99" -v bad="$b_bad" \
  'BEGIN{printf "| reference: bare hyper proxy (no Rampart) | %.0f | %.3f ms | %.3f ms (%+.3f ms) | %s | %.0f %% |\n", r, p50, p99, p99-np99, bad, 100*r/n}'
echo
echo "$CONNS connections, ${SECS} s per run, best of $ROUNDS interleaved rounds; proxies pinned to CPU 0, wrk and the upstream to CPU 1."
echo "rampart peak RSS: $((rss_kb / 1024)) MB; $(nproc) CPUs: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')"
# inspected PORT DIR: "observed of requests (share)" from a Rampart's metrics, over every run.
inspected() {
  local m
  m=$(curl -s -H "Authorization: Bearer $(cat "$2/api-token" 2>/dev/null)" "http://127.0.0.1:$1/metrics" 2>/dev/null || true)
  awk '/^rampart_requests_total/ {r=$2} /^rampart_engine_observed_total/ {o=$2} /^rampart_engine_dropped_total/ {d=$2}
    END { if (r > 0) printf "%d of %d requests inspected (%.1f %%), %d dropped from inspection", o, r, 100*o/r, d }' <<<"$m"
}
echo "every detector on: $(inspected "$API" "$DIR")"
echo "detection off: $(inspected "$PLAIN_API" "$DIR/plain")"
exit 0
