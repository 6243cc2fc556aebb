#!/usr/bin/env bash
# bench/compare.sh - idx side by side with Groonga (the closest peer: a C
# engine with bigram tokenization, an HTTP server and HTML snippets) on the
# same corpus, queries and machine, in one run, plus the floor under
# idxd's /search.
#
# Both engines get the same work:
#   corpus   ../shared/corpus/zh_cctv_xwlb.jsonl.gz (75k 新闻联播 articles)
#   Groonga  table Articles (title ShortText, body LongText, date Time), lexicon
#            TokenBigram + NormalizerAuto, one title+body index with
#            positions, made after the load (static index construction,
#            Groonga's fastest build); served by `groonga -s --protocol http`
#   queries  ../shared/queries/zh_news.txt (the 40 public queries) and, with
#            caches off, bench/queries/zh_titles_400.txt (400 distinct queries
#            cut from titles: bench/make_queries.py); for Groonga each word
#            quoted, so both read "all words as phrases, ANDed"
#   request  top 10 by relevance with the title weighted 2x, one highlighted
#            body snippet of about 120 characters (Groonga: snippet() with
#            width 360 bytes, html_escape, <mark>), and the exact hit count
#            with every copy (idx: exact_total=1&dedup=0; Groonga has neither
#            estimates nor reprint collapse)
#   load     `idx bench` (closed loop), keep-alive, the same query file order
# Printed: ingest wall time, index size (allocated blocks, du), latency p50/p99
# at concurrency 1, requests/s at 16 and 64, each server's peak RSS (VmHWM),
# the ratios idx/Groonga - once as shipped (both cache answers: Groonga's
# query cache, idxd's --cache; the 40 queries repeat, so nearly every request
# is a cache hit) and once with both caches off (what each engine costs per
# search: `cache_limit 0`, `idxd --cache 0`) - and the floor: the same queries in-process without
# HTTP or snippets (bench/queryrun) plus a static HTTP answer (GET /api) under
# the same load, against GET /search.  Also: on how many of the 400 distinct
# queries the two engines count the same matches.
#
# usage: bench/compare.sh [CORPUS] [WORKDIR]
# Env: SECS per load run (10), QUERIES, QUERIES2, THREADS (server threads,
# default cores).
# Installs groonga-bin with apt-get when it is missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
CORPUS=${1:-../shared/corpus/zh_cctv_xwlb.jsonl.gz}
WORK=${2:-/tmp/idx-bench/compare}
QUERIES=${QUERIES:-../shared/queries/zh_news.txt}
QUERIES2=${QUERIES2:-bench/queries/zh_titles_400.txt}
SECS=${SECS:-10}
THREADS=${THREADS:-$(nproc)}
if ! command -v groonga > /dev/null; then
    echo "installing groonga-bin..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q groonga-bin > /dev/null
fi
make -s build/idx build/idxd build/bench/queryrun
rm -rf "$WORK"
mkdir -p "$WORK/groonga"
secs() { date +%s.%N; }

# ---- inputs: Groonga's load file and quoted queries (not timed) ----
zcat -f "$CORPUS" | jq -c '{_key: .id, title: (.title // ""), body: (.body // ""),
    date: ((.date // "") | .[0:10] | (try (strptime("%Y-%m-%d") | mktime) catch 0))}' |
    { echo 'load --table Articles'; echo '['; sed 's/$/,/'; echo ']'; } > "$WORK/load.grn"
quote() { # a query file -> Groonga's: each word a quoted phrase
    grep -v '^#' "$1" | grep . |
        awk '{o = ""; for (i = 1; i <= NF; i++) { g = $i; gsub(/\\/, "\\\\", g); gsub(/"/, "\\\"", g);
              o = o (i > 1 ? " " : "") "\"" g "\"" } print o}'
}
quote "$QUERIES" > "$WORK/groonga-queries.txt"
quote "$QUERIES2" > "$WORK/groonga-queries2.txt"
cat > "$WORK/schema.grn" <<'EOF'
table_create Articles TABLE_HASH_KEY ShortText
column_create Articles title COLUMN_SCALAR ShortText
column_create Articles body COLUMN_SCALAR LongText
column_create Articles date COLUMN_SCALAR Time
EOF
# the index made after the load: Groonga's static index construction, its
# fastest way to build (timed with the load)
cat > "$WORK/index.grn" <<'EOF'
table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram --normalizer NormalizerAuto
column_create Terms article_index COLUMN_INDEX|WITH_POSITION|WITH_SECTION Articles title,body
EOF

