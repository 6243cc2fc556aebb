#!/usr/bin/env bash
# bench/scale.sh - how cost grows with collection size: the 2,004,979 People's
# Daily headlines (1946-2022) next to the 75,447 新闻联播 articles, each built
# with default `idx add` in the same run.  Per corpus: ingest wall time and
# rate, peak RSS of idx add, index size (as built and after idx compact), and
# search latency p50/p99 in-process (bench/queryrun, no HTTP) and through
# idxd at concurrency 1 with the answer cache off, for the 40 public queries.
#
# usage: bench/scale.sh [WORKDIR]   (Env: SECS per load run, 10; CORPORA, the
#        files to compare, default the two above; JOBS: build each with
#        idx add --jobs JOBS instead of idx add's default, which builds a new
#        database from files with one job per core; JOBS=1: one process)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
WORK=${1:-/tmp/idx-bench/scale}
SECS=${SECS:-10}
JOBS=${JOBS:-}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
make -s build/idx build/idxd build/bench/queryrun
mkdir -p "$WORK"
echo "idx add ${JOBS:+--jobs $JOBS}"
printf '| corpus | articles | ingest s | articles/s | idx add peak RSS MiB | index MiB | after compact MiB | in-process p50 / p99 ms | idxd p50 / p99 ms |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
CORPORA=${CORPORA:-"../shared/corpus/zh_cctv_xwlb.jsonl.gz ../shared/corpus/zh_peoples_daily_titles.jsonl.zst"}
for corpus in $CORPORA; do
    name=$(basename "$corpus" | cut -d. -f1)
    db=$WORK/$name
    rm -rf "$db" "$db.compact"
    /usr/bin/time -f '%e %M' -o "$WORK/$name.time" build/idx add -q ${JOBS:+--jobs "$JOBS"} --db "$db" "$corpus" > /dev/null
    read -r secs peak_kb < "$WORK/$name.time"
    n=$(build/idx stats --json --db "$db" | jq -r .documents)
    size=$(du -sk "$db" | cut -f1)
    build/idx compact --db "$db" "$db.compact" > /dev/null
    csize=$(du -sk "$db.compact" | cut -f1)
    q=$(build/bench/queryrun -r 5 "$db" "$QUERIES" | awk '/^with snippets/ {print $4 " / " $6}')
    start_idxd "$WORK/idxd.out" "$db" --cache 0
    j=$(build/idx bench --url "$URL" --connections 1 --duration "$SECS" --warmup 1 --json "$QUERIES")
    kill "$IDXD_PID"
    wait "$IDXD_PID" 2> /dev/null || true
    printf '| %s | %d | %.1f | %.0f | %.0f | %.0f | %.0f | %s | %.2f / %.2f |\n' "$name" "$n" "$secs" \
        "$(echo "$n / $secs" | bc -l)" "$(echo "$peak_kb / 1024" | bc -l)" "$(echo "$size / 1024" | bc -l)" \
        "$(echo "$csize / 1024" | bc -l)" "$q" "$(jq .p50_ms <<< "$j")" "$(jq .p99_ms <<< "$j")"
done
