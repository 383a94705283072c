#!/bin/bash
# Build test_crypto_algs (tests/test_crypto_algs.c) in trees configured with one signature
# algorithm each (IFU_WITH_* options, docs/BENCHMARKS.md section 6.1) and run it there; with
# P-256 through p256-m (IFU_WITH_P256M) also the Wycheproof test. The tree with every algorithm
# is a Release (-O2) build that also compiles the host tools: gcc's -O2 flow analysis warns
# (-Werror) where the Debug builds of the other stages do not (tools/ifu-sim/cmd_boot.c once had
# a "may be used uninitialized" that only a Release build reported).
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
run() { # run NAME OPTIONS...: build and run test_crypto_algs (and, in all-p256m, where every
    # algorithm is on, test_crypto_wycheproof) in a tree of its own
    local name=$1
    shift
    local tree=$work/$name
    local targets=test_crypto_algs type=Debug tools=OFF
    if [ "$name" = all-p256m ]; then
        targets="test_crypto_algs test_crypto_wycheproof ifu_cli ifu_sim_cli" type=Release tools=ON
    fi
    echo "== $name ($type): $*"
    if ! cmake -S "$src" -B "$tree" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=$type \
        -DIFU_BUILD_TOOLS=$tools -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$shared" -DIFU_DEPS_DIR="$deps" "$@" \
        >"$tree.log" 2>&1 ||
        ! cmake --build "$tree" -j 2 -t $targets >>"$tree.log" 2>&1; then
        tail -n 30 "$tree.log"
        echo "FAIL: $name does not build"
        fails=$((fails + 1))
        return
    fi
    for t in $targets; do
        case $t in ifu_*) continue ;; esac # built to compile, run by the cli tests
        if ! "$tree/tests/$t"; then
            echo "FAIL: $name: $t"
            fails=$((fails + 1))
        fi
    done
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
# P-256 through p256-m: alone, and with everything else on (then Wycheproof runs in full).
# shellcheck disable=SC2086
run p256m $off -DIFU_WITH_ECDSA_P256=ON -DIFU_WITH_P256M=ON -DIFU_WITH_SHA512=OFF
run all-p256m -DIFU_WITH_P256M=ON
[ "$fails" -eq 0 ] && echo "PASS: 6 builds" && exit 0
exit 1
