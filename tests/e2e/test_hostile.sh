#!/usr/bin/env bash
# End-to-end: hostile HTTP against idxd.  Slow clients trickling bytes are cut
# off after --timeout and do not starve others; a 1 MB query string, 5,000
# parameters, many headers, bad percent-encoding, NUL bytes, path traversal in
# /docs/{id}, 10,000-term and deeply nested queries, and script payloads each
# get a clear 4xx (or a closed connection where libevent refuses a request
# before idxd sees it) or are handled, never a crash or a hang; payloads are
# always escaped.  (test_server.sh covers the ordinary bad parameters.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
TRICKLE=$BINDIR/tests/tools/trickle
[ -x "$TRICKLE" ] || { fail "binaries" "$TRICKLE is missing"; exit 1; }

DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
# an article whose title and body are script payloads
jq -cn '{id:"xss-1", title:"<img src=x onerror=alert(1)> 经济标题", body:"正文 <script>alert(\"经济\")</script> 经济 \u0027;alert(2);// </textarea>", date:"2024-01-01", url:"javascript:alert(3)"}' > "$T/xss.jsonl"
"$IDX" add -q --db "$DB" "$T/xss.jsonl" > /dev/null || fail "index the payload article" "idx add failed"

# one worker thread: the slow clients share it with everybody else
start_server hostile "$DB" --threads 1 --timeout 2 || exit 1
H=$URL H_PID=$PID H_PORT=$PORT
QF=$T/queries.txt
printf '%s\n' 经济 习近平 南通开发区 疫情防控 中国 > "$QF"
N_HOSTILE=0
hostile() { N_HOSTILE=$((N_HOSTILE + 1)); }

# ---- slow clients: 50 connections trickling a header byte every 0.25 s ----
"$TRICKLE" -c 50 -i 0.25 -t 12 127.0.0.1 "$H_PORT" > "$T/trickle.json" 2> "$T/trickle.err" &
TR=$!
sleep 0.3
"$LOADGEN" -u "$H" -c 4 -t 3 --json "$QF" > "$T/during.json" 2> "$T/during.err"
wait "$TR"
hostile
TJ=$(cat "$T/trickle.json")
echo "#   trickle: $TJ"
echo "#   loadgen beside them: $(jq -c '{requests, rps, errors, non2xx, p50_ms, p99_ms, max_ms}' "$T/during.json")"
expect_eq "slow clients: all 50 cut off by the server" "$(jq -r '"\(.closed) \(.open)"' <<< "$TJ")" "50 0"
expect_eq "slow clients: cut off 2-4 s after connecting (--timeout 2)" \
    "$(jq -r '.min_s >= 1.8 and .max_s <= 4.0' <<< "$TJ")" true
expect_eq "slow clients: meanwhile 4 normal clients get only 200s" \
    "$(jq -r '.requests > 100 and .errors == 0 and .non2xx == 0' "$T/during.json")" true
expect_eq "slow clients: and no normal request waited a second" \
    "$(jq -r '.max_ms < 1000' "$T/during.json")" true
http "$H/metrics"
expect_match "slow clients: counted in idxd_connections_expired_total" "$BODY" \
    '^idxd_connections_expired_total ([5-9][0-9]|[1-9][0-9][0-9]+)$'

# a keep-alive client that sent a request in time is not cut off while idle
# between requests only because it is slow to send the next one in full
exec 3<> "/dev/tcp/127.0.0.1/$H_PORT"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n' >&3
sleep 1
printf 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n' >&3
sleep 1
printf 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
replies=$(timeout 5 cat <&3 | grep -c '^HTTP/1.1 200')
exec 3>&-
expect_eq "a client sending whole requests 1 s apart keeps its connection (3 replies)" "$replies" 3

