#!/usr/bin/env bash
# End-to-end: the idxd HTTP server on the sample archive and on small crafted
# indexes: the /search JSON shape, paging, sorting and filters; snippets and
# HTML escaping over HTTP; every error status with its JSON error code;
# hostile requests; an article added by `idx add` while the server runs is
# found within 1 s; concurrent load (loadgen) without errors; metrics and the
# access log; CORS; clean shutdown on SIGTERM; exit status of bad usage and of
# a port in use.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
SEED=seed-2196415b1c9c92ca

# ==== 1. /search on the sample index: JSON shape, paging, sorting, filters ====
DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
start_server main "$DB" --threads 2 || exit 1
A=$URL A_PID=$PID A_PORT=$PORT
A_OK=0 # searches answered 200 by server A (for the metrics check)
searchA() { search "$A" "$@"; [ "$CODE" = 200 ] && A_OK=$((A_OK + 1)); }

searchA 南通开发区
expect_eq "search: 200" "$CODE" 200
expect_eq "search: Content-Type" "$CTYPE" "application/json; charset=utf-8"
expect_eq "search: every response key present" \
    "$(jqb '["query","total","total_exact","offset","limit","took_ms","hits"] - keys | join(",")')" ""
expect_eq "search: every hit key present" \
    "$(jqb '["id","title","url","date","source","category","title_html","snippet","score","rank"] - (.hits[0] | keys) | join(",")')" ""
expect_eq "search: total >= 1, query echoed, numbers typed" \
    "$(jqb '.total >= 1 and .query == "南通开发区" and (.took_ms|type) == "number" and (.hits[0].score|type) == "number" and .offset == 0 and .limit == 10')" true
expect_eq "search: seed article is hit 1 with rank 1" "$(jqb '.hits[0].id + " " + (.hits[0].rank|tostring)')" "$SEED 1"
expect_eq "search: the HTTP answer agrees with idx search --json" \
    "$(jqb '[.total, [.hits[].id]]' | jq -c .)" \
    "$("$IDX" search --db "$DB" --json 南通开发区 | jq -c '[.total, [.hits[].id]]')"

searchA 习近平 limit=2
expect_eq "limit=2 gives 2 hits" "$(jqb '.hits | length')" 2
searchA 习近平 limit=10
TOP10=$(jqb '[.hits[].id] | join(",")')
searchA 习近平 limit=5 offset=5
P2=$(jqb '[.hits[].id] | join(",")')
searchA 习近平 limit=5
P1=$(jqb '[.hits[].id] | join(",")')
expect_eq "offset paging: pages 1 and 2 are the top 10" "$P1,$P2" "$TOP10"
expect_eq "offset paging: the pages share no id" \
    "$(jq -rn --arg a "$P1" --arg b "$P2" '($a|split(",")) as $x | ($b|split(",")) as $y | ($x - ($x - $y)) | length')" 0
searchA 习近平 limit=5 offset=5
expect_eq "offset paging: ranks continue (6..10)" "$(jqb '[.hits[].rank] | map(tostring) | join(",")')" "6,7,8,9,10"

searchA 习近平 sort=-date limit=50
expect_eq "sort=-date: dates never increase" "$(jqb '[.hits[].date] as $d | ($d | length) > 1 and $d == ($d | sort | reverse)')" true
searchA 习近平 sort=date limit=50
expect_eq "sort=date: dates never decrease" "$(jqb '[.hits[].date] as $d | ($d | length) > 1 and $d == ($d | sort)')" true
searchA 疫情 from=2022-01-01 to=2022-06-30 limit=100
expect_eq "from/to: every date within range" \
    "$(jqb '(.hits | length) > 0 and all(.hits[]; .date >= "2022-01-01" and .date <= "2022-06-30")')" true
want=$(jq -r 'select(.date >= "2022-01-01" and .date <= "2022-06-30") | select(((.title // "") + " " + (.body // "")) | contains("疫情")) | .id' < "$SAMPLE" | wc -l)
expect_eq "from/to: total counts the articles in range" "$(jqb .total)" "$want"
searchA 的 exact_total=1
expect_eq "exact_total=1 gives total_exact true" "$(jqb '.total_exact')" true
expect_eq "exact_total=1 on 的: total is every article with 的" "$(jqb .total)" \
    "$(jq -r 'select(((.title // "") + " " + (.body // "")) | contains("的")) | .id' < "$SAMPLE" | wc -l)"
