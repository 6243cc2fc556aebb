#!/usr/bin/env bash
# End-to-end: sharded archives (archive.h) on Xapian's own machinery.
# `idx add --shard-by year|hash:N` writes shards under one directory with a
# Xapian stub (XAPIANDB); `idx search`, `idx get` and idxd take the archive
# wherever --db is taken and give the same hits, in the same order and with
# the same scores, as one database holding the same articles.  Upserts move an
# article whose date changed to its new shard (no second copy); `idx rm`
# finds it in any shard.  Shards served by xapian-tcpsrv on loopback ports are
# searched through a stub of "remote HOST:PORT" lines with the same results;
# with one of them killed or stopped, searches answer from the others with
# "partial": true naming the missing shard, and idxd recovers when it is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
command -v xapian-tcpsrv > /dev/null || { fail "xapian-tcpsrv" "not installed (xapian-tools)"; exit 1; }

SINGLE=$T/single ARCH=$T/arch
"$IDX" add -q --db "$SINGLE" "$SAMPLE" > /dev/null
expect_rc "idx add --shard-by year makes an archive" 0 "$IDX" add -q --shard-by year --db "$ARCH" "$SAMPLE"
expect_eq "the archive's stub is a Xapian stub with its shard-by" \
    "$(grep -c '^auto shards/[0-9]\{4\}$' "$ARCH/XAPIANDB") $(grep -c '^# idx shard-by year$' "$ARCH/XAPIANDB")" \
    "$(ls "$ARCH/shards" | wc -l) 1"
expect_eq "one shard per year of the sample" "$(ls "$ARCH/shards" | tr '\n' ' ')" \
    "$(jq -r '.date[0:4] // "undated"' "$SAMPLE" | sort -u | tr '\n' ' ')"
expect_eq "the archive holds every article once" "$(ndocs "$ARCH")" "$(ndocs "$SINGLE")"
expect_eq "Xapian's own tools read the archive (xapian-delve)" \
    "$(xapian-delve "$ARCH" | sed -n 's/^number of documents = //p')" "$(ndocs "$SINGLE")"

# same hits, order and scores as one database: every hit (limit 100 covers these
# queries on the sample), ties sorted by id (their docids differ, so a page cut
# inside a tie may pick another member)
hits() { # DB QUERY [options]
    local db=$1 q=$2
    shift 2
    "$IDX" search --db "$db" --json --limit 100 "$@" "$q" |
        jq -c '[.total, ([.hits[] | [(.score * 1e6 | round), .id]] | sort_by(-.[0], .[1])), .partial]'
}
same_as_single() { # NAME DB [OPTION...]: the options go to both searches
    local name=$1 db=$2 bad=""
    shift 2
    for args in "经济" "习近平" "5G 基站" "南通开发区" "经济 -发展" "title:新闻" "(中国 OR 美国) AND 合作" \
        "经济|--sort|-date" "发展|--year|2019" "会议|--from|2015-01-01|--to|2016-12-31"; do
        IFS='|' read -r -a a <<< "$args"
        if [ "$(hits "$SINGLE" "${a[@]}" "$@")" != "$(hits "$db" "${a[@]}" "$@")" ]; then
            bad="$bad [$args]"
        fi
    done
    expect_eq "$name: the same hits, order and scores as one database for 10 queries" "$bad" ""
}
same_as_single "local archive by year" "$ARCH"
expect_eq "facets over the archive equal one database's" \
    "$("$IDX" search --db "$ARCH" --json --facets year,source 经济 | jq -c .facets)" \
    "$("$IDX" search --db "$SINGLE" --json --facets year,source 经济 | jq -c .facets)"

