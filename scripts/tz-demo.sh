#!/usr/bin/env bash
# TrustZone isolation on an emulated Cortex-M33 (QEMU mps2-an505), docs/PORTING.md
# "TrustZone on mps2-an505":
#
#   cross-build libifu for the Cortex-M33 (CMake, cmake/arm-none-eabi.cmake; ECDSA P-256 via
#   p256-m), link it into the Secure image (examples/tz/secure.c: the boot engine over a NOR in
#   the file-backed PSRAM, Secure by the SAU, with the keystore page and the anti-rollback
#   counter ring in the same Secure flash; SAU, MPCs, the PSA FWU gateways, a key word in
#   Secure RAM),
#   build the Non-secure application (examples/tz/ns_app.c) with arm-none-eabi-gcc, sign it
#   with the host `ifu` as 1.2.3 with security counter 2 (the NOR's primary slot), as 1.3.0
#   with security counter 3 (the update, plus a copy with one payload byte flipped) and as 1.3.1
#   with security counter 1 (an old security epoch) and as 1.4.0 with security counter 4 (a
#   later update), provision the keystore page with `ifu provision`, then run QEMU once per
#   probe: probe 0 calls the query and counter gateways and checks their answers; probe 8
#   streams the tampered and the old-epoch update through the gateways (both refused), stages
#   the good one and rejects it (psa_fwu_reject), stages it again and reboots into it: the
#   swap engine starts it on trial (TRIAL, the stored counter unmoved) and the application
#   accepts it; probes 15, 16 and 17 run on the flash probe 8 left (each QEMU start a reset):
#   the accepted update still runs and only now the counter moved; 1.4.0 rejected in its trial
#   (REJECTED) is reverted at the reboot; 1.4.0 left unaccepted is reverted at the next
#   power-on; every other probe
#   makes one forbidden access (the Non-secure application; probe 14: the Secure image itself,
#   into the keystore page its Secure MPU locked after the boot), which must fault in the Secure
#   handler with the expected fault status, and the stores must not have reached the flash
#   file. One line per check, e.g.
#     tz probe read-secret: faulted (SecureFault SFSR=0x00000008)
#     tz fwu: write 3279 bytes through the gateway, finish ok (CANDIDATE)
#   The last probe reads a peripheral left Secure (UART1) from the Non-secure side: QEMU returns
#   0 there without a fault (the known gap); it passes if the Secure value does not leak.
#
# Exit 0 only if the gateways worked and every forbidden access faulted as expected; 77 (skip)
# if qemu-system-arm or arm-none-eabi-gcc is missing. Needs the mbedTLS sources (IFU_DEPS_DIR,
# scripts/setup.sh).
#
# Usage: scripts/tz-demo.sh [--ifu PATH] [--workdir DIR] [-v]
#   --ifu PATH     the host ifu tool (default: build one in WORKDIR/host)
#   --workdir DIR  build and run files (default: build-tz/ in the repository)
#   -v             print each run's UART log
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/build-tz
VERBOSE=0
IFU=
while [ $# -gt 0 ]; do
    case $1 in
    --workdir) WORK=$2; shift 2 ;;
    --ifu) IFU=$2; shift 2 ;;
    -v) VERBOSE=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tz-demo: unknown argument $1" >&2; exit 2 ;;
    esac
done

for tool in qemu-system-arm arm-none-eabi-gcc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tz-demo: SKIP: $tool not found (scripts/setup.sh installs it)"
        exit 77
    fi
done

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
T0=$(date +%s.%N)
quiet() { # quiet CMD...: run, output to build.log; on failure show its tail
    "$@" >>"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; exit 1; }
}
: >"$WORK/build.log"

# ---- build ---------------------------------------------------------------------------------

