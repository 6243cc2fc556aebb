#!/usr/bin/env bash
# bench/acks.sh - what acknowledging a write costs, and what writes cost the
# searches on the same workers: two idxd builds side by side (A B A B).
#
# usage: bench/acks.sh OLD_IDXD NEW_IDXD [SECS] [WORKDIR]
#   e.g. git worktree add /tmp/old 9f839cf && make -C /tmp/old
#        bash bench/acks.sh /tmp/old/build/idxd build/idxd
#
# Each run: a fresh database of the sample archive (tests/sample), idxd
# (2 worker threads, answer cache off, --keys); 8 writer connections
# (bench/ack_clients.py) POST one article a request, without ?wait=1, as
# fast as the 202s come, while `idx bench` searches on 4 connections
# (closed loop, the public queries when ../shared has them, else titles of
# the sample).  Printed per run: acknowledgements a second and their p50 /
# p99, and the searches' requests a second and p50 / p99.  Everything
# shares the machine's cores: read cells as +-25 %.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
OLD=${1:?OLD idxd} NEW=${2:?NEW idxd}
SECS=${3:-10}
WORK=${4:-/tmp/idx-bench/acks}
make -s build/idx build/idxd
mkdir -p "$WORK"
QUERIES=../shared/queries/zh_news.txt
if [ ! -f "$QUERIES" ]; then
    QUERIES=$WORK/queries.txt
    jq -r '.title' tests/sample/news.jsonl | head -n 200 > "$QUERIES"
fi
build/idx key new bench admin > "$WORK/keys"
chmod 600 "$WORK/keys"
KEY=$(awk '{ print $3 }' "$WORK/keys")
echo "idxd --threads 2 --cache 0; 8 writer connections, idx bench -c 4, ${SECS}s a run; $(nproc) cores shared by all"
printf '%-5s %-34s %8s %8s %8s %10s %8s %8s\n' run idxd "acks/s" p50_ms p99_ms "search/s" p50_ms p99_ms
run=0
for which in A B A B; do
    run=$((run + 1))
    bin=$OLD
    [ "$which" = B ] && bin=$NEW
    rm -rf "$WORK/db" "$WORK/db.journal"*
    build/idx add -q --db "$WORK/db" tests/sample/news.jsonl > /dev/null
    IDXD=$bin start_idxd "$WORK/idxd.out" "$WORK/db" --threads 2 --cache 0 --keys "$WORK/keys" --public-search || {
        cat "$WORK/idxd.out"
        exit 1
    }
    python3 bench/ack_clients.py "$URL" "$KEY" 8 "$SECS" "r$run" > "$WORK/acks.json" &
    AC=$!
    build/idx bench --url "$URL" --connections 4 --duration "$SECS" --json "$QUERIES" > "$WORK/bench.json"
    wait "$AC"
    kill "$IDXD_PID"
    wait "$IDXD_PID" 2> /dev/null || true
    printf '%-5s %-34s %8s %8s %8s %10s %8s %8s\n' "$run $which" "${bin:0:34}" \
        "$(jq -r .acks_per_s "$WORK/acks.json")" "$(jq -r .p50_ms "$WORK/acks.json")" \
        "$(jq -r .p99_ms "$WORK/acks.json")" "$(jq -r '.achieved_rps | round' "$WORK/bench.json")" \
        "$(jq -r '.p50_ms * 100 | round / 100' "$WORK/bench.json")" "$(jq -r '.p99_ms * 100 | round / 100' "$WORK/bench.json")"
    [ "$(jq -r .other "$WORK/acks.json")" = 0 ] || echo "  writes not answered 202: $(cat "$WORK/acks.json")"
done
