#!/usr/bin/env bash
# End-to-end: idx add / rm / get / stats on the bundled sample and on
# hand-made inputs: upserts, bad lines, compressed input, stdin, exit codes,
# a UTF-8 byte-order mark before the first line.
. "$(dirname "$0")/lib.sh"

DB=$T/db
N=$(grep -c . "$SAMPLE")

expect_rc "add sample exits 0" 0 "$IDX" add -q --db "$DB" "$SAMPLE"
expect_match "add prints the summary last" "$(printf '%s\n' "$OUT" | tail -n 1)" "^added $N, replaced 0, rejected 0, [0-9]+ articles/s"
expect_eq "stats counts every sample article" "$(ndocs "$DB")" "$N"

expect_rc "adding the same file again exits 0" 0 "$IDX" add -q --db "$DB" "$SAMPLE"
expect_match "second add replaces, adds nothing" "$OUT" "^added 0, replaced $N, rejected 0"
expect_eq "documents unchanged after re-adding" "$(ndocs "$DB")" "$N"

# options after the subcommand, before it, and via IDX_DB
expect_eq "options before the command" "$("$IDX" --db "$DB" stats --json | jq -r .documents)" "$N"
expect_eq "IDX_DB environment variable" "$(IDX_DB=$DB "$IDX" stats --json | jq -r .documents)" "$N"

# stats --json fields
S=$("$IDX" stats --json --db "$DB")
expect_eq "stats json has all fields" "$(jq -r '[has("documents","terms","size_bytes","revision","last_update")]|all' <<<"$S")" "true"
expect_match "stats last_update is ISO" "$(jq -r .last_update <<<"$S")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
expect_eq "stats size is positive" "$(jq -r '.size_bytes > 100000' <<<"$S")" "true"

# get returns the stored article, unknown fields included
printf '%s\n' '{"id":"x-1","title":"测试标题","body":"正文内容","date":"2020-01-02T03:04:05+08:00","extra":{"k":[1,2]},"tags":["甲","乙"]}' > "$T/one.jsonl"
expect_rc "add one article with unknown fields" 0 "$IDX" add -q --db "$DB" "$T/one.jsonl"
G=$("$IDX" get --db "$DB" x-1)
expect_eq "get keeps unknown fields" "$(jq -c .extra <<<"$G")" '{"k":[1,2]}'
expect_eq "get keeps the title" "$(jq -r .title <<<"$G")" "测试标题"
expect_rc "get of a missing id exits 1" 1 "$IDX" get --db "$DB" no-such-id
expect_match "get of a missing id says not found" "$OUT" "not found: no-such-id"
# --db naming a file that is no database (read as an archive stub, a bad one):
# the database's failure, exit 3, not a usage error
printf 'not a stub\n' > "$T/not-a-db"
expect_rc "add to a file that is no database exits 3" 3 "$IDX" add -q --db "$T/not-a-db" "$SAMPLE"
expect_match "... naming the file and the line" "$OUT" "cannot open database $T/not-a-db: .*not-a-db:1"

# index formats (document.h): recorded when a database is made, shown by
# stats; one this idx does not know is refused, saying so, by add and search
expect_eq "a new database records its format" "$(xapian-metadata get "$DB" idx.format)" 1
expect_eq "stats shows the format" "$("$IDX" stats --json --db "$DB" | jq -r .format)" 1
FDB=$T/format-db
"$IDX" add -q --db "$FDB" "$T/one.jsonl" > /dev/null
xapian-metadata set "$FDB" idx.format 3
expect_rc "search of a newer format exits 3" 3 "$IDX" search --db "$FDB" 测试
expect_match "... saying which format and what to do" "$OUT" "format 3, newer than this idx reads \(1 to 2\): use the idx that built it, or a newer one"
expect_rc "add to a newer format exits 3" 3 "$IDX" add -q --db "$FDB" "$T/one.jsonl"
expect_match "... naming the database" "$OUT" "$FDB.*format 3"
expect_eq "... and leaves it as it was" "$(xapian-metadata get "$FDB" idx.format)" 3
expect_match "stats says which formats this idx reads" "$("$IDX" stats --db "$FDB")" "format +3 \(this idx reads formats 1 to 2\)"
# a database from before formats (no key) is format 1: it keeps working, is
# written in format 1, records it at its next add, and stats says what to do
F1=$T/format1-db
"$IDX" add -q --db "$F1" "$SAMPLE" > /dev/null
xapian-metadata set "$F1" idx.format ""
expect_eq "a format-1 database (no key) answers as before: 南通开发区" \
    "$("$IDX" search --db "$F1" --json --exact-total 南通开发区 | jq -r .total)" \
    "$("$IDX" search --db "$DB" --json --exact-total 南通开发区 | jq -r .total)"
