#!/usr/bin/env bash
# Prepare a Debian 12 (bookworm) machine to build and test ifu.
#
#   1. install the Debian packages the build, the tests and the tools need (only missing ones);
#   2. add a deb-src entry for Debian trixie that reuses the mirror already configured for
#      bookworm (sources.list.d/ifu-trixie-src.sources);
#   3. add a deb entry for bookworm-backports on the same mirror
#      (sources.list.d/ifu-bookworm-backports.sources) and install qemu-system-arm (10.x) from it,
#      for the Cortex-M demo on emulated boards (scripts/qemu-demo.sh, docs/QEMU.md);
#   4. fetch the source packages of mbedTLS 3.6 LTS and libsodium from trixie into the dependency
#      cache (.deps/ in the repository, or $IFU_DEPS_DIR). CMake (cmake/deps.cmake) compiles the
#      parts it needs from there; their own build systems are never run.
#
# Safe to run again: a machine that has everything gets no network call and no output.
# Prints one line per action taken. See docs/DEPENDENCIES.md.
#
# Usage: scripts/setup.sh            do all of the above
#        scripts/setup.sh --mirror   print the bookworm mirror URI found in the apt sources, exit
#
# Environment:
#   IFU_DEPS_DIR   dependency cache (default: <repo>/.deps)
#   IFU_APT_DIR    apt configuration directory (default: /etc/apt; only for testing the parser)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPS_DIR=${IFU_DEPS_DIR:-$ROOT/.deps}
APT_DIR=${IFU_APT_DIR:-/etc/apt}
TRIXIE_SRC=$APT_DIR/sources.list.d/ifu-trixie-src.sources
BACKPORTS=$APT_DIR/sources.list.d/ifu-bookworm-backports.sources
# Packages taken from bookworm-backports: bookworm's own qemu (7.2) lacks what the demo uses
# (TCG plugin API version 4, memory-backend-file as machine RAM on mps2 boards was measured on 10.0).
BACKPORT_PACKAGES=(qemu-system-arm)
QEMU_MIN_MAJOR=10
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
STAMP_NAME=ifu-deps.stamp

# Debian packages, with what needs them.
PACKAGES=(
    build-essential cmake pkg-config python3 # build
    dpkg-dev debian-archive-keyring          # apt-get source, trixie deb-src signature
    libssl-dev openssl                       # tools/ifu (OpenSSL 3), test vectors
    libcbor-dev                              # tools/ifu: `ifu smp` (CBOR bodies of SMP)
    libcmocka-dev libcjson-dev valgrind      # tests (cJSON reads the Wycheproof vectors)
    clang llvm libclang-rt-14-dev            # fuzz: -fsanitize=fuzzer needs libclang_rt.fuzzer
    cppcheck clang-tidy clang-format         # static checks, format target
    gcovr                                    # coverage report (scripts/coverage.sh)
    gcc-arm-none-eabi libnewlib-arm-none-eabi # Cortex-M builds
    xxd                                      # embedding binary test data
)

# Source packages: <name> <directory glob after unpacking> <upstream version prefix required>.
SOURCES=(
    "mbedtls mbedtls-3.6* 3.6"
    "libsodium libsodium-1.0.18* 1.0.18"
)

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

# Run a command as root: directly, or through sudo when we are not root.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root for: $* (run as root or install sudo)"
    fi
}

# Run a noisy command quietly; show its output only if it fails.
quiet() {
    local log
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "failed: $*"
    fi
    rm -f "$log"
}

APT_UPDATED=0
apt_update() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "updating apt package lists"
        quiet as_root env DEBIAN_FRONTEND=noninteractive apt-get -q update
        APT_UPDATED=1
    fi
}

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_update
    say "installing ${missing[*]}"
    quiet as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -y --no-install-recommends install "${missing[@]}"
}

