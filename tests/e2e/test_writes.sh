#!/usr/bin/env bash
# End-to-end: writes over HTTP (issue 20) on a real idxd.  POST /docs
# upserts, DELETE /docs/{id}, bad lines rejected alone with their numbers,
# ?wait=1, task states; API keys on every route (no key, an unknown key, the
# wrong role; --public-search); scoped keys (their filter holds on /search,
# /suggest, /docs/{id}, related articles and facets; expired and tampered
# ones refused); gzip bodies; backpressure (429 with Retry-After while
# `idx add` holds the database); a torn journal tail; a replica refusing
# writes; `idx add --server`.  The kill -9 rounds are in test_writes_crash.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"

# keys: one admin, one search (the file must be 0600)
KEYS=$T/keys
"$IDX" key new editor admin > "$KEYS"
"$IDX" key new site search >> "$KEYS"
chmod 644 "$KEYS"
expect_rc "idxd refuses a keys file others can read" 2 "$IDXD" --db "$T/db" --keys "$KEYS" --listen 127.0.0.1:0
expect_match "saying chmod 600" "$OUT" "chmod 600"
chmod 600 "$KEYS"
ADMIN=$(awk '$1 == "editor" { print $3 }' "$KEYS")
SKEY=$(awk '$1 == "site" { print $3 }' "$KEYS")
A=(-H "Authorization: Bearer $ADMIN")
S=(-H "Authorization: Bearer $SKEY")
# wait_task N TRIES: GET /tasks/N (admin key) every 0.1 s until it succeeded
# or TRIES ran out; BODY holds its last answer, st its status
wait_task() {
    st=''
    for _ in $(seq "$2"); do
        http "$URL/tasks/$1" "${A[@]}"
        st=$(jqb .status)
        [ "$st" = succeeded ] && return
        sleep 0.1
    done
}
# ksearch KEY QUERY [name=value...]: GET /search with that key
ksearch() {
    local key=$1 q=$2 kv
    shift 2
    local args=(-G --data-urlencode "q=$q" -H "Authorization: Bearer $key")
    for kv in "$@"; do args+=(--data-urlencode "$kv"); done
    http "$URL/search" "${args[@]}"
}

DB=$T/db
start_server w "$DB" --keys "$KEYS" --threads 2 || exit 1
expect_match "idxd says it takes writes, and where its journal is" "$(cat "$T/w.err")" "taking writes \(journal $DB.journal\)"

# ---- upserts, bad lines, wait=1 ----
cat > "$T/b1.jsonl" << 'EOF'
{"id":"n1","title":"南通开发区招商","body":"南通开发区今天举行招商大会。","source":"cctv","date":"2024-01-02"}
{"id":"n2","title":"北京冬季供暖","body":"北京今年冬季供暖提前启动。","source":"xinhua","date":"2024-02-03"}
not json at all

{"title":"no id here"}
{"id":"n3","title":"上海港口吞吐量","body":"上海港口吞吐量创新高。","source":"cctv","date":"2024-03-04"}
EOF
http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/b1.jsonl"
expect_eq "POST /docs?wait=1: 200 once committed" "$CODE" 200
expect_eq "the task: succeeded, 3 added, 2 rejected" "$(jqb '[.status, .added, .replaced, .rejected] | join(" ")')" "succeeded 3 0 2"
expect_eq "bad lines named by line number (the blank line skipped)" "$(jqb '[.errors[].line] | join(",")')" "3,5"
expect_match "with reasons" "$(jqb '.errors[1].reason')" "id"
expect_match "enqueued_at and finished_at are times" "$(jqb '.enqueued_at + " " + .finished_at')" '^20[0-9-]+T[0-9:.]+Z 20[0-9-]+T[0-9:.]+Z$'
expect_match "Location names the task" "$HDRS" "Location: /tasks/[0-9]+"
T1=$(jqb .task)
# each search a new connection: SO_REUSEPORT spreads them over both workers,
# and every one must have reopened before wait=1 answered
seen=0
for _ in $(seq 12); do
    ksearch "$SKEY" 南通
    [ "$(jqb '.hits[0].id')" = n1 ] && seen=$((seen + 1))