F2=$T/format2-db
"$IDX" add -q --index-format 2 --db "$F2" "$SAMPLE" > /dev/null
expect_eq "--index-format 2 is recorded" "$(xapian-metadata get "$F2" idx.format)" 2
expect_eq "... and answers as format 1 does: 南通开发区" \
    "$("$IDX" search --db "$F2" --json --exact-total 南通开发区 | jq -r .total)" \
    "$("$IDX" search --db "$DB" --json --exact-total 南通开发区 | jq -r .total)"
expect_rc "... later adds keep it (no option needed)" 0 "$IDX" add -q --db "$F2" "$T/one.jsonl"
expect_eq "... still format 2" "$(xapian-metadata get "$F2" idx.format)" 2
"$IDX" add -q --db "$F1" "$T/one.jsonl" > /dev/null
expect_eq "... is format 1, recorded at its next add" "$(xapian-metadata get "$F1" idx.format)" 1
expect_rc "--index-format cannot change a database with documents" 2 "$IDX" add -q --index-format 2 --db "$F1" "$T/one.jsonl"
expect_match "... saying so and what to do" "$OUT" "--index-format cannot change.*format 1: idx reindex --index-format N"
expect_rc "--cjk-unigrams edges in format 2 is refused" 2 "$IDX" add -q --index-format 2 --cjk-unigrams edges --db "$T/e2" "$T/one.jsonl"
expect_match "... naming --index-format 1" "$OUT" "needs --index-format 1"

# the default build path: a new database from 8 MiB or more of JSON Lines
# files is built by one job per core and merged by the compactor (compact,
# its size recorded); with --batch, from standard input, or into an existing
# database, one process commits batches
BIG=$T/big.jsonl
for k in $(seq 1 17); do jq -c --arg k "$k" '.id = "b\($k)-" + .id' "$SAMPLE"; done > "$BIG"
NB=$(wc -l < "$BIG")
expect_rc "a new database from $(du -m "$BIG" | cut -f1) MiB of JSON Lines" 0 "$IDX" add -q --db "$T/bulk" "$BIG"
J=$(nproc); [ "$J" -gt 8 ] && J=8
if [ "$J" -ge 2 ]; then expect_match "... is built by one job per core (at most 8) and merged" "$OUT" "added $NB, .* $J jobs, merged in"
else expect_match "... is built by one process on one core" "$OUT" "^added $NB, "; fi
expect_eq "... with every article" "$(ndocs "$T/bulk")" "$NB"
expect_match "... its compact size recorded" "$(xapian-metadata get "$T/bulk" idx.compact_bytes)" "^[0-9]+$"
"$IDX" compact --db "$T/bulk" "$T/bulk.c" > /dev/null
expect_eq "... compact: idx compact makes it no smaller (within 2 %)" \
    "$(( $(du -sk "$T/bulk" | cut -f1) * 100 <= $(du -sk "$T/bulk.c" | cut -f1) * 102 ))" 1
# (both over 64 MiB with no compact size recorded: compacted at the end)
expect_rc "with --batch: one process" 0 "$IDX" add -q --batch 500 --db "$T/bulk1" "$BIG"
expect_match "... (no jobs), compacted at the end" "$OUT" \
    "^added $NB, replaced 0, rejected 0, [0-9]+ articles/s \([0-9.]+ s\) - compacted [0-9.]+ MiB to [0-9.]+ MiB$"
expect_eq "... every article kept" "$(ndocs "$T/bulk1")" "$NB"
expect_rc "from standard input: one process" 0 sh -c "\"$IDX\" add -q --db \"$T/bulk2\" < \"$BIG\""
expect_match "... (no jobs)" "$OUT" "^added $NB, replaced 0, rejected 0, [0-9]+ articles/s \([0-9.]+ s\)"

