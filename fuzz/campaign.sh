#!/usr/bin/env bash
# Fuzzing campaign: run every libFuzzer target for N executions (or until a
# time cap), then write a Markdown table of the results into docs/FUZZING.md
# between the "campaign:begin" and "campaign:end" markers. Not run in CI
# (CI runs fuzz/run.sh for a fixed short time).
#
# Usage: fuzz/campaign.sh [options]
#   -n N        executions per target (default 10000000)
#   -t SECONDS  time cap per target, 0 for none (default 0); a target that
#               reaches it stops early, and the table says so
#   -j JOBS     targets run at the same time (default 1)
#   -b DIR      build folder (default build/fuzz-campaign)
#   -T GLOB     only the targets whose name matches GLOB (e.g. 'cli_*')
#   -o FILE     Markdown file to update (default docs/FUZZING.md); "-" to
#               print the table only
#   -k          keep each target's corpus from an earlier campaign (default:
#               start from the seeds again, so the table is reproducible)
#   -h          this help
# Targets: every fuzz_* binary fuzz/CMakeLists.txt builds (fuzz/corpus.sh),
# seeded as fuzz/run.sh seeds them. Each runs as one libFuzzer process with
# -runs=N -max_total_time=SECONDS -timeout=$FUZZ_TIMEOUT (default 60: wall
# time, so a loaded machine does not turn a slow input into a "hang"); its
# log, corpus and any crash-*/timeout-* input are in DIR/campaign/<target>/. A crash stops that target (libFuzzer's rule),
# is counted in the table, and makes the script exit 1.
# Example (what docs/FUZZING.md reports): nice -n 10 fuzz/campaign.sh -t 200
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=10000000
CAP=0
JOBS=1
BUILD=$ROOT/build/fuzz-campaign
OUT=$ROOT/docs/FUZZING.md
KEEP=0
ONLY='*'
# libFuzzer's timeout per input, seconds of wall-clock time: generous, so that
# a loaded machine (a campaign is niced) does not report a slow input as a hang.
TIMEOUT=${FUZZ_TIMEOUT:-60}
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}
while getopts "n:t:j:b:o:T:kh" opt; do
    case $opt in
    n) RUNS=$OPTARG ;;
    t) CAP=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    b) BUILD=$OPTARG ;;
    o) OUT=$OPTARG ;;
    T) ONLY=$OPTARG ;;
    k) KEEP=1 ;;
    h) usage 0 ;;
    *) usage ;;
    esac
done
for v in "$RUNS" "$CAP" "$JOBS"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "campaign: '$v' is not a number"; usage; }
done
[ "$JOBS" -ge 1 ] || usage
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
SHARED=${IFU_SHARED_DIR:-$ROOT/../shared}
FUZZ_ROOT=$ROOT
# shellcheck source=fuzz/corpus.sh
. "$ROOT/fuzz/corpus.sh"

# The code under test is the tree as it is now (the build may take a while).
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- . ':!docs' 2>/dev/null || commit="$commit (with uncommitted changes)"
echo "campaign: building the fuzz targets in $BUILD"
fuzz_configure "$BUILD"
TARGETS=()
while read -r t; do
    # shellcheck disable=SC2053 # ONLY is a glob on purpose
    [[ $t == $ONLY ]] && TARGETS+=("$t")
done < <(fuzz_targets "$BUILD")
[ ${#TARGETS[@]} -gt 0 ] || { echo "campaign: no fuzz_* binaries matching '$ONLY' in $BUILD/fuzz"; exit 1; }
echo "campaign: ${#TARGETS[@]} targets (${TARGETS[*]}), $RUNS runs each," \
    "cap $CAP s, $JOBS at a time"

# One target: seed, run, leave DIR/campaign/<t>/{log,status,seconds}.
run_one() {
    local t=$1 dir=$BUILD/campaign/$1
    [ "$KEEP" -eq 1 ] || rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    fuzz_seed "$t" "$dir/corpus" >/dev/null
    local start=$SECONDS status=0
    "$BUILD/fuzz/fuzz_$t" -runs="$RUNS" -max_total_time="$CAP" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
        >"$dir/log" 2>&1 || status=$?
    echo "$status" >"$dir/status"
    echo $((SECONDS - start)) >"$dir/seconds"
    echo "campaign: $t done (exit $status, $((SECONDS - start)) s)"
}
export -f run_one fuzz_seed
export BUILD RUNS CAP KEEP SHARED FUZZ_ROOT TIMEOUT
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one "$@"' _ {}

# The table.
failed=0
table=$(
    echo "| target | execs | exec/s | seconds | edges (cov) | features (ft) | corpus | crashes |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}"; do
        dir=$BUILD/campaign/$t
        log=$dir/log
        execs=$(fuzz_stat "$log" number_of_executed_units)
        # "0", or the count and kinds of the inputs written (crash, timeout,
        # oom, leak), or the exit status if libFuzzer failed without one.
        crashes=$(find "$dir/artifacts" -type f | wc -l)
        if [ "$crashes" -gt 0 ]; then
            crashes="$crashes ($(find "$dir/artifacts" -type f -printf '%f\n' | sed 's/-.*//' |
                sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}'))"
        elif [ "$(cat "$dir/status")" != 0 ]; then
            crashes="exit $(cat "$dir/status")"
        fi
        note=""
        [ "$execs" != "?" ] && [ "$execs" -lt "$RUNS" ] && note=" (cap)"
        printf '| %s | %s%s | %s | %s | %s | %s | %s | %s |\n' "$t" "$execs" "$note" \
            "$(fuzz_stat "$log" average_exec_per_sec)" "$(cat "$dir/seconds")" \
            "$(fuzz_last "$log" cov)" "$(fuzz_last "$log" ft)" \
            "$(find "$dir/corpus" -type f | wc -l)" "$crashes"
    done
)
for t in "${TARGETS[@]}"; do
    dir=$BUILD/campaign/$t
    if [ "$(cat "$dir/status")" != 0 ] || [ -n "$(ls -A "$dir/artifacts")" ]; then
        echo "campaign: $t FAILED: log $dir/log, inputs $dir/artifacts/"
        failed=1
    fi
done

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown)
cc=$(clang --version | head -1)
header="Campaign of $(date -u +%Y-%m-%d) at commit $commit: $RUNS executions requested per target"
[ "$CAP" -gt 0 ] && header="$header, time cap $CAP s per target"
header="$header, $JOBS target(s) at a time, on $(nproc) cores of $cpu; $cc, ASan + UBSan;"
header="$header seeds as in fuzz/run.sh. \"(cap)\": stopped by the time cap before N executions."
echo
echo "$header"
echo
echo "$table"

if [ "$OUT" != "-" ]; then
    if ! grep -q '<!-- campaign:begin -->' "$OUT" 2>/dev/null; then
        printf '\n## Latest campaign\n\n<!-- campaign:begin -->\n<!-- campaign:end -->\n' >>"$OUT"
    fi
    block=$(printf '%s\n\n%s\n' "$header" "$table")
    BLOCK=$block awk '
        /<!-- campaign:begin -->/ { print; print ENVIRON["BLOCK"]; skip = 1; next }
        /<!-- campaign:end -->/ { skip = 0 }
        !skip { print }' "$OUT" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
    echo "campaign: table written to $OUT"
fi
exit $failed
