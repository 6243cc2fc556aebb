#!/usr/bin/env bash
# bench/hostile.sh - idxd against expensive queries (issue 16): the worst
# query's time under --budget, the answer cache's bound under a flood of
# distinct large answers, and starvation: a cheap query's latency while 4
# keep-alive clients loop on the worst query.
#
# usage: bench/hostile.sh [CORPUS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz (75,447 articles)
#   WORKDIR  default /tmp/idx-bench; the index is WORKDIR/all (built when missing)
# Env: SECS (starvation run, default 10), THREADS (idxd workers, default 2),
#      BUDGET (--budget ms, default 250), FLOOD (distinct requests, default 2100).
# The worst query: the 128 commonest three-character CJK runs of the first
# 5,000 bodies, OR'd (each a phrase of two common bigrams).  The figures in
# tests/RELIABILITY.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench}
SECS=${SECS:-10}
THREADS=${THREADS:-2}
BUDGET=${BUDGET:-250}
FLOOD=${FLOOD:-2100}
make -s build/idx build/idxd
DB=$WORK/all
mkdir -p "$WORK"
. bench/common.sh
ensure_index "$CORPUS" "$DB"
tmp=$(mktemp -d)
trap 'kill ${IDXD_PID:-} ${HEAVY:-} 2>/dev/null; rm -rf "$tmp"' EXIT
set +o pipefail # head ends the pipes early
zcat -f "$CORPUS" | head -n 5000 | jq -r '.body | scan("\\p{Han}{3}")' | sort | uniq -c |
    sort -rn | head -n 128 | awk '{ print $2 }' | paste -sd' ' | sed 's/ / OR /g' > "$tmp/worst.q"
set -o pipefail
echo "index $DB: $(build/idx stats --json --db "$DB" | jq -c '{documents}'); idxd --threads $THREADS"
echo "worst query: $(cut -c1-60 "$tmp/worst.q") ... (128 phrases)"

# 1. the worst query, unbounded and under the budget (the cache defeated by _=N)
worst() { # URL PARAMS N
    curl -s -G "$1/search?$2" --data-urlencode "q@$tmp/worst.q" --data-urlencode "_=$3" |
        jq -r '[.took_ms, .total, .total_exact, (.timed_out // false), (.hits | length)] | @tsv'
}
start_idxd "$tmp/a.out" "$DB" --threads "$THREADS" --budget 0
printf '%-34s %10s %8s %6s %9s %5s\n' request took_ms total exact timed_out hits
for p in "limit=10" "offset=9900&limit=100" "limit=10&sort=date"; do
    printf '%-34s %10s %8s %6s %9s %5s\n' "unbounded $p" $(worst "$URL" "$p" 1)
done
kill "$IDXD_PID"; wait "$IDXD_PID" 2>/dev/null || true
start_idxd "$tmp/b.out" "$DB" --threads "$THREADS" --budget "$BUDGET" --cache 0
for i in 1 2 3; do
    for p in "limit=10" "offset=9900&limit=100" "limit=100&snippet_len=1000&explain=1" "limit=10&sort=date"; do
        printf '%-34s %10s %8s %6s %9s %5s\n' "budget $BUDGET, $p" $(worst "$URL" "$p" "$i")
    done
done

# 2. starvation: 4 clients loop on the worst query, 1 sends cheap ones (cache off)
printf '%s\n' 南通 开发区 经济 疫情 扶贫 高铁 航天 脱贫 > "$tmp/cheap.q"
build/idx bench --url "$URL" --connections 1 --duration 3 --path "/search?q=%s&limit=10" --json "$tmp/cheap.q" > "$tmp/alone.json"
build/idx bench --url "$URL" --connections 4 --duration $((SECS + 2)) --path "/search?q=%s&offset=9900&limit=100" --json \
    "$tmp/worst.q" > "$tmp/heavy.json" &
HEAVY=$!
sleep 1
build/idx bench --url "$URL" --connections 1 --duration "$SECS" --path "/search?q=%s&limit=10" --json "$tmp/cheap.q" > "$tmp/cheap.json"
wait "$HEAVY"
HEAVY=
echo
printf '%-44s %9s %9s %9s %9s %9s\n' "cheap queries (cache off)" requests p50_ms p90_ms p99_ms max_ms
for f in alone cheap; do
    printf '%-44s %9s %9.3f %9.3f %9.3f %9.3f\n' \
        "$([ $f = alone ] && echo alone || echo 'while 4 clients loop on the worst query')" \
        $(jq -r '[.requests, .p50_ms, .p90_ms, .p99_ms, .max_ms] | @tsv' "$tmp/$f.json")
done
printf '%-44s %9s %9.3f %9.3f %9.3f %9.3f\n' "the 4 worst-query clients" \
    $(jq -r '[.requests, .p50_ms, .p90_ms, .p99_ms, .max_ms] | @tsv' "$tmp/heavy.json")
echo "searches cut short: $(curl -s "$URL/metrics" | awk '/^idxd_search_timeouts_total/ { print $2 }')"
kill "$IDXD_PID"; wait "$IDXD_PID" 2>/dev/null || true

# 3. the answer cache under a flood of distinct large answers
start_idxd "$tmp/c.out" "$DB" --threads "$THREADS" --budget "$BUDGET"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$IDXD_PID/status"; }
r0=$(rss)
for i in $(seq "$FLOOD"); do
    echo "url = \"$URL/search?q=%E7%9A%84&limit=100&snippet_len=1000&explain=1&_=$i\""
    echo "output = /dev/null"
done > "$tmp/flood.curl"
curl -s -K "$tmp/flood.curl"
r1=$(rss)
echo
echo "cache flood: $FLOOD distinct q=的&limit=100&snippet_len=1000&explain=1 answers:" \
    "RSS $((r0 / 1024)) -> $((r1 / 1024)) MB;" \
    "$(curl -s "$URL/stats" | jq -r '"cache \(.cache.bytes) bytes of \(.cache.max_bytes) (this worker: \(.cache.entries) entries)"')"