done
expect_eq "what wait=1 acknowledged is searchable at once, on every worker (12 connections)" "$seen" 12
for k in $(seq 1 8); do
    printf '{"id":"vis%s","title":"可见性%s","body":"可见性"}\n' "$k" "$k" > "$T/vis.jsonl"
    http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/vis.jsonl"
    ksearch "$SKEY" "可见性$k" dedup=0
    [ "$(jqb '.hits[0].id')" = "vis$k" ] || seen=0
    ksearch "$SKEY" "可见性$k" dedup=0
    [ "$(jqb '.hits[0].id')" = "vis$k" ] || seen=0
done
expect_eq "eight more wait=1 writes, each found at once by two searches on new connections" "$seen" 12

# an upsert replaces; without wait the answer is 202 at once and the task finishes
printf '%s\n' '{"id":"n2","title":"北京冬季供暖延长","body":"北京今年冬季供暖延长到三月。","source":"xinhua","date":"2024-02-05"}' > "$T/b2.jsonl"
http "$URL/docs" "${A[@]}" --data-binary @"$T/b2.jsonl"
expect_eq "POST /docs: 202" "$CODE" 202
expect_match "with the task enqueued (or already further)" "$(jqb .status)" '^(enqueued|processing|succeeded)$'
T2=$(jqb .task)
expect_eq "task numbers rise" "$((T2 > T1))" 1
wait_task "$T2" 25
expect_eq "GET /tasks/N: succeeded, 1 replaced" "$st $(jqb .replaced)" "succeeded 1"
found=''
for _ in $(seq 20); do
    ksearch "$SKEY" 延长
    [ "$(jqb '.hits[0].id')" = n2 ] && found=1 && break
    sleep 0.05
done
expect_eq "the replaced article is searchable within 1 s" "$found" 1
http "$URL/tasks/99999" "${A[@]}"
expect_eq "an unknown task: 404" "$CODE $(jqb .error.code)" "404 not_found"
http "$URL/tasks/abc" "${A[@]}"
expect_eq "a task that is no number: 404" "$CODE" 404

# gzip bodies; a bad one, an empty one, an unknown encoding
printf '%s\n' '{"id":"g1","title":"压缩 上传","body":"一篇压缩上传的文章。","source":"cctv","date":"2024-04-01"}' | gzip > "$T/b3.gz"
http "$URL/docs?wait=1" "${A[@]}" -H 'Content-Encoding: gzip' --data-binary @"$T/b3.gz"
expect_eq "a gzip body is decoded" "$CODE $(jqb .added)" "200 1"
printf '\xef\xbb\xbf{"id":"bom1","title":"字节序标记","body":"字节序标记"}\n' > "$T/bom.jsonl"
http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/bom.jsonl"
expect_eq "a body starting with a byte-order mark: read as idx add reads it" "$CODE $(jqb .added)" "200 1"
http "$URL/docs" "${A[@]}" -H 'Content-Encoding: gzip' --data-binary 'not gzip'
expect_eq "a bad gzip body: 400 bad_body" "$CODE $(jqb .error.code)" "400 bad_body"
http "$URL/docs" "${A[@]}" -H 'Content-Encoding: br' --data-binary @"$T/b2.jsonl"
expect_eq "an unknown encoding: 415" "$CODE $(jqb .error.code)" "415 unsupported_encoding"
http "$URL/docs" "${A[@]}" -X POST
expect_eq "an empty body: 400" "$CODE $(jqb .error.code)" "400 empty_body"
http "$URL/docs?wait=2" "${A[@]}" --data-binary @"$T/b2.jsonl"
expect_eq "wait=2: 400 bad_parameter" "$CODE $(jqb .error.code)" "400 bad_parameter"
http "$URL/docs" "${A[@]}" -X PUT --data-binary @"$T/b2.jsonl"
expect_eq "PUT /docs: 405 naming POST" "$CODE $(grep -i '^Allow:' <<< "$HDRS" | tr -d '\r')" "405 Allow: POST"
http "$URL/docs" "${A[@]}" -X DELETE
expect_eq "DELETE /docs without an id: 405" "$CODE" 405
http "$URL/docs/n1" "${A[@]}" -X POST --data-binary @"$T/b2.jsonl"
expect_eq "POST /docs/{id}: 405" "$CODE" 405

