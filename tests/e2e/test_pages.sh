#!/usr/bin/env bash
# End-to-end: raw scraped pages.  `idx clean` prints the seed page as the
# article the sample holds (same title, date and body); `idx add --format
# text` indexes a directory of pages: the seed is found for 南通开发区 and not
# for its site's footer (梦都大街) or navigation (联系我们); re-adding is an
# upsert (the id is a hash of the cleaned content, or --url); a page with no
# article or invalid UTF-8 is reported by file name and the rest is indexed.
# The same article as an HTML page (UTF-8 and GBK) comes out the same.
# In a directory, JSON Lines files (.jsonl, .gz, .zst) are JSON Lines, and
# what is neither page nor JSON Lines is skipped by name.  GBK without a
# charset, or declaring utf-8, is read as GB18030; bytes that are neither, a
# headline without a body, and HTML nested deeper than idx reads are
# refused by name, never indexed as mojibake or an empty body.  A BOM is not
# part of the headline.
. "$(dirname "$0")/lib.sh"
PAGE=$ROOT/tests/sample/seed_page.txt

C=$("$IDX" clean "$PAGE")
expect_eq "idx clean: title and date of the seed page" "$(jq -r '.title + " " + .date' <<< "$C")" \
    "$(jq -r 'select(.id | startswith("seed")) | .title + " " + .date' "$SAMPLE")"
expect_eq "idx clean: the body is exactly the sample's seed body" "$(jq -r .body <<< "$C")" \
    "$(jq -r 'select(.id | startswith("seed")) | .body' "$SAMPLE")"
expect_match "idx clean: a stable content id" "$(jq -r .id <<< "$C")" '^page-[0-9a-f]{16}$'
expect_eq "idx clean twice: the same id" "$("$IDX" clean "$PAGE" | jq -r .id)" "$(jq -r .id <<< "$C")"
expect_eq "idx clean --url --source: they become id, url and source" \
    "$("$IDX" clean --url https://example.org/a.html --source 测试站 "$PAGE" | jq -r '.id + " " + .url + " " + .source')" \
    "https://example.org/a.html https://example.org/a.html 测试站"

P=$T/pages
mkdir -p "$P/site/2022"
cp "$PAGE" "$P/site/2022/seed.txt"
printf '首页 新闻\n某市举行新能源汽车产业发展大会\n发布时间：2021年3月5日 10:30 来源：某市日报\n本报讯 某市今天举行新能源汽车产业发展大会，来自全国的一百多家企业参加了会议，会上签约项目二十个。\n版权所有 ICP备12345678号\n' > "$P/site/car.txt"
printf '首页\n联系我们\n版权所有 ICP备1号\n' > "$P/site/empty.txt"
printf '标题\n\xff\xfe正文\n' > "$P/site/bad.txt"
DB=$T/db
expect_rc "idx add --format text of a directory: two pages rejected, exit 1" 1 "$IDX" add -q --format text --db "$DB" "$P"
expect_match "  ... the page without an article is named" "$OUT" "empty.txt: no article found on the page"
expect_match "  ... the page with invalid UTF-8 is named with the byte" "$OUT" "bad.txt: .*invalid UTF-8.*byte"
expect_match "  ... the summary" "$OUT" "added 2, replaced 0, rejected 2"
j=$("$IDX" search --db "$DB" --json 南通开发区)
expect_eq "search 南通开发区 finds the seed page" "$(jq -r '.hits[0].title' <<< "$j")" "南通经济技术开发区:南通开发区项目建设连续14次拿下“流动红旗”"
expect_eq "its date came from the page" "$(jq -r '.hits[0].date' <<< "$j")" "2022-05-18"
for q in 梦都大街 联系我们 欢迎来到 ICP备; do
    expect_eq "the site's chrome is not indexed: $q finds nothing" "$("$IDX" search --db "$DB" --json "$q" | jq -r .total)" 0
done
expect_eq "the other page: its 来源 and time" \
    "$("$IDX" search --db "$DB" --json 新能源汽车 | jq -r '.hits[0] | .source + " " + .date')" "某市日报 2021-03-05T10:30:00"
