#!/usr/bin/env bash
# scripts/setup.sh - install the Debian packages idx needs to build and test,
# only those that are missing.  Safe to run again.  Run as root (or with sudo
# available).  Usage: scripts/setup.sh
set -euo pipefail

PKGS=(
    build-essential pkg-config          # gcc, g++, make
    libxapian-dev xapian-tools          # the engine; xapian-check for tests
    libjansson-dev libutf8proc-dev      # JSON; Unicode normalization
    libevent-dev                        # the query server
    zlib1g-dev libzstd-dev              # .gz / .zst input
    libxml2-dev                         # HTML pages (libxml2's HTML parser)
    libssl-dev                          # idxd's API keys (libcrypto: HMAC, SHA-256)
    jq curl procps                      # end-to-end tests
    python3-jsonschema                  # answers checked against /openapi.json
    scdoc                               # man pages idx(1), idxd(8)
    debhelper lintian fakeroot          # the Debian package (tests/e2e/test_package.sh)
    time bc                             # bench/ scripts
    clang                               # make fuzz (libFuzzer); runtime added below
    chromium fonts-wqy-zenhei           # browser tests of the search page (CJK font
                                        # for its screenshots)
)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

# clang's libFuzzer runtime is only recommended by clang; name it for the
# clang version this Debian has
fuzz_rt() {
    command -v clang > /dev/null 2>&1 || return 0
    local v rt
    v=$(clang -dumpversion | cut -d. -f1)
    rt=libclang-rt-$v-dev
    dpkg-query -W -f='${Status}' "$rt" 2> /dev/null | grep -q 'install ok installed' && return 0
    apt-cache show "$rt" > /dev/null 2>&1 || { echo "setup: no $rt; make fuzz will not build"; return 0; }
    echo "setup: installing $rt"
    $SUDO apt-get install -y -qq --no-install-recommends "$rt"
}

# Node.js (Debian's, unless one is installed already) and playwright-core
# from npm, pinned by tests/browser/package-lock.json, to drive Chromium
browser_rt() {
    local need=()
    command -v node > /dev/null 2>&1 || need+=(nodejs)
    command -v npm > /dev/null 2>&1 || need+=(npm)
    if [ ${#need[@]} -gt 0 ]; then
        echo "setup: installing ${need[*]}"
        $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
    fi
    if [ ! -f tests/browser/node_modules/playwright-core/package.json ]; then
        echo "setup: npm ci in tests/browser (playwright-core)"
        (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
    fi
}
cd "$(dirname "$0")/.."

SUDO=
if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null 2>&1; then SUDO=sudo; fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#PKGS[@]} packages present"
    fuzz_rt
    browser_rt
    exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "setup: missing packages: ${missing[*]}; run this script as root" >&2
        exit 1
    fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fuzz_rt
browser_rt
