#!/usr/bin/env bash
# End-to-end: the search page at / in headless Chromium (Debian's chromium,
# driven by playwright-core from tests/browser; scripts/setup.sh installs
# both).  tests/browser/page.test.mjs types a query, sees suggestions and
# results with <mark>, pages forward and back, filters by year, sorts by date,
# opens an article and its related articles, picks a suggestion by keyboard,
# checks that an article holding <img onerror>, <script> and a javascript: URL
# runs nothing, fits a 375 px screen, and queries a CORS-enabled idxd from a
# copy of the page on another origin, and searches through an idxd with
# --keys whose page carries a scoped key (--page-key) in its data-key.  Screenshots for a person to look at go
# to $IDX_SHOT_DIR, by default build/screenshots/ (build-san/ under SAN=1).
# Where Chromium is missing or cannot start (a container without the
# libraries it needs, say) the test says why and is skipped; with
# IDX_REQUIRE_BROWSER=1 (CI sets it, after scripts/setup.sh installed it all)
# that is a failure instead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
BROWSER_DIR=$ROOT/tests/browser
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
skip_all() {
    if [ "${IDX_REQUIRE_BROWSER:-0}" = 1 ]; then
        fail "browser test prerequisites" "$1 (IDX_REQUIRE_BROWSER=1)"
    else
        echo "skip browser tests: $1"
    fi
    exit 0
}
if [ -z "$CHROMIUM" ] || ! command -v node > /dev/null ||
    [ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ]; then
    skip_all "chromium, node or tests/browser/node_modules missing (run scripts/setup.sh)"
fi
if ! probe=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --dump-dom about:blank 2>&1); then
    skip_all "$CHROMIUM cannot start here: $(printf '%s' "$probe" | grep -v '^$' | tail -n 1 | cut -c1-200)"
fi

DB=$T/db
{
    cat "$SAMPLE"
    jq -cn '{id:"payload-1", title:"<img src=x onerror=alert(1)>载荷测试 标题",
        body:"正文第一段 <script>alert(\"x\")</script> 载荷测试\n第二段 <b onmouseover=alert(2)>粗体</b>",
        url:"javascript:alert(3)", date:"2024-05-01", source:"测试"}'
} | "$IDX" add -q --db "$DB" > /dev/null || fail "index" "idx add failed"
PAGE_PORT=$(free_port)
start_server page "$DB" --threads 2 || exit 1
MAIN=$URL
start_server cors "$DB" --threads 1 --cors-origin "http://127.0.0.1:$PAGE_PORT" || exit 1
CORS=$URL
"$IDX" key new site search > "$T/keys"
chmod 600 "$T/keys"
SCOPED=$("$IDX" key scope --key "$(awk '{ print $3 }' "$T/keys")" --filter 'source:测试' --expires +1d)
start_server keyed "$DB" --threads 1 --keys "$T/keys" --page-key "$SCOPED" || exit 1
KEYED=$URL
SHOTS=${IDX_SHOT_DIR:-$BINDIR/screenshots}
mkdir -p "$SHOTS"
out=$(cd "$BROWSER_DIR" && IDXD_URL=$MAIN CORS_URL=$CORS KEYED_URL=$KEYED PAGE_PORT=$PAGE_PORT CHROMIUM=$CHROMIUM \
    SHOT_DIR=$SHOTS timeout 180 node page.test.mjs 2>&1)
rc=$?
while IFS= read -r line; do
    case $line in
        "ok   "*) ok "${line#ok   }" ;;
        "FAIL "*) fail "${line#FAIL }" "" ;;
        *) [ -n "$line" ] && echo "#   $line" ;;
    esac
done <<< "$out"
expect_eq "the browser run finished (exit 0)" "$rc" 0
expect_eq "a screenshot was saved" "$([ -s "$SHOTS/search-page.png" ] && echo yes)" yes
echo "#   screenshots: $SHOTS/search-page.png, $SHOTS/search-page-phone.png"
no_sanitizer_reports
