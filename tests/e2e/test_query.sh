#!/usr/bin/env bash
# End-to-end: the query language, filters and facets, through `idx search`
# and through idxd's GET /search, on a small crafted archive whose expected
# results are known by construction.
. "$(dirname "$0")/lib.sh"
IDXD="$(dirname "$IDX")/idxd"
DB=$T/db
cat > "$T/q.jsonl" <<'JSONL'
{"id":"a1","title":"南通开发区招商","body":"南通开发区做好疫情防控，同时推进招商。","date":"2022-03-01","source":"A报","category":"产业","tags":["科技"]}
{"id":"a2","title":"新冠疫苗接种","body":"新冠疫苗接种工作有序开展。","date":"2021-06-01","source":"B台","category":"健康"}
{"id":"a3","title":"iPhone 14 发布","body":"苹果公司发布 iPhone 14 手机。","date":"2022-09-08","source":"A报","category":"科技"}
{"id":"a4","title":"经济形势分析","body":"经济增长受到疫情影响。","date":"2020-05-01","source":"B台","category":"财经"}
{"id":"a5","title":"高质量发展","body":"经济高质量发展取得成效。","date":"2022-10-01","source":"A报","category":"财经"}
{"id":"a6","title":"臺灣海峽","body":"兩岸關係和平發展。","date":"2019-01-01","source":"C社","category":"两岸"}
JSONL
"$IDX" add -q --db "$DB" "$T/q.jsonl" > /dev/null

# ids QUERY [options]: the sorted ids idx search finds
ids() {
    local q=$1
    shift
    "$IDX" search --db "$DB" --json --limit 100 "$@" -- "$q" | jq -r '[.hits[].id] | sort | join(",")'
}
expect_eq "implicit AND" "$(ids '经济 发展')" "a5"
expect_eq "NOT with -" "$(ids '经济 -疫情')" "a5"
expect_eq "NOT keyword" "$(ids '经济 NOT 疫情')" "a5"
expect_eq "OR" "$(ids '疫情 OR 新冠')" "a1,a2,a4"
expect_eq "grouping" "$(ids '(疫情 OR 新冠) 接种')" "a2"
expect_eq "only a negation: everything else" "$(ids '-经济')" "a1,a2,a3,a6"
expect_eq "quoted Latin phrase" "$(ids '"iphone 14"')" "a3"
expect_eq "quoted phrase in the wrong order" "$(ids '"14 iphone"')" ""
expect_eq "letters glued to digits find the words apart (idx.words split)" "$(ids 'iPhone14')" "a3"
expect_eq "title: scope" "$(ids 'title:经济')" "a4"
expect_eq "body word without scope" "$(ids '经济')" "a4,a5"
expect_eq "source: filter" "$(ids 'source:A报 经济')" "a5"
expect_eq "source: alone browses" "$(ids 'source:B台')" "a2,a4"
expect_eq "category: filter" "$(ids 'category:财经')" "a4,a5"
expect_eq "tag: filter" "$(ids 'tag:科技')" "a1"
expect_eq "date: range" "$(ids 'date:2022-01-01..2022-12-31 经济')" "a5"
expect_eq "date: open start" "$(ids 'date:..2021-12-31')" "a2,a4,a6"
expect_eq "date: one day" "$(ids 'date:2022-09-08')" "a3"
printf '{"id":"t1","title":"定时新闻","body":"整点报道","date":"2022-05-18T10:00:30"}\n' > "$T/t.jsonl"
"$IDX" add -q --db "$T/tdb" "$T/t.jsonl" > /dev/null
expect_eq "date: a minute-precision upper bound includes that minute" \
    "$("$IDX" search --db "$T/tdb" --json -- 'date:..2022-05-18T10:00' | jq -r '[.hits[].id] | join(",")')" "t1"
expect_eq "date: one minute" \
    "$("$IDX" search --db "$T/tdb" --json -- 'date:2022-05-18T10:00' | jq -r '[.hits[].id] | join(",")')" "t1"
expect_eq "date: a second-precision bound is exact" \
    "$("$IDX" search --db "$T/tdb" --json -- 'date:..2022-05-18T10:00:29' | jq -r '.total')" "0"
expect_eq "--year filter" "$(ids '经济' --year 2020)" "a4"

# traditional <-> simplified, both ways (folding is on for new databases)
expect_eq "traditional query finds simplified text" "$(ids '開發區')" "a1"
expect_eq "simplified query finds traditional text" "$(ids '台湾 两岸关系')" "a6"
expect_eq "traditional title: scope" "$(ids 'title:臺灣')" "a6"
expect_eq "highlight keeps the original characters" \
    "$("$IDX" search --db "$DB" --json -- '台湾' | jq -r '.hits[0].title_html')" '<mark>臺灣</mark>海峽'
