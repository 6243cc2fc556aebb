#!/usr/bin/env bash
# bench/writes.sh - write throughput over HTTP (idx add --server into idxd's
# POST /docs: journal fsync'd, one writer thread) next to a local `idx add`
# of the same articles with the same commit size, and the search latency
# while writing.
#
# usage: bench/writes.sh [CORPUS] [N] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz
#   N        articles written per run (default 10000, the first N of CORPUS)
#   WORKDIR  default /tmp/idx-bench-writes
#
# Part 1, into a new empty database each run: `idx add --batch B` (B
# articles a commit, one process) against `idx add --server URL --batch B`
# (B articles a request, each one POST /docs?wait=1: the client waits for
# the commit, as a pipeline that reports per-line errors does) for B in 100,
# 1000, 5000.  The server's writer commits what the journal holds, so a
# commit there holds one request (wait=1 sends the next after the commit).
# Part 2, on a database of the whole CORPUS: idx bench (8 connections, every
# query of ../shared/queries/zh_news.txt in turn, answer cache off) for 20 s
# without writes, then for 20 s while `idx add --server --batch 1000` writes
# N upserts of other ids: the search percentiles side by side.
# Both sides run on the same machine and share its cores (2 here): read
# cells as +-25 %.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
N=${2:-10000}
WORK=${3:-/tmp/idx-bench-writes}
QUERIES=../shared/queries/zh_news.txt
make -s build/idx build/idxd
mkdir -p "$WORK"
{ zcat -f "$CORPUS" || true; } | head -n "$N" > "$WORK/in.jsonl"
KEYS=$WORK/keys
build/idx key new bench admin > "$KEYS"
chmod 600 "$KEYS"
export IDX_KEY
IDX_KEY=$(awk '{ print $3 }' "$KEYS")

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
now() { date +%s.%N; }

echo "write throughput: $N articles of $CORPUS into a new database"
printf '%-34s %6s %9s %12s\n' how batch seconds articles/s
for B in 100 1000 5000; do
    rm -rf "$WORK/local"
    t0=$(now)
    build/idx add -q --batch "$B" --db "$WORK/local" "$WORK/in.jsonl" > /dev/null
    t1=$(now)
    printf '%-34s %6d %9s %12.0f\n' "idx add (local)" "$B" "$(secs "$t0" "$t1")" \
        "$(echo "$N / ($t1 - $t0)" | bc -l)"
    rm -rf "$WORK/remote" "$WORK/remote.journal" "$WORK/remote.journal.tasks"
    start_idxd "$WORK/idxd.out" "$WORK/remote" --keys "$KEYS" --threads 2 || { cat "$WORK/idxd.out"; exit 1; }
    t0=$(now)
    build/idx add -q --batch "$B" --server "$URL" "$WORK/in.jsonl" > /dev/null
    t1=$(now)
    kill "$IDXD_PID"
    wait "$IDXD_PID" || true
    got=$(build/idx stats --json --db "$WORK/remote" | jq -r .documents)
    [ "$got" = "$(build/idx stats --json --db "$WORK/local" | jq -r .documents)" ] ||
        { echo "the server's database holds $got articles, the local one another count"; exit 1; }
    printf '%-34s %6d %9s %12.0f\n' "idx add --server (HTTP, wait=1)" "$B" "$(secs "$t0" "$t1")" \
        "$(echo "$N / ($t1 - $t0)" | bc -l)"
done

echo
echo "search latency while writing (idx bench --connections 8, 20 s, answer cache off)"
DB=$WORK/full
ensure_index "$CORPUS" "$DB"
rm -f "$DB.journal" "$DB.journal.tasks"
jq -c '.id = "w-" + .id' "$WORK/in.jsonl" > "$WORK/upserts.jsonl"
start_idxd "$WORK/full.out" "$DB" --keys "$KEYS" --public-search --cache 0 --threads 2 ||
    { cat "$WORK/full.out"; exit 1; }
build/idx bench --url "$URL" --connections 8 --duration 20 --json "$QUERIES" > "$WORK/quiet.json"
build/idx bench --url "$URL" --connections 8 --duration 20 --json "$QUERIES" > "$WORK/busy.json" &
lg=$!
t0=$(now)
build/idx add -q --batch 1000 --server "$URL" "$WORK/upserts.jsonl" > /dev/null
t1=$(now)
wait "$lg"
kill "$IDXD_PID"
wait "$IDXD_PID" || true
printf '%-28s %9s %8s %8s %8s %8s %7s\n' run requests/s p50_ms p90_ms p99_ms max_ms errors
for f in quiet busy; do
    jq -r --arg f "$f" '[$f, .achieved_rps, .p50_ms, .p90_ms, .p99_ms, .max_ms, .errors] | @tsv' \
        "$WORK/$f.json" | awk -F'\t' '{ printf "%-28s %9.0f %8.2f %8.2f %8.2f %8.2f %7d\n",
        ($1 == "quiet" ? "searches alone" : "searches while writing"), $2, $3, $4, $5, $6, $7 }'
done
echo "writes meanwhile: $N articles in $(secs "$t0" "$t1") s ($(echo "$N / ($t1 - $t0)" | bc -l | xargs printf '%.0f') articles/s)"