# ---- huge and many: URL, parameters, headers ----
# curl_code URL [curl options]: the status, 000 when the connection was closed
curl_code() { local u=$1; shift; curl -s --max-time 20 -o "$T/cc.body" -w '%{http_code}' "$@" "$u"; }
# raw_status FILE: send FILE as is on a new connection; the reply's status
# code, or 000 when the connection was closed without one
raw_status() {
    local s
    s=$(timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1; cat "$2" >&3 2> /dev/null; head -c 12 <&3' _ "$H_PORT" "$1" 2> /dev/null)
    s=${s#HTTP/1.? }
    [[ $s =~ ^[0-9]{3}$ ]] && echo "$s" || echo 000
}
head -c 1048576 /dev/zero | tr '\0' a > "$T/1mb"
{ printf 'GET /search?q='; cat "$T/1mb"; printf ' HTTP/1.1\r\nHost: x\r\n\r\n'; } > "$T/req"
code=$(raw_status "$T/req")
hostile
expect_match "1 MB query string: refused (4xx, or the connection closed)" "$code" '^(4[0-9][0-9]|000)$'
# 1 MB as the q parameter of a form body is not how /search takes queries
code=$(curl_code "$H/search" -G --data-urlencode "q@$T/1mb")
hostile
expect_match "1 MB q URL-encoded: refused (4xx, or the connection closed)" "$code" '^(4[0-9][0-9]|000)$'

PARAMS=$(for i in $(seq 5000); do printf '&p%d=1' "$i"; done)
http "$H/search?q=x$PARAMS"
hostile
expect_eq "5,000 parameters: 400 bad_parameter" "$CODE $(jqb .error.code)" "400 bad_parameter"
PARAMS=$(for i in $(seq 5000); do printf '&_=%d' "$i"; done)
http "$H/search?q=x$PARAMS"
hostile
expect_eq "5,000 repeats of _: 400 bad_parameter" "$CODE $(jqb .error.code)" "400 bad_parameter"

HDR_ARGS=()
for i in $(seq 2000); do HDR_ARGS+=(-H "X-H$i: v"); done
code=$(curl_code "$H/health" "${HDR_ARGS[@]}")
hostile
expect_match "2,000 headers: answered or refused (200/4xx, or closed)" "$code" '^(200|4[0-9][0-9]|000)$'
code=$(curl_code "$H/health" -H "Cookie: $(head -c 60000 /dev/zero | tr '\0' c)")
hostile
expect_match "a 60 KB cookie: answered or refused (200/4xx, or closed)" "$code" '^(200|4[0-9][0-9]|000)$'

# ---- encoding: bad escapes, NUL bytes, invalid UTF-8 ----
while IFS='|' read -r path want; do
    http "$H$path"
    hostile
    expect_eq "$path: $want" "$CODE $(jqb .error.code)" "$want"
done << 'EOF'
/search?q=%|400 bad_parameter
/search?q=%4|400 bad_parameter
/search?q=%G0|400 bad_parameter
/search?q=a%00|400 bad_parameter
/search?q%00=a|400 bad_parameter
/search?q=%C0%AF|400 invalid_utf8
/search?q=%ED%A0%80|400 invalid_utf8
/search?q=%F4%90%80%80|400 invalid_utf8
/docs/a%00b|400 bad_parameter
/docs/%zz|400 bad_parameter
/docs/%C0%AE%C0%AE|400 invalid_utf8
EOF

# ---- path traversal in /docs/{id}: an id is a term, never a file name ----
for p in '/docs/../../../../etc/passwd' '/docs/..%2F..%2F..%2Fetc%2Fpasswd' \
    '/docs/%2e%2e/%2e%2e/etc/passwd' '/docs/....//....//etc/passwd' '/docs//etc/passwd' \
    '/docs/%2Fetc%2Fpasswd' '/docs/..\..\windows\win.ini' '/../../etc/passwd' '/docs/%252e%252e%252fetc'; do
    http "$H$p" --path-as-is
    hostile
    if [ "$CODE" = 404 ] && ! grep -q 'root:' "$T/body"; then ok "traversal $p: 404, no file content"
    else fail "traversal $p: 404, no file content" "$CODE ${BODY:0:200}"; fi
done

# ---- query size and shape ----
Q10K=$(for i in $(seq 10000); do printf 'w%d ' "$i"; done)
search "$H" "$Q10K"
hostile
expect_eq "10,000-term query: 400 query_too_long" "$CODE $(jqb .error.code)" "400 query_too_long"
Q2K=$(for i in $(seq 2000); do printf '%d ' $((i % 10)); done)
search "$H" "$Q2K"
hostile
expect_eq "2,000 one-character terms (under 4096 bytes): 400 naming the term cap" \
    "$CODE $(jqb .error.code) $(jqb '.error.message | test("256 terms")')" "400 query_too_long true"
QOR=$(for i in $(seq 600); do printf '经 OR '; done)
search "$H" "${QOR}济"
hostile
expect_match "600 ORs: answered 200 or refused 400" "$CODE" '^(200|400)$'
QCJK=$(jq -r .body "$SAMPLE" | tr -d '\n ' | head -c 4000 | iconv -c -f UTF-8 -t UTF-8 2> /dev/null)
search "$H" "$QCJK"
hostile
expect_match "a 1,300-character CJK run: answered 200 or refused 400" "$CODE" '^(200|400)$'
DEEP=$(printf '%.0s(' $(seq 2000))
search "$H" "${DEEP}经济"
hostile
expect_eq "2,000 nested parentheses: 200, searched as plain words" "$CODE" 200
expect_match "2,000 nested parentheses: a warning says so" "$(jqb .warning)" 'nested too deep'
DEEP=$(printf '%.0s(' $(seq 1000))$(printf '%.0s)' $(seq 1000))
search "$H" "经济 AND ${DEEP}"
hostile
expect_match "1,000 balanced empty parentheses: 200 or 400" "$CODE" '^(200|400)$'
NOTS=$(printf '%.0sNOT ' $(seq 900))
search "$H" "${NOTS}经济"
hostile
expect_match "900 NOTs: 200 or 400" "$CODE" '^(200|400)$'
search "$H" '""""""""""((((-----:::::title:title:title:'
hostile
expect_match "operator soup: 200 or 400" "$CODE" '^(200|400)$'

# ---- script payloads: in queries, in articles, always escaped ----
for q in '<script>alert(1)</script>' '"><img src=x onerror=alert(1)>' "经济 <script>" \
    "javascript:alert(1)" "</textarea><svg onload=alert(1)>" "经济' onmouseover='alert(1)"; do
    search "$H" "$q" snippet_len=200
    hostile
    if [ "$CODE" != 200 ] && [ "$CODE" != 400 ]; then fail "payload query $q" "status $CODE"; continue; fi
    expect_match "payload query $q: JSON" "$CTYPE" '^application/json'
    expect_match "payload query $q: X-Content-Type-Options: nosniff" "$HDRS" '^X-Content-Type-Options: nosniff$'
    # every HTML field must be free of raw markup: only <mark> tags may appear
    bad=$(jqb '[.hits[]? | .title_html, .snippet] | map(gsub("</?mark>"; "")) | map(select(test("[<>]"))) | length')
    expect_eq "payload query $q: title_html and snippets carry no raw < or >" "${bad:-0}" 0
done
search "$H" 经济 limit=100
xss=$(jqb '.hits[] | select(.id == "xss-1")')
expect_match "payload article: found" "$xss" '"id": "xss-1"'
expect_match "payload article: title_html escaped" "$(jq -r .title_html <<< "$xss")" '^&lt;img src=x onerror=alert\(1\)&gt; <mark>经济</mark>标题$'
expect_match "payload article: snippet escaped" "$(jq -r .snippet <<< "$xss")" '&lt;script&gt;alert\(&quot;<mark>经济</mark>&quot;\)&lt;/script&gt;'
expect_match "payload article: quote and </textarea> escaped" "$(jq -r .snippet <<< "$xss")" '&#39;;alert\(2\);// &lt;/textarea&gt;'

# ---- still alive and well ----
http "$H/health"
expect_eq "after all of it /health is 200" "$CODE" 200
"$LOADGEN" -u "$H" -c 4 -t 1 --check --json "$QF" > "$T/after.json" 2> "$T/after.err"
expect_eq "after all of it searches are answered and consistent" \
    "$(jq -r '.requests > 0 and .errors == 0 and .non2xx == 0 and .inconsistent == 0' "$T/after.json")" true
stop_server "$H_PID" 10
expect_eq "SIGTERM after the hostile run exits 0" "$STOP_RC" 0
echo "#   hostile inputs tried: $N_HOSTILE (+ 50 slow clients)"
no_sanitizer_reports
