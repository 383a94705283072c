#!/usr/bin/env bash
# Static analysis of the code written here: cppcheck and clang-tidy, warnings are errors.
#
# Usage: scripts/static.sh [BUILD_DIR] [cppcheck|clang-tidy]
#   BUILD_DIR  a CMake build directory of this tree (default build/); it is (re)configured with
#              CMAKE_EXPORT_COMPILE_COMMANDS=ON, so compile_commands.json matches the build.
#   The second argument runs one analyser only (default: both).
#
# What is analysed: every translation unit in compile_commands.json under src/, port/, tools/,
# examples/ and boot/, each file once (the boot engine sources are compiled once per mode with the
# same flags), and the headers they include from those folders and include/. New files are picked
# up through the build, with no list to keep here. Third-party code (mbedTLS, libsodium) and
# tests/, fuzz/, bench/ are not analysed. The C++ units under port/mbed/ (the FlashIAP adapter
# and its stand-in) are in the database when the host build found a C++ compiler
# (tests/mbed.cmake); cppcheck and clang-tidy take them as C++ from their extension.
#
# The Cortex-M code is compiled only by the cross toolchain, so it is not in the host database:
# a second database comes from configuring (not building) a cross build with
# cmake/arm-none-eabi.cmake in $BUILD_DIR/static/cross, keeping the units under port/, boot/,
# examples/ and bench/cortex-m/ that the host pass does not analyse; examples/tz/ and
# port/cortex-m/an505/tz.c, built by scripts/tz-demo.sh with plain gcc lines, are added with that
# script's flags. cppcheck sees them as a 32-bit target (--platform=unix32), clang-tidy as
# --target=arm-none-eabi with newlib's headers. Skipped, with a message, if arm-none-eabi-gcc is
# not installed.
#
# cppcheck: the flags are below; suppressions are inline (`// cppcheck-suppress id` with the
# reason on the same comment) or in scripts/cppcheck-suppressions.txt, one reason per entry.
# clang-tidy: the checks and why are in .clang-tidy and docs/QUALITY.md; suppressions are
# inline `NOLINT(check)` comments with their reason.
#
# Output: the findings, and $BUILD_DIR/static/{cppcheck,clang-tidy}{,-cross}.txt. Exit 1 on any
# finding.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
ONLY=${2:-}
JOBS=$(nproc)
DIRS='src|port|tools|examples|boot'

case $ONLY in '' | cppcheck | clang-tidy) ;; *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
OUT=$BUILD/static
mkdir -p "$OUT"

# The filtered compilation database: our sources, one entry per file.
python3 - "$ROOT" "$BUILD/compile_commands.json" "$OUT/compile_commands.json" "$DIRS" <<'EOF'
import json, re, sys
root, src, dst, dirs = sys.argv[1:]
mine = re.compile('^' + re.escape(root) + '/(' + dirs + ')/')
seen, keep = set(), []
for e in json.load(open(src)):
    if mine.match(e['file']) and e['file'] not in seen:
        seen.add(e['file'])
        keep.append(e)
json.dump(keep, open(dst, 'w'), indent=1)
print('static: %d translation units' % len(keep))
EOF

# Findings in files outside the tree (mbedTLS and libsodium headers, generated files, libc) are
# not ours to fix. An empty pattern would suppress everything, hence the guard.
NOT_OURS=(--suppress="*:$BUILD/*" --suppress="*:/usr/*")
DEPS=$(sed -n 's/^IFU_DEPS_DIR:PATH=//p' "$BUILD/CMakeCache.txt")
if [ -n "$DEPS" ]; then
    NOT_OURS+=(--suppress="*:$DEPS/*")
fi
status=0

