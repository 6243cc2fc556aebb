#!/usr/bin/env bash
# End-to-end: a read replica kept current by Xapian's own replication.
# xapian-replicate-server serves the master's databases; xapian-replicate
# pulls one every second into a replica directory (whose XAPIANDB stub names
# the live copy, which idx reads like any stub); idxd serves the replica and
# shows each new commit to the master within seconds, incrementally (the
# master keeps changesets: XAPIAN_MAX_CHANGESETS) and after a full copy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
for b in xapian-replicate xapian-replicate-server; do
    command -v "$b" > /dev/null || { fail "$b" "not installed (xapian-tools)"; exit 1; }
done

M=$T/master REP=$T/replica
mkdir -p "$M"
export XAPIAN_MAX_CHANGESETS=10 # the master keeps changesets for incremental replication
"$IDX" add -q --db "$M/news" "$SAMPLE" > /dev/null || fail "index the master" "idx add failed"

# the Xapian tools signal their own process group when stopping: own sessions
_grp=()
trap '{ for p in "${_grp[@]}"; do kill -KILL -- "-$p"; wait "$p"; done; } 2> /dev/null; _stop_all' EXIT
PORT_R=$(free_port)
setsid xapian-replicate-server -I 127.0.0.1 -p "$PORT_R" "$M" > "$T/rserver.out" 2>&1 &
_grp+=($!)
for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT_R") 2> /dev/null && break; sleep 0.1; done
setsid xapian-replicate -h 127.0.0.1 -p "$PORT_R" -m news -i 1 -r 1 -v "$REP" > "$T/replicate.out" 2>&1 &
_grp+=($!)
got=
for _ in $(seq 100); do
    [ "$(ndocs "$REP" 2> /dev/null)" = "$(ndocs "$M/news")" ] && { got=1; break; }
    sleep 0.1
done
expect_eq "the replica is a full copy within 10 s" "${got:-0}" 1
expect_eq "its stub names the live copy (read by idx like any stub)" "$(grep -c '^auto replica_' "$REP/XAPIANDB" 2> /dev/null)" 1
expect_rc "the replica passes xapian-check" 0 xapian-check "$REP/$(sed -n 's/^auto //p' "$REP/XAPIANDB")"

start_server replica "$REP" --threads 2 || exit 1
R=$URL R_PID=$PID
search "$R" 南通开发区
expect_eq "idxd on the replica answers" "$CODE $(jqb '.total')" "200 1"

# wait_found QUERY ID SECS: seconds until idxd on the replica finds ID, or "never"
wait_found() {
    local t0 t1
    t0=$(date +%s%N)
    for _ in $(seq $(($3 * 10))); do
        search "$R" "$1"
        if [ "$(jqb "[.hits[].id] | index(\"$2\") != null")" = true ]; then
            t1=$(date +%s%N)
            echo "$(( (t1 - t0) / 1000000 ))"
            return
        fi
        sleep 0.1
    done
    echo never
}
jq -cn '{id:"rep-1", title:"复制测试一号 新闻", body:"主库提交后副本应当很快可见 qzrepone", date:"2024-03-01"}' > "$T/a.jsonl"
"$IDX" add -q --db "$M/news" "$T/a.jsonl" > /dev/null
ms=$(wait_found qzrepone rep-1 15)
if [ "$ms" != never ] && [ "$ms" -le 10000 ]; then ok "a commit on the master is served by the replica's idxd after ${ms} ms (<= 10 s)"
else fail "a commit on the master reaches the replica's idxd within 10 s" "$ms"; fi

jq -cn '{id:"rep-2", title:"复制测试二号", body:"第二次提交 qzreptwo", date:"2024-03-02"}' > "$T/b.jsonl"
"$IDX" add -q --db "$M/news" "$T/b.jsonl" > /dev/null
"$IDX" rm --db "$M/news" rep-1 > /dev/null
ms=$(wait_found qzreptwo rep-2 15)
if [ "$ms" != never ] && [ "$ms" -le 10000 ]; then ok "the next commits too, after ${ms} ms"
else fail "the next commits reach the replica within 10 s" "$ms"; fi
gone=
for _ in $(seq 100); do
    search "$R" qzrepone
    [ "$(jqb .total)" = 0 ] && { gone=1; break; }
    sleep 0.1
done
expect_eq "a deletion on the master reaches the replica" "${gone:-0}" 1
expect_eq "the replica holds what the master holds" "$(ndocs "$REP")" "$(ndocs "$M/news")"
echo "#   replication log: $(grep -ci 'changeset' "$T/replicate.out") lines on changesets; last: $(tail -n 1 "$T/replicate.out")"
stop_server "$R_PID" 10
expect_eq "idxd on the replica: SIGTERM exits 0" "$STOP_RC" 0
no_sanitizer_reports