# deletes
http "$URL/docs/g1?wait=1" "${A[@]}" -X DELETE
expect_eq "DELETE /docs/{id}?wait=1: deleted 1" "$CODE $(jqb '.type + " " + (.deleted | tostring)')" "200 delete 1"
http "$URL/docs/g1" "${S[@]}"
expect_eq "the deleted article is gone" "$CODE" 404
http "$URL/docs/nosuch?wait=1" "${A[@]}" -X DELETE
expect_eq "deleting an unknown id succeeds with deleted 0" "$CODE $(jqb .status) $(jqb .deleted)" "200 succeeded 0"

# ---- keys on every route ----
http "$URL/health"
expect_eq "/health needs no key" "$CODE" 200
http "$URL/"
expect_eq "the search page needs no key" "$CODE" 200
SCOPED=$("$IDX" key scope --key "$SKEY" --filter 'source:"cctv"' --expires +1d)
expect_match "idx key scope prints a scoped key" "$SCOPED" '^idxs1_'
SC=(-H "Authorization: Bearer $SCOPED")
# tampered: its payload re-encoded with another filter under the real
# parent id and the old signature, so only the signature check can refuse it
TAMPERED=$(python3 -c '
import base64, json, sys
k = sys.argv[1][len("idxs1_"):]
payload, sig = k.split(".", 1)
p = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
p["f"] = "source:xinhua"
enc = base64.urlsafe_b64encode(json.dumps(p, separators=(",", ":")).encode()).decode().rstrip("=")
print("idxs1_" + enc + "." + sig)' "$SCOPED")
SOON=$(date -u -d '+5 seconds' +%Y-%m-%dT%H:%M:%SZ) # (time to open its stream, even sanitized)
EXPIRING=$("$IDX" key scope --key "$SKEY" --filter 'source:cctv' --expires "$SOON")
# a stream opened with the expiring key ends when it expires
curl -sN --max-time 15 "$URL/search/stream?q=北京" -H "Authorization: Bearer $EXPIRING" > "$T/expiring.out" 2> /dev/null &
expiring=$!
# route KIND METHOD PATH: every key against it (KIND read or admin)
routes=(
    "read GET /search?q=%E5%8C%97%E4%BA%AC" "read GET /suggest?q=%E5%8C%97" "read GET /docs/n1"
    "read GET /docs/n1/related" "read GET /api" "read GET /openapi.json" "read HEAD /search/stream?q=x"
    "admin GET /stats" "admin GET /metrics" "admin GET /tasks/$T1" "admin GET /keys"
    "admin POST /docs" "admin DELETE /docs/nosuch"
)
# call METHOD PATH [curl args]: one request of the matrix
call() {
    local m=$1 path=$2
    shift 2
    case $m in
    HEAD) http "$URL$path" --head "$@" ;;
    POST) http "$URL$path" --data-binary @"$T/b2.jsonl" "$@" ;;
    *) http "$URL$path" -X "$m" "$@" ;;
    esac
}
bad=()
for spec in "${routes[@]}"; do
    read -r kind m path <<< "$spec"
    r="$m $path"
    call "$m" "$path"
    [ "$CODE" = 401 ] && grep -q "WWW-Authenticate: Bearer" <<< "$HDRS" || bad+=("$r no key: $CODE")
    [ "$m" = HEAD ] || [ "$(jqb .error.code)" = missing_key ] || bad+=("$r no key: $(jqb .error.code)")
    call "$m" "$path" -H "Authorization: Bearer wrong-key-0123456789"
    [ "$CODE" = 401 ] || bad+=("$r unknown key: $CODE")
    [ "$m" = HEAD ] || [ "$(jqb .error.code)" = unknown_key ] || bad+=("$r unknown key: $(jqb .error.code)")
    call "$m" "$path" -H "Authorization: Bearer $TAMPERED"
    [ "$CODE" = 401 ] || bad+=("$r tampered scoped key: $CODE")
    [ "$m" = HEAD ] || [[ $(jqb .error.message) == *"signature does not match"* ]] ||
        bad+=("$r tampered scoped key: $(jqb .error.message)")
    call "$m" "$path" "${S[@]}"
    if [ "$kind" = read ]; then [ "$CODE" = 200 ] || bad+=("$r search key: $CODE")
    else [ "$CODE" = 403 ] && { [ "$m" = HEAD ] || [ "$(jqb .error.code)" = forbidden ]; } || bad+=("$r search key: $CODE"); fi
    call "$m" "$path" "${SC[@]}"
    if [ "$kind" = read ]; then [ "$CODE" = 200 ] || bad+=("$r scoped key: $CODE")
    else [ "$CODE" = 403 ] || bad+=("$r scoped key: $CODE"); fi
    call "$m" "$path" "${A[@]}"
    [[ $CODE == 20[02] ]] || bad+=("$r admin key: $CODE")