# upserts: a changed date moves the article; no duplicates; rm finds it anywhere
id=$(jq -r 'select(.date[0:4] == "2016") | .id' "$SAMPLE" | head -n 1)
jq -c --arg id "$id" 'select(.id == $id) | .date = "2024-06-01" | .title = "移动 " + .title' "$SAMPLE" > "$T/moved.jsonl"
expect_rc "re-adding an article with a new date" 0 "$IDX" add -q --db "$ARCH" "$T/moved.jsonl"
expect_eq "it moved: the count is unchanged" "$(ndocs "$ARCH")" "$(ndocs "$SINGLE")"
expect_eq "it is in the 2024 shard and no longer in 2016" \
    "$("$IDX" get --db "$ARCH/shards/2024" "$id" > /dev/null 2>&1 && echo in) $("$IDX" get --db "$ARCH/shards/2016" "$id" > /dev/null 2>&1 && echo in || echo out)" "in out"
expect_eq "idx get on the archive returns the new version" "$("$IDX" get --db "$ARCH" "$id" | jq -r .date[0:4])" 2024
expect_rc "idx rm on the archive" 0 "$IDX" rm --db "$ARCH" "$id"
expect_eq "removed from every shard" "$(ndocs "$ARCH")" "$(( $(ndocs "$SINGLE") - 1 ))"
expect_rc "adding it back" 0 "$IDX" add -q --db "$ARCH" "$T/moved.jsonl"
jq -c --arg id "$id" 'select(.id == $id)' "$SAMPLE" > "$T/orig.jsonl"
expect_rc "and its original version again (the archive equals the sample)" 0 "$IDX" add -q --db "$ARCH" "$T/orig.jsonl"
same_as_single "the archive after the moves" "$ARCH"

# wrong uses are refused with a clear message
expect_rc "--shard-by month on a year archive: usage error" 2 "$IDX" add -q --shard-by month --db "$ARCH" "$T/moved.jsonl"
expect_match "  ... naming both" "$OUT" "sharded by year, not month"
mkdir -p "$T/full" && touch "$T/full/something"
expect_rc "--shard-by into a directory holding files: usage error" 2 "$IDX" add -q --shard-by year --db "$T/full" "$SAMPLE"
expect_match "  ... saying why" "$OUT" "is not empty"
printf 'auto %s\n' "$SINGLE" > "$T/hand.stub"
expect_rc "idx add to a hand-written stub without shard-by: usage error" 2 "$IDX" add -q --db "$T/hand.stub" "$T/moved.jsonl"
expect_rc "but searching it works" 0 "$IDX" search --db "$T/hand.stub" 经济
printf 'auto %s\nbogus line\n' "$SINGLE" > "$T/bad.stub"
expect_rc "a stub with a line idx cannot use" 3 "$IDX" search --db "$T/bad.stub" 经济
expect_match "  ... names the file and line" "$OUT" "bad.stub:2: unknown line"

# hash sharding
H=$T/hash
expect_rc "idx add --shard-by hash:4" 0 "$IDX" add -q --shard-by hash:4 --db "$H" "$SAMPLE"
expect_eq "hash:4 makes at most 4 shards h000..h003" "$(ls "$H/shards" | grep -c '^h00[0-3]$')" "$(ls "$H/shards" | wc -l)"
same_as_single "archive by hash:4" "$H"

# parallel build: --jobs processes each build their own hash shards
J=$T/jobs
{ cat "$SAMPLE"; echo '{"id": broken json'; } > "$T/withbad.jsonl"
expect_rc "idx add --shard-by hash:4 --jobs 2 (one bad line: exit 1)" 1 "$IDX" add -q --shard-by hash:4 --jobs 2 --db "$J" "$T/withbad.jsonl"
expect_match "  ... one summary for both jobs, the bad line counted once" "$OUT" "^added $(ndocs "$SINGLE"), replaced 0, rejected 1, .*2 jobs"
expect_eq "  ... the bad line reported once" "$(grep -c 'withbad.jsonl:302:' <<< "$OUT")" 1
same_as_single "archive built by 2 jobs" "$J"
expect_rc "re-running with --jobs 2: upserts, nothing doubled" 0 "$IDX" add -q --jobs 2 --db "$J" "$SAMPLE"
expect_eq "  ... the same count" "$(ndocs "$J")" "$(ndocs "$SINGLE")"
expect_rc "--jobs on a year archive: usage error" 2 "$IDX" add -q --jobs 2 --db "$ARCH" "$SAMPLE"
expect_rc "--jobs 8 on hash:4: usage error" 2 "$IDX" add -q --jobs 8 --db "$J" "$SAMPLE"

