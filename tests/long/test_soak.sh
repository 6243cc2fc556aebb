#!/usr/bin/env bash
# Soak (`make soak`, run by CI after `make test`): loadgen --check holds 256
# keep-alive connections on idxd for 60 s (IDX_SOAK_SECONDS) over a
# 1,200-article index: zero errors, zero non-2xx, zero inconsistent replies,
# and idxd's resident memory after the run within 10% of before it (before =
# after a 10 s warm-up at the same load and its 256 connections closed, so
# caches have grown to their working size; growth beyond that would be a
# leak).
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/server.sh"
SECS=${IDX_SOAK_SECONDS:-60}
CONNS=256

DB=$T/db
for k in 1 2 3 4; do jq -c --arg k "$k" '.id = "s\($k)-" + .id' "$SAMPLE"; done |
    "$IDX" add -q --db "$DB" > /dev/null || fail "index" "idx add failed"
QF=$T/queries.txt
printf '%s\n' 经济 习近平 南通开发区 疫情防控 中国 '5G 基站' 的 发展 '"新闻联播"' 'title:经济' \
    '经济 -发展' '(中国 OR 美国) AND 合作' 改革开放 乡村振兴 一带一路 '2019' 'APEC' 会议 > "$QF"
start_server soak "$DB" || exit 1
S=$URL S_PID=$PID
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
RSTART=$(rss_kb "$S_PID")

"$LOADGEN" -u "$S" -c $CONNS -t 10 --check --json -p '/search?q=%s&limit=10&facets=source,category,year' "$QF" > "$T/warm.json" 2> "$T/warm.err"
sleep 6 # idxd hands freed heap pages back every 5 s (worker.c)
R0=$(rss_kb "$S_PID")
"$LOADGEN" -u "$S" -c $CONNS -t "$SECS" --check --json -p '/search?q=%s&limit=10&facets=source,category,year' "$QF" > "$T/soak.json" 2> "$T/soak.err"
sleep 6
R1=$(rss_kb "$S_PID")
LJ=$(tail -n 1 "$T/soak.json")
echo "#   soak: $CONNS connections, ${SECS} s: $(jq -c '{requests, rps, checked, inconsistent, errors, non2xx, p50_ms, p99_ms, max_ms}' <<< "$LJ" 2> /dev/null)"
echo "#   idxd RSS: ${RSTART} kB at start, ${R0} kB after the warm-up, ${R1} kB after the soak ($(awk -v a="$R0" -v b="$R1" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }'))"
expect_eq "soak: $CONNS connections for ${SECS} s: requests answered, 0 errors, 0 non-2xx" \
    "$(jq -r '.requests > 1000 and .errors == 0 and .non2xx == 0' <<< "$LJ" 2> /dev/null)" true
expect_eq "soak: every reply consistent" "$(jq -r '.checked == .requests and .inconsistent == 0' <<< "$LJ" 2> /dev/null)" true
if [ -n "$R0" ] && [ -n "$R1" ] && [ "$R1" -le $((R0 * 110 / 100)) ]; then
    ok "soak: resident memory within 10% ($R0 kB -> $R1 kB)"
else
    fail "soak: resident memory within 10%" "$R0 kB -> $R1 kB"
fi
conns=
for _ in $(seq 30); do
    http "$S/stats"
    conns=$(jqb .connections)
    [ "$conns" = 1 ] && break
    sleep 0.1
done
expect_eq "soak: every connection closed afterwards (/stats counts only its own)" "$conns" 1
expect_eq "soak: peak connections" "$(jqb .connections_peak)" "$CONNS"
stop_server "$S_PID" 10
expect_eq "soak: SIGTERM exits 0" "$STOP_RC" 0
no_sanitizer_reports
