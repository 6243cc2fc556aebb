#!/usr/bin/env bash
# End-to-end: GET /openapi.json describes idxd as it is.  tests/tools/
# openapi_check.py walks the document against a real idxd (with --keys, over
# the sample archive): the routes it lists are exactly those GET /api lists,
# real answers to searches, suggestions, related articles, stored articles,
# writes and their tasks, keys, stats and errors (400, 401, 403, 404, 405,
# 413, 415) have statuses the document lists and validate against its
# schemas (python3-jsonschema), and every operation in it is exercised.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
if ! python3 -c 'import jsonschema' 2> /dev/null; then
    fail "python3-jsonschema" "missing (run scripts/setup.sh)"
    exit 1
fi
DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
"$IDX" key new editor admin > "$T/keys"
"$IDX" key new site search >> "$T/keys"
chmod 600 "$T/keys"
start_server api "$DB" --keys "$T/keys" --threads 2 --max-docs-body 1000 || exit 1
out=$(python3 "$ROOT/tests/tools/openapi_check.py" "$URL" "$(awk '$2 == "admin" { print $3 }' "$T/keys")" \
    "$(awk '$2 == "search" { print $3 }' "$T/keys")" 2>&1)
while IFS= read -r line; do
    case $line in
        "ok   "*) ok "${line#ok   }" ;;
        "FAIL "*) fail "${line#FAIL }" "" ;;
        "#summary "*) ;;
        *) [ -n "$line" ] && echo "#   $line" ;;
    esac
done <<< "$out"
http "$URL/openapi.json"
expect_eq "/openapi.json needs a key like the other read routes" "$CODE" 401
no_sanitizer_reports