done
expect_eq "every route (${#routes[@]}) with no key, an unknown key, a tampered scoped key (401), a search key and a scoped key (200 or 403), the admin key (2xx)" \
    "${bad[*]}" ""
# until the expiring key's time is up
while [ "$(date +%s)" -le "$(date -d "$SOON" +%s)" ]; do sleep 0.2; done
bad=()
for spec in "${routes[@]}"; do
    read -r kind m path <<< "$spec"
    call "$m" "$path" -H "Authorization: Bearer $EXPIRING"
    [ "$CODE" = 401 ] || bad+=("$m $path: $CODE")
    [ "$m" = HEAD ] || [[ $(jqb .error.message) == *expired* ]] || bad+=("$m $path: $(jqb .error.message)")
done
expect_eq "an expired scoped key: 401 saying it expired, on every route" "${bad[*]}" ""
wait "$expiring"
expect_eq "a stream opened with a scoped key ends when the key expires" "$?" 0
expect_match "with an error event saying so" "$(cat "$T/expiring.out")" 'event: error'$'\n''data: \{"error":"key_expired"'
http "$URL/metrics" "${A[@]}"
expect_match "/metrics counts the writes" "$BODY" 'idxd_write_commits_total [1-9]'
expect_match "and their statuses" "$BODY" 'idxd_requests_total\{route="write",status="202"\} [1-9]'
http "$URL/keys" "${A[@]}"
expect_eq "GET /keys lists names and roles, no secret" "$(jqb '[.keys[] | .name + ":" + .role] | join(",")')" "editor:admin,site:search"
expect_eq "no secret in it" "$(grep -c -- "$ADMIN\|$SKEY" <<< "$BODY")" 0
# a stream whose key SIGHUP takes away ends (key_revoked); one whose key stays goes on
"$IDX" key new temp search >> "$KEYS"
TEMP=$(awk '$1 == "temp" { print $3 }' "$KEYS")
kill -HUP "$PID"
for _ in $(seq 50); do grep -q "SIGHUP: 3 API keys" "$T/w.err" && break; sleep 0.1; done
curl -sN --max-time 15 "$URL/search/stream?q=北京" -H "Authorization: Bearer $TEMP" > "$T/revoked.out" 2> /dev/null &
revoked=$!
curl -sN --max-time 4 "$URL/search/stream?q=北京" "${S[@]}" > "$T/kept.out" 2> /dev/null &
kept=$!
sleep 1
grep -v '^temp ' "$KEYS" > "$T/keys.new"
cat "$T/keys.new" > "$KEYS"
kill -HUP "$PID"
wait "$revoked"
expect_eq "a stream whose key SIGHUP removed ends (curl exits 0, before its 15 s)" "$?" 0
expect_match "with an error event saying the key is revoked" "$(cat "$T/revoked.out")" 'event: error'$'\n''data: \{"error":"key_revoked"'
wait "$kept"
expect_eq "a stream whose key stays goes on (curl's own 4 s limit ends it)" "$? $(grep -c 'event: error' "$T/kept.out")" "28 0"
http "$URL/search?q=北京" -H "Authorization: Basic abc"
expect_eq "an Authorization that is not Bearer: 401" "$CODE $(jqb .error.code)" "401 bad_authorization"

