#!/usr/bin/env bash
# bench/latency.sh - what `idx bench` reports, and why an open loop: query
# latency of idxd on the 75k corpus (answer cache off, 2 threads), measured
# closed-loop (8 connections, as far as the server goes) and open-loop at
# fixed rates below and above what it sustains, with the latency of each
# request counted from its intended send time.  Then the same runs with idxd
# stopped (SIGSTOP) for 1 s in the middle: the open loop's p99 shows the
# stall, the closed loop's hides it (coordinated omission).
#
# usage: bench/latency.sh [CORPUS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz
#   WORKDIR  default /tmp/idx-bench-latency (the database, built when missing)
# Writes WORKDIR/*.json (idx bench --json) and WORKDIR/latency.svg (every run
# on one chart, idx bench --plot), and prints one table.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench-latency}
QUERIES=../shared/queries/zh_news.txt
SECS=${SECS:-10}
make -s build/idx build/idxd
mkdir -p "$WORK"
DB=$WORK/db
ensure_index "$CORPUS" "$DB"
start_idxd "$WORK/idxd.out" "$DB" --cache 0 --threads 2 || { cat "$WORK/idxd.out"; exit 1; }
trap 'kill "$IDXD_PID" 2> /dev/null || true' EXIT
run() { # NAME STALL(0|1) idx-bench-options...
    local name=$1 stall=$2
    shift 2
    build/idx bench --url "$URL" --duration "$SECS" --json "$@" "$QUERIES" > "$WORK/$name.json" &
    local b=$!
    if [ "$stall" = 1 ]; then
        sleep "$(echo "$SECS / 2" | bc -l)"
        kill -STOP "$IDXD_PID"
        sleep 1
        kill -CONT "$IDXD_PID"
    fi
    wait "$b"
}
build/idx bench --url "$URL" --duration 2 --connections 8 "$QUERIES" > /dev/null # warm the page cache
run closed-c8 0 --connections 8
CAP=$(jq -r '.achieved_rps | floor' "$WORK/closed-c8.json")
run open-50pct 0 --rate $((CAP / 2))
run open-90pct 0 --rate $((CAP * 9 / 10))
run open-120pct 0 --rate $((CAP * 12 / 10))
run closed-c8-stall 1 --connections 8
run open-50pct-stall 1 --rate $((CAP / 2))
printf '%-22s %9s %9s %8s %8s %8s %9s %7s\n' run rate req/s p50_ms p90_ms p99_ms max_ms errors
for n in closed-c8 open-50pct open-90pct open-120pct closed-c8-stall open-50pct-stall; do
    jq -r --arg n "$n" '[$n, .rate, .achieved_rps, .p50_ms, .p90_ms, .p99_ms, .max_ms, .errors] | @tsv' \
        "$WORK/$n.json" | awk -F'\t' '{ printf "%-22s %9.0f %9.0f %8.2f %8.2f %8.2f %9.2f %7d\n",
        $1, $2, $3, $4, $5, $6, $7, $8 }'
done
build/idx bench --plot "$WORK/latency.svg" "$WORK"/closed-c8.json "$WORK"/open-*.json "$WORK"/closed-c8-stall.json
echo "chart: $WORK/latency.svg"