SRC=$(jq -r "select(.id == \"$SEED\") | .source" < "$SAMPLE")
searchA 开发区 "source=$SRC"
expect_eq "source filter keeps only that source" "$(jq -r --arg s "$SRC" '(.hits|length) > 0 and all(.hits[]; .source == $s)' <<< "$BODY")" true
searchA 习近平 snippet_len=20
expect_eq "snippet_len=20: short snippets" "$(jqb 'all(.hits[]; (.snippet | gsub("</?mark>"; "") | length) <= 25)')" true

http "$A/docs/$SEED"
expect_eq "GET /docs/{id}: 200 and the article" "$CODE $(jqb .id)" "200 $SEED"
expect_eq "GET /docs/{id}: Content-Type" "$CTYPE" "application/json; charset=utf-8"
http "$A/health"
expect_eq "GET /health: ok with 301 documents" "$CODE $(jqb '.status + " " + (.documents|tostring) + " " + (.revision|type)')" "200 ok 301 number"
http "$A/stats"
expect_eq "GET /stats: every key" \
    "$CODE $(jqb '["db","documents","revision","avg_doc_length","last_update","uptime_s","threads","connections"] - keys | join(",")') $(jqb '.documents, .threads' | tr '\n' ' ')" \
    "200  301 2 "
http "$A/api"
expect_eq "GET /api: JSON" "$CODE $(jqb '.name')" "200 idxd"
http "$A/health" -I
expect_eq "HEAD /health: 200" "$CODE" 200
# HEAD sends the length and no body, so the connection stays usable
out=$(curl -sv -I "$A/search?q=%E5%8D%97%E9%80%9A" --next "$A/health" 2>&1)
expect_match "HEAD /search: Content-Length of the GET body" "$out" 'Content-Length: [1-9][0-9]*'
if printf '%s' "$out" | grep -q 'Excess found'; then
    fail "HEAD: no body after the headers" "curl: $(printf '%s' "$out" | grep Excess)"
else
    ok "HEAD: no body after the headers"
fi
expect_match "HEAD then GET on one keep-alive connection" "$out" 'Re-using existing connection.*|"status":"ok"'

# ==== 2 + 3. snippets and escaping over HTTP, on a crafted index ====
LONG_PRE=$(for i in $(seq 14); do printf '天气晴朗，市民们在公园里散步休闲第%s次。' "$i"; done)
LONG_POST=$(for i in $(seq 14); do printf '夜幕降临，街道两旁的灯光渐渐亮了起来第%s回。' "$i"; done)
S=$T/snip.jsonl
{
    jq -cn '{id:"s-merge", title:"招商新闻", body:"江苏南通开发区招商引资", date:"2023-01-01"}'
    jq -cn '{id:"s-apart", title:"城市建设", body:"南通市的开发区建设很快", date:"2023-01-02"}'
    jq -cn --arg b "${LONG_PRE}今天在这里举行了一个关于蓝鲸保护的会议。${LONG_POST}" \
        '{id:"s-long", title:"长文", body:$b, date:"2023-01-03"}'
    jq -cn '{id:"s-xss", title:"<script>alert(1)</script> 测试标题",
             body:"前言<script>alert(1)</script>中间\"onerror=alert(1) 还有'"'"'single'"'"'结尾 & more <b>bold</b>",
             date:"2023-01-04"}'
} > "$S"
SDB=$T/snipdb
"$IDX" add -q --db "$SDB" "$S" > /dev/null || fail "index the crafted articles" "idx add failed"
start_server snip "$SDB" --threads 2 || exit 1
B=$URL B_PID=$PID