# parallel build of a new plain database: parts merged by the compactor
P=$T/par
expect_rc "idx add --jobs 2 into a new plain database (one bad line: exit 1)" 1 "$IDX" add -q --jobs 2 --db "$P" "$T/withbad.jsonl"
expect_match "  ... one summary, the merge timed" "$OUT" "^added $(ndocs "$SINGLE"), replaced 0, rejected 1, .*2 jobs, merged in"
expect_eq "  ... the bad line reported once" "$(grep -c 'withbad.jsonl:302:' <<< "$OUT")" 1
# (two revisions: the merge, then the record of its compact size, writer.h)
expect_eq "  ... a plain database, compacted in one revision and its size recorded, no staging left" \
    "$([ -f "$P/XAPIANDB" ] && echo stub || echo plain) $("$IDX" stats --json --db "$P" | jq -r .revision) $(ls "$T" | grep -c '^par\.parts-')" "plain 2 0"
expect_match "  ... the recorded size is the size of the merged database" \
    "$(xapian-metadata get "$P" idx.compact_bytes)" "^[0-9]+$"
same_as_single "plain database built by 2 jobs" "$P"
# a job that fails (the disk fills under the parts): no database, no staging left
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
OUT=$(IDX_FAULT_DIR="$T/pf.parts-" IDX_FAULT_NOSPACE_AFTER=200000 LD_PRELOAD=${IDX_FAULT_LIB:?} \
    "$IDX" add -q --jobs 2 --db "$T/pf" "$SAMPLE" 2>&1)
rc=$?
expect_eq "--jobs with the disk filling under a part: exit 3" "$rc" 3
expect_match "  ... saying nothing was stored" "$OUT" "a job failed: nothing was stored in $T/pf"
expect_match "  ... and why" "$OUT" "No space left on device"
expect_eq "  ... no database and no staging directory left" "$(ls "$T" | grep -c '^pf')" 0
expect_rc "--jobs reading standard input: usage error" 2 "$IDX" add -q --jobs 2 --db "$T/fromstdin" - < "$SAMPLE"
expect_match "  ... saying why" "$OUT" "standard input can be read only once"
expect_rc "--jobs into an existing plain database: usage error" 2 "$IDX" add -q --jobs 2 --db "$P" "$SAMPLE"
expect_match "  ... saying why" "$OUT" "exists: add to it without --jobs"
# kill -9 of a --jobs build: its jobs die with it, and the next run removes the
# staging directory it left (and only its own: a live build's is kept)
for i in $(seq 12); do jq -c --arg p "k$i-" '.id = $p + .id' "$SAMPLE"; done > "$T/big.jsonl"
"$IDX" add -q --no-cluster --jobs 2 --db "$T/killed" "$T/big.jsonl" > /dev/null 2>&1 &
KP=$!
for _ in $(seq 100); do ls -d "$T"/killed.parts-*/1 > /dev/null 2>&1 && break; sleep 0.05; done
sleep 0.5
mapfile -t KIDS < <(ps --ppid "$KP" -o pid=)
kill -KILL "$KP"
wait "$KP" 2> /dev/null
still_running() { # PID...: those still running (a zombie has finished; nobody here may reap it)
    local p
    for p in "$@"; do ps -o stat= -p "$p" 2> /dev/null | grep -qv '^Z' && echo "$p"; done
}
left=
for _ in $(seq 40); do left=$(still_running "${KIDS[@]}"); [ -z "$left" ] && break; sleep 0.05; done
expect_eq "kill -9 of idx add --jobs 2: both jobs gone within 2 s" "${#KIDS[@]} [$left]" "2 []"
for p in $left; do kill -KILL "$p"; done
STALE=$(ls -d "$T"/killed.parts-* 2> /dev/null)
expect_eq "  ... it left its staging directory (and no database)" "$(wc -w <<< "$STALE") $([ -e "$T/killed" ] && echo db)" "1 "
mkdir "$T/killed.parts-old123" "$T/killed2.parts-AbC123" # no lock (an older idx's?); another target's
touch "$T/killed.parts-old123/0" "$T/killed2.parts-AbC123/0"
head -n 1800 "$T/big.jsonl" > "$T/half.jsonl"
"$IDX" add -q --no-cluster --jobs 2 --db "$T/busy" "$T/half.jsonl" > /dev/null 2>&1 &
BP=$!
for _ in $(seq 100); do ls -d "$T"/busy.parts-*/1 > /dev/null 2>&1 && break; sleep 0.05; done
expect_rc "a second --jobs build into the same target while the first runs: exit 3" 3 \
    "$IDX" add -q --jobs 2 --db "$T/busy" "$SAMPLE"
