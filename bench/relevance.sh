#!/usr/bin/env bash
# bench/relevance.sh - relevance of idx's ranking on the judged collection (bench/relevance/).
#
# usage: bench/relevance.sh [DB] [--set dev|test|all]
#   DB defaults to /tmp/idx-rel/db, built from ../shared/corpus/zh_cctv_xwlb.jsonl.gz with
#   `idx add` (default options) when missing.  Prints nDCG@10, MRR@10 and P@10 overall and per
#   query type for the configurations of bench/relevance.py (each ranking signal alone, all
#   together = the default, and the default less each one), on the dev set (default) or the
#   held-out test set, and the agreement of the two judges on the sample both graded.
#   bench/relevance/README.md says how the collection was made.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=/tmp/idx-rel/db
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then DB=$1; shift; fi
make -s build/idx
if ! build/idx stats --db "$DB" > /dev/null 2>&1; then
    echo "building $DB ..." >&2
    build/idx add -q --db "$DB" ../shared/corpus/zh_cctv_xwlb.jsonl.gz >&2
fi
python3 bench/relevance.py "$DB" "$@"
python3 bench/relevance/agreement.py
