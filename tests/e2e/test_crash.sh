#!/usr/bin/env bash
# End-to-end: a killed ingest loses at most its open batch and never corrupts
# the index; two writers at once: the second fails with a clear "locked".
. "$(dirname "$0")/lib.sh"

# ~3,000 distinct articles: the sample 10 times with new ids
IN=$T/big.jsonl
for k in $(seq 1 10); do jq -c --arg k "$k" '.id = "k\($k)-" + .id' "$SAMPLE"; done > "$IN"
TOTAL=$(wc -l < "$IN")
BATCH=100
DB=$T/db
KILLS=${IDX_CRASH_KILLS:-10}

for round in $(seq 1 "$KILLS"); do
    rm -rf "$DB"
    "$IDX" add -q --batch $BATCH --db "$DB" "$IN" > /dev/null 2>&1 &
    pid=$!
    # kill at a random moment 0.1-2.9 s in (the whole ingest takes longer)
    sleep "$(( RANDOM % 3 )).$(( (RANDOM % 9) + 1 ))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ ! -d "$DB" ] || ! "$IDX" stats --db "$DB" > /dev/null 2>&1; then
        # killed before the first commit created a database: nothing to check
        [ ! -f "$DB/iamglass" ] && ok "round $round: killed before the first commit" && continue
    fi
    if xapian-check "$DB" > "$T/check.out" 2>&1; then ok "round $round: xapian-check passes"
    else fail "round $round: xapian-check passes" "$(tail -n 3 "$T/check.out")"; fi
    K=$(ndocs "$DB")
    if [ $((K % BATCH)) -eq 0 ] || [ "$K" -eq "$TOTAL" ]; then ok "round $round: $K docs is a whole number of batches"
    else fail "round $round: whole batches" "$K docs with batch $BATCH"; fi
    if [ "$K" -gt 0 ]; then
        last=$(sed -n "${K}p" "$IN" | jq -r .id)
        if "$IDX" get --db "$DB" "$last" > /dev/null 2>&1; then ok "round $round: line $K is present"
        else fail "round $round: line $K is present" "$last missing"; fi
    fi
    if [ "$K" -lt "$TOTAL" ]; then
        next=$(sed -n "$((K + 1))p" "$IN" | jq -r .id)
        if "$IDX" get --db "$DB" "$next" > /dev/null 2>&1; then fail "round $round: prefix only" "line $((K + 1)) ($next) is present"
        else ok "round $round: line $((K + 1)) is absent (a committed prefix)"; fi
    fi
    expect_rc "round $round: re-running the ingest succeeds" 0 "$IDX" add -q --batch $BATCH --db "$DB" "$IN"
    expect_eq "round $round: re-run ends with the full count" "$(ndocs "$DB")" "$TOTAL"
done

# two writers: the second fails at once with a clear message, the first is unharmed
L=$T/lockdb
"$IDX" add -q --db "$L" "$SAMPLE" > /dev/null
N=$(ndocs "$L")
mkfifo "$T/fifo"
"$IDX" add -q --db "$L" < "$T/fifo" > "$T/first.out" 2>&1 &
first=$!
exec 7> "$T/fifo"  # hold the first writer open, waiting for input
# wait until the first writer has the database open (its files show in /proc)
for _ in $(seq 1 100); do ls -l "/proc/$first/fd" 2>/dev/null | grep -q "$L/" && break; sleep 0.1; done
expect_rc "second writer exits 3 (--lock-wait 0)" 3 "$IDX" add -q --lock-wait 0 --db "$L" "$SAMPLE"
expect_match "second writer says locked" "$OUT" "database .* is locked: another writer"
expect_rc "with --lock-wait 1 it waits, then exits 3" 3 "$IDX" add -q --lock-wait 1 --db "$L" "$SAMPLE"
expect_match "saying it waits" "$OUT" "locked by another writer .*waiting up to 1 s"
printf '%s\n' '{"id":"while-locked","title":"锁定期间写入"}' >&7
exec 7>&-
wait "$first"
expect_eq "first writer finished normally" "$?" "0"
expect_eq "first writer's article is stored" "$(ndocs "$L")" "$((N + 1))"
