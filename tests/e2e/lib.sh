# tests/e2e/lib.sh - helpers for end-to-end tests of the real binaries.
# Source it; it makes $T (a temp dir removed on exit) and prints
# "ok"/"FAIL" per check and "#summary PASSED FAILED" at exit.
set -u
IDX=${IDX_BIN:?IDX_BIN must point at the idx binary (tests/run.sh sets it)}
ROOT=${IDX_ROOT:?}
SAMPLE=$ROOT/tests/sample/news.jsonl
T=$(mktemp -d /tmp/idx-e2e.XXXXXX)
_pass=0
_fail=0
_finish() {
    rm -rf "$T"
    echo "#summary $_pass $_fail"
}
trap _finish EXIT

ok() { echo "ok   $1"; _pass=$((_pass + 1)); }
fail() { echo "FAIL $1: $2"; _fail=$((_fail + 1)); }

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got [$2], want [$3]"; fi
}
# expect_match NAME TEXT REGEX
expect_match() {
    if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1" "[$2] does not match /$3/"; fi
}
# expect_rc NAME WANT cmd... (stdout+stderr of cmd in $OUT)
expect_rc() {
    local name=$1 want=$2
    shift 2
    OUT=$("$@" 2>&1)
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $rc, want $want; output: ${OUT:0:400}"; fi
}
# doc count of a database
ndocs() { "$IDX" stats --json --db "$1" | jq -r .documents; }
