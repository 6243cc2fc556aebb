#!/usr/bin/env bash
# End-to-end: idx bench, for people who benchmark query latency.  At a fixed
# rate (open loop) against an idxd that is stopped (SIGSTOP) for a second in
# the middle, the reported p99 includes the stall (latency counted from each
# request's intended send time); the same stall on one closed-loop connection
# shows only in the max.  The JSON a script may count on, a query log
# replayed at its offsets, in-process runs, errors by kind, the SVG charts,
# and the refusals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
DB=$T/db
"$IDX" add -q --db "$DB" "$SAMPLE" > /dev/null || fail "index the sample" "idx add failed"
QF=$T/q.txt
printf '%s\n' 经济 南通开发区 中国 发展 '5G 基站' > "$QF"
start_server b "$DB" --threads 2 --no-access-log || exit 1

"$IDX" bench --url "$URL" --rate 50 --duration 2 --json "$QF" > "$T/plain.json"
expect_rc "idx bench --url --rate --duration --json: exit 0" 0 true
expect_eq "one JSON object with requests, errors, rate, p50_ms, p99_ms, max_ms" \
    "$(jq -r '[has("requests"), has("errors"), has("rate"), has("p50_ms"), has("p99_ms"), has("max_ms")] | all' "$T/plain.json")" true
expect_eq "at 50/s for 2 s: 100 requests, 0 errors, rate 50, open loop" \
    "$(jq -r '[.requests, .errors, .rate, .mode] | join(" ")' "$T/plain.json")" "100 0 50 open"

# --warmup: sent first, counted not at all; --duration starts after it
"$IDX" bench --url "$URL" --rate 50 --warmup 1 --duration 1 --json "$QF" > "$T/warm.json"
echo "#   --warmup 1 --duration 1 at 50/s: $(jq -c '{requests, errors, duration_s, warmup_s}' "$T/warm.json")"
expect_eq "--warmup 1 --duration 1 at 50/s: about 50 requests counted (not 100), warmup_s 1" \
    "$(jq -r '.requests >= 40 and .requests <= 60 and .errors == 0 and .warmup_s == 1' "$T/warm.json")" true
"$IDX" bench --url "$URL" --connections 2 --warmup 1 --duration 1 --json "$QF" > "$T/warmc.json"
expect_eq "closed loop with --warmup 1 --duration 1: the measured seconds are the duration's, not 2" \
    "$(jq -r '.duration_s >= 0.9 and .duration_s < 1.8 and .requests > 0 and .warmup_s == 1' "$T/warmc.json")" true

# stalled OUT idx-bench-options...: a 4 s run into OUT, idxd stopped for 1 s after 1.5 s
stalled() {
    local out=$1
    shift
    "$IDX" bench --url "$URL" --duration 4 --json "$@" "$QF" > "$out" &
    local b=$!
    sleep 1.5
    kill -STOP "$PID"
    sleep 1
    kill -CONT "$PID"
    wait "$b"
}
# a stall of 1 s in the middle of an open-loop run at 100/s
stalled "$T/open.json" --rate 100 --svg "$T/open.svg"
echo "#   open loop with a 1 s stall: $(jq -c '{requests, errors, p50_ms, p99_ms, max_ms, connections}' "$T/open.json")"
expect_eq "open loop: the p99 includes the stall (>= 500 ms)" "$(jq -r '.p99_ms >= 500' "$T/open.json")" true
expect_eq "and every request due meanwhile was still sent (400, 0 errors)" "$(jq -r '[.requests, .errors] | join(" ")' "$T/open.json")" "400 0"
stalled "$T/closed.json" --connections 1
echo "#   closed loop, same stall: $(jq -c '{requests, p50_ms, p99_ms, max_ms}' "$T/closed.json")"
expect_eq "closed loop: the stall hides from the p99 (coordinated omission), shows in the max" \
    "$(jq -r '.p99_ms < 500 and .max_ms >= 900' "$T/closed.json")" true

# a query log replayed at its offsets
printf '0.0\t经济\n0.5\t南通开发区\n1.0\t中国\n' > "$T/log.tsv"
"$IDX" bench --url "$URL" --duration 1.4 --json "$T/log.tsv" > "$T/log.json"
expect_eq "a log (SECONDS<TAB>QUERY) is replayed at its offsets" "$(jq -r '[.mode, .requests] | join(" ")' "$T/log.json")" "log 3"

printf '%s\n' 经济 "$(printf '2024\t南通')" > "$T/mixed.txt"
"$IDX" bench --url "$URL" --duration 0.5 --json "$T/mixed.txt" > "$T/mixed.json"
expect_eq "a file where only some lines look like SECONDS<TAB>QUERY is no log" "$(jq -r .mode "$T/mixed.json")" closed

# in-process, and errors by kind
"$IDX" bench --db "$DB" --duration 1 --json "$QF" > "$T/local.json"
expect_eq "in-process (--db): searches measured, 0 errors" "$(jq -r '.requests > 10 and .errors == 0' "$T/local.json")" true
"$IDX" bench --url "http://127.0.0.1:$(free_port)" --rate 20 --duration 1 --json "$QF" > "$T/down.json"
expect_eq "nothing listening: every request an error, counted by kind" \
    "$(jq -r '.errors == .requests and .requests > 0 and (.error_kinds | length) > 0' "$T/down.json")" true
"$IDX" bench --url "$URL" --path '/search?q=%s&limit=1000' --rate 20 --duration 1 --json "$QF" > "$T/bad.json"
expect_eq "HTTP errors counted by status" "$(jq -r '.status["400"] == .requests and .error_kinds.http == .requests' "$T/bad.json")" true

# charts
expect_eq "--svg writes a chart with one line" "$(grep -c '<polyline' "$T/open.svg")" 1
expect_rc "--plot draws several runs on one chart" 0 "$IDX" bench --plot "$T/both.svg" "$T/open.json" "$T/closed.json"
expect_eq "two lines" "$(grep -c '<polyline' "$T/both.svg")" 2
expect_eq "the charts are well-formed XML" \
    "$(python3 -c 'import sys, xml.dom.minidom as m; [m.parse(f) for f in sys.argv[1:]]; print("yes")' "$T/open.svg" "$T/both.svg")" yes

# refusals
expect_rc "no query file: exit 2" 2 "$IDX" bench --url "$URL"
expect_rc "a bad rate: exit 2" 2 "$IDX" bench --url "$URL" --rate fast "$QF"
expect_rc "a negative --warmup: exit 2" 2 "$IDX" bench --url "$URL" --warmup=-1 "$QF"
expect_rc "--warmup with a query log (replayed from its first line): exit 2" 2 \
    "$IDX" bench --url "$URL" --warmup 1 "$T/log.tsv"
expect_rc "a missing query file: exit 3" 3 "$IDX" bench --url "$URL" "$T/none.txt"
expect_rc "an https URL: exit 2" 2 "$IDX" bench --url "https://example.org" "$QF"
expect_rc "--plot of a file that is no run: exit 2" 2 "$IDX" bench --plot "$T/x.svg" "$QF"
no_sanitizer_reports