# ---- scoped keys (the filter in its quoted form, as the issue writes it) ----
ksearch "$SCOPED" '北京 OR 南通 OR 上海' facets=source
expect_eq "a scoped key's search sees only its filter's articles" "$(jqb '[.hits[].id] | sort | join(",")')" "n1,n3"
expect_eq "its facets too" "$(jqb '.facets.source | keys | join(",")')" "cctv"
ksearch "$SKEY" '北京 OR 南通 OR 上海'
expect_eq "the same search with the parent key sees all (no cache leak)" "$(jqb '.total')" 3
ksearch "$SCOPED" '北京 OR 南通 OR 上海'
expect_eq "and the scoped one again sees its own" "$(jqb '.total')" 2
http "$URL/docs/n2" "${SC[@]}"
expect_eq "GET /docs/{id} outside the scope: 404" "$CODE" 404
http "$URL/docs/n1" "${SC[@]}"
expect_eq "inside it: 200" "$CODE" 200
http "$URL/suggest" -G --data-urlencode 'q=北京' "${SC[@]}"
expect_eq "/suggest outside the scope: nothing" "$(jqb '.suggestions | length')" 0
http "$URL/suggest" -G --data-urlencode 'q=北京' "${S[@]}"
expect_eq "(the parent key gets the suggestion)" "$(jqb '.suggestions | length')" 1
http "$URL/docs/n2/related" "${SC[@]}"
expect_eq "related of an article outside the scope: 404" "$CODE" 404
# related: two more articles like n1, one from cctv and one from xinhua
printf '%s\n' '{"id":"n4","title":"南通开发区新建码头","body":"南通开发区的新码头今天投入使用，招商工作同步推进。","source":"cctv","date":"2024-01-05"}' \
    '{"id":"n5","title":"南通开发区扩建园区","body":"南通开发区园区扩建，招商规模扩大。","source":"xinhua","date":"2024-01-06"}' > "$T/rel.jsonl"
http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/rel.jsonl"
http "$URL/docs/n1/related?limit=10" "${S[@]}"
expect_eq "the parent key's related articles of n1 hold both" "$(jqb '[.related[].id | select(. == "n4" or . == "n5")] | sort | join(",")')" "n4,n5"
http "$URL/docs/n1/related?limit=10" "${SC[@]}"
expect_eq "the scoped key's hold the cctv one only, and nothing outside its filter" \
    "$(jqb '[.related[].id | select(. == "n4" or . == "n5")] | join(",")') $(jqb '[.related[].source | select(. != "cctv")] | length')" "n4 0"
http "$URL/search?q=x" -H "Authorization: Bearer idxs1_$(printf '{"p":"0000000000000000","f":"source:xinhua","e":4102444800}' | base64 -w0 | tr '+/' '-_' | tr -d '=').${SCOPED#*.}"
expect_eq "a scoped key naming no parent key: 401 invalid_key" "$CODE $(jqb .error.code)" "401 invalid_key"
expect_match "saying it is not derived from a search key" "$(jqb .error.message)" "not derived"

# ---- idx add --server ----
http "$URL/stats" "${A[@]}"
BEFORE=$(jqb .documents)
expect_rc "idx add --server: the sample archive" 0 "$IDX" add -q --server "$URL" --key "$ADMIN" "$SAMPLE"
NS=$(grep -c . "$SAMPLE")
expect_match "with idx add's summary" "$OUT" "^added $NS, replaced 0, rejected 0"
http "$URL/stats" "${A[@]}"
expect_eq "every sample article is in the database" "$(jqb .documents)" "$((BEFORE + NS))"
printf '%s\n' '{"id":"r1","title":"远程 一","body":"远程写入"}' 'broken' '{"id":"r2","title":"远程 二","body":"远程写入"}' > "$T/r.jsonl"
expect_rc "idx add --server with a bad line: exit 1" 1 "$IDX" add -q --server "$URL" --key "$ADMIN" "$T/r.jsonl"
expect_match "naming FILE:LINE" "$OUT" "$T/r.jsonl:2: "
expect_rc "idx add --server with a search key: exit 2" 2 "$IDX" add -q --server "$URL" --key "$SKEY" "$T/r.jsonl"
IDX_KEY=$ADMIN expect_rc "the key may come from \$IDX_KEY" 0 "$IDX" add -q --server "$URL" - < "$T/b2.jsonl"
expect_rc "idx add --server to nothing listening: exit 3" 3 "$IDX" add -q --server "http://127.0.0.1:$(free_port)" --key "$ADMIN" "$T/r.jsonl"

