#!/usr/bin/env bash
# End-to-end: idxd as a service.  The systemd unit (query/idxd.service)
# passes systemd-analyze verify; the shipped config (query/idxd.conf) is
# read; SIGHUP (the unit's ExecReload) reloads the API keys and the
# synonyms - a bad file keeps the ones in use - drops answers cached with the
# old synonyms, and reopens --log after logrotate moved it; --log-format
# json writes one JSON object a line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"

# the unit, with idxd's path here and its man page where man(1) finds it
if command -v systemd-analyze > /dev/null; then
    mkdir -p "$T/man/man8"
    cp "$BINDIR/man/idxd.8" "$T/man/man8/" 2> /dev/null
    sed "s|@BINDIR@|$BINDIR|" "$ROOT/query/idxd.service" > "$T/idxd.service"
    OUT=$(cd "$T" && MANPATH=$T/man timeout 120 systemd-analyze verify ./idxd.service 2>&1)
    expect_eq "systemd-analyze verify idxd.service: no complaint" "$OUT" ""
    for d in 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'CapabilityBoundingSet=$' 'StateDirectory=idx' \
        'User=idx' 'ExecReload=/bin/kill -HUP \$MAINPID'; do
        expect_eq "the unit sets $d" "$(grep -c "^$d" "$T/idxd.service")" 1
    done
else
    echo "#   systemd-analyze missing: the unit is not verified here"
fi

# the shipped config is read (its db and listen overridden here)
"$IDX" key new editor admin > "$T/keys"
"$IDX" key new site search >> "$T/keys"
chmod 600 "$T/keys"
SKEY=$(awk '$1 == "site" { print $3 }' "$T/keys")
printf '%s\n' '南通 北极星' > "$T/syn"
start_server svc "$DB" --config "$ROOT/query/idxd.conf" --keys "$T/keys" --synonyms "$T/syn" \
    --log "$T/idxd.log" --log-format json --threads 2 || exit 1
http "$URL/health"
expect_eq "idxd starts with the shipped config" "$CODE" 200
A=(-H "Authorization: Bearer $SKEY")
http "$URL/search?q=%E5%8C%97%E6%9E%81%E6%98%9F" "${A[@]}"
N1=$(jqb .total)
expect_eq "a synonym of the file at start: 北极星 finds 南通's articles" "$((N1 > 0))" 1

# a new key and new synonyms, then SIGHUP
"$IDX" key new late search >> "$T/keys"
LATE=$(awk '$1 == "late" { print $3 }' "$T/keys")
http "$URL/search?q=x" -H "Authorization: Bearer $LATE"
expect_eq "a key added to the file is unknown before SIGHUP" "$CODE" 401
printf '%s\n' '上海 北极星' > "$T/syn"
kill -HUP "$PID"
sleep 0.5
http "$URL/search?q=x" -H "Authorization: Bearer $LATE"
expect_eq "after SIGHUP the new key works" "$CODE" 200
http "$URL/search?q=%E5%8C%97%E6%9E%81%E6%98%9F" "${A[@]}"
expect_eq "and the new synonyms, not a cached answer of the old ones" "$(jqb '.cached // false') $(jqb '.hits[0].title' | grep -c 上海)" "false 1"
chmod 600 "$T/keys"
printf 'broken line\n' >> "$T/keys"
kill -HUP "$PID"
sleep 0.5
http "$URL/search?q=x" -H "Authorization: Bearer $LATE"
expect_eq "a keys file broken meanwhile: SIGHUP keeps the keys in use" "$CODE" 200
expect_match "and says why" "$(cat "$T/idxd.log")" "SIGHUP: keeping the keys in use: .*keys:[0-9]+"

# logrotate: the log moved away, SIGHUP, a new file
mv "$T/idxd.log" "$T/idxd.log.1"
http "$URL/health"
kill -HUP "$PID"
sleep 0.5
http "$URL/search?q=%E5%8C%97%E6%9E%81%E6%98%9F" "${A[@]}"
expect_eq "SIGHUP reopens --log: new lines go to a new file" "$(grep -c '"uri":"/search' "$T/idxd.log" 2> /dev/null)" 1
expect_match "(the request before it went to the moved file)" "$(tail -n 3 "$T/idxd.log.1")" '"uri":"/health"'
expect_eq "--log-format json: every access line is one JSON object" \
    "$(grep '"uri"' "$T/idxd.log.1" "$T/idxd.log" | cut -d: -f2- | jq -s 'map(has("time") and has("method") and has("status") and has("us")) | all')" true
expect_eq "no key in the log" "$(grep -c -- "$SKEY\|$LATE" "$T/idxd.log" "$T/idxd.log.1" | awk -F: '{ s += $2 } END { print s }')" 0
expect_rc "a bad --log-format is refused" 2 "$IDXD" --log-format xml --db "$DB"
expect_eq "no sanitizer report in the --log files" "$(cat "$T"/idxd.log* | grep -c 'Sanitizer\|runtime error:')" 0
no_sanitizer_reports