# ---- the Cortex-M database --------------------------------------------------------------------
# CROSS is empty when there is nothing to analyse there (no arm-none-eabi-gcc).
CROSS=
CM=$ROOT/port/cortex-m
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    CROSS=$OUT/cross
    t0=$SECONDS
    # Configure only: the database needs no build. The signing key, the host tool and the
    # benchmark key are used by build steps alone; the names given here are never opened.
    cmake -S "$ROOT" -B "$CROSS" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/arm-none-eabi.cmake" \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF \
        -DIFU_BUILD_BENCH=ON -DIFU_BENCH_ALG=p256 -DIFU_BENCH_KEY="$CROSS/unused-key.pem" \
        -DIFU_HOST_TOOL="$BUILD/tools/ifu/ifu" -DIFU_SIGNING_KEY="$CROSS/unused-key.pem" \
        ${DEPS:+-DIFU_DEPS_DIR="$DEPS"} >"$CROSS.log" 2>&1 ||
        { cat "$CROSS.log" >&2; echo "static: the cross configuration failed" >&2; exit 1; }
    mkdir -p "$CROSS/db"
    # The flags of scripts/tz-demo.sh (keep in step); the two link addresses it takes from the
    # Secure image get placeholder values, which the analysis does not depend on.
    TZ_FLAGS=(-mcpu=cortex-m33 -mthumb -mfloat-abi=soft -Os -std=c99 -Wall -Wextra -Werror
        -ffunction-sections -fdata-sections -I"$CM" -I"$CM/an505" -I"$ROOT/examples/tz"
        -I"$ROOT/include" -DIFU_TZ_NS_VERSION_MAJOR=1 -DIFU_TZ_NS_VERSION_MINOR=2
        -DIFU_TZ_NS_VERSION_PATCH=3)
    python3 - "$ROOT" "$CROSS/compile_commands.json" "$OUT/compile_commands.json" \
        "$CROSS/db/compile_commands.json" "${TZ_FLAGS[@]}" <<'EOF'
import json, re, sys
root, src, host, dst = sys.argv[1:5]
tz = sys.argv[5:]
# Units only the cross build compiles; the rest (src/, the SMP example, ...) the host pass has.
mine = re.compile('^' + re.escape(root) + '/(port|boot|examples|bench/cortex-m)/')
seen = set(e['file'] for e in json.load(open(host)))
keep = []
for e in json.load(open(src)):
    if mine.match(e['file']) and e['file'] not in seen:
        seen.add(e['file'])
        keep.append(e)
for f, extra in (('examples/tz/secure.c', ['-mcmse']), ('port/cortex-m/an505/tz.c', ['-mcmse']),
                 ('examples/tz/ns_app.c', ['-DIFU_TZ_SECRET=0x30000000u',
                                           '-DIFU_TZ_GATEWAY_BODY=0x10000401u'])):
    keep.append({'directory': root, 'file': root + '/' + f,
                 'arguments': ['arm-none-eabi-gcc'] + tz + extra + ['-c', root + '/' + f]})
json.dump(keep, open(dst, 'w'), indent=1)
print('static: %d Cortex-M translation units' % len(keep), end='')
EOF
    echo " (configured in $((SECONDS - t0)) s)"
    # newlib's headers for clang: gcc's search list without gcc's own directories (clang has
    # its own stddef.h, stdint.h, ...).
    NEWLIB=$(echo | arm-none-eabi-gcc -xc -E -v - 2>&1 |
        sed -n '/^#include <...> search starts here:$/,/^End of search list\.$/p' |
        sed -n 's/^ \(.*\)$/\1/p' | grep -v '/gcc/arm-none-eabi/[^/]*/include' || true)
else
    echo "static: SKIP the Cortex-M code (port/cortex-m, boot/, examples/qemu_app, examples/tz," \
        "bench/cortex-m): arm-none-eabi-gcc not found (scripts/setup.sh installs it)"
fi

