#!/usr/bin/env bash
# End-to-end: idx search on the bundled sample: the seed article first for
# 南通开发区, CJK runs as phrases, single characters found inside words,
# Latin words and numbers, filters, sorting, paging, JSON output.
. "$(dirname "$0")/lib.sh"

DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
SEED=seed-2196415b1c9c92ca

search() { "$IDX" search --db "${SDB:-$DB}" --json "$@"; }
# number of sample articles whose title or body contains every given string
count_in_sample() {
    jq -r --args 'select(((.title // "") + " " + (.body // "")) as $t | $ARGS.positional | all(. as $s | $t | contains($s))) | .id' "$@" < "$SAMPLE" | wc -l
}

R=$(search 南通开发区)
expect_eq "南通开发区: the seed article is first" "$(jq -r '.hits[0].id' <<<"$R")" "$SEED"
expect_eq "南通开发区: matches only the article with the phrase" "$(jq -r .total <<<"$R")" "$(count_in_sample 南通开发区)"
expect_match "human output names the seed first" "$("$IDX" search --db "$DB" 南通开发区 | sed -n 2p)" "南通经济技术开发区"

# Exactness of CJK runs of every length: runs of 1 to 6 characters cut from the
# sample's titles find exactly the articles whose text holds them (substring
# counts by jq; every copy counted, --all), whatever the index representation
subs=$(jq -rn '[inputs | .title // "" | [scan("\\p{Han}{6,}")] | .[0] // empty] | to_entries[] |
    select(.key % 7 == 0) | .key as $i | .value as $r | range(1; 7) as $l |
    (($i * 3 + $l) % (($r | length) - $l + 1)) as $o | $r[$o:$o + $l]' < "$SAMPLE" | sort -u)
want_counts=$(jq -rn --args '[inputs | (.title // "") + " " + (.body // "")] as $d |
    $ARGS.positional[] as $s | "\($s) \([$d[] | select(contains($s))] | length)"' $subs < "$SAMPLE")
"$IDX" add -q --index-format 2 --db "$T/db2" "$SAMPLE" > /dev/null || fail "index the sample in format 2" "idx add failed"
for F in 1 2; do
    SDB=$DB
    [ "$F" = 2 ] && SDB=$T/db2
    bad=$(while read -r sub want; do
        got=$(search --all --exact-total --limit 1 "$sub" | jq -r .total)
        [ "$got" = "$want" ] || printf '%s: idx %s, substring %s; ' "$sub" "$got" "$want"
    done <<< "$want_counts")
    expect_eq "format $F: runs of 1-6 characters ($(wc -l <<< "$want_counts") of them): totals equal substring counts" "$bad" ""
done
SDB=

# AND of parts: 南通 开发区 matches articles that have both, anywhere
R=$(search --exact-total 南通 开发区)
expect_eq "南通 开发区 (two parts) is an AND" "$(jq -r .total <<<"$R")" "$(count_in_sample 南通 开发区)"
expect_eq "AND finds more than the phrase" "$(jq -r '.total > 1' <<<"$R")" "true"

# inside quotes, CJK pieces apart only by spaces are one run: "开发 区" is
# 开发区 wherever it stands (not only where 区 ends a run), with the same hits
ids() { search --exact-total --limit 1000 "$1" | jq -r '.hits[].id' | sort; }
for pair in '"开发 区"=开发区' '"中 国"=中国' '"南 通 开发 区"=南通开发区' 'title:"南 通"=title:南通'; do
    phrase=${pair%%=*} run=${pair#*=}
    expect_eq "$phrase finds what $run finds" "$(search --exact-total "$phrase" | jq -r .total)" \
        "$(search --exact-total "$run" | jq -r .total)"
    expect_eq "$phrase: the same articles as $run (ids in only one)" \
        "$(comm -3 <(ids "$phrase") <(ids "$run") | wc -l)" "0"
done
expect_eq '"开发 区" finds every article containing 开发区' \
    "$(search --exact-total '"开发 区"' | jq -r .total)" "$(count_in_sample 开发区)"
expect_eq '"中 国" finds every article containing 中国' \
    "$(search --exact-total '"中 国"' | jq -r .total)" "$(count_in_sample 中国)"
expect_eq 'title:"南 通" finds the titles with 南通' "$(search --exact-total 'title:"南 通"' | jq -r .total)" \
    "$(jq -r 'select((.title // "") | contains("南通")) | .id' < "$SAMPLE" | wc -l)"
expect_eq '"开发 区": every hit marks 开发区' \
    "$(search --limit 100 '"开发 区"' | jq -r '[.hits[] | (.title_html // "") + (.snippet // "") | contains("<mark>开发区</mark>")] | all')" "true"
expect_eq '"中" alone in quotes is the character' "$(search --exact-total '"中"' | jq -r .total)" \
    "$(count_in_sample 中)"
expect_eq "unquoted 开发 区 stays an AND of its parts" "$(search --exact-total 开发 区 | jq -r .total)" \
    "$(count_in_sample 开发 区)"

# a CJK run is a phrase, not scattered bigrams
P=$T/phrase.jsonl
printf '%s\n' '{"id":"p-scattered","title":"南通的开发区","body":"南通 开发 区"}' \
              '{"id":"p-exact","title":"无关","body":"今年南通开发区很忙"}' \
              '{"id":"p-mixed","title":"5G基站建设","body":"iPhone14 发布。价格2.14万元，3月15日上市"}' \
              '{"id":"p-gap","title":"无关","body":"南通 开发区。通开"}' > "$P"
"$IDX" add -q --index-format 2 --db "$T/p2" "$P" > /dev/null
R=$("$IDX" search --db "$T/p2" --json 南通开发区)
expect_eq "format 2: scattered characters do not match" "$(jq -r '[.hits[].id]|join(",")' <<<"$R")" "p-exact"
R=$("$IDX" search --db "$T/p2" --json 开发区通开)
expect_eq "format 2: characters either side of a separator are not adjacent" "$(jq -r '.total' <<<"$R")" "0"
"$IDX" add -q --db "$T/p" "$P" > /dev/null
R=$("$IDX" search --db "$T/p" --json 南通开发区)
expect_eq "phrase: scattered bigrams do not match" "$(jq -r '[.hits[].id]|join(",")' <<<"$R")" "p-exact"
R=$("$IDX" search --db "$T/p" --json 开发)
expect_eq "a bigram matches all three" "$(jq -r '.total' <<<"$R")" "3"
expect_eq "mixed script 5G基站 matches as written" "$("$IDX" search --db "$T/p" --json 5G基站 | jq -r '.hits[0].id')" "p-mixed"
expect_eq "full-width ５Ｇ query matches 5G" "$("$IDX" search --db "$T/p" --json ５Ｇ | jq -r '.hits[0].id')" "p-mixed"
expect_eq "iPhone14 matches case-insensitively" "$("$IDX" search --db "$T/p" --json IPHONE14 | jq -r '.total')" "1"
expect_eq "decimal number 2.14 is one term" "$("$IDX" search --db "$T/p" --json 2.14 | jq -r '.total')" "1"
expect_eq "3月 matches inside 3月15日" "$("$IDX" search --db "$T/p" --json 3月 | jq -r '.total')" "1"
expect_eq "月15 (char then number) matches" "$("$IDX" search --db "$T/p" --json 月15 | jq -r '.total')" "1"
expect_eq "基站5G (reversed) does not match" "$("$IDX" search --db "$T/p" --json 基站5G | jq -r '.total')" "0"

# single CJK characters are found inside longer words, exactly as often as they occur
for ch in 劲 区 疆 的; do
    want=$(count_in_sample "$ch")
    got=$(search --exact-total "$ch" | jq -r .total)
    expect_eq "single character $ch finds every article containing it ($want)" "$got" "$want"
done
R=$(search --limit 100 劲)
expect_eq "single character inside a word finds the seed (后劲)" "$(jq -r --arg s $SEED '[.hits[].id]|index($s) != null' <<<"$R")" "true"

# Latin terms from the sample
for term in APEC G20 5G; do
    want=$(count_in_sample "$term")
    got=$(search --exact-total "$term" | jq -r .total)
    [ "$want" -gt 0 ] && expect_eq "$term matches every article containing it" "$got" "$want"
done

# title boost: with the boost the title match ranks first
R=$(search 习近平)
expect_match "title matches rank high: first hit has 习近平 in its title" "$(jq -r '.hits[0].title' <<<"$R")" "习近平"

# paging: offset/limit slice the same ranking
A=$(search --limit 10 习近平 | jq -r '[.hits[].id]|join(",")')
B=$(search --limit 5 --offset 5 习近平 | jq -r '[.hits[].id]|join(",")')
expect_eq "offset 5 limit 5 is the second half of the top 10" "$B" "$(cut -d, -f6-10 <<<"$A")"
expect_eq "ranks continue across pages" "$(search --limit 1 --offset 3 习近平 | jq -r '.hits[0].rank')" "4"

# date filters and sorting
R=$(search --exact-total --from 2022-01-01 --to 2022-12-31 --limit 100 疫情)
expect_eq "date filter keeps only 2022" "$(jq -r '[.hits[].date | startswith("2022")] | all' <<<"$R")" "true"
want=$(jq -r 'select(.date >= "2022-01-01" and .date <= "2022-12-31") | select(((.title // "") + (.body // "")) | contains("疫情")) | .id' < "$SAMPLE" | wc -l)
expect_eq "date filter count" "$(jq -r .total <<<"$R")" "$want"
R=$(search --sort -date --limit 50 习近平)
expect_eq "sort -date is newest first" "$(jq -r '[.hits[].date] | . == (sort | reverse)' <<<"$R")" "true"
R=$(search --sort date --limit 50 习近平)
expect_eq "sort date is oldest first" "$(jq -r '[.hits[].date] | . == sort' <<<"$R")" "true"
R=$(search --source "no such source" 习近平)
expect_eq "source filter excludes others" "$(jq -r .total <<<"$R")" "0"
R=$(search --category 新闻联播 --exact-total 习近平)
expect_eq "category filter keeps matching ones" "$(jq -r .total <<<"$R")" "$(count_in_sample 习近平)"

# JSON shape
R=$(search 南通)
expect_eq "json has the documented fields" "$(jq -r '[has("query","total","total_exact","offset","limit","took_ms","hits")]|all' <<<"$R")" "true"
expect_eq "hits have the documented fields" "$(jq -r '.hits[0] | [has("id","title","date","url","source","category","score","rank")]|all' <<<"$R")" "true"

# bad queries
expect_rc "punctuation-only query exits 2" 2 "$IDX" search --db "$DB" '，。！'
expect_match "says there is nothing to search" "$OUT" "no searchable terms"
expect_rc "invalid UTF-8 query exits 2" 2 "$IDX" search --db "$DB" "$(printf 'ab\xffcd')"
expect_match "invalid UTF-8 query names the byte" "$OUT" "invalid UTF-8 (in query )?at byte 2"
expect_rc "bad --from date exits 2" 2 "$IDX" search --db "$DB" --from 2022-13-01 南通
expect_rc "huge query exits 2" 2 "$IDX" search --db "$DB" "$(head -c 5000 /dev/zero | tr '\0' a)"
expect_match "huge query is named" "$OUT" "query is 5000 bytes"

# --cjk-unigrams edges: a smaller index where one-character queries expand
# over bigrams; the same articles are found
E=$T/edges
"$IDX" add -q --cjk-unigrams edges --db "$E" "$SAMPLE" > /dev/null
for ch in 劲 区 疆; do
    expect_eq "edges mode: $ch finds the same articles" \
        "$("$IDX" search --db "$E" --json --exact-total --limit 1000 "$ch" | jq -r '[.hits[].id]|sort|join(",")')" \
        "$(search --exact-total --limit 1000 "$ch" | jq -r '[.hits[].id]|sort|join(",")')"
done
expect_eq "edges mode: phrases unchanged" "$("$IDX" search --db "$E" --json 南通开发区 | jq -r '.hits[0].id')" "$SEED"
expect_rc "edges mode cannot be switched on a full database" 2 "$IDX" add -q --cjk-unigrams all --db "$E" "$SAMPLE"
expect_match "switching the unigram mode is refused with a reason" "$OUT" "cannot change on a database that holds documents"