expect_rc "re-adding the directory" 1 "$IDX" add -q --format text --db "$DB" "$P"
expect_match "  ... is an upsert" "$OUT" "added 0, replaced 2"
expect_rc "a .txt file is taken as a page without --format" 0 "$IDX" add -q --db "$T/db2" "$PAGE"
expect_eq "  ... one article" "$(ndocs "$T/db2")" 1
# HTML: the seed article inside a site template (title tag, navigation, a
# script and a style and a comment naming the footer, entities, a footer),
# once in UTF-8 and once in GBK declared by <meta charset>
seed_html() { # CHARSET
    jq -r --arg cs "$1" 'select(.id | startswith("seed")) |
      "<!DOCTYPE html>\n<html><head><meta charset=\"\($cs)\"><title>\(.title | @html)_江苏省化工行业协会</title>\n" +
      "<style>.nav{color:red} /* 联系我们 */</style>\n<script>var s = \"联系我们 梦都大街\";</script></head>\n" +
      "<body><div class=\"top\">Hi,欢迎来到 <a href=\"/login\">化工园区登录</a></div>\n" +
      "<ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/c\">联系我们</a></li></ul>\n<!-- 梦都大街 -->\n" +
      "<div class=\"crumb\">化工园区 &gt; 园区动态 &gt; \(.title | @html)</div>\n<div class=\"content\"><h1>\(.title | @html)</h1>\n" +
      "<p class=\"date\">发布日期:&nbsp;2022-05-18</p>\n" + ([.body | split("\n")[] | "<p>\(@html)</p>"] | join("\n")) +
      "\n</div>\n<div class=\"foot\"><p>协会介绍 | 联系我们</p><p>电话:025-8799064</p><p>地址:南京市梦都大街50号东楼</p>" +
      "<p>备案号:苏ICP备13033418号-1</p></div>\n<noscript>梦都大街</noscript></body></html>"' "$SAMPLE" |
        sed 's/“/\&ldquo;/g; s/”/\&rdquo;/g'
}
H=$T/html
mkdir -p "$H"
seed_html utf-8 > "$H/seed.html"
seed_html gbk | iconv -f UTF-8 -t GBK > "$T/seed-gbk.htm"
HC=$("$IDX" clean "$H/seed.html")
expect_eq "idx clean of the HTML page: the same article as the text page (title, date, body, id)" \
    "$(jq -c '[.title, .date, .body, .id]' <<< "$HC")" "$(jq -c '[.title, .date, .body, .id]' <<< "$C")"
expect_eq "  ... and of its GBK version (charset from <meta>)" \
    "$("$IDX" clean "$T/seed-gbk.htm" | jq -c '[.title, .date, .body]')" "$(jq -c '[.title, .date, .body]' <<< "$C")"
expect_eq "  ... entities decoded (&ldquo;流动红旗&rdquo; in the title)" "$(jq -r .title <<< "$HC" | grep -c '“流动红旗”')" 1
expect_rc "idx add of a directory of .html pages (detected by name)" 0 "$IDX" add -q --db "$T/hdb" "$H"
for q in 梦都大街 联系我们 "document write"; do
    expect_eq "the HTML chrome, script, style, comment and noscript are not indexed: $q" \
        "$("$IDX" search --db "$T/hdb" --json "$q" 2> /dev/null | jq -r .total)" 0
done
expect_eq "  ... and the article is" "$("$IDX" search --db "$T/hdb" --json 南通开发区 | jq -r .total)" 1
cp "$H/seed.html" "$T/page-without-extension"
expect_eq "HTML recognised by its start when the name says nothing (--format text not given)" \
    "$("$IDX" clean "$T/page-without-extension" | jq -r .date)" 2022-05-18

# ---- a site of many pages sharing one template ----
# Its chrome is written as sentences, with none of the words a lone page is
# judged by: an "about" blurb, a sidebar item and a related-reading line, on
# every page.  Cleaned alone, a page keeps some of it; cleaned with its site
# (the other pages of its directory), every page's body holds every
# paragraph of its article and nothing of the template.
S=$T/site
mkdir -p "$S"
jq -c 'select(.body | length > 80) | select(.id | startswith("seed") | not)' "$SAMPLE" | head -n 6 > "$T/site.jsonl"
i=0
while IFS= read -r a; do
    i=$((i + 1))
    jq -r '"某某新闻网 - 权威新闻门户\n首页 | 国内 | 国际 | 财经 | 科技\n" +
      "本站是一家综合性新闻网站，致力于为读者提供及时、准确、全面的新闻资讯，诚挚期待广大读者来稿交流。\n" +
      "热门推荐\n某地举行春季招聘会，提供岗位三千余个，吸引了众多求职者前来咨询洽谈。\n" +
      .title + "\n发布时间：" + .date + "\n" + .body + "\n" +
      "相关阅读：某市召开年度工作会议，部署全年重点任务，要求各部门狠抓落实。\n" +
      "本网站所刊登的各种新闻、信息和专题资料，均为本站版权所有，未经授权禁止使用。"' <<< "$a" > "$S/p$i.txt"