search "$B" "南通 开发区"
SN=$(jqb '.hits[] | select(.id == "s-merge") | .snippet')
expect_match "南通 开发区: touching matches merge into <mark>南通开发区</mark>" "$SN" '<mark>南通开发区</mark>'
expect_eq "南通 开发区: no </mark><mark> in any snippet or title" \
    "$(jqb '[.hits[] | .snippet, .title_html | select(contains("</mark><mark>"))] | length')" 0
expect_eq "南通 开发区: exact snippet" "$SN" "江苏<mark>南通开发区</mark>招商引资"
search "$B" 南通开发区
expect_eq "南通开发区 (phrase): only the article with the phrase" "$(jqb '[.hits[].id] | join(",")')" "s-merge"
expect_eq "南通开发区 (phrase): exact snippet" "$(jqb '.hits[0].snippet')" "江苏<mark>南通开发区</mark>招商引资"
search "$B" "南通 开发区"
SN=$(jqb '.hits[] | select(.id == "s-apart") | .snippet')
expect_eq "南通 开发区 on 南通市的开发区: two separate marks" "$SN" "<mark>南通</mark>市的<mark>开发区</mark>建设很快"
search "$B" 区
expect_eq "区: every mark is exactly one 区" \
    "$(jqb '[.hits[] | .snippet, .title_html | [scan("<mark>(.*?)</mark>")[0]] | .[]] | unique | join(",")')" "区"
expect_eq "区: exact snippet" "$(jqb '.hits[] | select(.id == "s-merge") | .snippet')" "江苏南通开发<mark>区</mark>招商引资"
search "$B" 蓝鲸
SN=$(jqb '.hits[0].snippet')
NCH=$(jq -rn --arg s "$SN" '$s | gsub("</?mark>"; "") | length')
expect_match "long body: snippet starts with …" "$SN" '^…'
expect_match "long body: snippet ends with …" "$SN" '…$'
expect_match "long body: snippet has the mark" "$SN" '<mark>蓝鲸</mark>'
if [ "$NCH" -le 125 ] && [ "$NCH" -ge 40 ]; then ok "long body: snippet is $NCH characters (40..125)"; else fail "long body: snippet length" "$NCH characters: $SN"; fi

search "$B" alert
# shellcheck disable=SC2034 # read below as ${!f}
TH=$(jqb '.hits[] | select(.id == "s-xss") | .title_html')
SN=$(jqb '.hits[] | select(.id == "s-xss") | .snippet')
expect_eq "escaping: the article is found" "$(jqb '[.hits[].id] | index("s-xss") != null')" true
for f in TH SN; do
    v=${!f}
    if printf '%s' "$v" | grep -qi '<script'; then fail "escaping $f: no raw <script" "$v"; else ok "escaping $f: no raw <script"; fi
    expect_match "escaping $f: &lt;script&gt;" "$v" '&lt;script&gt;'
    expect_match "escaping $f: alert is marked" "$v" '<mark>alert</mark>'
    stripped=$(printf '%s' "$v" | sed 's#</\?mark>##g')
    if printf '%s' "$stripped" | grep -q '[<>]'; then fail "escaping $f: only <mark> tags" "$v"; else ok "escaping $f: only <mark> tags"; fi
done
expect_match "escaping snippet: &quot;onerror=" "$SN" '&quot;onerror='
expect_match "escaping snippet: &#39;single&#39;" "$SN" '&#39;single&#39;'
expect_match "escaping snippet: & as &amp;" "$SN" ' &amp; more'
expect_match "escaping snippet: <b> escaped" "$SN" '&lt;b&gt;bold&lt;/b&gt;'
expect_eq "escaping: title is returned raw (JSON), title_html escaped" "$(jqb '.hits[] | select(.id == "s-xss") | .title')" "<script>alert(1)</script> 测试标题"

# ==== 4. bad input: status and error code ====
Q5000=$(head -c 5000 /dev/zero | tr '\0' a)
while IFS='|' read -r qs want; do
    http "$A/search?$qs"
    short=${qs:0:50}
    expect_eq "400 $want: $short" "$CODE $(jqb '.error.code')" "400 $want"
    expect_eq "400 $short: JSON error with a message" "$(jqb '(.error.message | type) == "string" and (.error.message | length) > 0')" true
