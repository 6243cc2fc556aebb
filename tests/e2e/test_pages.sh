#!/usr/bin/env bash
# End-to-end: raw scraped pages.  `idx clean` prints the seed page as the
# article the sample holds (same title, date and body); `idx add --format
# text` indexes a directory of pages: the seed is found for 南通开发区 and not
# for its site's footer (梦都大街) or navigation (联系我们); re-adding is an
# upsert (the id is a hash of the cleaned content, or --url); a page with no
# article or invalid UTF-8 is reported by file name and the rest is indexed.
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
expect_rc "--format html: not supported yet, said so" 2 "$IDX" add -q --format html --db "$T/db3" "$PAGE"
expect_match "  ... clearly" "$OUT" "HTML pages are not supported yet"
