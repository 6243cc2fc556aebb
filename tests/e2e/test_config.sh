#!/usr/bin/env bash
# End-to-end: idxd --config FILE.  The file takes idxd's long option names
# (without --), one a line as "name = value" or "name value", "#" comments;
# the command line overrides it; an unknown name, a bad value, a flag that is
# not true/false or a missing file stops idxd with exit 2 naming FILE:LINE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
cat > "$T/idxd.conf" << EOF2
# idxd's settings
threads = 1
budget 120
cache-memory = 8   # megabytes
no-access-log = true
db = $DB
EOF2
start_server conf /nonexistent --config "$T/idxd.conf" --db "$DB" --cache-memory 16 || exit 1
http "$URL/stats"
expect_eq "values from the file (threads 1, budget 120)" "$(jqb '[.threads, .budget_ms] | join(" ")')" "1 120"
expect_eq "the command line overrides the file (cache-memory 16)" "$(jqb .cache.max_bytes)" "$((16 << 20))"
search "$URL" 南通
expect_eq "it serves" "$CODE" 200
expect_eq "no-access-log = true: no access-log line" "$(grep -c 'GET /search' "$T/conf.err")" 0

bad() { # NAME CONTENT WANT-REGEX
    printf '%s\n' "# line 1" "$2" > "$T/bad.conf"
    expect_rc "$1: exit 2" 2 "$IDXD" --config "$T/bad.conf" --db "$DB" --listen 127.0.0.1:0
    expect_match "$1: names FILE:LINE" "$OUT" "$T/bad.conf:2: $3"
}
bad "an unknown name" "thread = 2" "unknown option 'thread'"
bad "a bad value" "threads = many" "--threads wants a number"
bad "a flag that is not true or false" "read-only = maybe" "read-only wants true or false"
bad "a name without a value" "budget" "budget wants a value"
bad "--help is not an option of the file" "help = true" "unknown option 'help'"
expect_rc "a missing config file: exit 2" 2 "$IDXD" --config "$T/none.conf" --db "$DB"
expect_match "naming it" "$OUT" "none.conf: No such file"
no_sanitizer_reports
