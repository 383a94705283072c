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
VG_REPORTED=0
trap 'vg_report_early; rm -rf "$WORK"' EXIT

# IFU_VALGRIND=N (docs/QUALITY.md): every N-th run of each host tool in this script (runs 1, N+1,
# 2N+1, ...; N=1: every run) goes through valgrind memcheck, logging to files so that stdout,
# stderr and the exit status the cases check stay the tool's own. Any memory error or leak, in
# any of those runs, fails the test in finish.
VG_LOGS=
case ${IFU_VALGRIND:-0} in
0) ;;
*[!0-9]*)
    echo "FAIL: IFU_VALGRIND must be a number (1: every tool run under valgrind)"
    exit 1
    ;;
*)
    command -v valgrind >/dev/null || {
        echo "FAIL: IFU_VALGRIND is set but valgrind is not installed"
        exit 1
    }
    VG_LOGS=$WORK/valgrind
    mkdir -p "$VG_LOGS" "$WORK/vg-bin"
    # vg_wrap NAME PROGRAM: print the path of a script that runs PROGRAM, under memcheck for
    # every IFU_VALGRIND-th call; it counts calls in NAME.runs and memcheck runs in NAME.checked.
    vg_wrap() {
        local w=$WORK/vg-bin/$1 c=$VG_LOGS/$1
        cat >"$w" <<WRAP
#!/bin/sh
n=\$((\$(cat '$c.runs' 2>/dev/null || echo 0) + 1))
echo \$n >'$c.runs'
if [ \$(((n - 1) % $IFU_VALGRIND)) -ne 0 ]; then
    exec '$2' "\$@"
fi
echo \$((\$(cat '$c.checked' 2>/dev/null || echo 0) + 1)) >'$c.checked'
exec valgrind -q --tool=memcheck --error-exitcode=86 --leak-check=full \\
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
    --log-file='$c.%p.log' '$2' "\$@"
WRAP
        chmod +x "$w"
        printf '%s\n' "$w"
    }
    IFU=$(vg_wrap ifu "$IFU")
    if [ -n "${IFU_SIM:-}" ]; then
        IFU_SIM=$(vg_wrap ifu-sim "$IFU_SIM")
    fi
    ;;
esac

# On an exit before finish (set -e, a tool run that valgrind failed with status 86), show the logs.
vg_report_early() {
    [ -n "$VG_LOGS" ] && [ "$VG_REPORTED" -eq 0 ] || return 0
    local f
    for f in "$VG_LOGS"/*.log; do
        [ -s "$f" ] && sed 's/^/  /' "$f"
    done
    return 0
}

# Fail for every valgrind log that reports an error; print the first one in full.
vg_check() {
    [ -n "$VG_LOGS" ] || return 0
    VG_REPORTED=1
    local f bad=0 runs=0 checked=0
    for f in "$VG_LOGS"/*.runs; do
        [ -f "$f" ] && runs=$((runs + $(cat "$f")))
    done
    for f in "$VG_LOGS"/*.checked; do
        [ -f "$f" ] && checked=$((checked + $(cat "$f")))
    done
    for f in "$VG_LOGS"/*.log; do
        [ -s "$f" ] || continue
        if [ "$bad" -eq 0 ]; then
            sed 's/^/  /' "$f"
        fi
        bad=$((bad + 1))
    done
    if [ "$bad" -eq 0 ]; then
        pass "valgrind: $checked of $runs tool runs checked, no error"
    else
        fail "valgrind: $bad of $checked tool runs checked reported errors"
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
