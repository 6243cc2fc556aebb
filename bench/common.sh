# bench/common.sh - sourced by the bench scripts (run from the repository
# root).  ensure_index CORPUS DB: builds DB from CORPUS with `idx add` unless
# it already holds every article of CORPUS.  start_idxd: an idxd to load.
ensure_index() {
    local corpus=$1 db=$2 want have
    want=$(zcat -f "$corpus" | grep -c .)
    have=$(build/idx stats --json --db "$db" 2>/dev/null | jq -r .documents || echo 0)
    if [ "$have" != "$want" ]; then
        echo "building $db from $corpus ($want lines)..."
        rm -rf "$db"
        build/idx add -q --db "$db" "$corpus"
    fi
}

# start_idxd OUT DB [idxd options...]: idxd ($IDXD, default build/idxd) on a
# free loopback port without an access log, stdout/stderr in OUT; waits for
# its listening line and sets IDXD_PID and URL (http://127.0.0.1:PORT).
# Returns 1 when it did not come up.  The caller stops it.
start_idxd() {
    local out=$1 db=$2
    shift 2
    "${IDXD:-build/idxd}" --db "$db" --listen 127.0.0.1:0 --no-access-log "$@" > "$out" 2>&1 &
    IDXD_PID=$!
    for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
    URL=$(grep -o 'http://[^/]*' "$out" || true)
    [ -n "$URL" ]
}

# BENCH_JQ: jq functions over one `idx bench --json` object for what the old
# load generator (tests/tools/loadgen) printed and idx bench does not:
# non2xx (answered with a status other than 2xx, from .status: code -> count),
# neterrors (no answer at all: connect, timeout, eof; idx bench's .errors
# counts these and the non-2xx together) and p95_ms (from .spectrum).
#   jq -r "$BENCH_JQ"' [.achieved_rps, p95_ms, non2xx] | @tsv' RUN.json
BENCH_JQ='def non2xx: [.status | to_entries[] | select(.key | test("^2[0-9][0-9]$") | not) | .value] | add // 0;
def neterrors: .errors - non2xx;
def p95_ms: [.spectrum[] | select(.[0] == 95) | .[1]][0];
'
