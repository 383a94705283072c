#!/usr/bin/env bash
# The project's two entry points on a fresh Debian 12 machine:
#   scripts/run.sh demo   install what is missing, build, run the demo
#   scripts/run.sh test   install what is missing, build, run every test
# Options for test: --quick (ctest only: no coverage, static analysis, valgrind, sanitizers,
#                   fuzzing), --fuzz-seconds N (per fuzz target, default 10),
#                   --valgrind-every N (memcheck every N-th host tool run, default 6; 1: all).
# The stages and how to run each alone: docs/QUALITY.md.
# Environment: IFU_BUILD_DIR (default build/), IFU_SHARED_DIR (default ../shared).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${IFU_BUILD_DIR:-$ROOT/build}
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
JOBS=$(nproc)

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

step() { printf '\n== %s\n' "$*"; }

# build_main [cmake options...]
build_main() {
    bash "$ROOT/scripts/setup.sh"
    step "build ($BUILD)"
    cmake -S "$ROOT" -B "$BUILD" -DIFU_SHARED_DIR="$SHARED" "$@" >/dev/null
    cmake --build "$BUILD" -j"$JOBS" >/dev/null
}

# The host demo (signing, verifying, a simulated device), then the same update on an emulated
# Cortex-M4 in QEMU: bootloader, application, SMP over the UART (docs/QEMU.md).
cmd_demo() {
    build_main -DIFU_COVERAGE=OFF
    step "demo, part 1: the ifu tool and a simulated device"
    bash "$ROOT/scripts/demo.sh" "$BUILD/tools/ifu/ifu"
    step "demo, part 2: the bootloader and an application on an emulated Cortex-M4 (QEMU)"
    bash "$ROOT/scripts/qemu-demo.sh" --ifu "$BUILD/tools/ifu/ifu" --workdir "$BUILD/qemu-demo"
}

cmd_test() {
    local quick=0 fuzz_seconds=10 vg_every=6
    while [ $# -gt 0 ]; do
        case $1 in
        --quick) quick=1 ;;
        --fuzz-seconds) fuzz_seconds=$2; shift ;;
        --valgrind-every) vg_every=$2; shift ;;
        *) usage ;;
        esac
        shift
    done
    [ -d "$SHARED/vectors" ] || echo "note: $SHARED/vectors not found: vector tests will be skipped"
    # The full run's gcc build is also the coverage build: the device library is compiled with
    # --coverage -O0 (everything else as usual), so the one ctest run yields the figures.
    if [ $quick -eq 0 ]; then
        build_main -DIFU_COVERAGE=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
        find "$BUILD" -name '*.gcda' -delete # counts of this run only
    else
        build_main -DIFU_COVERAGE=OFF
    fi
    # Each stage runs even if an earlier one failed, so one run reports everything.
    local passed=0 failed=0 names=()
    stage() {
        local name=$1 t0=$SECONDS
        shift
        if "$@"; then
            passed=$((passed + 1))
            names+=("$name: passed ($((SECONDS - t0)) s)")
        else
            failed=$((failed + 1))
            names+=("$name: FAILED ($((SECONDS - t0)) s)")
        fi
    }
    step "tests (ctest)"
    stage ctest ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS"
    if [ $quick -eq 0 ]; then
        step "coverage of src/ (gcovr)"
        stage coverage bash "$ROOT/scripts/coverage.sh" "$BUILD"
        step "static analysis (cppcheck, clang-tidy)"
        stage static bash "$ROOT/scripts/static.sh" "$BUILD"
        step "host tools under valgrind memcheck, one tool run in $vg_every (ctest -L cli)"
        stage valgrind env IFU_VALGRIND="$vg_every" ctest --test-dir "$BUILD" --output-on-failure \
            -j"$JOBS" -L cli
        step "tests again under ASan + UBSan (clang)"
        stage asan-ubsan sanitized_tests
        step "fuzzing, $fuzz_seconds s per target"
        stage fuzz env IFU_SHARED_DIR="$SHARED" bash "$ROOT/fuzz/run.sh" "$BUILD-fuzz" \
            "$fuzz_seconds"
    fi
    printf '\n'
    printf '  %s\n' "${names[@]}"
    printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
}

# Not repeated under the sanitizers: the install check, the QEMU demo and plugins (guest code and
# QEMU are not instrumented; the host ifu they drive already ran in the gcc stage), and the
# single-algorithm builds (six more trees, a build-configuration check).
ASAN_SKIP='install|qemu|algs'

sanitized_tests() {
    cmake -S "$ROOT" -B "$BUILD-asan" -DCMAKE_C_COMPILER=clang -DIFU_SANITIZE=ON \
        -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$SHARED" >/dev/null &&
        cmake --build "$BUILD-asan" -j"$JOBS" >/dev/null &&
        ASAN_OPTIONS=detect_leaks=1 IFU_PL_SAMPLE=5 ctest --test-dir "$BUILD-asan" \
            --output-on-failure -j"$JOBS" -LE "$ASAN_SKIP"
}

case ${1:-} in
demo) shift; cmd_demo "$@" ;;
test) shift; cmd_test "$@" ;;
*) usage ;;
esac