expect_match "  ... saying another build is running" "$OUT" "another idx add --jobs is building $T/busy"
expect_rc "a re-run of the killed build, beside a live build of another target" 0 \
    "$IDX" add -q --no-cluster --jobs 2 --db "$T/killed" "$T/big.jsonl"
expect_match "  ... says it removed the stale staging directory" "$OUT" "removed $STALE, the staging directory of an interrupted"
expect_eq "  ... which is gone; the database is whole" "$(ls -d "$T"/killed.parts-* | grep -vc old123) $(ndocs "$T/killed")" \
    "0 $(wc -l < "$T/big.jsonl")"
expect_eq "  ... a look-alike without a lock is left, with a note; another target's is not looked at" \
    "$(ls "$T/killed.parts-old123") $(grep -c 'left .*killed.parts-old123 as it is' <<< "$OUT") $(ls "$T/killed2.parts-AbC123") $(grep -c killed2 <<< "$OUT")" "0 1 0 0"
wait "$BP"
rc=$?
expect_eq "the other target's build, its staging directory kept meanwhile, finished whole" \
    "$rc $(ndocs "$T/busy") $(ls -d "$T"/busy.parts-* 2> /dev/null | wc -l)" "0 1800 0"
# SIGTERM to the parent alone (not its process group): passed on to the jobs,
# which stop reading; what they read is merged and stored
"$IDX" add -q --no-cluster --jobs 2 --db "$T/termed" "$T/big.jsonl" > /dev/null 2>&1 &
TP=$!
for _ in $(seq 100); do ls -d "$T"/termed.parts-*/1 > /dev/null 2>&1 && break; sleep 0.05; done
sleep 0.5
kill -TERM "$TP"
wait "$TP"
rc=$?
n=$(ndocs "$T/termed")
expect_eq "kill -TERM of idx add --jobs 2 alone: the jobs stop (exit 1), what they read is stored, no staging left" \
    "$rc $([ "${n:-0}" -gt 0 ] && [ "$n" -lt "$(wc -l < "$T/big.jsonl")" ] && echo part) $(ls -d "$T"/termed.parts-* 2> /dev/null | wc -l)" "1 part 0"
rm -rf "$T/busy" "$T/termed" "$T/killed.parts-old123" "$T/killed2.parts-AbC123" "$T/half.jsonl" # killed: compacted below
# reprints and upserts stay in one part: clusters and versions as one process makes them
{ cat "$SAMPLE"
  jq -c 'select((.body | length) > 250) | .id = "reprint-" + .id | .body = "（转载）" + .body + "来源：南通日报"' "$SAMPLE" | head -n 12
  jq -c '.title = "更新 " + .title' "$SAMPLE" | head -n 3; } > "$T/reprints.jsonl"
