#!/usr/bin/env bash
# bench/discover.sh - latency of GET /suggest and GET /docs/{id}/related on
# the 75k-article corpus, over HTTP with `idx bench` (closed loop).
#
# usage: bench/discover.sh [CORPUS] [WORKDIR]   (as bench/load.sh; same index)
# Env: QUERIES (default ../shared/queries/zh_news.txt), SECS per run (10),
#      CONCURRENCY ("1 8"), THREADS (idxd workers, default: cores).
# What is typed: every query of QUERIES cut after its 1st, 2nd, 3rd ... character,
# as a reader types it (南, 南通, 南通开, ...).  Related: 300 articles spread
# evenly over the corpus.  Figures in bench/RESULTS.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
SECS=${SECS:-10}
CONCURRENCY=${CONCURRENCY:-"1 8"}
THREADS=${THREADS:-$(nproc)}
make -s build/idx build/idxd
DB=$WORK/all
mkdir -p "$WORK"
. bench/common.sh
ensure_index "$CORPUS" "$DB"
echo "index $DB: $(build/idx stats --json --db "$DB" | jq -c '{documents, size_bytes}')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

typed=$(mktemp) ids=$(mktemp) out=$(mktemp)
grep -v '^#' "$QUERIES" | grep . |
    jq -R -r 'explode as $c | range(1; ($c | length) + 1) | $c[:.] | implode | select(endswith(" ") | not)' |
    awk '!seen[$0]++' > "$typed"
total=$(zcat -f "$CORPUS" | grep -c .)
zcat -f "$CORPUS" | awk -v step=$((total / 300)) 'NR % step == 0' | jq -r .id | head -n 300 > "$ids"
echo "typed prefixes: $(wc -l < "$typed") (from $(grep -v '^#' "$QUERIES" | grep -c .) queries); related: $(wc -l < "$ids") articles"

trap 'kill ${IDXD_PID:-} 2>/dev/null; rm -f "$out" "$typed" "$ids"' EXIT
start_idxd "$out" "$DB" --threads "$THREADS"
url=$URL
echo "idxd $THREADS worker threads; idx bench in the same machine, ${SECS}s per run after 2s warm-up"
printf '%-34s %5s %9s %9s %9s %9s %9s %9s %8s\n' route concurrency requests req/s p50_ms p95_ms p99_ms max_ms errors
run() { # label path file
    for c in $CONCURRENCY; do
        j=$(build/idx bench --url "$url" --connections "$c" --duration "$SECS" --warmup 2 --path "$2" --json "$3")
        printf '%-34s %5s %9s %9.1f %9.2f %9.2f %9.2f %9.2f %8s\n' "$1" "$c" \
            "$(jq -r .requests <<<"$j")" "$(jq -r .achieved_rps <<<"$j")" "$(jq -r .p50_ms <<<"$j")" \
            "$(jq -r "$BENCH_JQ p95_ms" <<<"$j")" "$(jq -r .p99_ms <<<"$j")" "$(jq -r .max_ms <<<"$j")" \
            "$(jq -r .errors <<<"$j")" # no answer or non-2xx
    done
}
run "GET /suggest?q=...&limit=8" '/suggest?q=%s&limit=8' "$typed"
run "GET /docs/{id}/related?limit=5" '/docs/%s/related?limit=5' "$ids"
run "GET /search?q=...&limit=10 (same queries)" '/search?q=%s&limit=10' "$QUERIES"
kill -TERM $IDXD_PID
wait $IDXD_PID