done << EOF
q=%FF|invalid_utf8
q=%E5|invalid_utf8
q=a%E5%8D|invalid_utf8
q=a%00b|bad_parameter
q=$Q5000|query_too_long
|bad_parameter
q=|bad_parameter
limit=5|bad_parameter
q=x&limit=0|bad_parameter
q=x&limit=101|bad_parameter
q=x&limit=abc|bad_parameter
q=x&limit=-1|bad_parameter
q=x&offset=10001|bad_parameter
q=x&sort=bogus|bad_parameter
q=x&from=2022-13-45|bad_parameter
q=x&to=2022-02-30|bad_parameter
q=x&foo=1|bad_parameter
q=x&q=y|bad_parameter
q=%zz|bad_parameter
q=x&exact_total=2|bad_parameter
q=x&snippet_len=0|bad_parameter
q=x&snippet_len=1001|bad_parameter
q=x$(for i in $(seq 40); do printf '&p%s=1' "$i"; done)|bad_parameter
EOF
http "$A/health?foo=1"
expect_eq "400 on an unknown parameter to /health" "$CODE $(jqb .error.code)" "400 bad_parameter"
http "$A/nope"
expect_eq "404 /nope" "$CODE $(jqb .error.code)" "404 not_found"
http "$A/docs/does-not-exist"
expect_eq "404 /docs/does-not-exist" "$CODE $(jqb .error.code)" "404 not_found"
http "$A/docs/"
expect_eq "404 /docs/ (empty id)" "$CODE $(jqb .error.code)" "404 not_found"
http "$A/docs/%FF"
expect_eq "400 /docs/%FF" "$CODE $(jqb .error.code)" "400 invalid_utf8"
http "$A/search?q=x" -X POST --data 'q=x'
expect_eq "405 POST /search" "$CODE $(jqb .error.code)" "405 method_not_allowed"
expect_match "405 has an Allow header with GET" "$HDRS" '^Allow: .*GET'
http "$A/search?q=x" -X OPTIONS
expect_eq "405 OPTIONS without --cors-origin" "$CODE" 405

start_server cors "$DB" --threads 2 --max-body 1000 --cors-origin https://example.org || exit 1
C=$URL C_PID=$PID
head -c 5000 /dev/zero | tr '\0' x > "$T/5000"
http "$C/search?q=x" -X GET --data-binary @"$T/5000"
expect_eq "413 GET with a 5000-byte body (--max-body 1000)" "$CODE $(jqb .error.code)" "413 body_too_large"
head -c 900 /dev/zero | tr '\0' x > "$T/900"
http "$C/health" -X GET --data-binary @"$T/900"
expect_eq "a 900-byte body under --max-body 1000 is fine" "$CODE" 200
head -c 40000 /dev/zero | tr '\0' x > "$T/40000"
http "$C/health" -X GET --data-binary @"$T/40000"
expect_eq "413 for a body over 16x --max-body" "$CODE" 413

# ==== 8. CORS ====
search "$C" 南通开发区
expect_match "CORS: Access-Control-Allow-Origin on /search" "$HDRS" '^Access-Control-Allow-Origin: https://example\.org$'
http "$C/nope"
expect_match "CORS: header on errors too" "$HDRS" '^Access-Control-Allow-Origin: https://example\.org$'
http "$C/search" -X OPTIONS -H 'Origin: https://example.org' -H 'Access-Control-Request-Method: GET'
expect_eq "CORS: OPTIONS /search gives 204" "$CODE" 204
expect_match "CORS: preflight allows GET" "$HDRS" '^Access-Control-Allow-Methods: .*GET'
http "$A/search?q=x"
if printf '%s' "$HDRS" | grep -qi '^Access-Control-Allow-Origin'; then fail "no CORS header without --cors-origin" "$HDRS"; else ok "no CORS header without --cors-origin"; fi
stop_server "$C_PID" 15