# adding to a database that batch commits grew past 1.5x its recorded compact
# size compacts it in place (the record set low here to make it so)
C=$T/grow
"$IDX" add -q --db "$C" "$SAMPLE" > /dev/null
BEFORE=$("$IDX" search --db "$C" --json --exact-total --limit 5 经济 | jq -c '[.total, [.hits[].id]]')
xapian-metadata set "$C" idx.compact_bytes 1000
printf '%s\n' '{"id":"grow-1","title":"增长测试","body":"数据库增长之后压缩"}' > "$T/grow.jsonl"
expect_rc "an add that leaves a grown database" 0 "$IDX" add -q --db "$C" "$T/grow.jsonl"
expect_match "... compacts it, saying so" "$OUT" "added 1, .* - compacted [0-9.]+ MiB to [0-9.]+ MiB"
expect_eq "... every article kept" "$(ndocs "$C")" "$((N + 1))"
expect_eq "... the new one found" "$("$IDX" search --db "$C" --json 增长测试 | jq -r '.hits[0].id')" "grow-1"
expect_eq "... the same answers" "$("$IDX" search --db "$C" --json --exact-total --limit 5 经济 | jq -c '[.total, [.hits[].id]]')" "$BEFORE"
expect_match "... the new size recorded" "$(xapian-metadata get "$C" idx.compact_bytes)" "^[0-9]{6,}$"
if xapian-check "$C" > "$T/check.out" 2>&1; then ok "... xapian-check passes"
else fail "... xapian-check passes" "$(tail -n 3 "$T/check.out")"; fi
expect_eq "... no staging directory left" "$(ls -d "$C".recompact-* 2> /dev/null)" ""
printf '%s\n' '{"id":"grow-2","title":"再次增长","body":"小的增长不压缩"}' > "$T/grow.jsonl"
expect_rc "a small add after it" 0 "$IDX" add -q --db "$C" "$T/grow.jsonl"
expect_match "... does not compact" "$OUT" "^added 1, replaced 0, rejected 0, [0-9]+ articles/s \([0-9.]+ s\)$"

# rm
expect_rc "rm an existing id exits 0" 0 "$IDX" rm --db "$DB" x-1
expect_eq "rm reports the count" "$OUT" "removed 1, not found 0"
expect_eq "rm lowers the document count" "$(ndocs "$DB")" "$N"
expect_rc "rm a missing id exits 1" 1 "$IDX" rm --db "$DB" x-1
expect_match "rm names the missing id" "$OUT" "not found: x-1"
expect_rc "get after rm exits 1" 1 "$IDX" get --db "$DB" x-1

# a 100-line file with 3 bad lines: 97 indexed, the 3 named, exit 1
B=$T/bad.jsonl
for i in $(seq 1 100); do
    case $i in
    17) printf '%s\n' '{"id":"bad-17","title":"坏行" ' ;;                  # malformed JSON
    50) printf '{"id":"bad-50","title":"\xff\xfe坏"}\n' ;;                 # invalid UTF-8
    88) printf '%s\n' '{"title":"没有编号","body":"缺少 id"}' ;;            # missing id
    *) printf '{"id":"ok-%d","title":"第%d条新闻","body":"内容 %d","date":"2021-03-%02d"}\n' "$i" "$i" "$i" $(( (i % 28) + 1 )) ;;
    esac
done > "$B"
BDB=$T/bad-db
expect_rc "3 bad lines of 100 exit 1" 1 "$IDX" add -q --db "$BDB" "$B"
expect_eq "97 of 100 lines indexed" "$(ndocs "$BDB")" "97"
expect_match "malformed JSON named by file:line" "$OUT" "bad.jsonl:17: invalid JSON at byte"
expect_match "invalid UTF-8 named with its byte offset" "$OUT" "bad.jsonl:50: invalid UTF-8 in line at byte 24 \\(0xFF\\)"
expect_match "missing id named" "$OUT" 'bad.jsonl:88: missing "id"'
expect_match "summary counts the rejects" "$OUT" "added 97, replaced 0, rejected 3"
expect_eq "exactly 3 error lines" "$(printf '%s\n' "$OUT" | grep -c 'bad.jsonl:[0-9]*:')" "3"

