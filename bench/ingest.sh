#!/usr/bin/env bash
# bench/ingest.sh - ingest throughput, index size and peak memory of `idx add`,
# for both CJK unigram modes, plus the latency of one-character queries.
#
# usage: bench/ingest.sh [CORPUS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz (75,447 articles)
#   WORKDIR  default /tmp/idx-bench (databases are written there, ~2.5 GB)
# Prints one table; figures in bench/RESULTS.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench}
CHARS=${CHARS:-"的 国 区 疆 劲 鲸"}
make -s build/idx build/bench/charquery
mkdir -p "$WORK"
printf '%-6s %9s %9s %12s %12s %14s %10s\n' mode articles seconds articles/s size_MiB compacted_MiB peak_MiB
for mode in all edges; do
    db=$WORK/$mode
    rm -rf "$db" "$db.compact"
    /usr/bin/time -f '%e %M' -o "$WORK/time.$mode" build/idx add -q --cjk-unigrams "$mode" --db "$db" "$CORPUS" > "$WORK/add.$mode"
    read -r secs peak_kb < "$WORK/time.$mode"
    n=$(build/idx stats --json --db "$db" | jq -r .documents)
    size=$(du -sb "$db" | cut -f1)
    xapian-compact "$db" "$db.compact" > /dev/null
    csize=$(du -sb "$db.compact" | cut -f1)
    printf '%-6s %9d %9.1f %12.0f %12.1f %14.1f %10.1f\n' "$mode" "$n" "$secs" \
        "$(echo "$n / $secs" | bc -l)" "$(echo "$size / 1048576" | bc -l)" \
        "$(echo "$csize / 1048576" | bc -l)" "$(echo "$peak_kb / 1024" | bc -l)"
done
echo
echo "one-character queries (exact count, 20 runs each, on the compacted databases):"
for mode in all edges; do
    # shellcheck disable=SC2086
    build/bench/charquery "$WORK/$mode.compact" $CHARS
done