done < "$T/site.jsonl"
SC=$("$IDX" clean "$S")
expect_eq "a site of $i pages: every title, and every paragraph of each article" \
    "$(jq -c '[.title, [.body | split("\n")[] | select(length >= 20)]]' <<< "$SC")" \
    "$(jq -c '[.title, [.body | split("\n")[] | select(length >= 20)]]' "$T/site.jsonl")"
expect_eq "  ... and none of the template" "$(jq -r .body <<< "$SC" | grep -cE '本站|招聘会|相关阅读|版权|首页')" 0
expect_eq "  ... and every date" "$(jq -r .date <<< "$SC" | sort | tr '\n' ' ')" \
    "$(jq -r .date "$T/site.jsonl" | sort | tr '\n' ' ')"
mkdir -p "$T/alone"
cp "$S/p1.txt" "$T/alone/"
expect_match "  ... while one page of it cleaned alone keeps some template prose" \
    "$("$IDX" clean "$T/alone/p1.txt" | jq -r .body)" "本站是|招聘会|相关阅读"
expect_rc "idx add of the site" 0 "$IDX" add -q --db "$T/sdb" "$S"
for q in 招聘会 综合性新闻网站 年度工作会议; do
    expect_eq "the site's template is not indexed: $q" "$("$IDX" search --db "$T/sdb" --json "$q" | jq -r .total)" 0
done

# ---- a directory holding JSON Lines (and files that are neither) ----
J=$T/jdir
mkdir -p "$J"
N=$(grep -c . "$SAMPLE")
cp "$SAMPLE" "$J/a.jsonl"
expect_rc "idx add of a directory holding a .jsonl: exit 0" 0 "$IDX" add -q --db "$T/jdb" "$J"
expect_match "  ... read as JSON Lines: every article, not one page of raw JSON" "$OUT" "^added $N, replaced 0, rejected 0"
expect_eq "  ... no stored body is raw JSON" \
    "$("$IDX" search --db "$T/jdb" --json --limit 1 南通开发区 | jq -r '.hits[0].id | startswith("page-")')" false
gzip -c "$SAMPLE" > "$J/b.jsonl.gz"
command -v zstd > /dev/null && zstd -q -c "$SAMPLE" > "$J/c.jsonl.zst"
cp "$PAGE" "$J/seed.txt"
printf '\x89PNG\r\n\x1a\n\x00\x00' > "$J/logo.png"
printf '# notes\nnot a page\n' > "$J/README"
expect_rc "  ... with .gz, .zst, a page and two files that are neither: exit 1" 1 "$IDX" add -q --db "$T/jdb2" "$J"
expect_eq "  ... every article once, plus the page" "$(ndocs "$T/jdb2")" $((N + 1))
expect_match "  ... the image is named as skipped" "$OUT" "logo.png: skipped: neither a page"
expect_match "  ... so is the README" "$OUT" "README: skipped: neither a page"
expect_eq "  ... and nothing else is reported" "$(grep -c ': ' <<< "$(grep -v '^added' <<< "$OUT")")" 2
expect_rc "idx clean of that directory: the JSON Lines are skipped, by name" 1 "$IDX" clean "$J"
expect_match "  ... a.jsonl" "$OUT" "a.jsonl: skipped: JSON Lines"
expect_eq "  ... only the page comes out" "$("$IDX" clean "$J" 2> /dev/null | jq -r .title)" \
    "$(jq -r .title <<< "$C")"

# ---- charsets, byte-order marks, empty bodies, deep nesting ----
E=$T/enc
mkdir -p "$E"
seed_html gbk | sed 's/<meta charset="gbk">//' | iconv -f UTF-8 -t GBK > "$E/gbk-nodecl.html"
seed_html utf-8 | iconv -f UTF-8 -t GBK > "$E/gbk-says-utf8.html"
want=$(jq -c '[.title, .date, .body]' <<< "$C")
expect_eq "a GBK page without a charset: read as GB18030, the same article" \
    "$("$IDX" clean "$E/gbk-nodecl.html" | jq -c '[.title, .date, .body]')" "$want"
