#!/usr/bin/env bash
# bench/scaling.sh - how idxd's throughput grows with worker threads (cores).
#
# usage: bench/scaling.sh [CORPUS] [N]
#   indexes the first N (default 30000) articles of CORPUS (default
#   ../shared/corpus/zh_cctv_xwlb.jsonl.gz) into /tmp/idx-scaling, runs
#   bench/queryrun once, then idxd with THREADS worker threads (default
#   "1 2 4 8 15") under `idx bench --connections 64` (closed loop) for 5 s
#   each after 1 s warm-up (one client thread, so leave it a core).
# Env: BIN (directory holding idx, idxd, queryrun; default: build/ and
#      build/bench/), QUERIES, THREADS.
# The figures in bench/RESULTS.md ("Scaling with cores") come from this
# script on a 16-core machine; there the binaries built here were copied into
# one directory with their shared libraries (LD_LIBRARY_PATH), since that
# machine has no Debian packages.
set -u
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
N=${2:-30000}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
THREADS=${THREADS:-"1 2 4 8 15"}
if [ -z "${BIN:-}" ]; then
    make -s build/idx build/idxd build/bench/queryrun || exit 1
    IDX=build/idx IDXD=build/idxd QUERYRUN=build/bench/queryrun
else
    IDX=$BIN/idx IDXD=$BIN/idxd QUERYRUN=$BIN/queryrun
fi
DB=/tmp/idx-scaling
rm -rf "$DB"
echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
zcat -f "$CORPUS" | head -n "$N" | "$IDX" add -q --batch 10000 --db "$DB" - || exit 1
"$IDX" stats --db "$DB"
"$QUERYRUN" -r 3 "$DB" "$QUERIES"
for t in $THREADS; do
    start_idxd "$DB.out" "$DB" --threads "$t"
    pid=$IDXD_PID url=$URL
    echo "== idxd --threads $t, idx bench --connections 64 --duration 5 --warmup 1"
    "$IDX" bench --url "$url" --connections 64 --duration 5 --warmup 1 "$QUERIES"
    kill -TERM "$pid"
    wait "$pid"
done
