#!/usr/bin/env bash
# The project's two entry points on a fresh Debian 12 machine:
#   scripts/run.sh demo   install what is missing, build, run the demo
#   scripts/run.sh test   install what is missing, build, run every test
# Options for test: --quick (skip the sanitizer build and fuzzing),
#                   --fuzz-seconds N (per fuzz target, default 20).
# Environment: IFU_BUILD_DIR (default build/), IFU_SHARED_DIR (default ../shared).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${IFU_BUILD_DIR:-$ROOT/build}
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
JOBS=$(nproc)

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

step() { printf '\n== %s\n' "$*"; }

build_main() {
    bash "$ROOT/scripts/setup.sh"
    step "build ($BUILD)"
    cmake -S "$ROOT" -B "$BUILD" -DIFU_SHARED_DIR="$SHARED" >/dev/null
    cmake --build "$BUILD" -j"$JOBS" >/dev/null
}

cmd_demo() {
    build_main
    step "demo"
    bash "$ROOT/scripts/demo.sh" "$BUILD/tools/ifu/ifu"
}

cmd_test() {
    local quick=0 fuzz_seconds=20
    while [ $# -gt 0 ]; do
        case $1 in
        --quick) quick=1 ;;
        --fuzz-seconds) fuzz_seconds=$2; shift ;;
        *) usage ;;
        esac
        shift
    done
    [ -d "$SHARED/vectors" ] || echo "note: $SHARED/vectors not found: vector tests will be skipped"
    build_main
    # Each stage runs even if an earlier one failed, so one run reports everything.
    local passed=0 failed=0
    stage() {
        if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    }
    step "tests (ctest)"
    stage ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS"
    if [ $quick -eq 0 ]; then
        step "tests again under ASan + UBSan (clang)"
        stage sanitized_tests
        step "fuzzing, $fuzz_seconds s per target"
        stage env IFU_SHARED_DIR="$SHARED" bash "$ROOT/fuzz/run.sh" "$BUILD-fuzz" "$fuzz_seconds"
    fi
    printf '\nstages: %d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
}

sanitized_tests() {
    cmake -S "$ROOT" -B "$BUILD-asan" -DCMAKE_C_COMPILER=clang -DIFU_SANITIZE=ON \
        -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$SHARED" >/dev/null &&
        cmake --build "$BUILD-asan" -j"$JOBS" >/dev/null &&
        ASAN_OPTIONS=detect_leaks=1 IFU_PL_SAMPLE=5 ctest --test-dir "$BUILD-asan" \
            --output-on-failure -j"$JOBS" -LE install
}

case ${1:-} in
demo) shift; cmd_demo "$@" ;;
test) shift; cmd_test "$@" ;;
*) usage ;;
esac
