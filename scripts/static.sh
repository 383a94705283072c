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
# tests/, fuzz/, bench/ are not analysed.
#
# cppcheck: the flags are below; suppressions are inline (`// cppcheck-suppress id` with the
# reason on the same comment) or in scripts/cppcheck-suppressions.txt, one reason per entry.
# clang-tidy: the checks and why are in .clang-tidy and docs/QUALITY.md; suppressions are
# inline `NOLINT(check)` comments with their reason.
#
# Output: the findings, and $BUILD_DIR/static/{cppcheck,clang-tidy}.txt. Exit 1 on any finding.
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

run_cppcheck() {
    local log=$OUT/cppcheck.txt
    echo "static: cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
    # warning,style,performance,portability: everything but `information` (include-path notes)
    # and unusedFunction (wrong for a library: callers live outside the tree).
    cppcheck --project="$OUT/compile_commands.json" \
        --enable=warning,style,performance,portability \
        --inline-suppr --suppressions-list="$ROOT/scripts/cppcheck-suppressions.txt" \
        --suppress=missingIncludeSystem \
        "${NOT_OURS[@]}" \
        --error-exitcode=1 --quiet -j"$JOBS" \
        --template='{file}:{line}:{column}: {severity}: {message} [{id}]' >"$log" 2>&1 || true
    sed -i "s|^$ROOT/||" "$log"
    if [ -s "$log" ]; then
        cat "$log"
        echo "static: cppcheck: $(grep -c '\[[A-Za-z0-9_]*\]$' "$log") findings ($log)"
        return 1
    fi
    echo "static: cppcheck: no findings"
}

run_clang_tidy() {
    local log=$OUT/clang-tidy.txt rc=0
    echo "static: $(clang-tidy --version | grep -o 'LLVM version [0-9.]*' | sed 's/LLVM/clang-tidy/')"
    # Each unit once; headers of this tree only. The checks come from $ROOT/.clang-tidy.
    python3 -c 'import json,sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' \
        "$OUT/compile_commands.json" |
        xargs -P"$JOBS" -n1 clang-tidy -p "$OUT" --quiet \
            --header-filter="^$ROOT/(include|$DIRS)/" >"$log" 2>&1 || rc=$?
    # clang-tidy prints a count of the (suppressed) warnings in third-party headers per file.
    sed -i -e "s|$ROOT/||g" -e '/^[0-9]* warnings\{0,1\} generated\.$/d' \
        -e '/^Suppressed [0-9]* warnings/d' -e '/^Use -header-filter=/d' "$log"
    if [ "$rc" -ne 0 ] || grep -q ': \(warning\|error\): ' "$log"; then
        cat "$log"
        echo "static: clang-tidy: $(grep -c ': \(warning\|error\): ' "$log") findings ($log)"
        return 1
    fi
    echo "static: clang-tidy: no findings"
}

if [ -z "$ONLY" ] || [ "$ONLY" = cppcheck ]; then
    run_cppcheck || status=1
fi
if [ -z "$ONLY" ] || [ "$ONLY" = clang-tidy ]; then
    run_clang_tidy || status=1
fi
exit $status