# bad dates and wrong field types are rejected with a reason
printf '%s\n' '{"id":"d1","title":"t","date":"2022-02-30"}' '{"id":"d2","title":"t","tags":"x"}' '{"id":3,"title":"t"}' '{"id":"d4"}' > "$T/fields.jsonl"
expect_rc "bad fields exit 1" 1 "$IDX" add -q --db "$T/f-db" "$T/fields.jsonl"
expect_match "bad date named" "$OUT" 'fields.jsonl:1: bad "date": day out of range'
expect_match "tags type named" "$OUT" 'fields.jsonl:2: "tags" must be an array'
expect_match "numeric id named" "$OUT" 'fields.jsonl:3: "id" must be a string'
expect_match "no title/body named" "$OUT" 'fields.jsonl:4: needs a non-empty "title" or "body"'

# gzip input and stdin give the same index
gzip -c "$SAMPLE" > "$T/sample.jsonl.gz"
expect_rc "add .gz exits 0" 0 "$IDX" add -q --db "$T/gz-db" "$T/sample.jsonl.gz"
expect_eq ".gz input indexes every article" "$(ndocs "$T/gz-db")" "$N"
OUT=$("$IDX" add -q --db "$T/stdin-db" < "$SAMPLE")
expect_match "stdin input" "$OUT" "^added $N,"
OUT=$(gzip -c "$SAMPLE" | "$IDX" add -q --db "$T/stdin-gz-db" -)
expect_match "gzip on stdin (-) is detected" "$OUT" "^added $N,"
head -c 20000 "$T/sample.jsonl.gz" > "$T/trunc.jsonl.gz"
expect_rc "truncated .gz exits 3" 3 "$IDX" add -q --db "$T/trunc-db" "$T/trunc.jsonl.gz"
expect_match "truncated .gz is named" "$OUT" "trunc.jsonl.gz.*(truncated|corrupt)"
expect_eq "lines before the truncation are kept" "$( [ "$(ndocs "$T/trunc-db")" -gt 0 ] && echo yes)" "yes"

# a UTF-8 byte-order mark before line 1 (plain, .gz, .zst, stdin) is skipped,
# not "invalid JSON at byte 3"
{ printf '\xEF\xBB\xBF'; head -n 3 "$SAMPLE"; } > "$T/bom.jsonl"
expect_rc "a file starting with a BOM exits 0" 0 "$IDX" add -q --db "$T/bom-db" "$T/bom.jsonl"
expect_match "  ... and its first line is indexed" "$OUT" "^added 3, replaced 0, rejected 0"
gzip -c "$T/bom.jsonl" > "$T/bom.jsonl.gz"
expect_rc "a .gz whose text starts with a BOM" 0 "$IDX" add -q --db "$T/bom-gz-db" "$T/bom.jsonl.gz"
expect_match "  ... all 3 lines" "$OUT" "^added 3, replaced 0, rejected 0"
if command -v zstd > /dev/null; then
    zstd -q -c "$T/bom.jsonl" > "$T/bom.jsonl.zst"
    expect_rc "a .zst whose text starts with a BOM" 0 "$IDX" add -q --db "$T/bom-zst-db" "$T/bom.jsonl.zst"
    expect_match "  ... all 3 lines" "$OUT" "^added 3, replaced 0, rejected 0"
fi
OUT=$("$IDX" add -q --db "$T/bom-stdin-db" < "$T/bom.jsonl" 2>&1)
expect_match "a BOM on stdin" "$OUT" "^added 3, replaced 0, rejected 0"
expect_eq "  ... the first article's id is intact" "$("$IDX" get --db "$T/bom-stdin-db" "$(head -n 1 "$SAMPLE" | jq -r .id)" | jq -r .id)" "$(head -n 1 "$SAMPLE" | jq -r .id)"

# usage and database errors
expect_rc "unknown command exits 2" 2 "$IDX" frobnicate
expect_rc "unknown option exits 2" 2 "$IDX" add --frob
expect_rc "bad --batch exits 2" 2 "$IDX" add --batch 0
expect_rc "search without a database exits 3" 3 "$IDX" search --db "$T/nowhere" 南通
expect_match "missing database is named" "$OUT" "no database at $T/nowhere"
expect_rc "missing input file exits 3" 3 "$IDX" add -q --db "$T/m-db" "$T/nope.jsonl"
expect_match "missing input file is named" "$OUT" "nope.jsonl: No such file"
