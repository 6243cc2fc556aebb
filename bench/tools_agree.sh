#!/usr/bin/env bash
# bench/tools_agree.sh - the old load generator (tests/tools/loadgen) and
# `idx bench` closed loop on the same idxd, the same queries, the same
# connections, one after the other and again (A B A B): the figures in
# bench/RESULTS.md measured with loadgen before the bench scripts moved to
# idx bench compare with later ones only if both measure alike.
#
# usage: bench/tools_agree.sh [CORPUS] [SECS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz (indexed once into
#            BASE, default /tmp/idx-bench/base-xwlb, read only here)
#   SECS     seconds per run (default 15)
#   WORKDIR  default /tmp/idx-bench/agree
# Each run: 8 keep-alive connections, 1 s warm-up, ../shared/queries/
# zh_news.txt in turn, idxd with 2 threads and its answer cache off.  Both
# tools share the machine's cores with idxd (2 here): read cells as +-25 %.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
SECS=${2:-15}
WORK=${3:-/tmp/idx-bench/agree}
QUERIES=../shared/queries/zh_news.txt
make -s build/idx build/idxd build/tests/tools/loadgen
mkdir -p "$WORK"
BASE=${BASE:-/tmp/idx-bench/base-xwlb}
ensure_index "$CORPUS" "$BASE"
start_idxd "$WORK/idxd.out" "$BASE" --threads 2 --cache 0 || { cat "$WORK/idxd.out"; exit 1; }
trap 'kill "$IDXD_PID" 2> /dev/null' EXIT
echo "idxd --threads 2 --cache 0; 8 connections, ${SECS}s per run after 1 s warm-up; $(nproc) cores shared"
printf '%-34s %9s %8s %8s %8s %8s\n' tool req/s p50_ms p90_ms p99_ms errors
for round in 1 2; do
    build/tests/tools/loadgen --json -u "$URL" -c 8 -t "$SECS" -w 1 "$QUERIES" > "$WORK/loadgen.json"
    jq -r --arg r "$round" '["loadgen -c 8 (run \($r))", (.rps | round), .p50_ms, .p90_ms, .p99_ms, (.errors + .non2xx)] | @tsv' \
        "$WORK/loadgen.json" | awk -F'\t' '{ printf "%-34s %9s %8.2f %8.2f %8.2f %8s\n", $1, $2, $3, $4, $5, $6 }'
    build/idx bench --url "$URL" --connections 8 --duration "$SECS" --warmup 1 --json "$QUERIES" > "$WORK/bench.json"
    jq -r --arg r "$round" '["idx bench --connections 8 (run \($r))", (.achieved_rps | round), .p50_ms, .p90_ms, .p99_ms, .errors] | @tsv' \
        "$WORK/bench.json" | awk -F'\t' '{ printf "%-34s %9s %8.2f %8.2f %8.2f %8s\n", $1, $2, $3, $4, $5, $6 }'
done
