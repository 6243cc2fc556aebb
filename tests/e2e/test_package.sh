#!/usr/bin/env bash
# End-to-end: the Debian package.  `dpkg-buildpackage -us -uc -b` on a copy
# of the tracked files builds idx_*.deb (its own build directory: build-deb);
# lintian finds no error in it; unpacked into a scratch root (dpkg -x, no
# root needed) its idx indexes the sample and its idxd serves it; it holds
# the man pages, the systemd unit (verified), the example config as a
# conffile, and a postinst that makes the idx system user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server.sh"
for t in dpkg-buildpackage dh lintian fakeroot git; do
    if ! command -v "$t" > /dev/null; then
        if [ "${IDX_REQUIRE_PACKAGE:-0}" = 1 ]; then fail "package tools" "$t missing (scripts/setup.sh installs it)"
        else echo "skip package test: $t missing (run scripts/setup.sh)"; fi
        exit 0
    fi
done
SRC=$T/src/idx
mkdir -p "$SRC"
if ! (cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$SRC" 2> /dev/null); then
    echo "skip package test: $ROOT is not a git checkout"
    exit 0
fi
# files of the working tree not committed yet travel too (a developer's run)
(cd "$ROOT" && git ls-files -z --others --exclude-standard | xargs -0 -r cp --parents -t "$SRC" 2> /dev/null)
(cd "$SRC" && timeout 900 dpkg-buildpackage -us -uc -b > "$T/build.log" 2>&1)
expect_eq "dpkg-buildpackage -us -uc -b: exit 0" "$?" 0
DEB=$(ls "$T"/src/idx_*_*.deb 2> /dev/null | grep -v dbgsym | head -n 1)
if [ -z "$DEB" ]; then
    fail "a .deb was built" "$(tail -n 20 "$T/build.log")"
    exit 1
fi
ok "built $(basename "$DEB")"
OUT=$(timeout 600 lintian --fail-on error "$DEB" 2>&1)
expect_eq "lintian: no error" "$?" 0
echo "#   lintian: $(grep -c '^[EW]:' <<< "$OUT") tags ($(grep -c '^E:' <<< "$OUT") errors)"
R=$T/root
dpkg -x "$DEB" "$R"
for f in usr/bin/idx usr/bin/idxd usr/share/man/man1/idx.1.gz usr/share/man/man8/idxd.8.gz \
    usr/lib/systemd/system/idxd.service etc/idx/idxd.conf; do
    expect_eq "the package holds /$f" "$([ -s "$R/$f" ] && echo yes)" yes
done
dpkg-deb -e "$DEB" "$T/control"
expect_eq "/etc/idx/idxd.conf is a conffile" "$(grep -c '^/etc/idx/idxd.conf$' "$T/control/conffiles" 2> /dev/null)" 1
expect_match "its postinst makes the idx system user" "$(cat "$T/control/postinst" 2> /dev/null)" "adduser --system .* idx"
expect_match "and enables the unit" "$(cat "$T/control/postinst" 2> /dev/null)" "idxd.service"
expect_eq "the unit runs /usr/bin/idxd with the config" "$(grep -c '^ExecStart=/usr/bin/idxd --config /etc/idx/idxd.conf$' "$R/usr/lib/systemd/system/idxd.service")" 1
# the packaged programs work
expect_rc "the packaged idx indexes the sample" 0 "$R/usr/bin/idx" add -q --db "$T/db" "$SAMPLE"
IDXD=$R/usr/bin/idxd start_server pkg "$T/db" --threads 1 || exit 1
search "$URL" 南通开发区
expect_eq "the packaged idxd serves it" "$CODE $(jqb '.total > 0')" "200 true"
expect_match "man renders the packaged idx(1)" "$(MANWIDTH=80 man -l "$R/usr/share/man/man1/idx.1.gz" 2> /dev/null | head -n 5)" "idx - index and search"
no_sanitizer_reports