mkdir -p "$T/empty"
start_server empty "$T/empty" --threads 2 || exit 1
http "$URL/health"
expect_eq "503 /health on a directory without a database" "$CODE $(jqb .error.code)" "503 index_unavailable"
http "$URL/search?q=x"
expect_eq "503 /search on a directory without a database" "$CODE $(jqb .error.code)" "503 index_unavailable"
http "$URL/metrics"
expect_eq "/metrics still 200 without a database" "$CODE" 200
expect_match "/metrics says idxd_index_up 0" "$BODY" '^idxd_index_up 0$'
# the database appears later: served without a restart
"$IDX" add -q --db "$T/empty" "$S" > /dev/null
ok_after=
for _ in $(seq 30); do
    http "$URL/health"
    [ "$CODE" = 200 ] && { ok_after=1; break; }
    sleep 0.1
done
expect_eq "a database created later is served (health 200 within 3 s)" "${ok_after:-0}" 1
stop_server "$PID" 15

# hostile requests must not kill the server
BIGQ=$(head -c 70000 /dev/zero | tr '\0' a)
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$A/search?q=$BIGQ")
expect_match "70 KB URL is refused (4xx, or the connection is closed)" "$code" '^(4[0-9][0-9]|000)$'
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' b)" "$A/health")
expect_match "100 KB header is refused (4xx, or the connection is closed)" "$code" '^(4[0-9][0-9]|000)$'
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X "$(head -c 2000 /dev/zero | tr '\0' M)" "$A/health")
expect_match "absurd method is refused (4xx/5xx)" "$code" '^[45][0-9][0-9]$'
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "\x00\xff GARBAGE\r\n\r\n" >&3; cat <&3' _ "$A_PORT" > "$T/garbage.out" 2>&1
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; head -c 3000 /dev/urandom >&3; exec 3>&-' _ "$A_PORT" > /dev/null 2>&1
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "GET /search?q=%%E5%%8D%%97 HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\nabc" >&3; exec 3>&-' _ "$A_PORT" > /dev/null 2>&1
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "GET /search?q=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\n" >&3; exec 3>&-' _ "$A_PORT" > /dev/null 2>&1
timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "GET /health HTTP/1.1\r\nHost: x\r\n" >&3; exec 3>&-' _ "$A_PORT" > /dev/null 2>&1
http "$A/health"
expect_eq "after hostile requests /health is 200" "$CODE" 200
if alive "$A_PID"; then ok "after hostile requests idxd is alive"; else fail "after hostile requests idxd is alive" "it died; stderr: $(tail -c 600 "$T/main.err")"; fi

# ==== 5. live update under load ====
QF=$T/queries.txt
printf '%s\n' '# queries that hit the sample' 习近平 新闻联播 南通开发区 经济 '5G 基站' 疫情防控 \
    乡村振兴 APEC 开发区 '南通 开发区' 区 的 G20 '习近平 经济' 疫情 中国 > "$QF"
"$LOADGEN" -u "$B" -c 8 -t 2 --json "$QF" > "$T/live-load.json" 2> "$T/live-load.err" &
LG=$!
_pids+=("$LG")
sleep 0.3
jq -cn '{id:"live-1", title:"新词测试", body:"一个从未出现过的词 zqxjkv 和 鸊鷉鸊鷉", date:"2024-02-02"}' > "$T/live.jsonl"
"$IDX" add -q --db "$SDB" "$T/live.jsonl" > /dev/null || fail "live: idx add" "failed"
t0=$(date +%s.%N)
seen=
for _ in $(seq 40); do
    search "$B" zqxjkv
    if [ "$CODE" = 200 ] && [ "$(jqb '[.hits[].id] | index("live-1") != null')" = true ]; then
        seen=$(date +%s.%N)
        break
    fi
    sleep 0.1
done
if [ -n "$seen" ]; then
    delay=$(awk -v a="$t0" -v b="$seen" 'BEGIN { printf "%.3f", b - a }')
    if awk -v d="$delay" 'BEGIN { exit !(d <= 1.0) }'; then
        ok "live: article added by idx add found after ${delay} s (<= 1.0 s)"
    else
        fail "live: article found within 1.0 s" "found after ${delay} s"
    fi
else
    fail "live: article found within 1.0 s" "not found after 4 s; last: $CODE ${BODY:0:300}"
