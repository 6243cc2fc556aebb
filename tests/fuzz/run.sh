#!/usr/bin/env bash
# tests/fuzz/run.sh - run every libFuzzer target (make fuzz): first replay its
# regression inputs (tests/fuzz/regress/TARGET/*: inputs that once crashed),
# then fuzz for FUZZ_SECONDS from its seed corpus (tests/fuzz/corpus/TARGET,
# copied, so the committed seeds stay as they are).  A crash leaves its input
# in $BUILD/fuzz/artifacts/: add it to tests/fuzz/regress/TARGET/ with the fix.
# Prints ok/FAIL per target with its executions, then "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
passed=0
failed=0
mkdir -p "$BUILD/fuzz/artifacts"
for bin in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    regress=tests/fuzz/regress/$name
    mapfile -t inputs < <(find "$regress" -type f ! -name '.keep' 2> /dev/null | sort)
    if [ ${#inputs[@]} -gt 0 ]; then
        if ! "$bin" "${inputs[@]}" > "$BUILD/fuzz/$name.regress.log" 2>&1; then
            echo "FAIL $name: a regression input crashes again (see $BUILD/fuzz/$name.regress.log)"
            failed=$((failed + 1))
            continue
        fi
    fi
    work=$(mktemp -d)
    cp tests/fuzz/corpus/"$name"/* "$work"/ 2> /dev/null
    "$bin" "$work" -max_total_time="$SECS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/artifacts/$name-" \
        > "$BUILD/fuzz/$name.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/fuzz/$name.log" | tail -n 1)
    rm -rf "$work"
    if [ "$rc" -eq 0 ]; then
        echo "ok   $name: ${runs:-?} executions in ${SECS}s, no crash"
        passed=$((passed + 1))
    else
        echo "FAIL $name: exit $rc after ${runs:-?} executions; input in $BUILD/fuzz/artifacts/, log $BUILD/fuzz/$name.log"
        grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$BUILD/fuzz/$name.log"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