"$IDX" add -q --fold none --db "$T/nofold" "$T/q.jsonl" > /dev/null
expect_eq "--fold none: no folding" "$("$IDX" search --db "$T/nofold" --json -- '開發區' | jq -r '.total')" "0"
expect_rc "--fold cannot change on a database with documents" 2 "$IDX" add --fold t2s --db "$T/nofold" "$T/q.jsonl"
expect_match "... and says why" "$OUT" 'fold cannot change'

# synonyms at query time, highlighted
printf '# groups\n新冠 新型冠状病毒 COVID-19\n' > "$T/syn.txt"
expect_eq "without synonyms COVID-19 finds nothing" "$(ids 'COVID-19')" ""
expect_eq "--synonyms: COVID-19 finds 新冠" "$(ids 'COVID-19' --synonyms "$T/syn.txt")" "a2"
expect_eq "--synonyms: the member found is highlighted" \
    "$("$IDX" search --db "$DB" --json --synonyms "$T/syn.txt" -- 'COVID-19' | jq -r '.hits[0].title_html')" \
    '<mark>新冠</mark>疫苗接种'
printf '新冠 新型冠状病毒\nlonely\n' > "$T/badsyn.txt"
expect_rc "a one-member synonym group is a usage error" 2 "$IDX" search --db "$DB" --synonyms "$T/badsyn.txt" 新冠
expect_match "... naming file and line" "$OUT" 'badsyn.txt:2: a synonym group needs two or more members'

OUT=$("$IDX" search --db "$DB" --json -- '(经济 发展')
expect_eq "malformed: still searched as words" "$(jq -r '[.hits[].id] | join(",")' <<<"$OUT")" "a5"
expect_match "malformed: warning names the problem" "$(jq -r .warning <<<"$OUT")" 'unclosed parenthesis at byte 0'
expect_eq "well-formed: no warning" "$("$IDX" search --db "$DB" --json 经济 | jq -r 'has("warning")')" "false"

OUT=$("$IDX" search --db "$DB" --json --explain -- 'title:经济 OR -疫情')
expect_eq "explain: parse tree" "$(jq -c '.explain.tree' <<<"$OUT")" \
    '{"type":"or","children":[{"type":"text","field":"title","terms":["经济"]},{"type":"not","children":[{"type":"text","field":"any","terms":["疫情"]}]}]}'
expect_match "explain: Xapian's query" "$(jq -r '.explain.xapian' <<<"$OUT")" 'AND_NOT'

OUT=$("$IDX" search --db "$DB" --json --facets source,category,year -- 'source:A报 OR source:B台')
expect_eq "facets: source counts over all matches" "$(jq -c .facets.source <<<"$OUT")" '{"A报":3,"B台":2}'
expect_eq "facets: year" "$(jq -c '.facets.year | to_entries | sort_by(.key) | from_entries' <<<"$OUT")" \
    '{"2020":1,"2021":1,"2022":3}'
expect_eq "facets: not limited to the page" \
    "$("$IDX" search --db "$DB" --json --limit 1 --facets category -- 'source:A报' | jq -c '[(.hits | length), .facets.category["财经"]]')" '[1,1]'
expect_rc "facets: unknown name is a usage error" 2 "$IDX" search --db "$DB" --facets bogus 经济

# highlighting follows the tree: a title: part is marked in the title only
OUT=$("$IDX" search --db "$DB" --json -- 'title:经济')
expect_eq "title: part marked in title_html" "$(jq -r '.hits[0].title_html' <<<"$OUT")" '<mark>经济</mark>形势分析'
expect_eq "title: part not marked in the body snippet" "$(jq -r '.hits[0].snippet' <<<"$OUT")" '经济增长受到疫情影响。'
OUT=$("$IDX" search --db "$DB" --json -- '疫情 OR 新冠')
expect_match "OR parts are both marked" "$(jq -r '[.hits[].snippet] | join(" ")' <<<"$OUT")" '<mark>疫情</mark>.*<mark>新冠</mark>|<mark>新冠</mark>.*<mark>疫情</mark>'

