#!/usr/bin/env bash
# bench/relevance.sh - relevance of idx's ranking on a judged query set.
#
# usage: bench/relevance.sh [DB] [-- idx search options...]
#   DB defaults to /tmp/idx-rel/db, built from ../shared/corpus/zh_cctv_xwlb.jsonl.gz
#   with `idx add` (default options) when missing.
# Runs every query of bench/relevance/queries.tsv through `idx search --json --limit 10`
# (plus the options given after --), scores the top 10 against the judgments in
# bench/relevance/qrels.tsv (grades 0/1/2; unjudged = 0) and prints nDCG@10, MRR@10 and
# P@10 (grade >= 1 counts as relevant) overall and per query type.  With no options after
# --, it compares the ranking choices: title weight 0 / 2 (default) / 5, and recency
# half-life 365 days.  See bench/relevance/README.md for how the judgments were made.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-/tmp/idx-rel/db}
shift || true
[ "${1:-}" = "--" ] && shift
make -s build/idx
if ! build/idx stats --db "$DB" > /dev/null 2>&1; then
    echo "building $DB ..." >&2
    build/idx add -q --db "$DB" ../shared/corpus/zh_cctv_xwlb.jsonl.gz >&2
fi
Q=bench/relevance/queries.tsv
QRELS=bench/relevance/qrels.tsv

# run NAME OPTIONS...: print "NAME type ndcg mrr p10" per query
run() {
    local name=$1
    shift
    grep -v '^#' "$Q" | while IFS=$'\t' read -r qid type query _need; do
        build/idx search --db "$DB" --json --limit 10 "$@" -- "$query" |
            jq -r --arg q "$qid" '.hits[] | [$q, .id] | @tsv'
        printf '%s\t__END__\t%s\n' "$qid" "$type"
    done | awk -F'\t' -v name="$name" -v qrels="$QRELS" '
        BEGIN {
            while ((getline line < qrels) > 0) {
                if (line ~ /^#/ || line == "") continue
                split(line, f, "\t")
                g[f[1] SUBSEP f[2]] = f[3]
                if (f[3] > 0) { n = ++cnt[f[1]]; grades[f[1], n] = f[3] }
            }
        }
        function flush(q, type,    i, j, t, dcg, idcg, mrr, rel, sorted, m) {
            dcg = 0; mrr = 0; rel = 0
            for (i = 1; i <= k; i++) {
                gr = g[q SUBSEP ids[i]] + 0
                dcg += (2 ^ gr - 1) / (log(i + 1) / log(2))
                if (gr >= 1) { rel++; if (mrr == 0) mrr = 1 / i }
            }
            m = cnt[q] + 0
            for (i = 1; i <= m; i++) sorted[i] = grades[q, i]
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
                if (sorted[j] > sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
            idcg = 0
            for (i = 1; i <= m && i <= 10; i++) idcg += (2 ^ sorted[i] - 1) / (log(i + 1) / log(2))
            printf "%s\t%s\t%s\t%.4f\t%.4f\t%.4f\n", name, q, type, (idcg > 0 ? dcg / idcg : 0), mrr, rel / 10
            k = 0
        }
        $2 == "__END__" { flush($1, $3); next }
        { ids[++k] = $2 }'
}

summarize() {
    awk -F'\t' '
        { key = $1; n[key]++; nd[key] += $4; mr[key] += $5; p[key] += $6
          tk = $1 "\t" $3; tn[tk]++; tnd[tk] += $4; tmr[tk] += $5; tp[tk] += $6
          if (!(key in seen)) { seen[key] = 1; order[++no] = key } }
        END {
            printf "%-16s %-8s %4s %8s %8s %8s\n", "config", "type", "n", "nDCG@10", "MRR@10", "P@10"
            split("char two phrase multi mixed trad", types, " ")
            for (i = 1; i <= no; i++) {
                c = order[i]
                printf "%-16s %-8s %4d %8.3f %8.3f %8.3f\n", c, "ALL", n[c], nd[c] / n[c], mr[c] / n[c], p[c] / n[c]
                for (j = 1; j <= 6; j++) {
                    tk = c "\t" types[j]
                    if (tn[tk]) printf "%-16s %-8s %4d %8.3f %8.3f %8.3f\n", c, types[j], tn[tk], tnd[tk] / tn[tk], tmr[tk] / tn[tk], tp[tk] / tn[tk]
                }
            }
        }'
}

echo "judged queries: $(grep -vc '^#' "$Q"), judgments: $(grep -vc '^#' "$QRELS"), index: $DB ($(build/idx stats --json --db "$DB" | jq -r .documents) articles)"
if [ $# -gt 0 ]; then
    run "custom" "$@" | summarize
else
    {
        run "default(tw=2)"
        run "title-weight=0" --title-weight 0
        run "title-weight=5" --title-weight 5
        run "recency=365d" --recency 365
    } | summarize
fi
