#!/usr/bin/env bash
# bench/ab.sh - two idxd binaries on the same index, alternately, in one run:
# what a change to the server bought.  Build the old one aside first, e.g.
#   git stash; make BUILD=/tmp/old /tmp/old/idxd; git stash pop; make
#   bash bench/ab.sh /tmp/old/idxd build/idxd /tmp/idx-bench/compare/idx
# usage: bench/ab.sh OLD_IDXD NEW_IDXD DB   (Env: SECS 10, ROUNDS 2, QUERIES,
#        PATH_TEMPLATE '/search?q=%s&limit=10', IDXD_ARGS: more idxd options for
#        both, e.g. "--cache 0" for what a search costs)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
[ $# -eq 3 ] || { sed -n '2,9p' "$0"; exit 2; }
OLD=$1 NEW=$2 DB=$3
SECS=${SECS:-10} ROUNDS=${ROUNDS:-2}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
P=${PATH_TEMPLATE:-'/search?q=%s&limit=10'}
make -s build/idx
out=$(mktemp)
trap 'kill ${IDXD_PID:-} 2> /dev/null; rm -f "$out"' EXIT
printf '| round | idxd | c1 p50 ms | c1 p99 ms | c16 req/s |\n|---|---|---|---|---|\n'
for r in $(seq "$ROUNDS"); do
    for b in "$OLD" "$NEW"; do
        # shellcheck disable=SC2086 # IDXD_ARGS is a list of options
        IDXD=$b start_idxd "$out" "$DB" --threads "$(nproc)" ${IDXD_ARGS:-}
        j=$(build/idx bench --url "$URL" --path "$P" --connections 1 --duration "$SECS" --warmup 2 --json "$QUERIES")
        j16=$(build/idx bench --url "$URL" --path "$P" --connections 16 --duration "$SECS" --warmup 1 --json "$QUERIES")
        printf '| %d | %s | %.3f | %.3f | %.0f |\n' "$r" "$b" "$(jq .p50_ms <<< "$j")" \
            "$(jq .p99_ms <<< "$j")" "$(jq .achieved_rps <<< "$j16")"
        kill "$IDXD_PID"
        wait "$IDXD_PID" 2> /dev/null || true
    done
done
