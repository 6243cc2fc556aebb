#!/usr/bin/env bash
# bench/relevance/pool.sh - the judging pool: for every query of queries.tsv, the union of
# the top 10 of each ranking configuration that bench/relevance.sh compares (title weight
# 2, 0 and 5; recency 365 days), written as JSON Lines packets for the judges:
#   {"qid","type","query","need","id","title","date","text"}   (text: the first 400 characters)
# usage: bench/relevance/pool.sh DB > pool.jsonl
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${1:?usage: pool.sh DB}
grep -v '^#' bench/relevance/queries.tsv | while IFS=$'\t' read -r qid type query need; do
    for opts in "" "--title-weight 0" "--title-weight 5" "--recency 365"; do
        # shellcheck disable=SC2086
        build/idx search --db "$DB" --json --limit 10 $opts -- "$query" | jq -r '.hits[].id'
    done | awk '!seen[$0]++' | while read -r id; do
        build/idx get --db "$DB" "$id" |
            jq -c --arg qid "$qid" --arg type "$type" --arg query "$query" --arg need "$need" \
                '{qid: $qid, type: $type, query: $query, need: $need, id: .id, title: .title,
                  date: .date, text: ((.body // "")[0:400])}'
    done
done
