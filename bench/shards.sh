#!/usr/bin/env bash
# bench/shards.sh - archives of several shards: parallel build speed-up and
# query latency of one database vs the same articles in N local shards vs the
# same N shards served by xapian-tcpsrv on loopback.
#
# usage: bench/shards.sh [CORPUS] [WORKDIR]
#   CORPUS   default ../shared/corpus/zh_cctv_xwlb.jsonl.gz; the first ARTICLES
#            (default 20000) articles are used
#   WORKDIR  default /tmp/idx-shards (rebuilt every run)
# Env: ARTICLES, SHARDS (hash:N, default 4), JOBS ("1 2": --jobs values to
#      time), QUERIES (../shared/queries/zh_news.txt), SECS (10), C (1).
# Figures in bench/RESULTS.md come from this script.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-shards}
ARTICLES=${ARTICLES:-20000}
SHARDS=${SHARDS:-4}
JOBS=${JOBS:-"1 2"}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
SECS=${SECS:-10}
C=${C:-1}
make -s build/idx build/idxd
rm -rf "$WORK"
mkdir -p "$WORK"
{ zcat -f "$CORPUS" || true; } | head -n "$ARTICLES" > "$WORK/in.jsonl" # zcat ends by SIGPIPE
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "articles: $ARTICLES from $CORPUS"
echo

secs_of() { # command... -> wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}
printf '%-44s %8s %10s %9s\n' build seconds articles/s speed-up
t_single=$(secs_of build/idx add -q --db "$WORK/single" "$WORK/in.jsonl")
printf '%-44s %8s %10.0f %9s\n' "one database" "$t_single" "$(awk -v n="$ARTICLES" -v t="$t_single" 'BEGIN { print n / t }')" "-"
base=
for j in $JOBS; do
    rm -rf "$WORK/hash"
    t=$(secs_of build/idx add -q --shard-by "hash:$SHARDS" --jobs "$j" --db "$WORK/hash" "$WORK/in.jsonl")
    [ -z "$base" ] && base=$t
    printf '%-44s %8s %10.0f %8.2fx\n' "hash:$SHARDS archive, --jobs $j" "$t" \
        "$(awk -v n="$ARTICLES" -v t="$t" 'BEGIN { print n / t }')" "$(awk -v a="$base" -v b="$t" 'BEGIN { print a / b }')"
done
t_comp=$(secs_of build/idx compact --db "$WORK/hash" "$WORK/compacted")
echo "idx compact of the archive into one database: ${t_comp} s"
echo

# remote: one xapian-tcpsrv per shard, each in its own session (it signals its group)
ports=()
pids=()
trap 'for p in "${pids[@]}"; do kill -- "-$p" 2> /dev/null || true; done' EXIT
: > "$WORK/remote.stub"
k=0
for d in "$WORK"/hash/shards/*; do
    port=$((30000 + RANDOM % 20000 + k))
    setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$d" > "$WORK/tcp$k.out" 2>&1 &
    pids+=($!)
    echo "remote 127.0.0.1:$port" >> "$WORK/remote.stub"
    k=$((k + 1))
done
for i in $(seq 100); do
    [ "$(grep -l Listening "$WORK"/tcp*.out 2> /dev/null | wc -l)" -eq "$k" ] && break
    sleep 0.05
done

printf '%-44s %9s %9s %9s %9s %8s\n' "search (idxd, idx bench, $C conn, ${SECS}s)" req/s p50_ms p99_ms max_ms errors
for pair in "one database|$WORK/single" "$SHARDS local shards (archive)|$WORK/hash" \
    "$SHARDS remote shards (xapian-tcpsrv)|$WORK/remote.stub" "compacted archive|$WORK/compacted"; do
    label=${pair%%|*} db=${pair#*|}
    out=$WORK/idxd.out
    start_idxd "$out" "$db"
    idxd_pid=$IDXD_PID url=$URL
    j=$(build/idx bench --url "$url" --connections "$C" --duration "$SECS" --warmup 2 --json "$QUERIES")
    printf '%-44s %9.1f %9.2f %9.2f %9.2f %8s\n' "$label" "$(jq -r .achieved_rps <<< "$j")" \
        "$(jq -r .p50_ms <<< "$j")" "$(jq -r .p99_ms <<< "$j")" "$(jq -r .max_ms <<< "$j")" \
        "$(jq -r .errors <<< "$j")" # no answer or non-2xx
    kill -TERM "$idxd_pid"
    wait "$idxd_pid" || true
done