"$IDX" add -q --db "$T/rseq" "$T/reprints.jsonl" > /dev/null
expect_rc "a reprint-laden input built by 3 jobs" 0 "$IDX" add -q --jobs 3 --db "$T/rpar" "$T/reprints.jsonl"
expect_match "  ... the upserts counted as replaced" "$OUT" "^added $(ndocs "$T/rseq"), replaced 3, "
clusters() { # DB: every reprint's title searched: the collapsed hits with their copies, and every copy's cluster
    jq -r 'select(.id | startswith("reprint-")) | .title' "$T/reprints.jsonl" | while read -r t; do
        "$IDX" search --db "$1" --json --limit 100 "$t" | jq -c '[.hits[] | [.id, .duplicate_ids]] | sort'
        "$IDX" search --db "$1" --json --all --limit 100 "$t" | jq -c '[.hits[] | [.id, .cluster]] | sort'
    done
}
expect_eq "  ... every reprint collapsed with its original, as in one process" "$(clusters "$T/rpar")" "$(clusters "$T/rseq")"
expect_eq "  ... all 12 reprints folded into a hit's copies" "$(jq -r 'select(.id | startswith("reprint-")) | .title' "$T/reprints.jsonl" |
    while read -r t; do "$IDX" search --db "$T/rpar" --json --limit 100 "$t" | jq -r '.hits[].duplicate_ids[]?'; done | sort -u | grep -c '^reprint-')" 12
expect_eq "  ... the upserted titles" "$(jq -r '.id' "$SAMPLE" | head -n 3 | while read -r id; do "$IDX" get --db "$T/rpar" "$id" | jq -r '.title[0:3]'; done | sort -u)" "更新 "

# compaction: an archive merged into one database
expect_rc "idx compact merges the archive's shards into one database" 0 "$IDX" compact --db "$ARCH" "$T/merged"
expect_eq "  ... a plain database (no stub) with every article" "$([ -f "$T/merged/XAPIANDB" ] && echo stub || echo plain) $(ndocs "$T/merged")" "plain $(ndocs "$SINGLE")"
same_as_single "the compacted archive" "$T/merged"
expect_rc "idx compact onto an existing path: usage error" 2 "$IDX" compact --db "$ARCH" "$T/merged"
expect_eq "  ... no staging directory left beside it" "$(ls "$T" | grep -c '^merged\.compact-')" 0
# OUT appears whole or not at all: the compactor writes OUT.compact-XXXXXX/db
# under a lock, renamed to OUT when complete.  A compaction of the 12-times
# sample, which stops itself (the fault library's SIGSTOP) once 64 KB of its
# tables are written, then kill -9
IDX_FAULT_DIR="$T/cko.compact-" IDX_FAULT_STOP_AFTER=65536 LD_PRELOAD=${IDX_FAULT_LIB:?} \
    "$IDX" compact --db "$T/killed" "$T/cko" > /dev/null 2>&1 &
CP=$!
for _ in $(seq 400); do
    [ "$(awk '{print $3}' "/proc/$CP/stat" 2> /dev/null)" = T ] && break
    sleep 0.05
done
CSTAGE=$(ls -d "$T"/cko.compact-* 2> /dev/null)
expect_eq "idx compact stopped mid-way: no OUT yet, one staging directory beside it" \
    "$([ -e "$T/cko" ] && echo out) $(wc -w <<< "$CSTAGE")" " 1"
expect_rc "a second idx compact into the same OUT meanwhile: exit 3" 3 "$IDX" compact --db "$T/killed" "$T/cko"
expect_match "  ... saying another compaction is writing it" "$OUT" "another idx compact or backup is writing $T/cko "
expect_eq "  ... the live one's staging directory kept, no OUT" \
    "$(ls -d "$T"/cko.compact-* 2> /dev/null) $([ -e "$T/cko" ] && echo out)" "$CSTAGE "