# The host `ifu` (signing, key export): --ifu, or built here.
if [ -z "$IFU" ]; then
    [ -f "$WORK/host/CMakeCache.txt" ] ||
        quiet cmake -S "$ROOT" -B "$WORK/host" -DCMAKE_BUILD_TYPE=Release -DIFU_BUILD_TESTS=OFF \
            -DIFU_BUILD_BENCH=OFF
    quiet cmake --build "$WORK/host" -j2 -t ifu_cli
    IFU=$WORK/host/tools/ifu/ifu
fi
[ -x "$IFU" ] || { echo "tz-demo: no ifu tool at $IFU" >&2; exit 1; }
KEY=$WORK/key.pem
[ -f "$KEY" ] || quiet "$IFU" keygen -k "$KEY" -t ecdsa-p256
OTHER_KEY=$WORK/other-key.pem # provisioned instead of KEY in one run: nothing may boot
[ -f "$OTHER_KEY" ] || quiet "$IFU" keygen -k "$OTHER_KEY" -t ecdsa-p256

# libifu (device library, the swap boot engine with the PSA FWU facade: trials) and its crypto,
# cross-built for the Cortex-M33 with cmake/arm-none-eabi.cmake: ECDSA P-256 through p256-m
# and SHA-256 only, every other algorithm compiled out; -mcmse as for all Secure code.
ALG=(-DIFU_WITH_RSA=0 -DIFU_WITH_ECDSA_P384=0 -DIFU_WITH_ED25519=0 -DIFU_WITH_SHA512=0
    -DIFU_WITH_P256M=1)
[ -f "$WORK/arm/CMakeCache.txt" ] ||
    quiet cmake -S "$ROOT" -B "$WORK/arm" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/arm-none-eabi.cmake" \
        -DCMAKE_BUILD_TYPE=MinSizeRel -DIFU_CM_CPU=cortex-m33 \
        -DCMAKE_C_FLAGS="-mcpu=cortex-m33 -mcmse" -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF \
        -DIFU_BUILD_BENCH=OFF -DIFU_WITH_RSA=OFF -DIFU_WITH_ECDSA_P384=OFF \
        -DIFU_WITH_ED25519=OFF -DIFU_WITH_SHA512=OFF -DIFU_WITH_P256M=ON \
        -DIFU_HOST_TOOL="$IFU" -DIFU_SIGNING_KEY="$KEY"
quiet cmake --build "$WORK/arm" -j2 -t ifu ifu_boot_swap ifu_mbedtls ifu_sodium
LIBS=("$WORK/arm/src/libifu_boot_swap.a" "$WORK/arm/src/libifu.a"
    "$WORK/arm/libifu_mbedtls.a" "$WORK/arm/libifu_sodium.a")

CM=$ROOT/port/cortex-m
CFLAGS=(-mcpu=cortex-m33 -mthumb -mfloat-abi=soft -Os -std=c99 -Wall -Wextra -Werror
    -ffunction-sections -fdata-sections -I"$CM" -I"$CM/an505" -I"$ROOT/examples/tz"
    -I"$ROOT/include" "${ALG[@]}")
# shellcheck disable=SC2054 # the commas belong to -Wl options
LDFLAGS=(--specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections -L"$CM")
NSC=$(awk '$2 == "IFU_AN505_NSC" { sub(/u$/, "", $3); print $3 }' "$CM/an505/board.h")
VERSION=(-DIFU_TZ_NS_VERSION_MAJOR=1 -DIFU_TZ_NS_VERSION_MINOR=2 -DIFU_TZ_NS_VERSION_PATCH=3
    -DIFU_TZ_UPDATE_VERSION_MAJOR=1 -DIFU_TZ_UPDATE_VERSION_MINOR=3 -DIFU_TZ_NS_SEC_CNT=2u
    -DIFU_TZ_UPDATE_SEC_CNT=3u -DIFU_TZ_NEXT_VERSION_MINOR=4 -DIFU_TZ_NEXT_SEC_CNT=4u)