# ---- backpressure: idx add holds the database, the queue fills, 429 ----
stop_server "$PID" 10
expect_eq "idxd stops cleanly" "$STOP_RC" 0
start_server bp "$DB" --keys "$KEYS" --threads 2 --max-queue 1 || exit 1
mkfifo "$T/hold"
"$IDX" add -q --db "$DB" < "$T/hold" > "$T/hold.out" 2>&1 &
holder=$!
exec 7> "$T/hold"
for _ in $(seq 100); do ls -l "/proc/$holder/fd" 2> /dev/null | grep -q "$DB/" && break; sleep 0.1; done
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "{\"id\":\"bp%d\",\"title\":\"积压 %d\",\"body\":\"%0300d\"}\n", i, i, i }' > "$T/big.jsonl"
http "$URL/docs" "${A[@]}" --data-binary @"$T/big.jsonl"
expect_eq "the first big body is taken" "$CODE" 202
BP=$(jqb .task)
http "$URL/docs" "${A[@]}" --data-binary @"$T/big.jsonl"
expect_eq "the next one finds the queue full: 429" "$CODE $(jqb .error.code)" "429 queue_full"
expect_match "with Retry-After" "$HDRS" "Retry-After: [0-9]+"
sleep 1.2
expect_match "idxd says why its writes wait" "$(cat "$T/bp.err")" "writes wait: database .* is locked by another writer"
http "$URL/tasks/$BP" "${A[@]}"
expect_eq "meanwhile the task is enqueued" "$(jqb .status)" enqueued
printf '%s\n' '{"id":"held","title":"锁","body":"锁"}' >&7
exec 7>&-
wait "$holder"
expect_eq "the idx add that held the lock finishes" "$?" 0
wait_task "$BP" 100
expect_eq "once the lock is free the queued task is applied" "$st $(jqb .added)" "succeeded 2000"
# idx add while idxd writes: it waits its turn (idxd holds the lock per batch only)
( for i in $(seq 20); do curl -s -o /dev/null "${A[@]}" --data-binary @"$T/b2.jsonl" "$URL/docs"; done ) &
poster=$!
expect_rc "idx add while idxd applies writes: exit 0" 0 "$IDX" add -q --db "$DB" "$T/b2.jsonl" "$T/b3.gz"
expect_rc "idx rm while idxd applies writes: exit 0" 0 "$IDX" rm --db "$DB" n3
wait "$poster"
expect_rc "the database passes xapian-check" 0 xapian-check "$DB"

# ---- a torn journal tail ----
stop_server "$PID" 10
J=$DB.journal
printf 'JREC\x01\x02\x03 half a record' >> "$J"
start_server torn "$DB" --keys "$KEYS" --threads 2 || exit 1
expect_match "a torn tail is dropped, and said so" "$(cat "$T/torn.err")" "dropped a torn tail of 21 bytes"
expect_eq "and kept aside" "$(ls "$J".dropped-* 2> /dev/null | wc -l)" 1
http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/b2.jsonl"
expect_eq "writes go on after it" "$CODE $(jqb .status)" "200 succeeded"
printf 'junk' > "$T/notjournal"
start_server foreign "$DB" --keys "$KEYS" --threads 1 --journal "$T/notjournal" || exit 1
expect_match "a file that is not a journal turns writes off, left alone" "$(cat "$T/foreign.err")" "writes are off: .*not an idx journal"
http "$URL/docs" "${A[@]}" --data-binary @"$T/b2.jsonl"
expect_eq "and writes are refused: 403 read_only" "$CODE $(jqb .error.code)" "403 read_only"
expect_eq "the file is as it was" "$(cat "$T/notjournal")" junk

