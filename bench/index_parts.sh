#!/usr/bin/env bash
# bench/index_parts.sh - where the index's bytes and build time go (issue 18):
# the same corpus built with each optional part of the document switched off
# in turn, one variant after the other in one run, each a compact `--jobs`
# build, with the size of every Xapian table.
#   default         every CJK character as a unigram, near-duplicate clusters
#   edges           --cjk-unigrams edges (unigrams only at run edges)
#   no-cluster      --no-cluster (no signature value, band and cluster terms)
#   edges+no-cluster
# The differences between rows are what a part costs.  What the options cannot
# switch off (positions, the title copies) the issue's probe measured.
# usage: bench/index_parts.sh [CORPUS] [WORKDIR]   (Env: JOBS, default cores)
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench/parts}
JOBS=${JOBS:-$(nproc)}
make -s build/idx
mkdir -p "$WORK"
echo "corpus: $CORPUS ($(zcat -f "$CORPUS" | grep -c .) lines), idx add --jobs $JOBS, $(nproc) cores"
echo
printf '| variant | build s | total MiB | position | postlist | termlist | docdata |\n'
printf '|---|---|---|---|---|---|---|\n'
mib() { du -sk "$1" 2> /dev/null | awk '{printf "%.1f", $1 / 1024}'; }
run() { # name, idx add options...
    local name=$1 db=$WORK/$1
    shift
    rm -rf "$db"
    local t0 t1
    t0=$(date +%s.%N)
    build/idx add -q --jobs "$JOBS" "$@" --db "$db" "$CORPUS" > /dev/null
    t1=$(date +%s.%N)
    printf '| %s | %.1f | %s | %s | %s | %s | %s |\n' "$name" "$(echo "$t1 - $t0" | bc)" \
        "$(mib "$db")" "$(mib "$db/position.glass")" "$(mib "$db/postlist.glass")" \
        "$(mib "$db/termlist.glass")" "$(mib "$db/docdata.glass")"
    rm -rf "$db"
}
run default
run edges --cjk-unigrams edges
run no-cluster --no-cluster
run edges+no-cluster --cjk-unigrams edges --no-cluster