fi
search "$B" 鸊鷉
expect_eq "live: CJK phrase of the new article is found" "$(jqb '.hits[0].id')" live-1
http "$B/docs/live-1"
expect_eq "live: GET /docs/live-1" "$CODE $(jqb .id)" "200 live-1"
"$IDX" rm --db "$SDB" live-1 > /dev/null || fail "live: idx rm" "failed"
gone=
for _ in $(seq 20); do
    search "$B" zqxjkv
    [ "$CODE" = 200 ] && [ "$(jqb .total)" = 0 ] && { gone=1; break; }
    sleep 0.1
done
expect_eq "live: an article removed by idx rm is gone within 2 s" "${gone:-0}" 1
wait "$LG"
forget "$LG"
LJ=$(tail -n 1 "$T/live-load.json")
expect_eq "live: loadgen during the update: requests > 0, errors 0, non2xx 0" \
    "$(jq -r '.requests > 0 and .errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" true
[ "$(jq -r '.errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" = true ] || echo "#   loadgen: $LJ"
stop_server "$B_PID" 15

# ==== 6. concurrency ====
"$LOADGEN" -u "$A" -c 50 -t 3 --json "$QF" > "$T/load.json" 2> "$T/load.err"
LJ=$(tail -n 1 "$T/load.json")
expect_eq "loadgen -c 50 -t 3: requests > 0, errors 0, non2xx 0" \
    "$(jq -r '.requests > 0 and .errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" true
[ "$(jq -r '.errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" = true ] || echo "#   loadgen: $LJ $(head -c 300 "$T/load.err")"
echo "#   loadgen -c 50: $(jq -r '"\(.requests) requests, \(.rps|floor)/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms"' <<< "$LJ" 2> /dev/null)"
LOAD_OK=$(jq -r '.ok // 0' <<< "$LJ" 2> /dev/null)
conns=
for _ in $(seq 20); do
    http "$A/stats"
    conns=$(jqb .connections)
    [ -n "$conns" ] && [ "$conns" -le 2 ] 2> /dev/null && break
    sleep 0.1
done
if [ -n "$conns" ] && [ "$conns" -le 2 ] 2> /dev/null; then ok "connections back to $conns (<= 2) after the load"; else fail "connections drop to <= 2 within 2 s" "connections=$conns"; fi

# ==== 7. metrics and access log ====
http "$A/metrics"
expect_eq "/metrics: 200 text/plain" "$CODE ${CTYPE%%;*}" "200 text/plain"
n=$(printf '%s\n' "$BODY" | sed -n 's/^idxd_requests_total{route="search",status="200"} \([0-9]*\)$/\1/p')
want=$((A_OK + ${LOAD_OK:-0}))
if [ -n "$n" ] && [ "$n" -ge "$want" ]; then ok "/metrics: search 200 count $n >= $want"; else fail "/metrics: search 200 count" "got [$n], want >= $want"; fi
expect_match "/metrics: search 400s counted" "$BODY" '^idxd_requests_total\{route="search",status="400"\} [1-9][0-9]*$'
expect_match "/metrics: +Inf bucket for search" "$BODY" '^idxd_request_duration_seconds_bucket\{route="search",le="\+Inf"\} [0-9]+$'
expect_match "/metrics: idxd_index_documents 301" "$BODY" '^idxd_index_documents 301$'
expect_match "/metrics: idxd_index_up 1" "$BODY" '^idxd_index_up 1$'
expect_match "access log: a GET /health 200 line" "$(cat "$T/main.err")" ' GET /health 200 [0-9]+ [0-9]+us$'
expect_match "access log: the 405" "$(cat "$T/main.err")" ' POST /search\?q=x 405 [0-9]+ [0-9]+us$'
bad=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z [^ ]+ [A-Z?]+ [^ ]+ [0-9]{3} [0-9]+ [0-9]+us$|^idxd: ' "$T/main.err" | head -n 3)
expect_eq "access log: every line is well formed" "$bad" ""

