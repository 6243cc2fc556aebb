#!/usr/bin/env bash
# End-to-end: GET /suggest and GET /docs/{id}/related over HTTP on the sample
# plus crafted articles (a reprint of the seed with another headline and small
# edits, three articles sharing one title, a script payload title), and the
# search page's files at / with their security headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
SEED=seed-2196415b1c9c92ca

DB=$T/db
{
    cat "$SAMPLE"
    jq -c --arg s "$SEED" 'select(.id == $s) | .id = "reprint-1" | .title = "转载：南通开发区再获流动红旗"
        | .body = ("（来源：南通日报）" + (.body | sub("连续14次"; "连续十四次")) + "（编辑：王某）")' "$SAMPLE"
    for i in 1 2 3; do jq -cn --arg i "$i" '{id:("same-\($i)"), title:"重复标题测试新闻", body:("第\($i)篇正文，内容各不相同。" * 3), date:"2024-01-0\($i)"}'; done
    jq -cn '{id:"xss-s", title:"<img src=x onerror=alert(1)>标题测试新闻", body:"正文"}'
    jq -cn '{id:"glued", title:"iPhone4S 今日上市", body:"新款手机"}'
} > "$T/in.jsonl"
"$IDX" add -q --db "$DB" "$T/in.jsonl" > /dev/null || fail "index" "idx add failed"
start_server disc "$DB" --threads 2 || exit 1
D=$URL D_PID=$PID

# ---- /suggest ----
http "$D/suggest?q=%E5%8D%97%E9%80%9A%E5%BC%80%E5%8F%91%E5%8C%BA" # 南通开发区
expect_eq "suggest 南通开发区: 200 JSON with suggestions" "$CODE $(jqb '.suggestions | length > 0')" "200 true"
expect_eq "suggest 南通开发区: the reprint's title is suggested" \
    "$(jqb '[.suggestions[].text] | index("转载：南通开发区再获流动红旗") != null')" true
expect_match "suggest: the typed part is marked" "$(jqb '[.suggestions[].html] | join(" ")')" '<mark>南通开发区</mark>'
expect_eq "suggest: every suggestion has id, text and html" "$(jqb '[.suggestions[] | (.id|length>0) and (.text|type=="string") and (.html|type=="string")] | all')" true
http "$D/suggest?q=APE"
expect_eq "suggest APE (a Latin word being typed): titles with APEC" \
    "$(jqb '(.suggestions | length > 0) and ([.suggestions[].text | test("APEC")] | all)')" true
http "$D/suggest?q=iphone4"
expect_eq "suggest iphone4 (letters glued to digits, split words): the title with iPhone4S" \
    "$(jqb '[.suggestions[].text] | index("iPhone4S 今日上市") != null')" true
http "$D/suggest?q=apec"
expect_eq "suggest apec: case does not matter" "$(jqb '.suggestions | length > 0')" true
http "$D/suggest?q=%E9%87%8D%E5%A4%8D%E6%A0%87%E9%A2%98" # 重复标题
expect_eq "suggest: three articles with one title give it once" "$(jqb '[.suggestions[].text] | map(select(. == "重复标题测试新闻")) | length')" 1
http "$D/suggest?q=%E6%A0%87%E9%A2%98%E6%B5%8B%E8%AF%95" # 标题测试
expect_eq "suggest: a script payload title is escaped" \
    "$(jqb '[.suggestions[].html | select(test("onerror"))][0] | test("^&lt;img src=x onerror=alert\\(1\\)&gt;<mark>标题测试</mark>")')" true
http "$D/suggest?q=%E7%BB%8F%E6%B5%8E&limit=3" # 经济
expect_eq "suggest limit=3: at most 3" "$(jqb '.suggestions | length <= 3 and length > 0')" true
http "$D/suggest?q=zzzzqqq"
expect_eq "suggest with no match: 200, empty list" "$CODE $(jqb '.suggestions | length')" "200 0"
while IFS='|' read -r qs want; do
    http "$D/suggest?$qs"
    expect_eq "suggest 400 $want: $qs" "$CODE $(jqb .error.code)" "400 $want"
