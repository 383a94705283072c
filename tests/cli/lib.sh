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
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    [ "$FAILED" -eq 0 ]
}