# recency: same text, the older one added first (so it wins the tie without)
today=$(date -u +%Y-%m-%d)
{
    printf '{"id":"old","title":"防汛工作部署","body":"各地做好防汛工作。","date":"2015-06-01"}\n'
    printf '{"id":"new","title":"防汛工作部署","body":"各地做好防汛工作。","date":"%s"}\n' "$today"
    printf '{"id":"strong","title":"台风 台风 台风","body":"台风 台风 台风 台风 台风。","date":"2015-06-01"}\n'
    printf '{"id":"weak","title":"天气","body":"沿海可能出现台风以及很多别的天气现象和各种各样的情况。","date":"%s"}\n' "$today"
    # unrelated articles, so term statistics look like an archive's, not a toy's
    for i in $(seq 20); do printf '{"id":"f%d","title":"其他新闻%d","body":"今天的其他新闻内容第%d条。"}\n' "$i" "$i" "$i"; done
} > "$T/rec.jsonl"
"$IDX" add -q --db "$T/rec" "$T/rec.jsonl" > /dev/null
first() { "$IDX" search --db "$T/rec" --json "${@:2}" -- "$1" | jq -r '.hits[0].id'; }
expect_eq "no recency: equal scores keep index order" "$(first 防汛)" "old"
expect_eq "--recency 365: the newer article first" "$(first 防汛 --recency 365)" "new"
expect_eq "--recency 365: a much better older match stays first" "$(first 台风 --recency 365)" "strong"
expect_eq "--recency-weight 100 can bury it" "$(first 台风 --recency 365 --recency-weight 100)" "weak"
OUT=$("$IDX" search --db "$T/rec" --json --explain --recency 365 -- 防汛)
expect_eq "explain: score = relevance + recency" \
    "$(jq -r '.hits[0] | (.score - .score_parts.relevance - .score_parts.recency | fabs < 0.001) and (.score_parts.recency > 2.9)' <<<"$OUT")" "true"

# the same through idxd
"$IDXD" --db "$DB" --listen 127.0.0.1:0 --threads 2 --no-access-log --synonyms "$T/syn.txt" > "$T/d.out" 2> "$T/d.err" &
PID=$!
for _ in $(seq 100); do grep -q listening "$T/d.out" && break; sleep 0.05; done
URL=$(grep -o 'http://[^/]*' "$T/d.out")
get() { curl -s -G "$URL/search" --data-urlencode "q=$1" "${@:2}"; }
expect_eq "HTTP: NOT and OR" "$(get '(疫情 OR 新冠) -接种' | jq -r '[.hits[].id] | sort | join(",")')" "a1,a4"
expect_eq "HTTP: year= filter" "$(get '经济' -d year=2022 | jq -r '[.hits[].id] | join(",")')" "a5"
expect_eq "HTTP: facets=" "$(get 'source:A报' -d facets=source | jq -c .facets)" '{"source":{"A报":3}}'
expect_match "HTTP: warning" "$(get '"南通' | jq -r .warning)" 'unclosed quote'
expect_eq "HTTP: explain=1" "$(get '南通' -d explain=1 | jq -r .explain.tree.type)" "text"
expect_eq "HTTP: recency=, recency_weight=" "$(get '经济' -d recency=30 -d recency_weight=1.5 | jq -r '.hits | length')" "2"
expect_eq "HTTP: recency=0 is 400" "$(get '经济' -d recency=0 | jq -r .error.code)" "bad_parameter"
expect_eq "HTTP: recency_weight=x is 400" "$(get '经济' -d recency=30 -d recency_weight=x | jq -r .error.code)" "bad_parameter"
expect_eq "HTTP: idxd --synonyms" "$(get '新型冠状病毒' | jq -r '[.hits[].id] | join(",")')" "a2"
expect_eq "HTTP: facets=bogus is 400" "$(get '经济' -d facets=bogus | jq -r .error.code)" "bad_parameter"
expect_eq "HTTP: year=22 is 400" "$(get '经济' -d year=22 | jq -r .error.code)" "bad_parameter"
# negations build match-all queries in every worker at once (a shared,
# non-atomic Xapian::Query::MatchAll once made this a use-after-free)
printf '%s\n' '-经济' '-疫情' '经济 -疫情' '-(疫情 OR 新冠)' 'NOT 台湾' > "$T/neg.txt"
LG=$("$(dirname "$IDX")/tests/tools/loadgen" -u "$URL" -c 16 -t 2 --json -p '/search?q=%s&limit=3' "$T/neg.txt")
expect_eq "concurrent negation queries: no errors" "$(jq -r '"\(.errors) \(.non2xx) \(.requests > 0)"' <<<"$LG")" "0 0 true"
kill -TERM "$PID"
wait "$PID"
expect_eq "idxd stops cleanly" "$?" 0
expect_rc "idxd: bad synonyms file exits 2" 2 "$IDXD" --db "$DB" --listen 127.0.0.1:0 --synonyms "$T/badsyn.txt"
