#!/usr/bin/env bash
# End-to-end: idx backup and idx check.  A backup taken while idxd serves and
# idx add writes is one revision: it opens, holds that revision's document
# count, passes idx check and answers searches; a sharded archive is backed up
# as one compact database; an existing DEST is refused.  idx check says ok on
# a sound database, and finds a damaged one (exit 1 or 3, never 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"

DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
expect_rc "idx check of a sound database: exit 0" 0 "$IDX" check --db "$DB"
expect_match "its verdict" "$OUT" "documents checked in .*: ok$"
expect_match "with Xapian's own check" "$OUT" "xapian check of .*: ok"

# a backup under load: idxd serving searches, idx add committing batches
for k in 1 2 3 4 5 6; do jq -c --arg k "$k" '.id = "b\($k)-" + .id' "$SAMPLE"; done > "$T/more.jsonl"
start_server live "$DB" --threads 2 || exit 1
QF=$T/queries.txt
printf '%s\n' 经济 南通开发区 中国 发展 '5G 基站' > "$QF"
"$LOADGEN" -u "$URL" -c 4 -t 60 --check --json "$QF" > "$T/load.json" 2> "$T/load.err" &
LG=$!
_pids+=("$LG")
"$IDX" add -q --batch 50 --db "$DB" "$T/more.jsonl" > "$T/add.out" 2>&1 &
ADDER=$!
sleep 1
expect_rc "idx backup while idxd serves and idx add writes: exit 0" 0 "$IDX" backup --lock-wait 300 --db "$DB" "$T/copy"
N=$(sed -n 's/.*shard[s]*, \([0-9]*\) documents).*/\1/p' <<< "$OUT")
expect_match "it says what it copied, checked" "$OUT" "backed up .* documents\) into .*checked: ok"
wait "$ADDER"
expect_eq "the ingest meanwhile finished" "$?" 0
kill -INT "$LG"
wait "$LG"
forget "$LG"
expect_eq "searches meanwhile: 0 errors, 0 inconsistent" \
    "$(jq -r '.errors == 0 and .non2xx == 0 and .inconsistent == 0' < "$T/load.json" 2> /dev/null | tail -n 1)" true
expect_eq "the copy holds one revision's documents: between the start and the end of the ingest" \
    "$((N >= $(grep -c . "$SAMPLE") && N <= $(ndocs "$DB")))" 1
expect_eq "idx stats of the copy agrees" "$(ndocs "$T/copy")" "$N"
expect_rc "the copy passes idx check" 0 "$IDX" check --db "$T/copy"
expect_rc "and xapian-check" 0 xapian-check "$T/copy"
start_server copy "$T/copy" --threads 1 || exit 1
search "$URL" 南通开发区
expect_eq "idxd serves the copy" "$CODE $(jqb '.total > 0')" "200 true"
expect_rc "a backup into an existing directory is refused" 2 "$IDX" backup --db "$DB" "$T/copy"
expect_match "saying so" "$OUT" "exists already"

# a writer committing every article: the revision being copied is taken away
# (glass reuses its blocks after two commits), the copy starts again, and at
# last holds the write lock, waiting for the writer; never a half copy
head -n 300 "$T/more.jsonl" | jq -c '.title = "again " + .title' > "$T/again.jsonl"
before=$(ndocs "$DB")
"$IDX" add -q --batch 1 --db "$DB" "$T/again.jsonl" > "$T/add1.out" 2>&1 &
ADDER=$!
sleep 0.3
expect_rc "idx backup while idx add commits every article: exit 0" 0 "$IDX" backup --lock-wait 300 --db "$DB" "$T/copy1"
echo "#   the copy started again $(grep -c "committed to twice" <<< "$OUT") times"
N=$(sed -n 's/.*shard[s]*, \([0-9]*\) documents).*/\1/p' <<< "$OUT")
wait "$ADDER"
expect_eq "that ingest finished" "$?" 0
expect_eq "the copy holds one revision's documents" "$(ndocs "$T/copy1")" "$N"
expect_rc "and passes idx check" 0 "$IDX" check --db "$T/copy1"

# an archive backs up as one database
"$IDX" add -q --shard-by hash:3 --db "$T/arch" "$SAMPLE" > /dev/null
expect_rc "idx check of an archive checks each shard" 0 "$IDX" check --db "$T/arch"
expect_eq "three shards checked" "$(grep -c 'xapian check of .*: ok' <<< "$OUT")" 3
expect_rc "idx backup of an archive" 0 "$IDX" backup --db "$T/arch" "$T/arch.bak"
expect_eq "one database with every article" "$(ndocs "$T/arch.bak")" "$(ndocs "$T/arch")"

# damage: bytes of a table overwritten
cp -r "$T/copy" "$T/bad"
tbl=$(ls -S "$T/bad"/*.glass | head -n 1)
size=$(stat -c %s "$tbl")
head -c 8192 /dev/urandom | dd of="$tbl" bs=1 seek=$((size / 2)) conv=notrunc status=none
"$IDX" check --db "$T/bad" > "$T/bad.out" 2>&1
rc=$?
expect_eq "idx check of a damaged database does not say ok (exit 1 or 3)" "$((rc == 1 || rc == 3))" 1
expect_match "and names the damage" "$(cat "$T/bad.out")" "ERRORS|cannot|problems|error"
no_sanitizer_reports