arm-none-eabi-gcc "${CFLAGS[@]}" -mcmse -o "$WORK/secure.elf" \
    "$ROOT/examples/tz/secure.c" "$CM/an505/tz.c" "$CM/uart.c" "$CM/semihost.c" "$CM/nor.c" \
    "${LIBS[@]}" "${LDFLAGS[@]}" -T"$CM/an505/secure.ld" \
    -Wl,--section-start=.gnu.sgstubs="$NSC" -Wl,--cmse-implib,--out-implib="$WORK/veneers.o"

sym() {
    local a
    a=$(arm-none-eabi-nm "$WORK/secure.elf" | awk -v s="$1" '$3 == s { print $1 }')
    [ -n "$a" ] || { echo "tz-demo: no symbol $1 in secure.elf" >&2; exit 1; }
    echo "0x$a"
}
SECRET=$(sym ifu_tz_secret)
BODY=$(sym __acle_se_ifu_tz_fwu_query)
VENEER=$(sym ifu_tz_fwu_query)

arm-none-eabi-gcc "${CFLAGS[@]}" "${VERSION[@]}" -DIFU_TZ_SECRET="${SECRET}u" \
    -DIFU_TZ_GATEWAY_BODY="${BODY}u" -o "$WORK/ns_app.elf" "$ROOT/examples/tz/ns_app.c" \
    "$CM/uart.c" "$CM/semihost.c" "$WORK/veneers.o" "${LDFLAGS[@]}" -T"$CM/an505/ns.ld" \
    -Wl,-e,Reset_Handler
arm-none-eabi-objcopy -O binary "$WORK/ns_app.elf" "$WORK/ns_app.bin"

# Images, signed like the an386 demo's, each carrying its public key (the keystore holds only
# its SHA-256) and a security counter: the running one (1.2.3, the version ns_app.c checks;
# counter 2) seeds the primary slot of the Secure NOR; the update (1.3.0, counter 3), a copy of
# it with one payload byte flipped, and an old security epoch (1.3.1, a newer version, but
# counter 1) go, each behind its 32-bit length, where probe 8 reads them (IFU_TZ_UPDATE_GOOD /
# _TAMPERED / _OLD_EPOCH in tz_api.h).
board() { awk -v n="IFU_AN505_$1" '$2 == n { sub(/u$/, "", $3); print $3 }' "$CM/an505/board.h"; }
SLOT=$(($(board PRIMARY_SIZE)))
SIGN=("$IFU" sign -k "$KEY" --public-key-format full -H 0x200 --pad-header -S "$SLOT"
    --align "$(($(board FLASH_WRITE)))")
quiet "${SIGN[@]}" -v 1.2.3 -s 2 "$WORK/ns_app.bin" "$WORK/v1.bin"
quiet "${SIGN[@]}" -v 1.3.0 -s 3 "$WORK/ns_app.bin" "$WORK/v2.bin"
quiet "${SIGN[@]}" -v 1.3.1 -s 1 "$WORK/ns_app.bin" "$WORK/oldepoch.bin"
quiet "${SIGN[@]}" -v 1.4.0 -s 4 "$WORK/ns_app.bin" "$WORK/v3.bin"
cp "$WORK/v2.bin" "$WORK/v2-tampered.bin"
printf '\x5a' | dd of="$WORK/v2-tampered.bin" bs=1 seek=$((0x200 + 0x40)) conv=notrunc status=none
lenpref() { # lenpref IN OUT: IN behind its length, 32-bit little-endian
    local n
    n=$(stat -c %s "$1")
    printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) \
        $((n >> 16 & 255)) $((n >> 24 & 255)))" >"$2"
    cat "$1" >>"$2"
}
lenpref "$WORK/v2.bin" "$WORK/good.upd"
lenpref "$WORK/v2-tampered.bin" "$WORK/tampered.upd"
lenpref "$WORK/oldepoch.bin" "$WORK/oldepoch.upd"
lenpref "$WORK/v3.bin" "$WORK/next.upd"
# The keystore page, as a factory programs it: the signing key's anchor in slot 0 of
# IFU_AN505_KEY_SLOTS, write size 1 (the NOR's), erased 0xff, padded to its sector.
quiet "$IFU" provision -f flash -s "$(($(board KEY_SLOTS)))" -w "$(($(board FLASH_WRITE)))" \
    --size "$(($(board KEYSTORE_SIZE)))" -o "$WORK/keystore.bin" "$KEY"
