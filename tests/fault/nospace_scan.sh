#!/usr/bin/env bash
# nospace_scan.sh FROM TO STEP: fill the disk (tests/fault/nospace.c) at
# every STEP bytes from FROM to TO of the ingest test_disk.sh runs (the
# sample archive four times over, batches of 100), and print each fill
# point's exit status and document count, then a tally.  Every point should
# exit 3 with a database that passes xapian-check and holds whole batches;
# a point that does not is printed with its message.  A manual tool (not in
# make test: a point takes a few seconds), for windows test_disk.sh's
# random points can hit, such as libxapian's abort inside a value merge
# (tests/RELIABILITY.md).
#   bash tests/fault/nospace_scan.sh 127800000 128500000 25000
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IDX=${IDX:-$ROOT/build/idx}
LIB=${IDX_FAULT_LIB:-$ROOT/build/tests/libnospace.so}
FROM=${1:?FROM} TO=${2:?TO} STEP=${3:?STEP}
W=$(mktemp -d /tmp/idx-nospace-scan.XXXXXX)
trap 'rm -rf "$W"' EXIT
for k in 1 2 3 4; do jq -c --arg k "$k" '.id = "d\($k)-" + .id' "$ROOT/tests/sample/news.jsonl"; done > "$W/in.jsonl"
good=0 bad=0
for lim in $(seq "$FROM" "$STEP" "$TO"); do
    rm -rf "$W/db"
    IDX_FAULT_DIR=$W/db IDX_FAULT_NOSPACE_AFTER=$lim LD_PRELOAD=$LIB \
        "$IDX" add -q --batch 100 --db "$W/db" "$W/in.jsonl" > /dev/null 2> "$W/err"
    rc=$?
    n=$("$IDX" stats --db "$W/db" 2> /dev/null | awk '$1 == "documents" { print $2 }')
    if [ "$rc" = 3 ] && xapian-check "$W/db" > /dev/null 2>&1 && [ $(( ${n:-0} % 100 )) = 0 ]; then
        good=$((good + 1))
        echo "$lim exit 3, $n documents"
    elif [ "$rc" = 3 ] && [ ! -e "$W/db/iamglass" ]; then
        good=$((good + 1))
        echo "$lim exit 3, no commit yet"
    else
        bad=$((bad + 1))
        echo "$lim exit $rc, ${n:-no} documents: $(tail -n 2 "$W/err" | tr '\n' ' ')"
    fi
done
echo "$good fill points as expected, $bad not"
[ "$bad" = 0 ]
