# tests/e2e/server.sh - helpers for end-to-end tests of idxd over HTTP.
# Source it after lib.sh.  It finds idxd and loadgen beside $IDX, starts
# servers on 127.0.0.1 with a free port (start_server) and stops every one it
# started when the test exits; http/search set CODE, CTYPE, BODY and HDRS.
BINDIR=$(dirname "$IDX")
IDXD=$BINDIR/idxd
LOADGEN=$BINDIR/tests/tools/loadgen
for b in "$IDXD" "$LOADGEN"; do
    [ -x "$b" ] || { fail "binaries" "$b is missing (make $b)"; exit 1; }
done

# ---- servers: every idxd (and loadgen) started here is stopped on exit ----
_pids=()
_stop_all() {
    local p
    for p in "${_pids[@]}"; do kill -TERM "$p" 2> /dev/null; done
    for p in "${_pids[@]}"; do
        for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
        alive "$p" && kill -KILL "$p" 2> /dev/null
        wait "$p" 2> /dev/null
    done
    _pids=()
    _finish
}
trap _stop_all EXIT

# forget PID: no longer stop it on exit
forget() {
    local keep=() p
    for p in "${_pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
    _pids=("${keep[@]}")
}
# alive PID: running (neither gone nor a zombie)
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    local st
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# start_server NAME DB [idxd options...]: starts idxd in the background with
# stdout/stderr in $T/NAME.out/.err, waits for its "listening" line; sets
# PID, URL (http://127.0.0.1:PORT) and PORT.  Returns 1 if it did not start.
start_server() {
    local name=$1 db=$2
    shift 2
    "$IDXD" --db "$db" --listen 127.0.0.1:0 "$@" > "$T/$name.out" 2> "$T/$name.err" &
    PID=$!
    _pids+=("$PID")
    URL='' PORT=''
    for _ in $(seq 200); do
        URL=$(sed -n 's|^idxd: listening on \(http://[^ ]*[0-9]\)/ .*|\1|p' "$T/$name.out")
        [ -n "$URL" ] && break
        alive "$PID" || break
        sleep 0.05
    done
    if [ -z "$URL" ]; then
        fail "start idxd $name" "no listening line; stderr: $(head -c 400 "$T/$name.err")"
        return 1
    fi
    PORT=${URL##*:}
    return 0
}

# stop_server PID SECS: SIGTERM, wait up to SECS; sets STOP_RC (exit status,
# or "timeout" if it had to be killed) and STOP_S (seconds it took).
stop_server() {
    local pid=$1 secs=$2 t0 t1
    t0=$(date +%s.%N)
    kill -TERM "$pid" 2> /dev/null
    local n
    n=$(awk -v s="$secs" 'BEGIN { print int(s * 20) }')
    for _ in $(seq "$n"); do alive "$pid" || break; sleep 0.05; done
    t1=$(date +%s.%N)
    STOP_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    if alive "$pid"; then
        kill -KILL "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
        STOP_RC=timeout
    else
        wait "$pid"
        STOP_RC=$?
    fi
    forget "$pid"
}

# http URL [curl options...]: sets CODE, CTYPE, BODY (and HDRS: the headers)
http() {
    local url=$1 w
    shift
    rm -f "$T/body" "$T/hdrs"
    w=$(curl -s --max-time 20 -D "$T/hdrs" -o "$T/body" -w '%{http_code} %{content_type}' "$@" "$url")
    CODE=${w%% *}
    CTYPE=${w#* }
    BODY=$(cat "$T/body" 2> /dev/null)
    HDRS=$(tr -d '\r' < "$T/hdrs" 2> /dev/null)
}
# search BASE QUERY [name=value...]: GET BASE/search?q=QUERY&...
search() {
    local base=$1 q=$2
    shift 2
    local args=(-G --data-urlencode "q=$q") kv
    for kv in "$@"; do args+=(--data-urlencode "$kv"); done
    http "$base/search" "${args[@]}"
}
jqb() { jq -r "$1" <<< "$BODY" 2> /dev/null; }

# sanitized: is idxd an AddressSanitizer build (SAN=1: several times slower;
# time bounds meant for the real build are widened there, and say so)
sanitized() { ldd "$IDXD" 2> /dev/null | grep -q libasan; }

# no_sanitizer_reports: no ASan/UBSan/LSan report in any server's stderr
# (the servers of a SAN=1 build)
no_sanitizer_reports() {
    local rep
    rep=$(grep -lE 'Sanitizer|runtime error:' "$T"/*.err 2> /dev/null | xargs -r -n1 basename | tr '\n' ' ')
    expect_eq "no sanitizer report in any idxd/loadgen stderr" "$rep" ""
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now, below the
# kernel's ephemeral range (ip_local_port_range), so no client connection's
# own port can take it before the server binds it (for servers that cannot
# pick their own, like xapian-tcpsrv)
free_port() {
    local p lo=32768
    read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || true
    [ "$lo" -gt 11000 ] || lo=32768
    for _ in $(seq 50); do
        p=$((10000 + RANDOM % (lo - 10000)))
        (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
    done
}