# The Secure NOR lives in the PSRAM, backed by a 16 MiB host file (the size QEMU requires) that
# survives the reboot probe 8 asks for: erased (0xff), v1 at the primary slot's offset (no
# trailer: a factory image counts as confirmed), the keystore page at its offset. The counter
# ring stays erased: a blank ring reads 0, and the first boot raises it to v1's counter, 2.
# Every run starts from a fresh copy.
head -c 16777216 /dev/zero | tr '\0' '\377' >"$WORK/nor-seed.img"
dd if="$WORK/v1.bin" of="$WORK/nor-seed.img" bs=512 seek=$(($(board PRIMARY_OFF) / 512)) \
    conv=notrunc status=none
dd if="$WORK/keystore.bin" of="$WORK/nor-seed.img" bs=512 seek=$(($(board KEYSTORE_OFF) / 512)) \
    conv=notrunc status=none
# The same flash with another key's anchor in the keystore page instead.
quiet "$IFU" provision -f flash -s "$(($(board KEY_SLOTS)))" -w "$(($(board FLASH_WRITE)))" \
    --size "$(($(board KEYSTORE_SIZE)))" -o "$WORK/keystore-other.bin" "$OTHER_KEY"
cp "$WORK/nor-seed.img" "$WORK/nor-seed-other.img"
dd if="$WORK/keystore-other.bin" of="$WORK/nor-seed-other.img" bs=512 \
    seek=$(($(board KEYSTORE_OFF) / 512)) conv=notrunc status=none
api() { awk -v n="IFU_TZ_$1" '$2 == n { sub(/u$/, "", $3); print $3 }' "$ROOT/examples/tz/tz_api.h"; }
GOOD=$(api UPDATE_GOOD)
BAD=$(api UPDATE_TAMPERED)
OLD=$(api UPDATE_OLD_EPOCH)
NEXT=$(api UPDATE_NEXT)
REJECT_ERROR=$(awk '$2 == "IFU_TZ_REJECT_ERROR" { gsub(/[()]/, "", $3); print $3 }' \
    "$ROOT/examples/tz/tz_api.h")

size_of() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 " B text, " $2 " B data, " $3 " B bss" }'; }
echo "tz-demo: secure.elf $(size_of "$WORK/secure.elf"); ns_app.elf $(size_of "$WORK/ns_app.elf")"
echo "tz-demo: key word at $SECRET (Secure RAM), gateway veneer at $VENEER, its body at $BODY"

# ---- runs ----------------------------------------------------------------------------------

# run N [SEED]: QEMU with probe N on a fresh copy of SEED (default nor-seed.img), or with
# SEED "keep" on the flash file the last run left (a reset: power off, power on); sets RC and
# OUT (the UART log).
run() {
    OUT=$WORK/probe$1${2:+-$2}.log
    RC=0
    [ "${2:-}" = keep ] || cp "$WORK/${2:-nor-seed}.img" "$WORK/nor.img"
    timeout 20 qemu-system-arm -M mps2-an505 -display none -monitor none \
        -serial file:"$OUT" -semihosting-config enable=on,target=native \
        -kernel "$WORK/secure.elf" \
        -object "memory-backend-file,id=fl,size=16M,mem-path=$WORK/nor.img,share=on" \
        -machine memory-backend=fl \
        -device "loader,file=$WORK/good.upd,addr=$GOOD,force-raw=on" \
        -device "loader,file=$WORK/tampered.upd,addr=$BAD,force-raw=on" \
        -device "loader,file=$WORK/oldepoch.upd,addr=$OLD,force-raw=on" \
        -device "loader,file=$WORK/next.upd,addr=$NEXT,force-raw=on" \
        -append "probe=$1" >"$WORK/qemu$1${2:+-$2}.out" 2>&1 || RC=$?
    if [ "$VERBOSE" = 1 ]; then
        tr -d '\r' <"$OUT" | sed 's/^/    | /'
    fi
}

