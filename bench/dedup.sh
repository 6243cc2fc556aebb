#!/usr/bin/env bash
# bench/dedup.sh - what near-duplicate clustering costs and finds on the 75k
# 新闻联播 corpus: two indexes built side by side in one run (one with
# clustering, one with `idx add --no-cluster`; one core each), their ingest
# time and size, the clusters found in the real corpus, and /search latency
# with reprints collapsed (the default) and shown (dedup=0).
#
# usage: bench/dedup.sh [CORPUS] [WORKDIR]   (Env: SECS per load run, 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench/dedup}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
SECS=${SECS:-10}
make -s build/idx build/idxd
rm -rf "$WORK/on" "$WORK/off"
mkdir -p "$WORK"
timed() { # LOG cmd...: wall seconds of cmd into LOG
    local t0 t1
    t0=$(date +%s.%N)
    "${@:2}" > /dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc > "$1"
}
timed "$WORK/on.secs" build/idx add -q --db "$WORK/on" "$CORPUS" &
p1=$!
timed "$WORK/off.secs" build/idx add -q --no-cluster --db "$WORK/off" "$CORPUS" &
p2=$!
wait $p1 $p2
on=$(cat "$WORK/on.secs") off=$(cat "$WORK/off.secs")
kb_on=$(du -sk "$WORK/on" | cut -f1) kb_off=$(du -sk "$WORK/off" | cut -f1)
echo "machine: $(nproc) cores; both builds ran at once, one core each"
printf '| build | wall s | index MiB |\n|---|---|---|\n'
printf '| with clustering (default) | %.1f | %.0f |\n' "$on" "$(echo "$kb_on / 1024" | bc -l)"
printf '| `--no-cluster` | %.1f | %.0f |\n' "$off" "$(echo "$kb_off / 1024" | bc -l)"
printf '| ratio | %.3f | %.3f |\n' "$(echo "$on / $off" | bc -l)" "$(echo "$kb_on / $kb_off" | bc -l)"
echo
# clusters: slot 4 holds each clustered article's cluster key
xapian-delve -V4 "$WORK/on" | tr ' ' '\n' | sed -n 's/^[0-9]*://p' | sort | uniq -c |
    awk '{n++; docs += $1; if ($1 > 1) {c++; in_c += $1; if ($1 > max) max = $1}}
         END {printf "clustered articles %d; clusters of 2 or more: %d, holding %d articles (largest %d)\n", docs, c, in_c, max}'
echo
out=$(mktemp)
trap 'kill ${IDXD_PID:-} 2>/dev/null; rm -f "$out"' EXIT
start_idxd "$out" "$WORK/on" --threads 1
url=$URL
echo "idxd 1 worker thread, concurrency 1, ${SECS}s per run after 1s warm-up, the ${QUERIES##*/} queries"
printf '| /search on the clustered index | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|\n'
for path in '/search?q=%s&limit=10' '/search?q=%s&limit=10&dedup=0'; do
    j=$(build/idx bench --url "$url" --connections 1 --duration "$SECS" --warmup 1 --path "$path" --json "$QUERIES")
    printf '| `%s` | %.0f | %.2f | %.2f | %s |\n' "$path" "$(jq .achieved_rps <<< "$j")" "$(jq .p50_ms <<< "$j")" \
        "$(jq .p99_ms <<< "$j")" "$(jq "$BENCH_JQ neterrors" <<< "$j")"
done
