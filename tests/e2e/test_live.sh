#!/usr/bin/env bash
# End-to-end: serving while ingesting.  loadgen --check keeps 8 connections
# searching idxd while `idx add` commits 2,100 articles in batches of 50 (new
# ones and upserts that rewrite existing ones): zero failed requests, and every
# reply consistent - each hit complete and ranked in order, and GET /docs/{id}
# of the first hit of every reply answers 200 with that id (no hit pointing at
# a missing document).  The checker itself is shown to catch a bad reply.
# The answer cache (query/cache.c): a repeated search is answered from it with
# the same hits, a commit empties it (the next answer sees the new article),
# --cache N keeps the N most recently used, and --cache 0 or a recency search
# is never cached.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"

DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
N0=$(ndocs "$DB")
for k in 1 2 3 4 5 6; do jq -c --arg k "$k" '.id = "live\($k)-" + .id' "$SAMPLE"; done > "$T/new.jsonl"
jq -c '.title = "更新 " + .title' "$SAMPLE" > "$T/upsert.jsonl"
NNEW=$(wc -l < "$T/new.jsonl")
QF=$T/queries.txt
printf '%s\n' 经济 习近平 南通开发区 疫情防控 中国 更新 '5G 基站' 的 发展 '"新闻联播"' 'title:经济' > "$QF"

start_server live "$DB" --threads 2 || exit 1
L=$URL L_PID=$PID
http "$L/stats"
REV0=$(jqb .revision)

"$LOADGEN" -u "$L" -c 8 -t 120 --check --json "$QF" > "$T/load.json" 2> "$T/load.err" &
LG=$!
_pids+=("$LG")
sleep 0.5
# upserts in the middle of the new articles, so replaced documents are hit while they change
head -n 900 "$T/new.jsonl" > "$T/a.jsonl"
tail -n +901 "$T/new.jsonl" > "$T/b.jsonl"
expect_rc "idx add of 2,100 articles in batches of 50 while serving" 0 \
    "$IDX" add -q --batch 50 --db "$DB" "$T/a.jsonl" "$T/upsert.jsonl" "$T/b.jsonl"
sleep 0.5
kill -INT "$LG"
wait "$LG"
forget "$LG"
LJ=$(tail -n 1 "$T/load.json")
echo "#   loadgen during the ingest: $(jq -c '{requests, rps, checked, inconsistent, errors, non2xx, p50_ms, p99_ms}' <<< "$LJ" 2> /dev/null)"
expect_eq "while ingesting: requests answered, 0 errors, 0 non-2xx" \
    "$(jq -r '.requests > 500 and .errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" true
expect_eq "while ingesting: every reply checked, 0 inconsistent" \
    "$(jq -r '.checked == .requests and .inconsistent == 0' <<< "$LJ" 2> /dev/null)" true
[ "$(jq -r .inconsistent <<< "$LJ" 2> /dev/null)" = 0 ] || echo "#   $(head -c 600 "$T/load.err")"

http "$L/stats"
expect_eq "the server sees every article" "$(jqb .documents)" "$((N0 + NNEW))"
revs=$(( $(jqb .revision) - REV0 ))
if [ "$revs" -ge 40 ]; then ok "the server went through $revs commits during the load"
else fail "the server went through >= 40 commits" "$revs"; fi
search "$L" 更新 limit=1
expect_eq "the upserts are served (更新 finds the rewritten titles)" "$(jqb '.total >= 300 and (.hits[0].title | startswith("更新"))')" true

# the checker is not blind: /stats is a 200 JSON reply without hits
"$LOADGEN" -u "$L" -c 1 -n 5 --check --json -p '/stats?_=%s' "$QF" > "$T/neg.json" 2> /dev/null
expect_eq "loadgen --check flags a reply that is not a search result" "$(jq -r '.inconsistent' "$T/neg.json")" 5
stop_server "$L_PID" 10
expect_eq "SIGTERM exits 0" "$STOP_RC" 0

# ---- the answer cache ----
start_server cache "$DB" --threads 1 || exit 1
C=$URL
search "$C" 经济 limit=5
first=$(jqb '[.total, [.hits[].id]]')
expect_eq "a first search is computed" "$(jqb '.cached // false')" false
search "$C" 经济 limit=5
expect_eq "the same search again comes from the cache" "$(jqb '.cached')" true
expect_eq "  ... with the same total and hits" "$(jqb '[.total, [.hits[].id]]')" "$first"
http "$C/stats"
expect_eq "  ... counted in /stats" "$(jqb '.cache.hits >= 1 and .cache.entries >= 1')" true
search "$C" 经济 limit=5 recency=30
search "$C" 经济 limit=5 recency=30
expect_eq "a recency search (it depends on the clock) is not cached" "$(jqb '.cached // false')" false
n0=$(search "$C" 经济 limit=5 exact_total=1; jqb .total)
printf '{"id":"cache-test-1","title":"缓存测试 经济新闻","body":"经济形势稳中向好。"}\n' > "$T/one.jsonl"
"$IDX" add -q --db "$DB" "$T/one.jsonl" > /dev/null
sleep 0.6 # past the 200 ms reopen tick
search "$C" 经济 limit=5 exact_total=1
expect_eq "after a commit the cache is emptied: the new article is counted" "$(jqb '[.cached // false, .total]' | jq -c .)" "[false,$((n0 + 1))]"
start_server nocache "$DB" --threads 1 --cache 0 || exit 1
search "$URL" 经济 limit=5
search "$URL" 经济 limit=5
expect_eq "--cache 0: never cached" "$(jqb '.cached // false')" false
start_server lru "$DB" --threads 1 --cache 2 || exit 1
for q in 经济 中国 经济 发展 中国 经济; do search "$URL" "$q" limit=1; printf '%s ' "$(jqb '.cached // false')"; done > "$T/lru.txt"
expect_eq "--cache 2: least recently used out first" "$(cat "$T/lru.txt")" "false false true false false false "
no_sanitizer_reports