FAILS=0
DUMP=0
# expect NAME TEXT PATTERN...: one line for one check of the current run. "tz NAME: TEXT" if
# every PATTERN (grep basic regexp) is in its UART log, else "tz NAME: FAILED ..." (counted; the
# log is shown once after the run's checks).
expect() {
    local name=$1 text=$2 pat
    shift 2
    for pat in "$@"; do
        if ! grep -aq -- "$pat" "$OUT"; then
            echo "tz $name: FAILED (exit $RC; wanted: $text; not in the log: $pat)"
            FAILS=$((FAILS + 1))
            DUMP=1
            return 0
        fi
    done
    echo "tz $name: $text"
}
dump() {
    if [ "$DUMP" = 1 ]; then
        tr -d '\r' <"$OUT" | sed 's/^/    | /'
    fi
    DUMP=0
}

run 0
if [ "$RC" = 0 ] && grep -aq "tz-ns: gateway ok" "$OUT" &&
    grep -aq "tz-s: verified the Non-secure image 1.2.3 .*security counter 2, keystore slot 0" \
        "$OUT" &&
    grep -aq "ifu_tz_fwu_query(0): status 0, state 0, version 1.2.3, location 0x00000000" "$OUT"; then
    echo "tz probe gateway: ifu_tz_fwu_query answered from libifu (version 1.2.3, READY," \
        "$(grep -ao 'max_size [0-9]*' "$OUT" | head -n 1)); refused (-135) a Secure pointer, its" \
        "Non-secure alias and an object straddling into Secure memory"
else
    echo "tz probe gateway: FAILED (exit $RC)"
    DUMP=1
    FAILS=$((FAILS + 1))
fi
KS=$(printf '0x%08x' $(($(board FLASH_S) + $(board KEYSTORE_OFF))))
expect "keystore" "the Secure image trusts the provisioned anchor (keystore slot 0 of 4 in Secure flash) and no compiled-in key" \
    "tz-s: keystore in Secure flash at $KS: 1 valid key(s) in 4 slots; security counter 0" \
    "tz-s: verified the Non-secure image 1.2.3 .*keystore slot 0"
expect "counter gateway" "ifu_tz_security_counter: 2 (the first boot raised the blank ring to the confirmed 1.2.3's counter); refused (-135) a Secure pointer and its Non-secure alias" \
    "tz-s: security counter raised to 2 (the confirmed image's)" \
    "tz-ns: ifu_tz_security_counter: status 0, counter 2; Secure pointer: status -135; its Non-secure alias: status -135"
dump
# The same flash with another key's anchor provisioned: the Secure image trusts no key of its
# own, so the signed image must not verify and nothing Non-secure may start.
run 0 nor-seed-other
why=$(grep -ao "secure boot failed: .*" "$OUT" | tr -d '\r' | head -n 1 || true)
expect "keystore" "with another key's anchor provisioned instead, the Secure image refuses the image ($why, exit $RC) and starts nothing" \
    "tz-s: keystore in Secure flash at $KS: 1 valid key(s) in 4 slots" \
    "tz-s: secure boot failed: "
if [ "$RC" != 4 ] || grep -aq "tz-ns:" "$OUT"; then
    echo "tz keystore: FAILED (exit $RC, wanted 4 with no Non-secure line)"
    FAILS=$((FAILS + 1))
    DUMP=1
fi
dump