expect_eq "a GBK page declaring utf-8: the same" \
    "$("$IDX" clean "$E/gbk-says-utf8.html" | jq -c '[.title, .date, .body]')" "$want"
iconv -f UTF-8 -t GB18030 "$PAGE" > "$E/gb18030.txt"
expect_eq "a GB18030 text page: the same" "$("$IDX" clean "$E/gb18030.txt" | jq -c '[.title, .date, .body]')" "$want"
{ printf '\xEF\xBB\xBF'; cat "$PAGE"; } > "$E/bom.txt"
{ printf '\xEF\xBB\xBF'; cat "$H/seed.html"; } > "$E/bom.html"
expect_eq "a text page starting with a BOM: the same article" \
    "$("$IDX" clean "$E/bom.txt" | jq -c '[.title, .date, .body, .id]')" "$(jq -c '[.title, .date, .body, .id]' <<< "$C")"
printf '\xEF\xBB\xBF某市举行新能源汽车产业发展大会\n发布时间：2021年3月5日 10:30\n本报讯 某市今天举行新能源汽车产业发展大会，来自全国的一百多家企业参加了会议，会上签约项目二十个。\n' > "$E/bom-title.txt"
expect_eq "  ... the BOM is not in the title on its first line" \
    "$("$IDX" clean "$E/bom-title.txt" | jq -r .title)" "某市举行新能源汽车产业发展大会"
expect_eq "  ... nor in an HTML page's" "$("$IDX" clean "$E/bom.html" | jq -r .title)" "$(jq -r .title <<< "$C")"
printf '<html><body><h1>Caf\xe9 du march\xe9</h1><p>Cr\xe8me br\xfbl\xe9e, \xe0 la carte, tr\xe8s bien.</p></body></html>\n' > "$E/latin1.html"
expect_rc "a page that is neither UTF-8 nor GB18030 is refused" 1 "$IDX" clean "$E/latin1.html"
expect_match "  ... named, with the byte" "$OUT" "latin1.html: .*invalid UTF-8 in page at byte 19 \(0xE9\), and not GB18030"
nest() { # TAG N CLOSE
    printf '<html><head><title>深层嵌套的新闻页面标题</title></head><body>'
    for _ in $(seq "$2"); do printf '<%s>' "$1"; done
    printf '<h1>深层嵌套的新闻页面标题</h1><p>本报讯 某市今天举行新能源汽车产业发展大会，来自全国的一百多家企业参加了会议，会上签约项目二十个。</p>'
    [ "$3" = 1 ] && for _ in $(seq "$2"); do printf '</%s>' "$1"; done
    printf '</body></html>\n'
}
nest div 260 1 > "$E/div260.html"
nest font 260 0 > "$E/font260.html"
nest font 600 0 > "$E/font600.html"
for f in div260 font260; do
    expect_match "$f.html (past libxml2's default 256 levels): the body is kept" \
        "$("$IDX" clean "$E/$f.html" | jq -r .body)" "^本报讯 某市今天举行"
done
expect_rc "font600.html (deeper than idx reads): refused, not cleaned into an empty body" 1 "$IDX" clean "$E/font600.html"
expect_match "  ... saying why" "$OUT" "font600.html: .*nested deeper than 512 levels"
printf '<html><head><title>只有标题的页面</title></head><body><h1>只有标题的页面</h1></body></html>\n' > "$E/title-only.html"
expect_rc "a page with a headline and no body is refused" 1 "$IDX" clean "$E/title-only.html"
expect_match "  ... saying so" "$OUT" "title-only.html: no article body found on the page"
expect_rc "idx add of the directory: the refused pages are rejected" 1 "$IDX" add -q --db "$T/edb" "$E"
expect_match "  ... 3 rejected" "$OUT" "added [0-9]+, replaced [0-9]+, rejected 3"
expect_eq "  ... what is cleaned of it: no title or body mojibake or empty" \
    "$("$IDX" clean "$E" 2> /dev/null | jq -r 'select((.title + .body | test("[ÀÃÐÕÎ]")) or .body == "") | .id' | wc -l)" 0
