#!/usr/bin/env bash
# Whole-program benchmark: `rampart analyze` on 1M-line logs, one core, with peak memory.
#
#   bench/run.sh [LINES] [CLIENTS]
#
# Generates bench/data/combined-<LINES>.log (nginx `combined`) and bench/data/otel-<LINES>.jsonl
# (OpenTelemetry JSON lines) with LINES lines from CLIENTS client addresses, then times
# `rampart analyze FILE --no-store --quiet --single-thread` pinned to CPU 0 (best of 3):
# discovery alone (`--no-detect`) on both files, then discovery with every detector; then the
# same with every detector on all cores (reading, discovery and detection on threads of their
# own); and GoAccess on the same combined log when it is installed. Writes only under
# bench/data/. Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES="${1:-1000000}"
CLIENTS="${2:-100000}"
DATA=bench/data
mkdir -p "$DATA"

command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

cargo build --release -q -p rampart -p rampart-sim --example bench_logs
BIN="${CARGO_TARGET_DIR:-target}/release/rampart"
GEN="${CARGO_TARGET_DIR:-target}/release/examples/bench_logs"

combined="$DATA/combined-$LINES.log"
otel="$DATA/otel-$LINES.jsonl"
[ -s "$combined" ] || "$GEN" combined "$LINES" "$CLIENTS" > "$combined"
[ -s "$otel" ] || "$GEN" otel "$LINES" "$CLIENTS" > "$otel"

# best_of CMD...: runs three times, prints "seconds max_rss_kb" of the fastest run.
best_of() {
  local best="" rss=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$DATA/.time" $PIN "$@" > /dev/null 2>&1 || true
    read -r secs kb < "$DATA/.time"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; rss=$kb; fi
  done
  echo "$best $rss"
}

row() {
  local name=$1 file=$2; shift 2
  read -r secs kb < <(best_of "$@")
  local size_mb
  size_mb=$(awk "BEGIN{printf \"%.0f\", $(stat -c %s "$file")/1048576}")
  awk -v n="$name" -v s="$secs" -v kb="$kb" -v l="$LINES" -v mb="$size_mb" \
    'BEGIN{printf "| %s | %d | %s MB | %.2f s | %.0f | %.1f MB |\n", n, l, mb, s, l/s, kb/1024}'
}

echo "| run | lines | input | wall time (best of 3) | lines/s | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|"
one="--no-store --quiet --single-thread"
row "rampart analyze --no-detect, nginx combined, one core" "$combined" "$BIN" analyze "$combined" $one --no-detect
row "rampart analyze --no-detect, OpenTelemetry JSON lines, one core" "$otel" "$BIN" analyze "$otel" $one --no-detect
row "rampart analyze (discovery + every detector), nginx combined, one core" "$combined" "$BIN" analyze "$combined" $one
row "rampart analyze (discovery + every detector), OpenTelemetry JSON lines, one core" "$otel" "$BIN" analyze "$otel" $one
pinned=$PIN
PIN=""
row "rampart analyze (discovery + every detector), nginx combined, $(nproc) cores" "$combined" "$BIN" analyze "$combined" --no-store --quiet
row "rampart analyze (discovery + every detector), OpenTelemetry JSON lines, $(nproc) cores" "$otel" "$BIN" analyze "$otel" --no-store --quiet
PIN=$pinned
if command -v goaccess >/dev/null; then
  row "goaccess 1.7 (peer), nginx combined" "$combined" goaccess "$combined" --log-format=COMBINED -o "$DATA/goaccess.json"
else
  echo "| goaccess (peer) | not installed: skipped | | | | |"
fi
rm -f "$DATA/.time"
