#!/usr/bin/env bash
# End-to-end: the man pages idx(1) and idxd(8) (scdoc sources beside each
# program, built by make) name every option --help names, and the other way
# round; make install puts binaries and man pages under DESTDIR, and man(1)
# renders the installed pages.
. "$(dirname "$0")/lib.sh"
BUILDDIR=$(dirname "$IDX")
# options: every --word in a text
opts() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
for pair in "idx:$BUILDDIR/man/idx.1" "idxd:$BUILDDIR/man/idxd.8"; do
    prog=${pair%%:*} page=${pair#*:}
    if [ ! -s "$page" ]; then
        fail "$prog man page" "$page missing (make man)"
        continue
    fi
    "$BUILDDIR/$prog" --help | opts > "$T/help.$prog"
    # the page as roff: options are written \-\-name or --name
    sed 's/\\-/-/g; s/\\f[BIR]//g' "$page" | opts > "$T/man.$prog"
    only_help=$(comm -23 "$T/help.$prog" "$T/man.$prog" | tr '\n' ' ')
    only_man=$(comm -13 "$T/help.$prog" "$T/man.$prog" | tr '\n' ' ')
    expect_eq "$prog --help: every option is in $prog's man page" "$only_help" ""
    expect_eq "$prog's man page: every option is in --help" "$only_man" ""
    expect_eq "$prog: more than 10 options compared" "$(($(wc -l < "$T/help.$prog") > 10))" 1
done
make -s -C "$ROOT" install BUILD="$(realpath --relative-to="$ROOT" "$BUILDDIR" 2> /dev/null || echo "$BUILDDIR")" \
    PREFIX=/usr DESTDIR="$T/root" > "$T/install.out" 2>&1
expect_eq "make install PREFIX=/usr DESTDIR=...: exit 0" "$?" 0
for f in usr/bin/idx usr/bin/idxd usr/share/man/man1/idx.1 usr/share/man/man8/idxd.8; do
    expect_eq "installed: /$f" "$([ -s "$T/root/$f" ] && echo yes)" yes
done
if command -v man > /dev/null; then
    expect_match "man renders idxd(8)" "$(MANWIDTH=80 man -l "$T/root/usr/share/man/man8/idxd.8" 2> /dev/null | head -n 5)" "idxd - the idx search server"
fi
expect_rc "the installed idx runs" 0 "$T/root/usr/bin/idx" --version