kill -KILL "$CP"
wait "$CP" 2> /dev/null
expect_eq "kill -9 of idx compact mid-way: no OUT, its staging directory left" \
    "$([ -e "$T/cko" ] && echo out) $(ls -d "$T"/cko.compact-* 2> /dev/null)" " $CSTAGE"
expect_rc "a re-run after the kill succeeds" 0 "$IDX" compact --db "$T/killed" "$T/cko"
expect_match "  ... saying it removed the stale staging directory" "$OUT" \
    "removed $CSTAGE, the staging directory of an interrupted idx compact into $T/cko"
expect_eq "  ... OUT whole, no staging directory left" \
    "$(ndocs "$T/cko") $(ls -d "$T"/cko.compact-* 2> /dev/null | wc -l)" "$(wc -l < "$T/big.jsonl") 0"
rm -rf "$T/killed" "$T/cko" "$T/big.jsonl"
# the disk fills under the compaction: no OUT, no staging directory (under
# SAN=1, Xapian's compactor leaks what it was writing when a write fails:
# tests/fault/xapian-compact.supp, for this command only)
OUT=$(IDX_FAULT_DIR="$T/cfull" IDX_FAULT_NOSPACE_AFTER=200000 LD_PRELOAD=${IDX_FAULT_LIB:?} \
    LSAN_OPTIONS="suppressions=$ROOT/tests/fault/xapian-compact.supp" "$IDX" compact --db "$ARCH" "$T/cfull" 2>&1)
rc=$?
expect_eq "idx compact with the disk filling: exit 3" "$rc" 3
expect_match "  ... saying why and that nothing was stored" "$OUT" "No space left on device.*nothing was stored in $T/cfull"
expect_eq "  ... no OUT and no staging directory left" "$(ls "$T" | grep -c '^cfull')" 0
expect_rc "  ... a re-run with room succeeds" 0 "$IDX" compact --db "$ARCH" "$T/cfull"
expect_eq "  ... OUT whole, no staging directory left" "$(ndocs "$T/cfull") $(ls "$T" | grep -c '^cfull\.')" "$(ndocs "$SINGLE") 0"