# Probe 8: updates through the gateways (the PSA FWU facade in the Secure image), one run with
# a reboot.
run 8
bytes=$(grep -ao "tz-ns: fwu good: [0-9]* bytes written, status 0, state 2" "$OUT" | awk '{ print $4 }')
RUNNING="clean: status 0, state 0; running 1.2.3"
expect "fwu" "tampered image refused (PSA_ERROR_INVALID_SIGNATURE), component FAILED, clean made it READY, 1.2.3 kept running" \
    "tz-ns: fwu tampered: .* status -149, state 4; $RUNNING"
expect "fwu" "old security epoch (1.3.1, security counter 1 < stored 2) refused through the gateway: PSA_ERROR_NOT_PERMITTED (-133), FAILED; clean made it READY, 1.2.3 kept running, stored counter still 2" \
    "tz-ns: stored security counter 2" \
    "tz-ns: fwu old epoch: [0-9]* bytes written, status -133, state 4; $RUNNING"
expect "fwu" "blocks in Secure memory and its Non-secure alias refused (PSA_ERROR_INVALID_ARGUMENT)" \
    "tz-ns: fwu write from Secure memory: status -135, -135 (cancel 0, clean 0)"
expect "fwu" "write ${bytes:-?} bytes through the gateway, finish ok (CANDIDATE), install PSA_SUCCESS_REBOOT (STAGED)" \
    "tz-ns: fwu good: [0-9]* bytes written, status 0, state 2; install: status 1, state 3"
expect "fwu reject" "psa_fwu_reject through the gateway: in READY PSA_ERROR_BAD_STATE (-137); in STAGED PSA_SUCCESS, FAILED with the caller's error $REJECT_ERROR, the install request voided; clean made it READY" \
    "tz-ns: fwu reject: in READY status -137; in STAGED status 0, state 4, error $REJECT_ERROR; clean: status 0, state 0"
expect "fwu trial" "staged again, request_reboot: the Secure swap engine verified 1.3.0 (security counter 3), swapped it in and started it on trial: psa_fwu_query state TRIAL, stored security counter still 2" \
    "tz-ns: fwu good again: [0-9]* bytes written, status 0, state 2; install: status 1, state 3" \
    "tz-s: verified the Non-secure image 1.3.0 .*security counter 3, keystore slot 0.*installed from the secondary slot, on trial" \
    "tz-ns: fwu after the reboot: version 1.3.0, state 5, stored security counter 2"
expect "fwu accept" "psa_fwu_accept through the gateway: PSA_SUCCESS, TRIAL -> UPDATED; stored security counter still 2 (raised only at the next boot)" \
    "tz-ns: fwu accept: status 0, state 7, stored security counter 2" "tz-ns: fwu ok"
if [ "$RC" != 0 ]; then
    echo "tz fwu: FAILED (exit $RC)"
    FAILS=$((FAILS + 1))
    DUMP=1
fi
dump
# rc_ok: the current run must have ended with exit 0.
rc_ok() {
    if [ "$RC" != 0 ]; then
        echo "tz $1: FAILED (exit $RC)"
        FAILS=$((FAILS + 1))
        DUMP=1
    fi
}
# Probe 15 on the flash probe 8 left (this QEMU start is the reset after the accept), then
# 16 and 17 on what 15 and 16 left: a later update (1.4.0, security counter 4) rejected in its
# trial, then one whose trial is never accepted.
run 15 keep
expect "fwu accept" "after the reset the confirmed 1.3.0 still runs (UPDATED, nothing reverted), and only now the stored security counter moved: 2 -> 3 (Secure log: raised to 3)" \
    "tz-s: security counter raised to 3 (the confirmed image's)" \
    "tz-ns: fwu after the reset: running 1.3.0, state 7, error 0, stored security counter 3"