# ---- a database restored from a backup older than the journal ----
GAP=$T/gap
"$IDX" add -q --db "$GAP" "$SAMPLE" > /dev/null
cp -a "$GAP" "$GAP.backup"
start_server gap1 "$GAP" --keys "$KEYS" --threads 1 || exit 1
for i in 1 2; do
    printf '{"id":"gap%s","title":"缺口 %s","body":"缺口"}\n' "$i" "$i" > "$T/gap.jsonl"
    http "$URL/docs?wait=1" "${A[@]}" --data-binary @"$T/gap.jsonl"
done
rm -f "$T/hold"
mkfifo "$T/hold"
"$IDX" add -q --db "$GAP" < "$T/hold" > /dev/null 2>&1 &
holder=$!
exec 7> "$T/hold"
for _ in $(seq 100); do ls -l "/proc/$holder/fd" 2> /dev/null | grep -q "$GAP/" && break; sleep 0.1; done
printf '{"id":"gap3","title":"缺口 3","body":"缺口"}\n' > "$T/gap.jsonl"
http "$URL/docs" "${A[@]}" --data-binary @"$T/gap.jsonl"
expect_eq "a third write waits in the journal while idx add holds the database" "$CODE $(jqb .task)" "202 3"
stop_server "$PID" 10
exec 7>&-
wait "$holder"
rm -rf "$GAP"
mv "$GAP.backup" "$GAP"
start_server gap2 "$GAP" --keys "$KEYS" --threads 1 || exit 1
expect_match "restored from before tasks 1-2, the journal holding task 3: idxd names the tasks in neither" \
    "$(cat "$T/gap2.err")" "holds tasks up to 0 and the journal .* starts at task 3: tasks 1-2 are in neither"
wait_task 3 50
expect_eq "and applies what the journal holds" "$st" succeeded
stop_server "$PID" 10

# ---- read-only: a replica, --read-only, no admin key ----
REP=$T/replica
mkdir -p "$REP"
cp -r "$DB" "$REP/replica_0"
echo "auto replica_0" > "$REP/XAPIANDB"
start_server rep "$REP" --keys "$KEYS" --threads 1 || exit 1
http "$URL/docs" "${A[@]}" --data-binary @"$T/b2.jsonl"
expect_eq "a replica refuses writes: 403 read_only" "$CODE $(jqb .error.code)" "403 read_only"
expect_match "naming xapian-replicate and the master" "$(jqb .error.message)" "replica .*master"
ksearch "$SKEY" 南通
expect_eq "and still answers searches" "$CODE" 200
start_server ro "$DB" --keys "$KEYS" --threads 1 --read-only --public-search || exit 1
http "$URL/docs/n1" -X DELETE "${A[@]}"
expect_eq "--read-only refuses writes" "$CODE $(jqb .error.code)" "403 read_only"
search "$URL" 南通
expect_eq "--public-search: search needs no key" "$CODE" 200
http "$URL/stats"
expect_eq "but admin routes still do" "$CODE" 401
start_server open "$DB" --threads 1 || exit 1
http "$URL/docs" --data-binary @"$T/b2.jsonl"
expect_eq "without --keys, no writes: 403" "$CODE $(jqb .error.code)" "403 read_only"
expect_match "saying to give --keys" "$(jqb .error.message)" "--keys"

# ---- the page carries its key (--page-key): escaped into data-key ----
SCOPED2=$("$IDX" key scope --key "$SKEY" --filter 'source:cctv' --expires +1d)
start_server page "$DB" --keys "$KEYS" --threads 1 --page-key "$SCOPED2" || exit 1
http "$URL/"
expect_eq "the page carries the scoped key in data-key" "$(grep -c "data-key=\"$SCOPED2\"" "$T/body")" 1
expect_rc "an admin key as --page-key is refused" 2 "$IDXD" --db "$DB" --keys "$KEYS" --page-key "$ADMIN" --listen 127.0.0.1:0
# keys are never logged: no secret, scoped key or tampered key in any idxd stderr
leaked=0
for f in "$T"/*.err; do
    for k in "$ADMIN" "$SKEY" "$SCOPED" "$TAMPERED" "$EXPIRING" "$SCOPED2" "$TEMP"; do
        grep -qF -- "$k" "$f" && leaked=$((leaked + 1))
    done
done
expect_eq "no key (secret, scoped, tampered, expired) in any access log or message" "$leaked" 0
no_sanitizer_reports