# ---- ingest, one engine after the other ----
# idx twice: as `idx add` builds a new database by default (one job per core,
# parts merged by the compactor: that index is served) and in one process
# (--jobs 1: the size it has after incremental batch commits)
t0=$(secs)
build/idx add -q --db "$WORK/idx" "$CORPUS" > /dev/null
t1=$(secs)
groonga -n "$WORK/groonga/db" < "$WORK/schema.grn" > /dev/null
groonga "$WORK/groonga/db" < "$WORK/load.grn" > "$WORK/groonga-load.out"
groonga "$WORK/groonga/db" < "$WORK/index.grn" > "$WORK/groonga-index.out"
t2=$(secs)
build/idx add -q --jobs 1 --db "$WORK/idx1" "$CORPUS" > /dev/null
t3=$(secs)
ingest_idx=$(echo "$t1 - $t0" | bc) ingest_gr=$(echo "$t2 - $t1" | bc) ingest_idx1=$(echo "$t3 - $t2" | bc)
loaded=$(grep -o '\],[0-9]*\]$' "$WORK/groonga-load.out" | tr -dc 0-9)
size_idx=$(du -sk "$WORK/idx" | cut -f1) size_gr=$(du -sk "$WORK/groonga" | cut -f1)
size_idx1=$(du -sk "$WORK/idx1" | cut -f1)
[ "$(build/idx stats --json --db "$WORK/idx1" | jq .documents)" = "$(build/idx stats --json --db "$WORK/idx" | jq .documents)" ] ||
    { echo "the two idx builds disagree on the article count" >&2; exit 1; }
rm -rf "$WORK/idx1"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "corpus: $(build/idx stats --json --db "$WORK/idx" | jq .documents) articles in idx, $loaded loaded into Groonga $(groonga --version | head -1 | cut -d' ' -f2)"

