#!/usr/bin/env bash
# bench/index_parts.sh - the index representations side by side (issue 18):
# the same corpus built in each variant, one after the other in one run, each
# by `idx add` as it builds a new database by default (one job per core,
# parts merged by the compactor), with
#   - the build's wall time and the size of every Xapian table (du, MiB);
#   - in-process search latency, p50/p99 with snippets, exact totals with
#     every copy (bench/queryrun -x: what compare.sh asks both engines), on
#     the 40 public queries and on 400 distinct queries cut from titles
#     (bench/queries/zh_titles_400.txt);
#   - exactness: how many of 300 runs of 1-6 characters cut from the titles
#     get a total equal to the substring count over the corpus
#     (bench/exactness.py).
# Variants (document.h has the formats):
#   f1               format 1, the default: bigrams at positions, every CJK
#                    character also a unigram (inner ones without positions),
#                    near-duplicate clusters
#   f1 edges         --cjk-unigrams edges (unigrams only at run edges)
#   f1 no-cluster    --no-cluster (no signature value, band and cluster terms)
#   f2               --index-format 2: characters at positions, bigrams without
#   f2 no-cluster
# The differences between rows are what a part costs.
# usage: bench/index_parts.sh [CORPUS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench/parts}
Q1=${Q1:-../shared/queries/zh_news.txt}
Q2=${Q2:-bench/queries/zh_titles_400.txt}
make -s build/idx build/bench/queryrun
mkdir -p "$WORK"
echo "corpus: $CORPUS ($(zcat -f "$CORPUS" | grep -c .) lines), idx add (default build), $(nproc) cores"
echo "latency: bench/queryrun -x -r 3, in-process, 1 thread, with snippets; exact: bench/exactness.py -n 50"
echo
printf '| variant | build s | total MiB | position | postlist | termlist | docdata | public p50/p99 ms | distinct p50/p99 ms | exact runs |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
mib() { du -sk "$1" 2> /dev/null | awk '{printf "%.1f", $1 / 1024}'; }
lat() { # DB QUERIES -> "p50 / p99"
    build/bench/queryrun -x -r 3 "$1" "$2" | awk '/^with snippets/ {printf "%.2f / %.2f", $4, $6}'
}
run() { # name, idx add options...
    local name=$1 db=$WORK/${1// /-}
    shift
    rm -rf "$db"
    local t0 t1
    t0=$(date +%s.%N)
    build/idx add -q "$@" --db "$db" "$CORPUS" > /dev/null
    t1=$(date +%s.%N)
    local exact
    exact=$(python3 bench/exactness.py -n 50 "$CORPUS" "$db" | awk -v d="$db" '$1 == d":" {print $2}')
    printf '| %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$(echo "$t1 - $t0" | bc)" \
        "$(mib "$db")" "$(mib "$db/position.glass")" "$(mib "$db/postlist.glass")" \
        "$(mib "$db/termlist.glass")" "$(mib "$db/docdata.glass")" "$(lat "$db" "$Q1")" \
        "$(lat "$db" "$Q2")" "$exact"
    rm -rf "$db"
}
run f1
run "f1 edges" --cjk-unigrams edges
run "f1 no-cluster" --no-cluster
run f2 --index-format 2
run "f2 no-cluster" --index-format 2 --no-cluster
