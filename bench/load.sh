#!/usr/bin/env bash
# bench/load.sh - idxd under load: requests/s and latency percentiles at
# several concurrencies (`idx bench`, closed loop over HTTP keep-alive), next to the
# in-process cost of the same queries without HTTP (bench/queryrun).
#
# usage: bench/load.sh [CORPUS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz (75,447 articles)
#   WORKDIR  default /tmp/idx-bench; the index is WORKDIR/all, built with
#            `idx add` unless it already holds every article of CORPUS
# Env: QUERIES (default ../shared/queries/zh_news.txt), SECS per run (10),
#      CONCURRENCY ("1 8 64"), THREADS (idxd workers, default: cores).
# Figures in bench/RESULTS.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
SECS=${SECS:-10}
CONCURRENCY=${CONCURRENCY:-"1 8 64"}
THREADS=${THREADS:-$(nproc)}
make -s build/idx build/idxd build/bench/queryrun
DB=$WORK/all
mkdir -p "$WORK"
. bench/common.sh
ensure_index "$CORPUS" "$DB"
echo "index $DB: $(build/idx stats --json --db "$DB" | jq -c '{documents, size_bytes}')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo
build/bench/queryrun -r 5 "$DB" "$QUERIES"
echo

out=$(mktemp)
trap 'kill ${IDXD_PID:-} 2>/dev/null; rm -f "$out"' EXIT
start_idxd "$out" "$DB" --threads "$THREADS"
url=$URL
echo "idxd $THREADS worker threads; idx bench in the same machine (it shares the cores), ${SECS}s per run after 1s warm-up"
printf '%-12s %10s %9s %9s %9s %9s %9s %8s %8s\n' concurrency requests req/s p50_ms p95_ms p99_ms max_ms errors non2xx
for c in $CONCURRENCY; do
    j=$(build/idx bench --url "$url" --connections "$c" --duration "$SECS" --warmup 1 --json "$QUERIES")
    printf '%-12s %10s %9.1f %9.2f %9.2f %9.2f %9.2f %8s %8s\n' "$c" \
        "$(jq -r .requests <<<"$j")" "$(jq -r .achieved_rps <<<"$j")" "$(jq -r .p50_ms <<<"$j")" \
        "$(jq -r "$BENCH_JQ p95_ms" <<<"$j")" "$(jq -r .p99_ms <<<"$j")" "$(jq -r .max_ms <<<"$j")" \
        "$(jq -r "$BENCH_JQ neterrors" <<<"$j")" "$(jq -r "$BENCH_JQ non2xx" <<<"$j")"
done
kill -TERM $IDXD_PID
wait $IDXD_PID