expect "fwu reject" "1.4.0 (security counter 4) staged, rebooted into its trial (TRIAL, stored counter still 3); psa_fwu_reject through the gateway: PSA_SUCCESS_REBOOT, REJECTED, error $REJECT_ERROR" \
    "tz-ns: fwu next: [0-9]* bytes written, status 0, state 2; install: status 1, state 3" \
    "tz-s: verified the Non-secure image 1.4.0 .*security counter 4, .*installed from the secondary slot, on trial" \
    "tz-ns: fwu trial: running 1.4.0, state 5, error 0, stored security counter 3" \
    "tz-ns: fwu reject in TRIAL: status 1, state 6, error $REJECT_ERROR"
expect "fwu reject" "request_reboot: the Secure image reverted to 1.3.0; the app sees the update rolled back (FAILED, PSA_ERROR_BAD_STATE -137), stored counter still 3" \
    "tz-s: verified the Non-secure image 1.3.0 .*security counter 3, .*reverted to it (the trial ended unconfirmed)" \
    "tz-ns: fwu after the reset: running 1.3.0, state 4, error -137, stored security counter 3" \
    "tz-ns: fwu ok"
rc_ok "fwu reject"
dump
run 16 keep
expect "fwu no accept" "1.4.0 staged again, rebooted into its trial (TRIAL, stored counter 3), never accepted: power off" \
    "tz-ns: fwu before: running 1.3.0, state 4, error -137, stored security counter 3" \
    "tz-ns: fwu next: [0-9]* bytes written, status 0, state 2; install: status 1, state 3" \
    "tz-s: verified the Non-secure image 1.4.0 .*on trial" \
    "tz-ns: fwu trial, left unconfirmed: running 1.4.0, state 5, error 0, stored security counter 3" \
    "tz-ns: fwu ok"
rc_ok "fwu no accept"
dump
run 17 keep
expect "fwu no accept" "at the next power-on the Secure image reverted to 1.3.0 (FAILED, PSA_ERROR_BAD_STATE -137), stored counter still 3" \
    "tz-s: verified the Non-secure image 1.3.0 .*security counter 3, .*reverted to it (the trial ended unconfirmed)" \
    "tz-ns: fwu report: running 1.3.0, state 4, error -137, stored security counter 3"
rc_ok "fwu no accept"
dump

