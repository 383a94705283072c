#!/usr/bin/env bash
# TrustZone isolation on an emulated Cortex-M33 (QEMU mps2-an505), docs/PORTING.md
# "TrustZone on mps2-an505":
#
#   build the Secure image (examples/tz/secure.c: SAU, MPCs, one Non-secure callable gateway,
#   a key word in Secure RAM) and the Non-secure application (examples/tz/ns_app.c) with
#   arm-none-eabi-gcc, then run QEMU once per probe: probe 0 calls the gateway and checks its
#   answers; every other probe makes one forbidden access, which must fault in the Secure
#   handler with the expected fault status. One line per probe, e.g.
#     tz probe read-secret: faulted (SecureFault SFSR=0x00000008)
#   The last probe reads a peripheral left Secure (UART1) from the Non-secure side: QEMU returns
#   0 there without a fault (the known gap); it passes if the Secure value does not leak.
#
# Exit 0 only if the gateway worked and every forbidden access faulted as expected; 77 (skip)
# if qemu-system-arm or arm-none-eabi-gcc is missing.
#
# Usage: scripts/tz-demo.sh [--workdir DIR] [-v]
#   --workdir DIR  build and run files (default: build-tz/ in the repository)
#   -v             print each run's UART log
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/build-tz
VERBOSE=0
while [ $# -gt 0 ]; do
    case $1 in
    --workdir) WORK=$2; shift 2 ;;
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

# ---- build ---------------------------------------------------------------------------------

CM=$ROOT/port/cortex-m
CFLAGS=(-mcpu=cortex-m33 -mthumb -mfloat-abi=soft -Os -std=c99 -Wall -Wextra -Werror
    -ffunction-sections -fdata-sections -I"$CM" -I"$CM/an505" -I"$ROOT/examples/tz"
    -I"$ROOT/include")
# shellcheck disable=SC2054 # the commas belong to -Wl options
LDFLAGS=(--specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections -L"$CM")
NSC=0x1000F000 # IFU_AN505_NSC in port/cortex-m/an505/board.h
VERSION=(-DIFU_TZ_NS_VERSION_MAJOR=1 -DIFU_TZ_NS_VERSION_MINOR=2 -DIFU_TZ_NS_VERSION_PATCH=3)

arm-none-eabi-gcc "${CFLAGS[@]}" -mcmse "${VERSION[@]}" -o "$WORK/secure.elf" \
    "$ROOT/examples/tz/secure.c" "$CM/an505/tz.c" "$CM/uart.c" "$CM/semihost.c" \
    "${LDFLAGS[@]}" -T"$CM/an505/secure.ld" -Wl,--section-start=.gnu.sgstubs=$NSC \
    -Wl,--cmse-implib,--out-implib="$WORK/veneers.o"

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

size_of() { arm-none-eabi-size "$1" | awk 'NR == 2 { print $1 " B text, " $2 " B data, " $3 " B bss" }'; }
echo "tz-demo: secure.elf $(size_of "$WORK/secure.elf"); ns_app.elf $(size_of "$WORK/ns_app.elf")"
echo "tz-demo: key word at $SECRET (Secure RAM), gateway veneer at $VENEER, its body at $BODY"

# ---- runs ----------------------------------------------------------------------------------

# run N: QEMU with probe N; sets RC and OUT (the UART log).
run() {
    OUT=$WORK/probe$1.log
    RC=0
    timeout 20 qemu-system-arm -M mps2-an505 -display none -monitor none \
        -serial file:"$OUT" -semihosting-config enable=on,target=native \
        -kernel "$WORK/secure.elf" -device loader,file="$WORK/ns_app.elf" \
        -append "probe=$1" >"$WORK/qemu$1.out" 2>&1 || RC=$?
    if [ "$VERBOSE" = 1 ]; then
        tr -d '\r' <"$OUT" | sed 's/^/    | /'
    fi
}

FAILS=0
run 0
if [ "$RC" = 0 ] && grep -aq "tz-ns: gateway ok" "$OUT" &&
    grep -aq "ifu_tz_fwu_query(0): status 0, state 0, version 1.2.3, location 0x00200000" "$OUT"; then
    echo "tz probe gateway: ifu_tz_fwu_query answered (version 1.2.3, READY); refused (-135) a" \
        "Secure pointer, its Non-secure alias and an object straddling into Secure memory"
else
    echo "tz probe gateway: FAILED (exit $RC)"
    tr -d '\r' <"$OUT" | sed 's/^/    | /'
    FAILS=$((FAILS + 1))
fi

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
)
for p in "${PROBES[@]}"; do
    read -r num name want pattern <<<"$p"
    run "$num"
    line=$(grep -a "tz-s: .*Fault" "$OUT" | tr -d '\r' | head -n 1 || true)
    if [ "$RC" = "$want" ] && echo "$line" | grep -q "tz-s: $pattern"; then
        kind=${line#tz-s: }
        kind=${kind%%:*}
        case $kind in
        SecureFault) regs=$(echo "$line" | grep -o 'SFSR=0x[0-9a-f]*') ;;
        *) regs=$(echo "$line" | grep -o 'CFSR=0x[0-9a-f]* BFAR=0x[0-9a-f]*') ;;
        esac
        echo "tz probe $name: faulted ($kind $regs)"
    else
        echo "tz probe $name: FAILED (exit $RC, wanted $want): ${line:-$(tail -n 1 "$OUT" | tr -d '\r')}"
        FAILS=$((FAILS + 1))
    fi
done

# Probe 7: UART1, whose PPC port stays Secure, read at its Non-secure alias. Its BAUDDIV (16,
# set by the Secure image) must not reach the Non-secure side. The IoTKit raises a bus error
# when SECRESPCFG asks for one (the Secure image sets it); QEMU 10.0.2 returns 0 without a
# fault (docs/PORTING.md): both pass, a non-zero value fails.
run 7
if grep -aq "tz-s: Secure image at .* UART1 BAUDDIV 16" "$OUT" &&
    line=$(grep -a "tz-s: .*Fault" "$OUT" | tr -d '\r') && [ "$RC" = 105 ]; then
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
    echo "tz-demo: $FAILS probe(s) FAILED (logs in $WORK) in ${T}s"
    exit 1
fi
echo "tz-demo: the gateway worked, all ${#PROBES[@]} forbidden memory accesses faulted, the Secure" \
    "UART's contents did not leak (${T}s)"
