#!/usr/bin/env bash
# bench/streams.sh - what standing queries (GET /search/stream) cost:
# search latency and throughput with S streams open while commits land
# every C seconds, and how soon a commit reaches a stream.
#
# usage: bench/streams.sh [CORPUS] [SECS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz (the whole of it
#            is indexed once into BASE, default /tmp/idx-bench/base-xwlb, and
#            copied to WORKDIR/db for the run, which commits to it)
#   SECS     seconds per cell (default 15)
#   WORKDIR  default /tmp/idx-bench/streams
#
# Each cell: idxd (2 worker threads, answer cache off, --max-connections
# 4096) on the database; S streams (bench/sse_clients.py, one process,
# stream i asking query i of ../shared/queries/zh_news.txt) plus one
# sentinel stream; every C seconds `idx add` commits 20 articles of the
# corpus again (new versions: each is a new match for every stream whose
# query it matches) and one sentinel article whose title holds the time
# the commit started; meanwhile `idx bench` searches the same queries on 4
# connections (closed loop).  Printed per cell: search requests/s, p50 and
# p99, the events the S streams received, and the sentinel's delivery time
# from the commit's start (the commit itself, about 0.3 s here, included).
# Everything shares the machine's cores (2 here): read cells as +-25 %.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
SECS=${2:-15}
WORK=${3:-/tmp/idx-bench/streams}
QUERIES=../shared/queries/zh_news.txt
make -s build/idx build/idxd
mkdir -p "$WORK"
ulimit -n 16384 2> /dev/null || ulimit -n "$(ulimit -Hn)"
BASE=${BASE:-/tmp/idx-bench/base-xwlb}
DB=$WORK/db
# the corpus, and the articles the commits re-add (its last 2000; the last
# of them is the sentinel's id, so the database keeps the corpus's count)
ensure_index "$CORPUS" "$BASE"
rm -rf "$DB"
cp -a "$BASE" "$DB"
{ zcat -f "$CORPUS" || true; } | tail -n 2000 > "$WORK/again.jsonl"
SID=$(tail -n 1 "$WORK/again.jsonl" | jq -r .id)

committer() { # every $1 s: 20 articles again and a sentinel, until killed
    local every=$1 k=0
    while true; do
        k=$((k + 1))
        local t
        t=$(date +%s.%N)
        {
            sed -n "$(((k * 20) % 1960 + 1)),+19p" "$WORK/again.jsonl"
            jq -nc --arg t "$t" --arg id "$SID" \
                '{id: $id, title: ("哨兵 " + $t), body: "哨兵标记", date: "2024-01-01"}'
        } > "$WORK/commit.jsonl"
        build/idx add -q --lock-wait 60 --db "$DB" "$WORK/commit.jsonl" > /dev/null
        sleep "$(awk -v e="$every" -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { s = e - (b - a); print (s > 0 ? s : 0) }')"
    done
}

echo "idxd --threads 2 --cache 0; idx bench -c 4 for ${SECS}s per cell; $(nproc) cores shared by all"
printf '%-8s %-14s %9s %8s %8s %9s %12s %12s\n' streams "commit every" "req/s" p50_ms p99_ms events \
    "lag p50 ms" "lag max ms"
for cell in "0 none" "0 1" "0 0.2" "100 1" "1000 none" "1000 1" "1000 0.2"; do
    read -r S C <<< "$cell"
    start_idxd "$WORK/idxd.out" "$DB" --threads 2 --cache 0 --max-connections 4096 || {
        echo "idxd did not start"
        cat "$WORK/idxd.out"
        exit 1
    }
    python3 bench/sse_clients.py "$URL" "$QUERIES" "$S" $((SECS + 4)) 哨兵 > "$WORK/sse.json" &
    SSE=$!
    sleep 2 # the streams open
    CM=""
    if [ "$C" != none ]; then
        committer "$C" &
        CM=$!
    fi
    build/idx bench --url "$URL" --connections 4 --duration "$SECS" --warmup 1 --json "$QUERIES" \
        > "$WORK/bench.json"
    [ -n "$CM" ] && kill "$CM" && wait "$CM" 2> /dev/null || true
    wait "$SSE"
    kill "$IDXD_PID"
    wait "$IDXD_PID" 2> /dev/null || true
    jq -r --arg s "$S" --arg c "$C" --slurpfile sse "$WORK/sse.json" \
        '[$s, (if $c == "none" then "-" else $c + " s" end), (.achieved_rps | round), .p50_ms, .p99_ms,
          ($sse[0].events), ($sse[0].lag_p50_ms // "-"), ($sse[0].lag_max_ms // "-")]
         | @tsv' "$WORK/bench.json" |
        awk -F'\t' '{ printf "%-8s %-14s %9s %8.2f %8.2f %9s %12s %12s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
    if [ "$(jq -r '.failed' "$WORK/sse.json")" != 0 ] || [ "$(jq -r '.opened' "$WORK/sse.json")" != "$S" ]; then
        echo "  streams: $(cat "$WORK/sse.json")"
    fi
done