ALIAS=$(printf '0x%08x' $((SECRET & ~0x10000000)))
# number name exit-status fault-line-pattern (the exception and the registers that name it):
# SecureFault SFSR 0x08 = AUVIOL, 0x01 = INVEP; BusFault CFSR 0x8200 = PRECISERR + BFARVALID
# (BFAR the address), 0x0100 = IBUSERR (instruction fetch).
PROBES=(
    "1 read-secret 107 SecureFault: SFSR=0x00000008"
    "2 read-secret-ns-alias 105 BusFault: SFSR=0x00000000 SFAR=0x00000000 CFSR=0x00008200 BFAR=$ALIAS"
    "3 write-code 107 SecureFault: SFSR=0x00000008"
    "4 write-code-ns-alias 105 BusFault: SFSR=0x00000000 SFAR=0x00000000 CFSR=0x00008200 BFAR=0x00000100"
    "5 call-nonsg 107 SecureFault: SFSR=0x00000001"
    "6 call-ns-alias 105 BusFault: SFSR=0x00000000 SFAR=0x00000000 CFSR=0x00000100"
    "9 read-flash 107 SecureFault: SFSR=0x00000008"
    "10 read-keystore 107 SecureFault: SFSR=0x00000008"
    "11 write-keystore 107 SecureFault: SFSR=0x00000008"
    "12 read-counter 107 SecureFault: SFSR=0x00000008"
    "13 write-counter 107 SecureFault: SFSR=0x00000008"
    "14 secure-write-keystore 104 MemManage: SFSR=0x00000000 SFAR=0x00000000 CFSR=0x00000082"
)
# kept NAME: for the probes that store into the Secure NOR, what the flash file holds after the
# run (it persists, as a flash would): the keystore page still byte for byte what
# `ifu provision` wrote, the counter ring's second sector still erased. Prints the words to add,
# or "CHANGED" (and then the probe fails).
kept() {
    case $1 in
    write-keystore | secure-write-keystore)
        if cmp -s -n "$(($(board KEYSTORE_SIZE)))" -i "$(($(board KEYSTORE_OFF))):0" \
            "$WORK/nor.img" "$WORK/keystore.bin"; then
            echo ", keystore page unchanged"
        else
            echo ", keystore page CHANGED"
        fi
        ;;
    write-counter)
        if [ "$(od -An -tx1 -j $(($(board COUNTER_OFF) + 0x1000)) -N 4 "$WORK/nor.img" | tr -d ' ')" \
            = ffffffff ]; then
            echo ", counter ring unchanged"
        else
            echo ", counter ring CHANGED"
        fi
        ;;
    esac
}
for p in "${PROBES[@]}"; do
    read -r num name want pattern <<<"$p"
    run "$num"
    line=$(grep -a "tz-s: [A-Za-z]*: SFSR=" "$OUT" | tr -d '\r' | head -n 1 || true)
    after=$(kept "$name")
    if [ "$RC" = "$want" ] && echo "$line" | grep -q "tz-s: $pattern" &&
        [ "${after#*CHANGED}" = "$after" ]; then
        kind=${line#tz-s: }
        kind=${kind%%:*}
        case $kind in
        SecureFault) regs=$(echo "$line" | grep -o 'SFSR=0x[0-9a-f]*') ;;
        MemManage) regs="$(echo "$line" | grep -o 'CFSR=0x[0-9a-f]*') $(echo "$line" |
            grep -o 'MMFAR=0x[0-9a-f]*')" ;;
        *) regs=$(echo "$line" | grep -o 'CFSR=0x[0-9a-f]* BFAR=0x[0-9a-f]*') ;;
        esac
        echo "tz probe $name: faulted ($kind $regs)$after"
    else
        echo "tz probe $name: FAILED (exit $RC, wanted $want$after): ${line:-$(tail -n 1 "$OUT" | tr -d '\r')}"
        FAILS=$((FAILS + 1))
    fi
done

# Probe 7: UART1, whose PPC port stays Secure, read at its Non-secure alias. Its BAUDDIV (16,
# set by the Secure image) must not reach the Non-secure side. The IoTKit raises a bus error
# when SECRESPCFG asks for one (the Secure image sets it); QEMU 10.0.2 returns 0 without a
# fault (docs/PORTING.md): both pass, a non-zero value fails.
run 7
if grep -aq "tz-s: Secure image at .* UART1 BAUDDIV 16" "$OUT" &&
    line=$(grep -a "tz-s: [A-Za-z]*: SFSR=" "$OUT" | tr -d '\r') && [ "$RC" = 105 ]; then
    echo "tz probe read-secure-periph: faulted (BusFault $(echo "$line" | grep -o 'CFSR=0x[0-9a-f]*'))"
elif grep -aq "tz-s: Secure image at .* UART1 BAUDDIV 16" "$OUT" && [ "$RC" = 1 ] &&
    grep -aq "tz-ns: probe 7 NOT faulted (read 0x00000000)" "$OUT"; then
    echo "tz probe read-secure-periph: not faulted, read 0 instead of 16 (QEMU's PPC: RAZ/WI, no fault)"
else
    echo "tz probe read-secure-periph: FAILED (exit $RC): $(tail -n 1 "$OUT" | tr -d '\r')"
    FAILS=$((FAILS + 1))
fi

T=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ "$FAILS" -ne 0 ]; then
    echo "tz-demo: $FAILS check(s) FAILED (logs in $WORK) in ${T}s"
    exit 1
fi
echo "tz-demo: the gateways worked (query, counter, updates streamed through them, reject), the" \
    "keystore and counter held, all ${#PROBES[@]} forbidden memory accesses faulted, the Secure" \
    "UART's contents did not leak (${T}s)"