# ==== 9. exit status: port in use, bad usage, clean shutdown ====
expect_rc "a port already in use exits 3" 3 timeout 10 "$IDXD" --db "$DB" --listen "127.0.0.1:$A_PORT" --threads 1
expect_rc "--threads 0 exits 2" 2 timeout 10 "$IDXD" --db "$DB" --threads 0 --listen 127.0.0.1:0
expect_rc "--listen nonsense exits 2" 2 timeout 10 "$IDXD" --db "$DB" --listen nonsense
expect_rc "an unknown option exits 2" 2 timeout 10 "$IDXD" --db "$DB" --bogus
stop_server "$A_PID" 10
expect_eq "main server: SIGTERM exits 0" "$STOP_RC" 0

# a client that sends a search with a large reply (~240 KB) and closes without
# reading it: its reply is no longer in flight, so SIGTERM must not wait for it
start_server vanish "$DB" --threads 1 --grace 5 || exit 1
V_PID=$PID
for _ in 1 2; do
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; printf "GET /search?q=%%E7%%9A%%84&limit=100&snippet_len=1000 HTTP/1.1\r\nHost: x\r\n\r\n" >&3; exec 3>&- 3<&-' _ "$PORT" > /dev/null 2>&1
done
sleep 0.3
http "$URL/health"
expect_eq "clients that vanish before reading: server still answers" "$CODE" 200
stop_server "$V_PID" 12
if [ "$STOP_RC" = 0 ] && awk -v s="$STOP_S" 'BEGIN { exit !(s <= 2.5) }'; then
    ok "SIGTERM after clients vanished mid-reply: exit 0 in $STOP_S s (<= 2.5, --grace 5)"
else
    fail "SIGTERM after clients vanished mid-reply: exit 0 within 2.5 s (--grace 5)" \
        "exit $STOP_RC after $STOP_S s: the abandoned replies are still counted in flight"
fi

start_server stop "$DB" --threads 2 || exit 1
E_PID=$PID
"$LOADGEN" -u "$URL" -c 20 -t 4 --json "$QF" > "$T/stop-load.json" 2> "$T/stop-load.err" &
LG=$!
_pids+=("$LG")
sleep 1
stop_server "$E_PID" 8
expect_eq "SIGTERM under load (loadgen -c 20): exit 0" "$STOP_RC" 0
if [ "$STOP_RC" != timeout ] && awk -v s="$STOP_S" 'BEGIN { exit !(s <= 5) }'; then
    ok "SIGTERM under load: stopped in $STOP_S s (<= 5)"
else
    fail "SIGTERM under load: stopped within 5 s" "took $STOP_S s ($STOP_RC)"
fi
expect_match "SIGTERM: stderr says idxd: stopped" "$(cat "$T/stop.err")" '^idxd: stopped$'
kill -TERM "$LG" 2> /dev/null
wait "$LG" 2> /dev/null
forget "$LG"

# Draining serves only what is in flight.  One client pipelines 60 searches
# with ~240 KB replies and reads nothing, so a reply stays in flight and the
# stop legitimately waits --grace 3; meanwhile loadgen (20 keep-alive
# connections, one request in flight each) must get at most its in-flight
# requests answered (allow 2 per connection), not a stream of new ones.
# One thread, so the stalled reply and the loadgen connections share a worker.
start_server drain "$DB" --threads 1 --grace 3 || exit 1
D_PID=$PID
(
    exec 3<> "/dev/tcp/127.0.0.1/$PORT"
    for _ in $(seq 60); do
        printf 'GET /search?q=%%E7%%9A%%84&limit=100&snippet_len=1000 HTTP/1.1\r\nHost: x\r\n\r\n'
    done >&3
    exec sleep 20
) > /dev/null 2>&1 &
STALL=$!
_pids+=("$STALL")
# wait until the kernel buffers are full: the count of its replies stops growing
prev=-1 same=0
for _ in $(seq 60); do
    n=$(grep -c 'snippet_len=1000 ' "$T/drain.err")
    if [ "$n" -gt 0 ] && [ "$n" = "$prev" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 4 ] && break
    prev=$n
    sleep 0.1