expect_eq "  ... 8 articles cleaned" "$("$IDX" clean "$E" 2> /dev/null | wc -l)" 8
# ---- reprints: near-duplicates collapse in search ----
# The seed story reprinted by two other sites (another template, another
# headline, a lead-in, a word changed, a closing line) and a different story
# on the same topic from one of them.
R=$T/reprints
mkdir -p "$R/a" "$R/b"
cp "$PAGE" "$R/seed.txt"
SEEDBODY=$(jq -r 'select(.id | startswith("seed")) | .body' "$SAMPLE")
printf '晚报网 首页 > 经济\n南通开发区再获流动红旗\n时间：2022-05-19 08:00\n（转自南通开发区）%s\n编辑：李四\n' \
    "$(sed 's/最新揭晓/近日揭晓/' <<< "$SEEDBODY")" > "$R/a/reprint.txt"
printf '<html><body><div>财经频道</div><h1>连续14次！南通开发区项目建设再夺红旗</h1><p>2022年5月20日</p>%s<p>（完）</p></body></html>\n' \
    "$(sed 's/.*/<p>&<\/p>/' <<< "$SEEDBODY")" > "$R/b/reprint.html"
printf '晚报网 首页 > 经济\n南通开发区举行重大项目集中开工仪式\n时间：2022-05-21 09:00\n南通开发区今天举行重大项目集中开工仪式，总投资超过两百亿元的二十个项目同时开工，涵盖新能源、生物医药、高端装备等领域，全市一季度产业项目建设综合考核中成绩突出。\n区领导表示，将持续优化营商环境，服务企业发展，推动项目早建成、早投产、早见效。\n' > "$R/a/other.txt"
RDB=$T/rdb
expect_rc "idx add of the reprints" 0 "$IDX" add -q --db "$RDB" "$R"
expect_eq "  ... four articles stored" "$(ndocs "$RDB")" 4
j=$("$IDX" search --db "$RDB" --json 南通开发区)
expect_eq "search 南通开发区: the story once plus the other story" "$(jq -r '.total, (.hits | length)' <<< "$j" | tr '\n' ' ')" "2 2 "
expect_eq "  ... the story's hit stands for 2 reprints" \
    "$(jq -r '.hits[] | select(.duplicates) | .duplicates' <<< "$j")" 2
expect_eq "  ... and names them" \
    "$(jq -r '.hits[] | select(.duplicates) | .duplicate_ids | length' <<< "$j")" 2
expect_eq "  ... the other story on the same topic is not folded in" \
    "$(jq -r '.hits[] | select(.duplicates | not) | .title' <<< "$j")" "南通开发区举行重大项目集中开工仪式"
ja=$("$IDX" search --db "$RDB" --json --all 南通开发区)
expect_eq "search --all: all four, the three copies in one cluster" \
    "$(jq -r '.total, ([.hits[].cluster | select(.)] | unique | length), ([.hits[].cluster | select(.)] | length)' <<< "$ja" | tr '\n' ' ')" "4 1 3 "
expect_match "the text output says so" "$("$IDX" search --db "$RDB" 南通开发区)" "\+ 2 near-duplicates: "
expect_rc "re-adding the reprints (upserts) keeps the clusters" 0 "$IDX" add -q --db "$RDB" "$R"
expect_eq "  ... still the story once" "$("$IDX" search --db "$RDB" --json 南通开发区 | jq -r .total)" 2
expect_rc "idx add --no-cluster" 0 "$IDX" add -q --no-cluster --db "$T/rdb0" "$R"
expect_eq "  ... no collapse" "$("$IDX" search --db "$T/rdb0" --json 南通开发区 | jq -r .total)" 4
. "$(dirname "$0")/server.sh"
if start_server dedup "$RDB"; then
    search "$URL" 南通开发区
    expect_eq "GET /search collapses reprints" "$(jq -r '.total, .hits[0].duplicates // .hits[1].duplicates' <<< "$BODY" | tr '\n' ' ')" "2 2 "
    search "$URL" 南通开发区 dedup=0
    expect_eq "GET /search?dedup=0 shows every copy" "$(jq -r .total <<< "$BODY")" 4
    search "$URL" 南通开发区 dedup=2
    expect_eq "dedup=2 is a 400" "$CODE" 400
fi
