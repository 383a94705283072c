# Shared helpers for the CLI tests (sourced by test_cli_*.sh).
#
# Environment, set by tests/cli/CMakeLists.txt:
#   IFU          the ifu binary under test
#   IMGCHECK     tests/cli/imgcheck (independent checker, OpenSSL only)
#   IFU_VECTORS  the imgtool vector folder (shared/vectors/imgtool)
#
# Each test prints one line per case and ends with "N passed, N failed".
# Exit status: 0 all passed, 1 a case failed, 77 skipped (ctest SKIP_RETURN_CODE).

: "${IFU:?IFU must point at the ifu binary}"

PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ifu-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# IFU_VALGRIND=1 (scripts/run.sh's valgrind stage, docs/QUALITY.md): every run of the host tools
# goes through valgrind memcheck, logging to files so that stdout, stderr and the exit status the
# cases check stay the tool's own. Any memory error or leak, in any run, fails the test in finish.
VG_LOGS=
if [ "${IFU_VALGRIND:-0}" = 1 ]; then
    command -v valgrind >/dev/null || {
        echo "FAIL: IFU_VALGRIND=1 but valgrind is not installed"
        exit 1
    }
    VG_LOGS=$WORK/valgrind
    mkdir -p "$VG_LOGS" "$WORK/vg-bin"
    # vg_wrap NAME PROGRAM: print the path of a script that runs PROGRAM under memcheck.
    vg_wrap() {
        local w=$WORK/vg-bin/$1
        printf '#!/bin/sh
exec valgrind -q --tool=memcheck --error-exitcode=86 %s %s %s "%s" "$@"
' \
            '--leak-check=full --show-leak-kinds=definite,indirect' \
            '--errors-for-leak-kinds=definite,indirect' \
            "--log-file=$VG_LOGS/$1.%p.log" "$2" >"$w"
        chmod +x "$w"
        printf '%s\n' "$w"
    }
    IFU=$(vg_wrap ifu "$IFU")
    if [ -n "${IFU_SIM:-}" ]; then
        IFU_SIM=$(vg_wrap ifu-sim "$IFU_SIM")
    fi
fi

# Fail for every valgrind log that reports an error; print the first one in full.
vg_check() {
    [ -n "$VG_LOGS" ] || return 0
    local f bad=0 runs
    runs=$(find "$VG_LOGS" -name '*.log' | wc -l)
    for f in "$VG_LOGS"/*.log; do
        [ -s "$f" ] || continue
        if [ "$bad" -eq 0 ]; then
            sed 's/^/  /' "$f"
        fi
        bad=$((bad + 1))
    done
    if [ "$bad" -eq 0 ]; then
        pass "valgrind: $runs tool runs, no error"
    else
        fail "valgrind: $bad of $runs tool runs reported errors"
    fi
}

pass() {
    PASSED=$((PASSED + 1))
    printf 'PASS %s\n' "$*"
}

fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL %s\n' "$*"
}

# check NAME COMMAND...: pass if COMMAND exits 0, else fail (with its output).
check() {
    local name=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        pass "$name"
    else
        fail "$name: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
    fi
}

need_vectors() {
    if [ -z "${IFU_VECTORS:-}" ] || [ ! -f "$IFU_VECTORS/MANIFEST.tsv" ]; then
        printf 'SKIP: imgtool vectors not found (IFU_VECTORS=%s); %s\n' "${IFU_VECTORS:-}" \
            'set the CMake cache variable IFU_SHARED_DIR'
        exit 77
    fi
}

finish() {
    vg_check
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    [ "$FAILED" -eq 0 ]
}
