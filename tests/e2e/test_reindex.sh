#!/usr/bin/env bash
# End-to-end: idx reindex rebuilds a database from its own stored articles,
# in another index format or its own, and swaps it in atomically: the same
# answers before and after (ids, order, scores, totals, stored articles),
# idxd serving throughout; a killed reindex leaves the database as it was;
# archives and missing databases are refused with a clear message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"

DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
N=$(ndocs "$DB")
QUERIES=(南通开发区 经济 习近平总书记 "5G基站" 3月 "国务院 总理" 中 一带一路 "title:经济" "\"经济 发展\"")

# every answer of the queries, and three stored articles, as one text (hits
# of equal score in id order: Xapian breaks ties by document number, which a
# rebuild in parallel parts renumbers)
answers() {
    local q
    for q in "${QUERIES[@]}"; do
        "$IDX" search --db "$DB" --json --exact-total --limit 20 "$q" |
            jq -c '[.total, ([.hits[] | [.id, .score, .snippet]] | sort_by(-.[1], .[0]))]'
        "$IDX" search --db "$DB" --json --all --exact-total --limit 20 "$q" |
            jq -c '[.total, ([.hits[] | [.id, .score]] | sort_by(-.[1], .[0]))]'
    done
    for id in $(jq -r .id "$SAMPLE" | sed -n '1p;150p;301p'); do "$IDX" get --db "$DB" "$id"; done
}
BEFORE=$(answers)

start_server live "$DB" --cache 0 || exit 1
search "$URL" 南通开发区
TOTAL=$(jqb .total)

expect_rc "reindex into format 2 exits 0" 0 "$IDX" reindex --db "$DB" --index-format 2
expect_match "... says what it did" "$OUT" "reindexed $N articles of .* in format 2: [0-9.]+ MiB, was [0-9.]+ MiB"
expect_eq "... the database is in format 2" "$("$IDX" stats --json --db "$DB" | jq -r .format)" 2
expect_eq "... holds every article" "$(ndocs "$DB")" "$N"
expect_eq "... answers as before (ids, order, scores, snippets, totals, stored articles)" "$(answers)" "$BEFORE"
expect_eq "... no staging directory is left" "$(ls -d "$DB".reindex-* 2> /dev/null)" ""
ok_served=0
for _ in $(seq 30); do
    search "$URL" 南通开发区
    [ "$CODE" = 200 ] && [ "$(jqb .total)" = "$TOTAL" ] && ok_served=1 && break
    sleep 0.1
done
expect_eq "idxd serves the swapped database with the same answer" "$ok_served" 1
# ... and follows the new database at the path, not the old one it had open
printf '%s\n' '{"id":"after-swap","title":"鹦鹉螺号潜艇","body":"交换之后写入"}' > "$T/after.jsonl"
"$IDX" add -q --db "$DB" "$T/after.jsonl" > /dev/null
seen=0
for _ in $(seq 30); do
    search "$URL" 鹦鹉螺号潜艇
    [ "$(jqb '.hits[0].id')" = after-swap ] && seen=1 && break
    sleep 0.1
done
expect_eq "idxd finds an article added to the swapped database" "$seen" 1
"$IDX" rm --db "$DB" after-swap > /dev/null

expect_rc "reindex back, one process, own format kept" 0 "$IDX" reindex --db "$DB" --jobs 1
expect_match "... in format 2" "$OUT" "in format 2: .*1 job\)"
expect_rc "reindex into format 1" 0 "$IDX" reindex --db "$DB" --index-format 1 --jobs 2
expect_eq "... answers as before" "$(answers)" "$BEFORE"
expect_rc "adding after a reindex works" 0 "$IDX" add -q --db "$DB" "$SAMPLE"
expect_eq "... as an upsert (same count)" "$(ndocs "$DB")" "$N"

# a killed reindex: the database as it was, its staging directory removed next time
BIG=$T/big.jsonl
for k in $(seq 1 10); do jq -c --arg k "$k" '.id = "k\($k)-" + .id' "$SAMPLE"; done > "$BIG"
K=$T/k
"$IDX" add -q --db "$K" "$BIG" > /dev/null
NK=$(ndocs "$K")
SUM=$("$IDX" search --db "$K" --json --exact-total 经济 | jq -r .total)
"$IDX" reindex --db "$K" --index-format 2 --jobs 1 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do ls -d "$K".reindex-* > /dev/null 2>&1 && break; sleep 0.02; done
sleep 0.3
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
expect_eq "killed reindex: the database holds what it held" "$(ndocs "$K")" "$NK"
expect_eq "... in its own format" "$("$IDX" stats --json --db "$K" | jq -r .format)" 1
expect_eq "... answering as before" "$("$IDX" search --db "$K" --json --exact-total 经济 | jq -r .total)" "$SUM"
if xapian-check "$K" > "$T/check.out" 2>&1; then ok "... xapian-check passes"
else fail "... xapian-check passes" "$(tail -n 3 "$T/check.out")"; fi
expect_rc "the next reindex succeeds" 0 "$IDX" reindex --db "$K" --index-format 2
expect_eq "... and removed what the killed one left" "$(ls -d "$K".reindex-* 2> /dev/null)" ""
expect_eq "... with every article" "$(ndocs "$K")" "$NK"

# what cannot be reindexed
expect_rc "no database: exit 3" 3 "$IDX" reindex --db "$T/none"
expect_match "... naming it" "$OUT" "no database at $T/none"
"$IDX" add -q --shard-by hash:2 --db "$T/arch" "$SAMPLE" > /dev/null
expect_rc "an archive: exit 2" 2 "$IDX" reindex --db "$T/arch"
expect_match "... saying to reindex its shards" "$OUT" "archive; reindex its shards one by one"
expect_rc "operands are refused" 2 "$IDX" reindex --db "$DB" extra
