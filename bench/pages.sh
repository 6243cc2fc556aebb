#!/usr/bin/env bash
# bench/pages.sh - scraped-page cleaning and near-duplicate clustering,
# scored on a labelled fixture set built from the 新闻联播 corpus
# (bench/pages_eval.py; templates in pages_eval.py (dev) and
# pages_heldout.py (held out)).  Prints the tables of bench/RESULTS.md.
#   bash bench/pages.sh [ARTICLES]     (default 200 per cleaning set)
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
[ -f "$CORPUS" ] || { echo "pages.sh: $CORPUS not found (../shared/corpus)" >&2; exit 2; }
make -s build/idx
WORK=${WORK:-/tmp/idx-bench/pages}
python3 bench/pages_eval.py build/idx "$CORPUS" "$WORK" "${1:-200}"