# Print the first mirror URI that serves the suite "bookworm" (exactly; not bookworm-security or
# bookworm-updates), from deb822 .sources files, then from one-line sources.list entries.
find_mirror() {
    local f uri
    for f in "$APT_DIR"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$TRIXIE_SRC" ] && continue
        [ "$f" = "$BACKPORTS" ] && continue
        # A stanza ends at a blank line. Fields may continue on lines starting with a space.
        uri=$(awk '
            function flush() {
                if (types ~ /(^| )deb(-src)?( |$)/ && suites ~ /(^| )bookworm( |$)/ &&
                    enabled !~ /^(no|false)$/ && uris != "" && found == "") {
                    split(uris, u, " ")
                    for (i = 1; i in u; i++) {
                        if (u[i] !~ /^cdrom:/) { found = u[i]; break }
                    }
                }
                types = ""; suites = ""; uris = ""; enabled = ""; field = ""
            }
            /^#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ {
                v = $0; gsub(/^[ \t]+|[ \t]+$/, "", v)
                if (field == "types") types = types " " v
                else if (field == "uris") uris = uris " " v
                else if (field == "suites") suites = suites " " v
                next
            }
            {
                i = index($0, ":")
                if (i == 0) next
                field = tolower(substr($0, 1, i - 1))
                v = substr($0, i + 1); sub(/#.*/, "", v); gsub(/^[ \t]+|[ \t]+$/, "", v)
                gsub(/[ \t]+/, " ", v)
                if (field == "types") types = v
                else if (field == "uris") uris = v
                else if (field == "suites") suites = v
                else if (field == "enabled") enabled = tolower(v)
            }
            END { flush(); if (found != "") print found }
        ' "$f")
        if [ -n "$uri" ]; then
            printf '%s\n' "$uri"
            return 0
        fi
    done
    for f in "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [opt=val ...] URI suite component...
        uri=$(awk '
            { sub(/#.*/, "") }
            $1 != "deb" && $1 != "deb-src" { next }
            {
                line = $0; sub(/^[ \t]*deb(-src)?[ \t]+/, "", line)
                if (line ~ /^\[/) { sub(/^\[[^]]*\][ \t]*/, "", line) }
                n = split(line, w, /[ \t]+/)
                if (n >= 2 && w[2] == "bookworm" && w[1] !~ /^cdrom:/) { print w[1]; exit }
            }
        ' "$f")
        if [ -n "$uri" ]; then
            printf '%s\n' "$uri"
            return 0
        fi
    done
    return 1
}

trixie_src_text() {
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
        "$1" "$KEYRING"
}

# Write the trixie deb-src entry unless it is already there with the same content.
add_trixie_src() {
    local mirror want tmp
    mirror=$(find_mirror) ||
        die "no Debian mirror for bookworm found in $APT_DIR/sources.list or" \
            "$APT_DIR/sources.list.d/*.sources; add one, or write $TRIXIE_SRC by hand" \
            "(see docs/DEPENDENCIES.md)"
    want=$(trixie_src_text "$mirror")
    if [ -f "$TRIXIE_SRC" ] && [ "$(cat "$TRIXIE_SRC")" = "$want" ]; then
        return 0
    fi
    say "adding trixie deb-src ($mirror) in $TRIXIE_SRC"
    tmp=$(mktemp)
    printf '%s\n' "$want" >"$tmp"
    as_root install -m 0644 "$tmp" "$TRIXIE_SRC"
    rm -f "$tmp"
    APT_UPDATED=0
    apt_update
}

backports_text() {
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
        "$1" "$KEYRING"
}

# Write the bookworm-backports entry unless it is already there with the same content. Backports
# are never installed by default (apt pins them at priority 100): only what we name with
# -t bookworm-backports comes from there.
add_backports() {
    local mirror want tmp
    mirror=$(find_mirror) ||
        die "no Debian mirror for bookworm found in $APT_DIR; write $BACKPORTS by hand" \
            "(see docs/DEPENDENCIES.md)"
    want=$(backports_text "$mirror")
    if [ -f "$BACKPORTS" ] && [ "$(cat "$BACKPORTS")" = "$want" ]; then
        return 0
    fi
    say "adding bookworm-backports ($mirror) in $BACKPORTS"
    tmp=$(mktemp)
    printf '%s\n' "$want" >"$tmp"
    as_root install -m 0644 "$tmp" "$BACKPORTS"
    rm -f "$tmp"
    APT_UPDATED=0
}

# Major version of the installed qemu-system-arm package, or nothing.
qemu_major() {
    dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null |
        sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9]*\)\..*/\2/p'
}

install_backports() {
    local major
    major=$(qemu_major)
    if is_installed qemu-system-arm && [ -n "$major" ] && [ "$major" -ge "$QEMU_MIN_MAJOR" ]; then
        return 0
    fi
    add_backports
    apt_update
    say "installing ${BACKPORT_PACKAGES[*]} from bookworm-backports"
    quiet as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -y -o DPkg::Lock::Timeout=600 --no-install-recommends -t bookworm-backports install "${BACKPORT_PACKAGES[@]}"
    major=$(qemu_major)
    [ -n "$major" ] && [ "$major" -ge "$QEMU_MIN_MAJOR" ] ||
        die "bookworm-backports gave qemu-system-arm $(dpkg-query -W -f='${Version}' \
            qemu-system-arm 2>/dev/null), need >= $QEMU_MIN_MAJOR"
}

# Version of source package $1 that apt would fetch from trixie, or nothing if it knows none.
trixie_version() {
    { apt-get -qq --print-uris source "$1/trixie" 2>/dev/null || true; } |
        sed -n "s/^'[^']*' [^_ ]*_\([^ ]*\)\.dsc .*/\1/p" | head -n 1
}

stamp_has() {
    [ -f "$DEPS_DIR/$STAMP_NAME" ] && grep -q "^$1 " "$DEPS_DIR/$STAMP_NAME"
}

fetch_sources() {
    local entry name glob want dirs ver
    mkdir -p "$DEPS_DIR"
    for entry in "${SOURCES[@]}"; do
        read -r name glob want <<<"$entry"
        # shellcheck disable=SC2206 # the glob is meant to expand here
        dirs=("$DEPS_DIR"/$glob)
        if [ -d "${dirs[0]}" ] && stamp_has "$name"; then
            continue
        fi
        ver=$(trixie_version "$name")
        if [ -z "$ver" ]; then
            APT_UPDATED=0
            apt_update
            ver=$(trixie_version "$name")
        fi
        [ -n "$ver" ] || die "apt knows no trixie source for $name; check $TRIXIE_SRC"
        case "$ver" in
        "$want"* | *:"$want"*) ;;
        *) die "trixie offers $name $ver, but ifu needs $want.x" ;;
        esac
        rm -rf "${dirs[@]}"
        (cd "$DEPS_DIR" && quiet apt-get -q source "$name/trixie")
        # shellcheck disable=SC2206
        dirs=("$DEPS_DIR"/$glob)
        [ -d "${dirs[0]}" ] || die "apt-get source $name/trixie did not unpack $glob in $DEPS_DIR"
        if [ -f "$DEPS_DIR/$STAMP_NAME" ]; then
            grep -v "^$name " "$DEPS_DIR/$STAMP_NAME" >"$DEPS_DIR/$STAMP_NAME.tmp" || true
            mv "$DEPS_DIR/$STAMP_NAME.tmp" "$DEPS_DIR/$STAMP_NAME"
        fi
        printf '%s %s %s\n' "$name" "$ver" "$(basename "${dirs[0]}")" >>"$DEPS_DIR/$STAMP_NAME"
        say "fetched $name ${ver%%-*} source (Debian $ver) into $DEPS_DIR"
    done
}

# Nothing left to fetch? Then the deb-src entry is not needed for this run either.
sources_present() {
    local entry name glob want dirs
    for entry in "${SOURCES[@]}"; do
        read -r name glob want <<<"$entry"
        # shellcheck disable=SC2206
        dirs=("$DEPS_DIR"/$glob)
        [ -d "${dirs[0]}" ] && stamp_has "$name" || return 1
    done
}

main() {
    if [ "${1:-}" = "--mirror" ]; then
        find_mirror || die "no bookworm mirror found in $APT_DIR"
        return 0
    fi
    [ $# -eq 0 ] || die "usage: scripts/setup.sh [--mirror]"
    command -v dpkg-query >/dev/null 2>&1 || die "this script expects Debian 12 (bookworm)"
    install_packages
    install_backports
    add_trixie_src
    sources_present || fetch_sources
}

main "$@"