# ---- servers ----
start_idxd "$WORK/idxd.out" "$WORK/idx" --threads "$THREADS"
url_idx=$URL pid_idx=$IDXD_PID
start_idxd "$WORK/idxd-nocache.out" "$WORK/idx" --threads "$THREADS" --cache 0
url_idx0=$URL pid_idx0=$IDXD_PID
gstart() { # PORT -> a Groonga HTTP server on 127.0.0.1:PORT, its pid in GPID
    groonga -s --protocol http --bind-address 127.0.0.1 -p "$1" -t "$THREADS" "$WORK/groonga/db" \
        > "$WORK/groonga-$1.out" 2>&1 &
    GPID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/d/status" > /dev/null && break; sleep 0.1; done
}
port=$((10000 + RANDOM % 20000)) # below the ephemeral client ports
gstart "$port"
url_gr=http://127.0.0.1:$port pid_gr=$GPID
gstart $((port + 1))
url_gr0=http://127.0.0.1:$((port + 1)) pid_gr0=$GPID
curl -sf "$url_gr0/d/cache_limit?max=0" > /dev/null
trap 'kill $pid_idx $pid_idx0 $pid_gr $pid_gr0 2> /dev/null || true' EXIT
snip='snippet(body, {"width": 360, "max_n_results": 1, "html_escape": true, "default_open_tag": "<mark>", "default_close_tag": "</mark>"})'
path_gr=$(jq -rn --arg s "$snip" '"/d/select?table=Articles&match_columns=" + ("title*2||body" | @uri) +
    "&query=%s&output_columns=" + ("_key,title," + $s + ",_score" | @uri) + "&sort_keys=-_score&limit=10"')
# the same work: Groonga counts every match and has no reprint collapse
path_idx='/search?q=%s&limit=10&exact_total=1&dedup=0'

# the same work: hit counts of the first queries on both
echo
echo "hit counts, first 8 queries (idx / Groonga):"
paste <(grep -v '^#' "$QUERIES" | grep . | head -8) <(head -8 "$WORK/groonga-queries.txt") |
    while IFS=$'\t' read -r q gq; do
        a=$(curl -s -G "$url_idx0/search" --data-urlencode "q=$q" --data-urlencode exact_total=1 \
            --data-urlencode dedup=0 | jq .total)
        b=$(curl -s "$url_gr0${path_gr/\%s/$(jq -rn --arg q "$gq" '$q | @uri')}" | jq '.[1][0][0][0]')
        echo "  $q: $a / $b"
    done

run() { # URL PATH QUERYFILE CONCURRENCY -> JSON
    build/idx bench --url "$1" --connections "$4" --duration "$SECS" --warmup 1 --path "$2" --json "$3"
}
declare -A R
for c in 1 16 64; do
    R[idx$c]=$(run "$url_idx" "$path_idx" "$QUERIES" "$c")
    R[gr$c]=$(run "$url_gr" "$path_gr" "$WORK/groonga-queries.txt" "$c")
    R[idx0$c]=$(run "$url_idx0" "$path_idx" "$QUERIES" "$c")
    R[gr0$c]=$(run "$url_gr0" "$path_gr" "$WORK/groonga-queries.txt" "$c")
done
for c in 1 64; do # the distinct queries, caches off
    R[dx$c]=$(run "$url_idx0" "$path_idx" "$QUERIES2" "$c")
    R[dg$c]=$(run "$url_gr0" "$path_gr" "$WORK/groonga-queries2.txt" "$c")
done
R[hello]=$(run "$url_idx0" "/api" "$QUERIES" 1)
rss() { grep VmHWM "/proc/$1/status" | tr -dc 0-9; }
rss_idx=$(rss "$pid_idx") rss_gr=$(rss "$pid_gr") rss_idx0=$(rss "$pid_idx0") rss_gr0=$(rss "$pid_gr0")
floor=$(build/bench/queryrun -x -r 5 "$WORK/idx" "$QUERIES") # the request path_idx asks

f() { jq -r "$2" <<< "${R[$1]}"; }
ratio() { echo "scale=3; $1 / $2" | bc | sed 's/^\./0./'; }
mib() { echo "$1 / 1024" | bc -l; }
echo
echo "| ${SECS}s per load run, ${THREADS} server threads, idx bench on the same cores | idx | Groonga | idx/Groonga |"
echo "|---|---|---|---|"
printf '| ingest wall time, s: `idx add` (default: %d jobs, compacted) | %.1f | %.1f | %s |\n' "$(nproc)" "$ingest_idx" "$ingest_gr" "$(ratio "$ingest_idx" "$ingest_gr")"
printf '| ingest wall time, s: `idx add --jobs 1`, one process | %.1f | %.1f | %s |\n' "$ingest_idx1" "$ingest_gr" "$(ratio "$ingest_idx1" "$ingest_gr")"
printf '| index size (du), MiB: `idx add` (default) | %.0f | %.0f | %s |\n' "$(mib "$size_idx")" "$(mib "$size_gr")" "$(ratio "$size_idx" "$size_gr")"
printf '| index size (du), MiB: `--jobs 1` (batch commits) | %.0f | %.0f | %s |\n' "$(mib "$size_idx1")" \
    "$(mib "$size_gr")" "$(ratio "$size_idx1" "$size_gr")"
for cfg in "|as shipped (answer caches on)" "0|caches off"; do
    x=${cfg%%|*} label=${cfg#*|}
    for k in p50_ms p99_ms; do
        printf '| %s: latency %s ms, concurrency 1 | %.3f | %.3f | %s |\n' "$label" "${k%_ms}" \
            "$(f idx${x}1 .$k)" "$(f gr${x}1 .$k)" "$(ratio "$(f idx${x}1 .$k)" "$(f gr${x}1 .$k)")"
    done
    for c in 16 64; do
        printf '| %s: requests/s, concurrency %d | %.0f | %.0f | %s |\n' "$label" "$c" \
            "$(f idx$x$c .achieved_rps)" "$(f gr$x$c .achieved_rps)" \
            "$(ratio "$(f idx$x$c .achieved_rps)" "$(f gr$x$c .achieved_rps)")"
    done
done
for k in p50_ms p99_ms; do
    printf '| caches off, %s distinct queries: latency %s ms, concurrency 1 | %.3f | %.3f | %s |\n' \
        "$(grep -vc '^#' "$QUERIES2")" "${k%_ms}" "$(f dx1 .$k)" "$(f dg1 .$k)" "$(ratio "$(f dx1 .$k)" "$(f dg1 .$k)")"
done
printf '| caches off, distinct queries: requests/s, concurrency 64 | %.0f | %.0f | %s |\n' \
    "$(f dx64 .achieved_rps)" "$(f dg64 .achieved_rps)" "$(ratio "$(f dx64 .achieved_rps)" "$(f dg64 .achieved_rps)")"
printf '| server peak RSS, MiB, caches on | %.0f | %.0f | %s |\n' "$(mib "$rss_idx")" "$(mib "$rss_gr")" "$(ratio "$rss_idx" "$rss_gr")"
printf '| server peak RSS, MiB, caches off | %.0f | %.0f | %s |\n' "$(mib "$rss_idx0")" "$(mib "$rss_gr0")" "$(ratio "$rss_idx0" "$rss_gr0")"
for k in "${!R[@]}"; do
    e=$(f "$k" .errors) # idx bench: no answer or non-2xx
    [ "$e" = 0 ] || echo "run $k: $e errors/non-2xx ($(f "$k" '.error_kinds, .status' | tr -d ' \n'))"
done
echo
echo "floor (idx, caches off, concurrency 1):"
echo "$floor" | sed 's/^/  /'
printf '  GET /api (static answer, the HTTP + libevent cost): p50 %.3f ms\n' "$(f hello .p50_ms)"
raw=$(awk '/^without snippets/ {print $3}' <<< "$floor")
sum=$(echo "$raw + $(f hello .p50_ms)" | bc -l)
printf '  GET /search: p50 %.3f ms = %sx the floor (%.3f ms in-process without snippets + %.3f ms HTTP)\n' \
    "$(f idx01 .p50_ms)" "$(ratio "$(f idx01 .p50_ms)" "$sum")" "$raw" "$(f hello .p50_ms)"

# the same work, query by query: the exact totals of the distinct queries on both
same=0 n=0 diffs=()
while IFS=$'\t' read -r q gq; do
    a=$(curl -s -G "$url_idx0/search" --data-urlencode "q=$q" --data-urlencode exact_total=1 \
        --data-urlencode dedup=0 --data-urlencode limit=1 | jq .total)
    b=$(curl -s "$url_gr0${path_gr/\%s/$(jq -rn --arg q "$gq" '$q | @uri')}" | jq '.[1][0][0][0]')
    n=$((n + 1))
    if [ "$a" = "$b" ]; then same=$((same + 1)); else diffs+=("$q $a/$b"); fi
done < <(paste <(grep -v '^#' "$QUERIES2" | grep .) "$WORK/groonga-queries2.txt")
echo
echo "exact totals equal on $same of $n distinct queries; the first that differ (idx/Groonga):"
printf '  %s\n' "${diffs[@]:0:10}"
