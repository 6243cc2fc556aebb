#!/usr/bin/env bash
# End-to-end: `idx add` on a full disk.  The disk fills at many points of an
# ingest (LD_PRELOAD fault injection, tests/fault/nospace.c: writes under the
# database fail with ENOSPC after N bytes) and, where this machine lets us
# mount one, on a real 3 MiB tmpfs.  Each time: exit status 3, a message that
# names the database and "No space left on device", a database that opens and
# passes xapian-check, holds exactly a committed prefix of the input (what the
# message says it keeps), keeps what it held before, and once there is space
# again re-running the same input ends with the full count.
. "$(dirname "$0")/lib.sh"
LIB=${IDX_FAULT_LIB:?IDX_FAULT_LIB must point at libnospace.so (tests/run.sh sets it)}
# a sanitized idx checks that its runtime comes first; the shim only wraps
# write calls and forwards them, so that order does not matter here
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
ROUNDS=${IDX_DISK_ROUNDS:-10}
BATCH=100

IN=$T/in.jsonl
for k in 1 2 3 4; do jq -c --arg k "$k" '.id = "d\($k)-" + .id' "$SAMPLE"; done > "$IN"
TOTAL=$(wc -l < "$IN")

# check_prefix NAME DB ERRFILE: the database after a failed ingest of $IN
check_prefix() {
    local name=$1 db=$2 err=$3
    if xapian-check "$db" > "$T/check.out" 2>&1; then ok "$name: xapian-check passes"
    else fail "$name: xapian-check passes" "$(tail -n 3 "$T/check.out")"; fi
    local k
    k=$(ndocs "$db")
    if [ $((k % BATCH)) -eq 0 ]; then ok "$name: $k docs, a whole number of batches"
    else fail "$name: whole batches" "$k docs with batch $BATCH"; fi
    if [ "$k" -gt 0 ]; then
        expect_match "$name: the message says the last commit ends with line $k" "$(cat "$err")" \
            "keeps its last commit, which ends with $IN:$k;"
        local last
        last=$(sed -n "${k}p" "$IN" | jq -r .id)
        expect_rc "$name: line $k is stored" 0 "$IDX" get --db "$db" "$last"
    fi
    [ "$k" -lt "$TOTAL" ] || return 0
    local next
    next=$(sed -n "$((k + 1))p" "$IN" | jq -r .id)
    expect_rc "$name: line $((k + 1)) is not (a committed prefix)" 1 "$IDX" get --db "$db" "$next"
}

# ---- calibrate: how many bytes a whole run writes under the database ----
DB=$T/db
IDX_FAULT_DIR=$DB IDX_FAULT_REPORT=$T/bytes LD_PRELOAD=$LIB "$IDX" add -q --batch $BATCH --db "$DB" "$IN" > /dev/null
W=$(cat "$T/bytes" 2>/dev/null || echo 0)
expect_eq "a full run with the shim counting only stores everything" "$(ndocs "$DB")" "$TOTAL"
if [ "$W" -gt 1000000 ]; then ok "the shim sees the database writes ($W bytes)"
else fail "the shim sees the database writes" "$W bytes"; fi

# ---- the disk fills at ROUNDS points spread over the run ----
for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$DB"
    lim=$(( W * round / (ROUNDS + 1) + RANDOM * 7 ))
    [ "$round" -eq 1 ] && lim=2000 # before even the first commit
    IDX_FAULT_DIR=$DB IDX_FAULT_NOSPACE_AFTER=$lim LD_PRELOAD=$LIB \
        "$IDX" add -q --batch $BATCH --db "$DB" "$IN" > "$T/out" 2> "$T/err"
    rc=$?
    n="full disk after $lim bytes"
    expect_eq "$n: exit status 3" "$rc" 3
    expect_match "$n: the error names the database and the reason" "$(cat "$T/err")" \
        "^idx: cannot write to database $DB: .*No space left on device"
    if "$IDX" stats --db "$DB" > /dev/null 2>&1; then
        check_prefix "$n" "$DB" "$T/err"
    else
        expect_eq "$n: no database was committed yet (no iamglass)" "$(ls "$DB/iamglass" 2>/dev/null)" ""
    fi
    expect_rc "$n: re-running with space succeeds" 0 "$IDX" add -q --batch $BATCH --db "$DB" "$IN"
    expect_eq "$n: re-run ends with the full count" "$(ndocs "$DB")" "$TOTAL"
done

# ---- an existing index keeps what it held when an update hits a full disk ----
OLD=$T/old
"$IDX" add -q --db "$OLD" "$SAMPLE" > /dev/null
N0=$(ndocs "$OLD")
# rewrite every sample article (same ids, new titles): the upserts hit the full disk
jq -c '.title = "改写 " + .title' "$SAMPLE" > "$T/rewrite.jsonl"
IDX_FAULT_DIR=$OLD IDX_FAULT_NOSPACE_AFTER=300000 LD_PRELOAD=$LIB \
    "$IDX" add -q --batch 1000 --db "$OLD" "$T/rewrite.jsonl" > /dev/null 2> "$T/err"
expect_eq "upserts on a full disk: exit status 3" "$?" 3
expect_match "upserts on a full disk: the database keeps what it held" "$(cat "$T/err")" \
    "keeps what it held before this run"
expect_rc "upserts on a full disk: xapian-check passes" 0 xapian-check "$OLD"
expect_eq "upserts on a full disk: document count unchanged" "$(ndocs "$OLD")" "$N0"
expect_eq "upserts on a full disk: no title was rewritten" \
    "$("$IDX" search --db "$OLD" --json --limit 100 改写 | jq '[.hits[] | select(.title | startswith("改写"))] | length')" 0
expect_eq "upserts on a full disk: the seed article is still found first" \
    "$("$IDX" search --db "$OLD" --json --limit 1 南通开发区 | jq -r '.hits[0].id')" \
    "$(jq -r 'select(.title | contains("南通开发区")) | .id' "$SAMPLE" | head -n 1)"

# ---- a real small filesystem, where this machine lets us mount one ----
M=$T/small
mkdir -p "$M"
if mount -t tmpfs -o size=3m idx-test-tmpfs "$M" 2> /dev/null; then
    trap 'umount "$M" 2> /dev/null; _finish' EXIT
    "$IDX" add -q --batch $BATCH --db "$M/db" "$IN" > "$T/out" 2> "$T/err"
    expect_eq "3 MiB tmpfs: exit status 3" "$?" 3
    expect_match "3 MiB tmpfs: the error names the database and the reason" "$(cat "$T/err")" \
        "^idx: cannot write to database $M/db: .*No space left on device"
    check_prefix "3 MiB tmpfs" "$M/db" "$T/err"
    expect_rc "3 MiB tmpfs: searching still works" 0 "$IDX" search --db "$M/db" 经济
    mount -o remount,size=128m "$M"
    expect_rc "tmpfs grown to 128 MiB: re-running succeeds" 0 "$IDX" add -q --batch $BATCH --db "$M/db" "$IN"
    expect_eq "tmpfs grown to 128 MiB: the full count" "$(ndocs "$M/db")" "$TOTAL"
    expect_rc "tmpfs grown to 128 MiB: xapian-check passes" 0 xapian-check "$M/db"
    umount "$M"
else
    echo "skip a real 3 MiB tmpfs: this machine does not let us mount one (the fault injection above covers ENOSPC)"
fi