# run_cppcheck DB LOG [cppcheck option...]
run_cppcheck() {
    local db=$1 log=$2 t0=$SECONDS
    shift 2
    # warning,style,performance,portability: everything but `information` (include-path notes)
    # and unusedFunction (wrong for a library: callers live outside the tree).
    cppcheck --project="$db" \
        --enable=warning,style,performance,portability \
        --inline-suppr --suppressions-list="$ROOT/scripts/cppcheck-suppressions.txt" \
        --suppress=missingIncludeSystem \
        "${NOT_OURS[@]}" "$@" \
        --error-exitcode=1 --quiet -j"$JOBS" \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]' >"$log" 2>&1 || true
    sed -i "s|^$ROOT/||" "$log"
    if [ -s "$log" ]; then
        cat "$log"
        echo "static: cppcheck: $(grep -c '\[[A-Za-z0-9_]*\]$' "$log") findings ($log)"
        return 1
    fi
    echo "static: cppcheck: no findings ($(basename "$log" .txt), $((SECONDS - t0)) s)"
}

# clang-tidy 14's path-sensitive analyser crashes (SIGSEGV in SValBuilder::evalBinOp) on
# arm_cmse.h's cmse_nsfptr_create, a __builtin_bit_cast of a function pointer; the units that use
# it get every check but clang-analyzer-* (and cppcheck as usual).
export NO_ANALYZER="^$ROOT/port/cortex-m/an505/tz\.c\$"

# tidy_one OPTION... FILE: one unit. A crash is a failure (exit 1), so that xargs goes on with
# the other units instead of stopping.
# shellcheck disable=SC2317 # called through xargs (bash -c)
tidy_one() {
    local file=${!#} extra=()
    set -- "${@:1:$#-1}"
    if [[ $file =~ $NO_ANALYZER ]]; then
        extra=('--checks=-clang-analyzer-*')
    fi
    clang-tidy --quiet "$@" "${extra[@]}" "$file" || return 1
}
export -f tidy_one

# run_clang_tidy DB_DIR LOG [clang-tidy option...]
run_clang_tidy() {
    local db=$1 log=$2 rc=0 t0=$SECONDS
    shift 2
    # Each unit once; headers of this tree only. The checks come from $ROOT/.clang-tidy.
    python3 -c 'import json,sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' \
        "$db/compile_commands.json" |
        xargs -P"$JOBS" -n1 bash -c 'tidy_one "$@"' tidy_one -p "$db" "$@" \
            --header-filter="^$ROOT/(include|$DIRS)/" >"$log" 2>&1 || rc=$?
    # clang-tidy prints a count of the (suppressed) warnings in third-party headers per file.
    sed -i -e "s|$ROOT/||g" -e '/^[0-9]* warnings\{0,1\} generated\.$/d' \
        -e '/^Suppressed [0-9]* warnings/d' -e '/^Use -header-filter=/d' "$log"
    if [ "$rc" -ne 0 ] || grep -q ': \(warning\|error\): ' "$log"; then
        cat "$log"
        echo "static: clang-tidy: $(grep -c ': \(warning\|error\): ' "$log") findings ($log)"
        return 1
    fi
    echo "static: clang-tidy: no findings ($(basename "$log" .txt), $((SECONDS - t0)) s)"
}

if [ -z "$ONLY" ] || [ "$ONLY" = cppcheck ]; then
    echo "static: cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
    run_cppcheck "$OUT/compile_commands.json" "$OUT/cppcheck.txt" || status=1
    if [ -n "$CROSS" ]; then
        # ARM EABI: 32-bit int, long and pointers, like unix32.
        run_cppcheck "$CROSS/db/compile_commands.json" "$OUT/cppcheck-cross.txt" \
            --platform=unix32 || status=1
    fi
fi
if [ -z "$ONLY" ] || [ "$ONLY" = clang-tidy ]; then
    echo "static: $(clang-tidy --version | grep -o 'LLVM version [0-9.]*' | sed 's/LLVM/clang-tidy/')"
    run_clang_tidy "$OUT" "$OUT/clang-tidy.txt" || status=1
    if [ -n "$CROSS" ]; then
        inc=()
        for d in $NEWLIB; do inc+=(--extra-arg=-isystem"$d"); done
        run_clang_tidy "$CROSS/db" "$OUT/clang-tidy-cross.txt" \
            --extra-arg-before=--target=arm-none-eabi "${inc[@]}" || status=1
    fi
fi
exit $status
