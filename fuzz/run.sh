#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan) and run each one for a
# fixed time from a seed corpus: fuzz/regressions/<target>/ plus the imgtool
# vectors in shared/. A crash fails the run; libFuzzer writes the input as
# crash-* in the corpus folder: copy it into fuzz/regressions/<target>/ and
# add a named test for the bug.
#
# Usage: fuzz/run.sh [BUILD_DIR] [SECONDS_PER_TARGET] [extra libFuzzer flags...]
# Long campaign: fuzz/run.sh build/fuzz-clang 3600 -jobs=2 -workers=2
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build/fuzz-clang}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
SECONDS_EACH=${2:-30}
shift 2 2>/dev/null || shift $#
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
TARGETS=(image_parse verify boot update smp keystore counter)

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DIFU_FUZZ=ON -DIFU_SANITIZE=ON -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF \
    -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$SHARED" >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" >/dev/null

status=0
for t in "${TARGETS[@]}"; do
    corpus=$BUILD/corpus/$t
    mkdir -p "$corpus"
    cp -n "$ROOT"/fuzz/regressions/"$t"/* "$corpus"/ 2>/dev/null || true
    if [ -d "$SHARED/vectors/imgtool" ]; then
        for f in "$SHARED"/vectors/imgtool/good/*.bin "$SHARED"/vectors/imgtool/bad/*.bin; do
            [ "$(stat -c %s "$f")" -le 65536 ] && cp -n "$f" "$corpus/" || true
        done
    else
        echo "fuzz: $SHARED/vectors/imgtool not found: seeding from fuzz/regressions only"
    fi
    log=$BUILD/fuzz_$t.log
    if (cd "$corpus" && "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$@" . >"$log" 2>&1); then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
        echo "fuzz $t: ${SECONDS_EACH} s, $execs execs, $cov edges, 0 crashes"
    else
        echo "fuzz $t: CRASH (log: $log; inputs: $corpus/crash-*)"
        tail -n 30 "$log"
        status=1
    fi
done
exit $status
