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
# Long runs with a table for the docs: fuzz/campaign.sh (docs/FUZZING.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build/fuzz-clang}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
SECONDS_EACH=${2:-30}
shift 2 2>/dev/null || shift $#
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
FUZZ_ROOT=$ROOT
# shellcheck source=fuzz/corpus.sh
. "$ROOT/fuzz/corpus.sh"

fuzz_configure "$BUILD"
mapfile -t TARGETS < <(fuzz_targets "$BUILD")
[ ${#TARGETS[@]} -gt 0 ] || { echo "fuzz: no fuzz_* binaries in $BUILD/fuzz"; exit 1; }

status=0
for t in "${TARGETS[@]}"; do
    corpus=$BUILD/corpus/$t
    fuzz_seed "$t" "$corpus"
    log=$BUILD/fuzz_$t.log
    if (cd "$corpus" && "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$@" . >"$log" 2>&1); then
        echo "fuzz $t: ${SECONDS_EACH} s, $(fuzz_stat "$log" number_of_executed_units) execs," \
            "$(fuzz_last "$log" cov) edges, 0 crashes"
    else
        echo "fuzz $t: CRASH (log: $log; inputs: $corpus/crash-*)"
        tail -n 30 "$log"
        status=1
    fi
done
exit $status
