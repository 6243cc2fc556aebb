#!/usr/bin/env bash
# End-to-end: `idx key new` (a keys-file line with a fresh secret) and `idx
# key scope` (a scoped key: its payload decoded here and compared with what
# was asked, its signature recomputed with openssl when there is one), and
# every refusal with exit status 2.  No server: idxd's side is in its tests.
. "$(dirname "$0")/lib.sh"
unset IDX_KEY # --key's default

# base64url (no padding) -> bytes
b64url_decode() {
    local s=${1//-/+}
    s=${s//_//}
    while [ $((${#s} % 4)) -ne 0 ]; do s+="="; done
    printf '%s' "$s" | base64 -d
}
payload() { local k=${1#idxs1_}; b64url_decode "${k%%.*}"; }

# ---- key new ----
expect_rc "key new exits 0" 0 "$IDX" key new alice search
expect_match "key new prints NAME ROLE SECRET" "$OUT" '^alice search [A-Za-z0-9_-]{43}$'
A1=$OUT
expect_rc "key new admin exits 0" 0 "$IDX" key new ops.v2_x-1 admin
expect_match "... with an admin role" "$OUT" '^ops\.v2_x-1 admin [A-Za-z0-9_-]{43}$'
"$IDX" key new alice search > "$T/again"
expect_eq "every secret is new" "$([ "$(cat "$T/again")" != "$A1" ] && echo differ)" differ
expect_eq "one line only" "$(wc -l < "$T/again")" 1
expect_rc "key new with a bad name exits 2" 2 "$IDX" key new 'al ice' search
expect_match "... naming the rule" "$OUT" 'name must be 1 to 64 of'
expect_rc "key new with a bad role exits 2" 2 "$IDX" key new alice root
expect_match "... naming the roles" "$OUT" 'role must be admin or search, got "root"'
expect_rc "key new without a role exits 2" 2 "$IDX" key new alice
expect_rc "key alone exits 2" 2 "$IDX" key
expect_rc "an unknown key subcommand exits 2" 2 "$IDX" key frob
HELP=$("$IDX" --help)
expect_match "help lists key new" "$HELP" 'key new NAME ROLE'
expect_match "help lists key scope" "$HELP" 'key scope  '

# ---- key scope ----
SK=search-secret-0123456789abcdef
expect_rc "key scope exits 0" 0 "$IDX" key scope --key "$SK" --filter 'source:新华社' --expires 2099-01-31
expect_match "key scope prints an idxs1_ key" "$OUT" '^idxs1_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$'
KEY=$OUT
P=$(payload "$KEY")
expect_eq "the payload holds p, f and e" "$(jq -c 'keys' <<<"$P")" '["e","f","p"]'
expect_eq "f is the filter" "$(jq -r .f <<<"$P")" 'source:新华社'
expect_eq "a date is valid through that day (UTC)" "$(jq -r .e <<<"$P")" \
    "$(date -u -d 2099-02-01T00:00:00Z +%s)"
expect_eq "p is the search key's SHA-256, 8 bytes" "$(jq -r .p <<<"$P")" \
    "$(printf '%s' "$SK" | sha256sum | cut -c1-16)"
if command -v openssl > /dev/null 2>&1; then
    SIG=$(printf '%s' "${KEY%%.*}" | openssl dgst -sha256 -hmac "$SK" -binary | base64 | tr '+/' '-_' | tr -d '=')
    expect_eq "the signature is HMAC-SHA256(key, all before the dot)" "${KEY#*.}" "$SIG"
fi
"$IDX" key scope --key "$SK" --filter 'a' --expires 2099-01-01T10:00+08:00 > "$T/k"
expect_eq "a date-time's offset is applied" "$(payload "$(cat "$T/k")" | jq -r .e)" \
    "$(date -u -d 2099-01-01T02:00:00Z +%s)"
"$IDX" key scope --key "$SK" --filter 'a' --expires 2099-01-01T10:00:00Z > "$T/k"
expect_eq "a date-time in UTC" "$(payload "$(cat "$T/k")" | jq -r .e)" \
    "$(date -u -d 2099-01-01T10:00:00Z +%s)"
before=$(date +%s)
"$IDX" key scope --key "$SK" --filter 'a' --expires +30d > "$T/k"
e=$(payload "$(cat "$T/k")" | jq -r .e)
expect_eq "+30d is thirty days from now" "$((e >= before + 30 * 86400 && e <= $(date +%s) + 30 * 86400))" 1
"$IDX" key --expires +12h --filter 'a' scope --key "$SK" > "$T/k"
e=$(payload "$(cat "$T/k")" | jq -r .e)
expect_eq "+12h is twelve hours from now (options anywhere)" \
    "$((e >= before + 12 * 3600 && e <= $(date +%s) + 12 * 3600))" 1

expect_rc "no --key exits 2" 2 "$IDX" key scope --filter a --expires +1d
expect_match "... saying what to give" "$OUT" 'give --key SEARCHKEY'
expect_rc "the search key from \$IDX_KEY" 0 env IDX_KEY="$SK" "$IDX" key scope --filter a --expires +1d
expect_eq "... is the same key's" "$(payload "$OUT" | jq -r .p)" "$(printf '%s' "$SK" | sha256sum | cut -c1-16)"
expect_rc "no --filter exits 2" 2 "$IDX" key scope --key "$SK" --expires +1d
expect_rc "no --expires exits 2" 2 "$IDX" key scope --key "$SK" --filter a
expect_rc "an empty filter exits 2" 2 "$IDX" key scope --key "$SK" --filter '' --expires +1d
expect_rc "a filter with nothing to search exits 2" 2 "$IDX" key scope --key "$SK" --filter '((' --expires +1d
expect_match "... naming the filter" "$OUT" '^idx: --filter: "\(\("'
expect_rc "a filter that does not parse as written exits 2" 2 \
    "$IDX" key scope --key "$SK" --filter 'a AND (b' --expires +1d
expect_match "... saying why" "$OUT" 'unclosed parenthesis'
expect_rc "an expiry in the past exits 2" 2 "$IDX" key scope --key "$SK" --filter a --expires 2020-01-01
expect_match "... saying so" "$OUT" 'is in the past'
expect_rc "a date-time without a zone exits 2" 2 \
    "$IDX" key scope --key "$SK" --filter a --expires 2099-01-01T10:00
expect_rc "a bad date exits 2" 2 "$IDX" key scope --key "$SK" --filter a --expires 2099-02-30
expect_rc "+0d exits 2" 2 "$IDX" key scope --key "$SK" --filter a --expires +0d
expect_rc "+5w exits 2" 2 "$IDX" key scope --key "$SK" --filter a --expires +5w
expect_rc "a short key exits 2" 2 "$IDX" key scope --key short --filter a --expires +1d
expect_rc "a scoped key cannot be scoped again" 2 "$IDX" key scope --key "$KEY" --filter a --expires +1d
expect_match "... saying so" "$OUT" 'cannot be scoped again'
expect_rc "operands after scope exit 2" 2 "$IDX" key scope extra --key "$SK" --filter a --expires +1d
