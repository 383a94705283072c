#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run each one for a
# fixed time from its seed corpus (fuzz/corpus.sh: fuzz/regressions/<target>/,
# fuzz/seeds/<target>/ and the imgtool vectors in shared/). Every fuzz_*
# binary the build makes runs: a new target in fuzz/CMakeLists.txt needs no
# change here. A crash fails the run; libFuzzer writes the input as crash-*
# in the corpus folder: copy it into fuzz/regressions/<target>/ (ctest then
# replays it, label fuzz) and add a named test for the bug.
#
# Usage: fuzz/run.sh [BUILD_DIR] [SECONDS_PER_TARGET] [extra libFuzzer flags...]
# Environment: IFU_FUZZ_JOBS, targets run at the same time (default: the number of cores).
# Long runs with a table for the docs: fuzz/campaign.sh (docs/FUZZING.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build/fuzz-clang}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
SECONDS_EACH=${2:-30}
shift 2 2>/dev/null || shift $#
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
JOBS=${IFU_FUZZ_JOBS:-$(nproc)}
FUZZ_ROOT=$ROOT
# shellcheck source=fuzz/corpus.sh
. "$ROOT/fuzz/corpus.sh"

fuzz_configure "$BUILD"
mapfile -t TARGETS < <(fuzz_targets "$BUILD")
[ ${#TARGETS[@]} -gt 0 ] || { echo "fuzz: no fuzz_* binaries in $BUILD/fuzz"; exit 1; }

# one_target T: seed T's corpus and run it; its log is $BUILD/fuzz_T.log.
one_target() {
    local t=$1 corpus=$BUILD/corpus/$1
    fuzz_seed "$t" "$corpus"
    (cd "$corpus" && "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "${EXTRA[@]}" . >"$BUILD/fuzz_$t.log" 2>&1)
}
EXTRA=("$@")

# JOBS targets at a time (each is one single-threaded libFuzzer process); the results are
# printed afterwards in target order, so the output does not depend on which finished first.
declare -A rc
running=0
for t in "${TARGETS[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    one_target "$t" &
    rc[$t]=$!
    running=$((running + 1))
done
status=0
for t in "${TARGETS[@]}"; do
    log=$BUILD/fuzz_$t.log
    if wait "${rc[$t]}"; then
        echo "fuzz $t: ${SECONDS_EACH} s, $(fuzz_stat "$log" number_of_executed_units) execs," \
            "$(fuzz_last "$log" cov) edges, 0 crashes"
    else
        echo "fuzz $t: CRASH (log: $log; inputs: $BUILD/corpus/$t/crash-*)"
        tail -n 30 "$log"
        status=1
    fi
done
exit $status