done
"$LOADGEN" -u "$URL" -c 20 -t 5 --json "$QF" > "$T/drain-load.json" 2> "$T/drain-load.err" &
LG=$!
_pids+=("$LG")
sleep 1
stop_server "$D_PID" 8
expect_eq "SIGTERM with a stalled reader: exit 0" "$STOP_RC" 0
if [ "$STOP_RC" != timeout ] && awk -v s="$STOP_S" 'BEGIN { exit !(s <= 5) }'; then
    ok "SIGTERM with a stalled reader: stopped in $STOP_S s (--grace 3)"
else
    fail "SIGTERM with a stalled reader: stopped within 5 s (--grace 3)" "took $STOP_S s ($STOP_RC)"
fi
after=$(sed -n '/^idxd: SIGTERM/,$p' "$T/drain.err" | grep -c ' GET /search?q=[^ ]*&limit=10 [0-9]\{3\} ')
# each of the 20 connections: the request it had read (answered), the next
# one (503 + close), and, when its reconnect landed in the accept queue the
# stop found (those are accepted and answered 503 too, worker.c), one more:
# at most 3 x 20, however slow the machine (a sanitized build reached 48)
if [ "$after" -le 60 ]; then
    ok "draining: $after loadgen requests answered after SIGTERM (<= 3 x 20 connections)"
else
    fail "draining: at most 60 loadgen requests answered after SIGTERM (20 connections)" \
        "$after answered in the $STOP_S s after SIGTERM: keep-alive connections keep being served while draining"
fi
kill -TERM "$LG" "$STALL" 2> /dev/null
wait "$LG" "$STALL" 2> /dev/null
forget "$LG"
forget "$STALL"

# A client that pipelines requests behind a large reply it never reads: idxd
# stops reading from it (input capped per connection) instead of buffering
# everything it is sent.
start_server flood "$DB" --threads 1 --timeout 5 || exit 1
F_PID=$PID
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
rss0=$(rss "$F_PID")
timeout 4 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    r=$(printf "GET /health HTTP/1.1\r\nHost: x\r\n\r")
    { for i in $(seq 40); do
          printf "GET /search?q=%%E7%%9A%%84&limit=100&snippet_len=1000 HTTP/1.1\r\nHost: x\r\n\r\n"
      done
      yes "$r"; } >&3' _ "$PORT" > /dev/null 2>&1
rss1=$(rss "$F_PID")
grow=$(( (rss1 - rss0) / 1024 ))
if [ "$grow" -lt 100 ]; then
    ok "pipelining flood without reading: memory grew ${grow} MiB (< 100)"
else
    fail "pipelining flood without reading: memory bounded" "grew ${grow} MiB"
fi
http "$URL/health"
expect_eq "after the flood the server still answers" "$CODE" 200
stop_server "$F_PID" 8
expect_eq "flood: SIGTERM exits 0" "$STOP_RC" 0

# Connection cap: at --max-connections open connections idxd stops accepting;
# the other clients wait in the listen backlog (no errors) and are served as
# idle keep-alive connections time out (--timeout 1).
start_server cap "$DB" --threads 1 --max-connections 4 --timeout 1 || exit 1
C_PID=$PID
"$LOADGEN" -u "$URL" -c 12 -t 2 --json "$QF" > "$T/cap-load.json" 2> "$T/cap-load.err"
expect_eq "cap: 12 clients over a 4-connection cap get no errors" \
    "$(jq -r '"\(.errors) \(.non2xx)"' "$T/cap-load.json")" "0 0"
if [ "$(jq -r '.requests' "$T/cap-load.json")" -gt 0 ]; then ok "cap: requests served"; else fail "cap: requests served" "none"; fi
http "$URL/stats"
peak=$(jqb .connections_peak)
if [ -n "$peak" ] && [ "$peak" -ge 1 ] && [ "$peak" -le 4 ]; then
    ok "cap: at most 4 connections were ever open (peak $peak)"
else
    fail "cap: at most 4 connections were ever open" "connections_peak [$peak]"
fi
stop_server "$C_PID" 8
expect_eq "cap: SIGTERM exits 0" "$STOP_RC" 0

no_sanitizer_reports
