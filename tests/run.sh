#!/usr/bin/env bash
# tests/run.sh - run every test: the unit test programs in $BUILD/tests and
# the end-to-end scripts in tests/e2e (with --long: the scripts in
# tests/long instead, the soak run of `make soak`).  Each prints "ok"/"FAIL" lines and a
# "#summary PASSED FAILED" line; a program that dies without its summary
# counts as one failure.  The last line is the total: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export IDX_BIN="$PWD/$BUILD/idx"
export IDX_FAULT_LIB="$PWD/$BUILD/tests/libnospace.so"
export IDX_ROOT="$PWD"
passed=0
failed=0
failed_names=()

run_one() { # name, command...
    local name=$1
    shift
    local out rc
    echo "== $name"
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^#summary'
    local sum
    sum=$(printf '%s\n' "$out" | grep '^#summary' | tail -n 1)
    if [ -z "$sum" ]; then
        echo "FAIL $name: exited with status $rc before its summary"
        failed=$((failed + 1))
        failed_names+=("$name")
        return
    fi
    local p f
    read -r _ p f <<<"$sum"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
        failed_names+=("$name")
        [ "$f" -eq 0 ] && failed=$((failed + 1))
    fi
}

if [ "${1:-}" = --long ]; then
    # the long runs (make soak): tests/long
    for t in tests/long/test_*.sh; do
        [ -f "$t" ] || continue
        run_one "long/$(basename "$t")" bash "$t"
    done
else
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run_one "unit/$(basename "$t")" "$t"
    done
    for t in tests/e2e/test_*.sh; do
        [ -f "$t" ] || continue
        run_one "e2e/$(basename "$t")" bash "$t"
    done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failing: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
