#!/bin/bash
# Build test_crypto_algs (tests/test_crypto_algs.c) in trees configured with one signature
# algorithm each (IFU_WITH_* options, docs/BENCHMARKS.md section 6.1) and run it there.
#
#   crypto_algs.sh SOURCE_DIR WORK_DIR SHARED_DIR C_COMPILER DEPS_DIR
set -u
src=$1 work=$2 shared=$3 cc=$4 deps=$5
if [ ! -d "$shared/vectors/imgtool" ]; then
    echo "SKIP: $shared/vectors/imgtool not found"
    exit 77
fi
mkdir -p "$work"
fails=0
run() { # run NAME OPTIONS...
    local name=$1
    shift
    local tree=$work/$name
    echo "== $name: $*"
    if ! cmake -S "$src" -B "$tree" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug \
        -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$shared" -DIFU_DEPS_DIR="$deps" "$@" \
        >"$tree.log" 2>&1 ||
        ! cmake --build "$tree" -j 2 -t test_crypto_algs >>"$tree.log" 2>&1; then
        tail -n 30 "$tree.log"
        echo "FAIL: $name does not build"
        fails=$((fails + 1))
        return
    fi
    if ! "$tree/tests/test_crypto_algs"; then
        echo "FAIL: $name"
        fails=$((fails + 1))
    fi
}
off="-DIFU_WITH_RSA=OFF -DIFU_WITH_ECDSA_P256=OFF -DIFU_WITH_ECDSA_P384=OFF -DIFU_WITH_ED25519=OFF"
# shellcheck disable=SC2086 # off is a list of options
run p256 $off -DIFU_WITH_ECDSA_P256=ON -DIFU_WITH_SHA512=OFF
# shellcheck disable=SC2086
run rsa $off -DIFU_WITH_RSA=ON -DIFU_WITH_SHA512=OFF
# shellcheck disable=SC2086
run ed25519 $off -DIFU_WITH_ED25519=ON -DIFU_WITH_SHA512=OFF
# shellcheck disable=SC2086
run p384-ed25519-small $off -DIFU_WITH_ECDSA_P384=ON -DIFU_WITH_ED25519=ON -DIFU_CRYPTO_SMALL=ON
[ "$fails" -eq 0 ] && echo "PASS: 4 single-algorithm builds" && exit 0
exit 1