done << 'EOF'
|bad_parameter
q=|bad_parameter
q=x&limit=0|bad_parameter
q=x&limit=21|bad_parameter
q=x&foo=1|bad_parameter
q=%FF|invalid_utf8
EOF

# ---- /docs/{id}/related ----
http "$D/docs/$SEED/related"
expect_eq "related of the seed: 200 with a list" "$CODE $(jqb '.id') $(jqb '.related | type')" "200 $SEED array"
expect_eq "related: the article itself is not listed" "$(jqb "[.related[].id] | index(\"$SEED\") == null")" true
expect_eq "related: its reprint is left out as a near-duplicate" \
    "$(jqb '([.related[].id] | index("reprint-1") == null) and .near_duplicates >= 1')" true
expect_eq "related: 5 by default, each with id, title, snippet, score" \
    "$(jqb '(.related | length == 5) and ([.related[] | (.id|length>0) and (.title|type=="string") and (.snippet|type=="string") and (.score|type=="number")] | all)')" true
expect_eq "related: snippets carry no raw markup" "$(jqb '[.related[].snippet | select(test("[<>]"))] | length')" 0
http "$D/docs/reprint-1/related?limit=3"
expect_eq "related of the reprint: the original is left out too, at most 3" \
    "$(jqb '([.related[].id] | index("'"$SEED"'") == null) and (.related | length <= 3)')" true
http "$D/docs/same-1/related?limit=10"
expect_eq "related: articles with the same title are left out" \
    "$(jqb '[.related[].id | select(startswith("same-"))] | length')" 0
http "$D/docs/does-not-exist/related"
expect_eq "related of a missing id: 404" "$CODE $(jqb .error.code)" "404 not_found"
http "$D/docs/$SEED/related?limit=0"
expect_eq "related limit=0: 400" "$CODE $(jqb .error.code)" "400 bad_parameter"
http "$D/docs/$SEED/related?limit=51"
expect_eq "related limit=51: 400" "$CODE $(jqb .error.code)" "400 bad_parameter"
http "$D/docs/$SEED/related?x=1"
expect_eq "related unknown parameter: 400" "$CODE $(jqb .error.code)" "400 bad_parameter"
http "$D/docs/$SEED"
expect_eq "GET /docs/{id} still answers the article" "$CODE $(jqb .id)" "200 $SEED"

# ---- the page's files ----
http "$D/"
expect_eq "GET /: the search page (HTML)" "$CODE $CTYPE" "200 text/html; charset=utf-8"
expect_match "GET /: Chinese interface" "$BODY" 'lang="zh-CN"'
expect_match "GET /: a Content-Security-Policy without inline scripts" "$HDRS" "^Content-Security-Policy: default-src 'none'; script-src 'self';"
http "$D/app.js"
expect_eq "GET /app.js" "$CODE $CTYPE" "200 text/javascript; charset=utf-8"
http "$D/app.css"
expect_eq "GET /app.css" "$CODE $CTYPE" "200 text/css; charset=utf-8"
http "$D/?q=%E5%8D%97%E9%80%9A&page=2&sort=-date&doc=x"
expect_eq "GET / with the page's own state parameters" "$CODE" 200
http "$D/?utm_source=x&q=%FF"
expect_eq "GET / ignores what it does not know in its URL (the page's script reads it)" "$CODE $CTYPE" "200 text/html; charset=utf-8"
http "$D/api"
expect_eq "GET /api: the JSON description" "$CODE $(jqb .name)" "200 idxd"
http "$D/metrics"
expect_match "metrics count suggest and related" "$BODY" 'route="suggest",status="200"'
stop_server "$D_PID" 10
expect_eq "SIGTERM exits 0" "$STOP_RC" 0
no_sanitizer_reports