# ---- remote shards: two xapian-tcpsrv on loopback ----
# xapian-tcpsrv signals its whole process group when it stops, so each runs
# in its own session (setsid execs it: the same PID); stop_tcpsrv PID takes
# down its group, the forked connection handlers included
start_tcpsrv() { # NAME PORT DIR...
    local name=$1 port=$2
    shift 2
    setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$@" > "$T/$name.out" 2>&1 &
    TCP_PID=$!
    _tcp+=("$TCP_PID")
    for _ in $(seq 100); do grep -q 'Listening' "$T/$name.out" && return 0; sleep 0.05; done
    fail "start xapian-tcpsrv $name" "$(head -c 300 "$T/$name.out")"
    return 1
}
_tcp=()
stop_tcpsrv() { kill -TERM -- "-$1" 2> /dev/null; wait "$1" 2> /dev/null; }
trap 'for p in "${_tcp[@]}"; do kill -KILL -- "-$p" 2> /dev/null; done; _stop_all' EXIT
P1=$(free_port) P2=$(free_port)
mapfile -t OLD < <(ls -d "$ARCH"/shards/* | head -n 6)
mapfile -t NEW < <(ls -d "$ARCH"/shards/* | tail -n +7)
start_tcpsrv tcp1 "$P1" "${OLD[@]}" || exit 1
T1=$TCP_PID
start_tcpsrv tcp2 "$P2" "${NEW[@]}" || exit 1
T2=$TCP_PID
printf '# two remote shards\nremote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$P1" "$P2" > "$T/remote.stub"
# xapian-tcpsrv runs Xapian's own weights only: an archive with remote shards ranks
# without the title's length evidence (README: Ranking), so one database is asked
# to rank without it too
expect_eq "remote shards rank without the length evidence: otherwise the scores differ" \
    "$([ "$(hits "$SINGLE" 经济)" != "$(hits "$T/remote.stub" 经济)" ] && echo differ)" differ
same_as_single "two remote shards (xapian-tcpsrv)" "$T/remote.stub" --rank title_len_weight=0
printf 'remote 127.0.0.1:%s\n' "$P1" > "$T/mixed.stub"
for d in "${NEW[@]}"; do printf 'auto %s\n' "$d" >> "$T/mixed.stub"; done
same_as_single "one remote shard + local shards" "$T/mixed.stub" --rank title_len_weight=0

expect_rc "recency over remote shards: a clear usage error, not a failure" 2 "$IDX" search --db "$T/remote.stub" --recency 365 经济
expect_match "  ... saying why" "$OUT" "recency is not available on an archive with remote shards"
start_server shards "$T/remote.stub" --threads 2 --shard-timeout 1000 || exit 1
R=$URL R_PID=$PID
search "$R" 经济 limit=30
FULL=$(jqb '.total')
expect_eq "idxd over remote shards: the same total as one database" "$FULL $(jqb '.partial')" \
    "$("$IDX" search --db "$SINGLE" --json 经济 | jq -r .total) null"
http "$R/health"
expect_eq "idxd /health: ok, 2 shards, none missing" "$(jqb '"\(.status) \(.shards) \(.missing_shards)"')" "ok 2 0"
http "$R/docs/seed-2196415b1c9c92ca/related?limit=3"
expect_eq "related articles over remote shards" "$CODE $(jqb '.related | length')" "200 3"
http "$R/suggest?q=APE"
expect_eq "suggestions over remote shards" "$CODE $(jqb '.suggestions | length > 0')" "200 true"

stop_tcpsrv "$T2"
search "$R" 经济 limit=30
expect_eq "a remote shard killed: 200 with partial results" "$CODE $(jqb .partial)" "200 true"
expect_match "  ... naming the missing shard" "$(jqb '.missing_shards[0]')" "^127\\.0\\.0\\.1:$P2: "
printf 'remote 127.0.0.1:%s\n' "$P1" > "$T/r1.stub"
expect_eq "  ... and the hits of the shard still up (its total alone)" "$(jqb '.total')" \
    "$("$IDX" search --db "$T/r1.stub" --json 经济 | jq -r .total)"
http "$R/health"
expect_eq "idxd /health: degraded, 1 shard missing" "$CODE $(jqb '"\(.status) \(.missing_shards)"')" "200 degraded 1"

start_tcpsrv tcp2b "$P2" "${NEW[@]}" || exit 1
T2=$TCP_PID
back=
for _ in $(seq 80); do
    search "$R" 经济 limit=30
    [ "$(jqb .partial)" = null ] && [ "$(jqb .total)" = "$FULL" ] && { back=1; break; }
    sleep 0.1
done
expect_eq "the shard back: idxd answers in full again within 8 s (retries back off from 1 s)" "${back:-0}" 1

kill -STOP -- "-$T1"
t0=$(date +%s%N)
search "$R" 经济
t1=$(date +%s%N)
kill -CONT -- "-$T1"
expect_eq "a stopped (hung) shard: partial results" "$CODE $(jqb .partial)" "200 true"
ms=$(( (t1 - t0) / 1000000 ))
if [ "$ms" -lt 5000 ]; then ok "  ... after the --shard-timeout (1000 ms), not a hang (${ms} ms)"
else fail "  ... within the shard timeout" "${ms} ms"; fi
stop_server "$R_PID" 10
expect_eq "idxd over shards: SIGTERM exits 0" "$STOP_RC" 0
stop_tcpsrv "$T1"
stop_tcpsrv "$T2"
no_sanitizer_reports
