#!/usr/bin/env bash
# The end-to-end demo on an emulated Cortex-M4 (QEMU mps2-an386), docs/QEMU.md:
#
#   build the host `ifu` tool and the cross build (bootloader + application v1/v2/v3), make a
#   signing key, sign the images with security counters 1, 2, 3 (and a tampered one, a
#   downgraded one, and one of an old security epoch), provision the keystore with
#   `ifu provision`, seed a 16 MiB flash file (keystore + v1), boot v1, then drive the device with
#   `ifu smp` over the emulated UART (a pseudo-terminal):
#     v2 uploaded, tested, reset: the bootloader verifies and swaps, v2 confirms itself, a
#     second reset still runs v2 and raises the security counter to 2;
#     v3 uploaded, tested, reset: it never confirms, the next reset reverts to v2, and v2
#     reports "version 3.0.0 reverted"; the counter stays 2;
#     a tampered and a downgraded image are refused over the same path; an image of a lower
#     security counter is refused by the application's update API and, written straight into
#     the staging slot, by the bootloader; v2 keeps running.
#   With --powerloss N: N more cycles in which QEMU is killed (SIGKILL: a power cut, the flash
#   file keeps exactly what was stored) at a seeded random instant during the download or the
#   swap, restarted, and checked to come back running the old or the new image and finish.
#   With --plugin-cuts N|all: exact, repeatable cuts instead of the demo's later steps: the
#   flashcut TCG plugin (tools/qemu-plugins/) counts the flash stores of the boot that swaps v2
#   in, starts it on trial and lets it confirm itself, then QEMU is killed right after the K-th
#   store for N values of K spread evenly (seeded) over all of them, or for every K; each cut is
#   restarted and checked like a --powerloss cut. --plugin-download-cuts does the same over the
#   stores v1 makes while it receives v2 and its test request.
#
# Exit 0 only if every step held; 77 (skip) if qemu-system-arm or arm-none-eabi-gcc is missing.
#
# Usage: scripts/qemu-demo.sh [--ifu PATH] [--workdir DIR] [--powerloss N] [--seed S] [-v]
#        [--plugin-cuts N|all [--plugin-download-cuts N|all] [--flashcut PATH]]
#   --ifu PATH     use this host `ifu` instead of building one in WORKDIR/host
#   --workdir DIR  build trees and run files (default: build-qemu/ in the repository)
#   --powerloss N  also run N power cuts (0: none, the default)
#   --seed S       seed of the cut instants, and of the exact cuts' stores (default 1)
#   --plugin-cuts N|all  run steps [1] and [2] only, then N exact cuts (or one at every store)
#   --plugin-download-cuts N|all  with --plugin-cuts: also N exact cuts while v2 is uploaded
#   --flashcut PATH      the flashcut plugin (default: built in WORKDIR/host)
#   -v             print the device's UART log at the end
# Environment: IFU_DEPS_DIR as for the main build (scripts/setup.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/build-qemu
IFU=
CUTS=0
SEED=1
PCUTS=
PDLCUTS=
FLASHCUT=
VERBOSE=0
while [ $# -gt 0 ]; do
    case $1 in
    --ifu) IFU=$2; shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    --powerloss) CUTS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --plugin-cuts) PCUTS=$2; shift 2 ;;
    --plugin-download-cuts) PDLCUTS=$2; shift 2 ;;
    --flashcut) FLASHCUT=$2; shift 2 ;;
    -v) VERBOSE=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "qemu-demo: unknown argument $1" >&2; exit 2 ;;
    esac
done

for n in "$PCUTS" "$PDLCUTS"; do
    case $n in
    '' | all | [1-9] | [1-9]*[0-9]) ;;
    *) echo "qemu-demo: --plugin-cuts and --plugin-download-cuts want a number >= 1 or all" >&2; exit 2 ;;
    esac
done
[ -z "$PDLCUTS" ] || [ -n "$PCUTS" ] || { echo "qemu-demo: --plugin-download-cuts needs --plugin-cuts" >&2; exit 2; }

for tool in qemu-system-arm arm-none-eabi-gcc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "qemu-demo: SKIP: $tool not found (scripts/setup.sh installs it)"
        exit 77
    fi
done

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RUN=$WORK/run
LOG=$RUN/uart0.log
T0=$(date +%s.%N)

elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", b - a }'; }
say() { printf '[%s] %s\n' "$(elapsed)" "$*"; }
FAILS=0
ok() { printf '[%s]   ok: %s\n' "$(elapsed)" "$*"; }
bad() {
    printf '[%s]   FAIL: %s\n' "$(elapsed)" "$*"
    FAILS=$((FAILS + 1))
}
die() {
    printf 'qemu-demo: error: %s\n' "$*" >&2
    exit 1
}
quiet() {
    local out=$1
    shift
    "$@" >"$out" 2>&1 || { cat "$out" >&2; die "failed: $*"; }
}

# ---- build ---------------------------------------------------------------------------------

if [ -z "$IFU" ]; then
    say "building the host ifu tool ($WORK/host)"
    [ -f "$WORK/host/CMakeCache.txt" ] ||
        quiet "$WORK/host.log" cmake -S "$ROOT" -B "$WORK/host" -DCMAKE_BUILD_TYPE=Release \
            -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=OFF
    quiet "$WORK/host.log" cmake --build "$WORK/host" -j2 -t ifu_cli
    IFU=$WORK/host/tools/ifu/ifu
fi
[ -x "$IFU" ] || die "no ifu tool at $IFU"
if [ -n "$PCUTS" ] && [ -z "$FLASHCUT" ]; then
    say "building the flashcut QEMU plugin ($WORK/host)"
    [ -f "$WORK/host/CMakeCache.txt" ] ||
        quiet "$WORK/host.log" cmake -S "$ROOT" -B "$WORK/host" -DCMAKE_BUILD_TYPE=Release \
            -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=OFF
    quiet "$WORK/host.log" cmake --build "$WORK/host" -j2 -t ifu_qemu_flashcut
    FLASHCUT=$WORK/host/tools/qemu-plugins/flashcut.so
fi
[ -z "$PCUTS" ] || [ -f "$FLASHCUT" ] || die "no flashcut plugin at $FLASHCUT"

KEY=$WORK/key.pem
if [ ! -f "$KEY" ]; then
    say "generating the signing key (ECDSA P-256): $KEY"
    quiet "$WORK/key.log" "$IFU" keygen -k "$KEY" -t ecdsa-p256
fi

say "cross build: bootloader and qemu_app v1, v2, v3 ($WORK/arm)"
[ -f "$WORK/arm/CMakeCache.txt" ] ||
    quiet "$WORK/arm.log" cmake -S "$ROOT" -B "$WORK/arm" \
        -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/arm-none-eabi.cmake" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=OFF \
        -DIFU_HOST_TOOL="$IFU" -DIFU_SIGNING_KEY="$KEY"
quiet "$WORK/arm.log" cmake -DIFU_HOST_TOOL="$IFU" "$WORK/arm"
quiet "$WORK/arm.log" cmake --build "$WORK/arm" -j2 -t ifu_boot qemu_app_v1 qemu_app_v2 qemu_app_v3 \
    qemu_mpu_probe
BOOT=$WORK/arm/boot/ifu_boot.elf
APPS=$WORK/arm/examples/qemu_app
# Flash offsets from the board header, the one source of the memory map.
board() {
    local v
    v=$(sed -n "s/^#define AN386_$1 *\([0-9][0-9A-Fa-fx]*\)u.*/\1/p" "$ROOT/port/cortex-m/an386/board.h")
    [ -n "$v" ] || die "AN386_$1 not in port/cortex-m/an386/board.h"
    echo $((v))
}
KEYSTORE_OFF=$(board KEYSTORE_OFF)
KEYSTORE_SIZE=$(board KEYSTORE_SIZE)
KEY_SLOTS=$(board KEY_SLOTS)
PRIMARY_SIZE=$(board PRIMARY_SIZE)
SECONDARY_OFF=$(board SECONDARY_OFF)
SECONDARY_SIZE=$(board SECONDARY_SIZE)
say "bootloader: $(arm-none-eabi-size "$BOOT" | awk 'NR == 2 { print $1 " B text, " $2 " B data, " $3 " B bss" }')"

# ---- images --------------------------------------------------------------------------------

rm -rf "$RUN"
mkdir -p "$RUN"
cp "$APPS/qemu_app_v1.signed.bin" "$RUN/v1.bin"
cp "$APPS/qemu_app_v2.signed.bin" "$RUN/v2.bin"
cp "$APPS/qemu_app_v3.signed.bin" "$RUN/v3.bin"
# Every image carries its public key (the keystore holds only its SHA-256) and a security
# counter. Downgrade: v1's code signed as 1.5.0 (older than v2), security counter 1.
# Old epoch: a newer version, 2.1.0, but security counter 1, below the device's 2 once v2 is
# confirmed: what a release built from a branch without a security fix would carry. Its code is
# the small MPU probe's (it never runs), so that its full upload costs a second, not ten.
# Tampered: v3 with one payload byte flipped after signing.
SIGN=("$IFU" sign -k "$KEY" --public-key-format full -H 0x200 --pad-header -S 0x40000 --align 1)
quiet "$RUN/sign.log" "${SIGN[@]}" -v 1.5.0 -s 1 "$APPS/qemu_app_v1.elf.bin" "$RUN/downgrade.bin"
quiet "$RUN/sign.log" "${SIGN[@]}" -v 2.1.0 -s 1 "$APPS/qemu_mpu_probe.elf.bin" "$RUN/oldepoch.bin"
# The same, padded to the staging slot's image area with a test request in its trailer (the
# magic at the slot's end): what an attacker with write access to the flash would stage.
quiet "$RUN/sign.log" "${SIGN[@]}" -v 2.1.0 -s 1 --test -S $((SECONDARY_SIZE - 0x1000)) \
    "$APPS/qemu_mpu_probe.elf.bin" "$RUN/oldepoch-staged.bin"
python3 - "$RUN/v3.bin" "$RUN/tampered.bin" <<'EOF'
import sys
img = bytearray(open(sys.argv[1], "rb").read())
img[0x200 + 0x1000] ^= 0x01  # one bit of the payload, 4 KiB after the vector table
open(sys.argv[2], "wb").write(img)
EOF
for v in v1 v2 v3 downgrade oldepoch; do
    "$IFU" verify -k "$KEY" "$RUN/$v.bin" >/dev/null 2>&1 || die "$v.bin does not verify"
done
if "$IFU" verify -k "$KEY" "$RUN/tampered.bin" >/dev/null 2>&1; then
    die "tampered.bin verifies"
fi
say "signed v1 1.0.0, v2 2.0.0, v3 3.0.0 (never confirms) with security counters 1, 2, 3;" \
    "downgrade 1.5.0 and old epoch 2.1.0 with security counter 1; tampered v3 fails \`ifu verify\`"
# The keystore page, as a factory programs it: the signing key's anchor in slot 0 of 4, write
# size 1 (the NOR's), erased 0xff, padded to its sector.
quiet "$RUN/provision.log" "$IFU" provision -f flash -s "$KEY_SLOTS" -w 1 --size "$KEYSTORE_SIZE" \
    -o "$RUN/keystore.bin" "$KEY"
say "ifu provision: $(grep -a '^slot 0:' "$RUN/provision.log" | sed "s|$WORK/||")"

# The flash file: 16 MiB erased (0xff) with image $1 (default v1) in the primary slot at offset
# 0, as a factory would program it (no trailer: a factory image counts as confirmed), and the
# keystore page. The counter's two sectors stay erased: a blank counter reads 0, and the first
# boot raises it to the confirmed factory image's security counter.
seed_flash() {
    python3 - "$RUN/flash.img" "${1:-$RUN/v1.bin}" "$RUN/keystore.bin" "$KEYSTORE_OFF" <<'EOF'
import sys
flash = bytearray(b"\xff" * (16 << 20))
v1 = open(sys.argv[2], "rb").read()
flash[0:len(v1)] = v1
ks, off = open(sys.argv[3], "rb").read(), int(sys.argv[4])
flash[off:off + len(ks)] = ks
open(sys.argv[1], "wb").write(flash)
EOF
}

# ---- QEMU ----------------------------------------------------------------------------------

QEMU_PID=
# QEMU runs disowned (no "Killed" job notices from the shell), so it is waited for by polling.
wait_gone() {
    while kill -0 "$1" 2>/dev/null; do
        sleep 0.01
    done
}
stop_qemu() {
    if [ -n "$QEMU_PID" ]; then
        kill -KILL "$QEMU_PID" 2>/dev/null || true
        wait_gone "$QEMU_PID"
        QEMU_PID=
    fi
}
trap stop_qemu EXIT

# Start QEMU: UART0 (the log) appended to $LOG, UART1 (SMP) on a pty linked at $RUN/smp.tty.
# SYSRESETREQ resets inside the same process; the flash file keeps every store. Arguments are
# passed to QEMU (a -plugin).
start_qemu() {
    stop_qemu # never two QEMUs on one flash file
    rm -f "$RUN/smp.tty"
    qemu-system-arm -M mps2-an386 -display none -monitor none \
        -object memory-backend-file,id=fl,size=16M,mem-path="$RUN/flash.img",share=on \
        -machine memory-backend=fl \
        -chardev file,id=log,path="$LOG",append=on -serial chardev:log \
        -chardev pty,id=smp,path="$RUN/smp.tty" -serial chardev:smp \
        -semihosting-config enable=on,target=native "$@" \
        -kernel "$BOOT" >>"$RUN/qemu.out" 2>&1 &
    QEMU_PID=$!
    disown "$QEMU_PID"
    for _ in $(seq 200); do
        [ -L "$RUN/smp.tty" ] && return 0
        sleep 0.02
    done
    die "QEMU did not start: $(cat "$RUN/qemu.out")"
}

# Wait until the log holds at least $2 lines matching $1 (default 1), up to $3 seconds.
count() { grep -c -- "$1" "$LOG" 2>/dev/null || true; }
wait_log() {
    local want=${2:-1} limit=${3:-20} i
    for i in $(seq $((limit * 50))); do
        [ "$(count "$1")" -ge "$want" ] && return 0
        if [ -n "$QEMU_PID" ] && ! kill -0 "$QEMU_PID" 2>/dev/null; then
            return 1
        fi
        sleep 0.02
    done
    return 1
}
# Number of times the application has started so far.
apps() { count "app: SMP server on UART1"; }

# 30 s per response: a loaded machine can starve QEMU for seconds.
smp() { "$IFU" smp "$@" --port "$RUN/smp.tty" --timeout 30000; }
# Upload requests of 1 KiB: QEMU's CMSDK UART takes one byte per main-loop turn, and on this
# path 1 KiB requests measured faster than 2 KiB ones (docs/QEMU.md "Speed").
MTU=1024

# Reset over SMP and wait for the next application start.
reset_and_wait() {
    local n
    n=$(apps)
    smp reset >>"$RUN/smp.log" 2>&1 || return 1
    wait_log "app: SMP server on UART1" $((n + 1)) 30
}

# The running image, from `ifu smp list`: "version V" of the active slot.
active_version() {
    smp list 2>/dev/null | sed -n 's/^image 0 slot 0: version \([^ ]*\) .*active.*/\1/p'
}

# The log since the last bootloader start (that boot and the application it started).
this_boot() {
    tr -d '\r' <"$LOG" | awk '/^boot: ifu bootloader/ { n = 0; delete l } { l[n++] = $0 }
        END { for (i = 0; i < n; i++) print l[i] }'
}
# Does the log of the last boot hold a line matching $1?
boot_has() { this_boot | grep -aq -- "$1"; }
show() { sed 's/^/         | /'; }

# Upload $1 and request a test install; prints the image hash.
upload_test() {
    local out hash
    out=$(smp upload "$1" --mtu "$MTU" 2>&1) || { echo "$out" >>"$RUN/smp.log"; return 1; }
    echo "$out" >>"$RUN/smp.log"
    hash=$(echo "$out" | sed -n 's/^upload: .*image hash \([0-9a-f]*\)$/\1/p')
    [ -n "$hash" ] || return 1
    smp test "$hash" >>"$RUN/smp.log" 2>&1
}

# After a cut: power on again; the device must come back running 1.0.0 or 2.0.0 (its first
# application start), then end on 2.0.0, confirmed across one more reset, uploading v2 again if
# the cut came before the install request. Sets WHY and returns 1 if it failed. Runs in this
# shell (not in $(...)): QEMU_PID must stay known to stop_qemu.
recover_and_finish() {
    local first n
    n=$(apps)
    start_qemu
    if ! wait_log "app: SMP server on UART1" $((n + 1)) 60; then
        WHY="no application after the cut"
        return 1
    fi
    first=$(grep -a "app: version" "$LOG" | tail -n 1 | tr -d '\r')
    case $first in
    *"version 1.0.0 running"*)
        # The cut fell before the install: send v2 again (the upload resumes from what the
        # staging slot kept) and install it.
        upload_test "$RUN/v2.bin" || { WHY="upload after the cut failed"; return 1; }
        reset_and_wait || { WHY="no application after the install"; return 1; }
        first=$(grep -a "app: version" "$LOG" | tail -n 1 | tr -d '\r')
        ;;
    *"version 2.0.0 running"*) ;;
    *) WHY="came back as: $first"; return 1 ;;
    esac
    case $first in
    *"version 2.0.0 running"*) ;;
    *) WHY="after the install: $first"; return 1 ;;
    esac
    # One more reset: v2 must have confirmed itself, or the bootloader would revert it now.
    reset_and_wait || { WHY="no application after the last reset"; return 1; }
    boot_has "app: version 2.0.0 running, confirmed" ||
        { WHY="v2 did not stay: $(grep -a "app: version" "$LOG" | tail -n 1)"; return 1; }
}

# ---- exact cuts (--plugin-cuts) ------------------------------------------------------------

# The flash as QEMU addresses it: the an386's 16 MiB PSRAM at 0x21000000 (the memory backend).
FLASH_LO=0x21000000
FLASH_HI=0x22000000

# QEMU's pid $1 must be gone within $2 seconds; returns 1 if it is still running.
gone_within() {
    local i
    for i in $(seq $(($2 * 100))); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.01
    done
    return 1
}

# One run of phase $1 from its flash copy, with flashcut's arguments $2 (lo, hi and k= or out=):
#   swap      from the copy of step [2] (v1 confirmed, v2 staged and requested): the boot that
#             verifies and swaps v2 in, starts its trial, and v2 confirming itself;
#   download  from the copy of step [1] (v1 booted and confirmed): v1 running, `ifu smp upload`
#             of v2 and `ifu smp test`.
# With out=: waits for the end of the sequence and stops QEMU with SIGTERM (a clean exit: the
# plugin writes its count; nothing is stored after the end, the application only waits for SMP
# requests). With k=: returns once QEMU is gone (0), or 1 if it still runs after 60 s.
plugin_run() {
    local phase=$1 args=$2 uploader=
    : >"$LOG"
    if [ "$phase" = swap ]; then
        cp "$RUN/staged-v2.img" "$RUN/flash.img"
        start_qemu -plugin "$FLASHCUT,$args"
    else
        cp "$RUN/booted-v1.img" "$RUN/flash.img"
        start_qemu -plugin "$FLASHCUT,$args"
        wait_log "app: SMP server on UART1" 1 60 || true
    fi
    case $args in
    *out=*)
        if [ "$phase" = swap ]; then
            wait_log "confirm: done" 1 60 || die "the uncut swap did not finish: $(tail -n 3 "$LOG")"
        else
            upload_test "$RUN/v2.bin" || die "the uncut download failed: $(tail -n 3 "$LOG")"
        fi
        kill -TERM "$QEMU_PID"
        gone_within "$QEMU_PID" 30 || die "QEMU did not stop on SIGTERM"
        QEMU_PID=
        return 0
        ;;
    esac
    if [ "$phase" = download ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        upload_test "$RUN/v2.bin" >/dev/null 2>&1 &
        uploader=$!
    fi
    if ! gone_within "$QEMU_PID" 60; then
        stop_qemu
        return 1
    fi
    QEMU_PID=
    if [ -n "$uploader" ]; then
        # The host side of the cut link: do not wait for its response timeout.
        kill -INT "$uploader" 2>/dev/null || true
        wait "$uploader" 2>/dev/null || true
    fi
}

# Exact cuts in phase $1 ($2: N or all, as --plugin-cuts): count the phase's flash stores, then
# for each chosen K cut right after store K, restart without the plugin and check that the update
# finishes. Prints a breakdown; adds to P_CUTS and P_FAILURES.
P_CUTS=0
P_FAILURES=0
plugin_cuts() {
    local phase=$1 want=$2 total ks k i n out first after before cut_lines kind
    local n_v1=0 n_v2=0 n_resumed=0 n_miss=0 failures=0
    rm -f "$RUN/flashcut.txt"
    plugin_run "$phase" "lo=$FLASH_LO,hi=$FLASH_HI,out=$RUN/flashcut.txt"
    out=$(cat "$RUN/flashcut.txt" 2>/dev/null || true)
    total=$(echo "$out" | sed -n 's/^flashcut: \([0-9]*\) stores in .*/\1/p')
    [ -n "$total" ] && [ "$total" -gt 0 ] || die "no store count from flashcut: $out"
    if [ "$want" = all ]; then
        ks=$(seq "$total")
        n=$total
    else
        n=$((want < total ? want : total))
        # One K drawn uniformly from each of n equal strata of [1, total] (seeded): spread over
        # the whole sequence, and a different set of stores for another seed. The first and the
        # last stratum give their ends instead: the first store and the last.
        ks=$(awk -v n="$n" -v t="$total" -v seed="$SEED" 'BEGIN {
            srand(seed)
            for (i = 0; i < n; i++) {
                lo = int(i * t / n) + 1; hi = int((i + 1) * t / n)
                k = lo + int(rand() * (hi - lo + 1))
                if (i == 0) k = 1
                if (i == n - 1 && n > 1) k = t
                print k
            } }')
    fi
    if [ "$phase" = swap ]; then
        say "exact power cuts: $total flash stores from the boot that swaps v2 in to its confirm;" \
            "cutting after $n of them ($([ "$want" = all ] && echo "every one" || echo "seed $SEED"))"
    else
        say "exact power cuts: $total flash stores while v1 receives v2 and its test request;" \
            "cutting after $n of them ($([ "$want" = all ] && echo "every one" || echo "seed $SEED"))"
    fi
    i=0
    for k in $ks; do
        i=$((i + 1))
        WHY=
        if ! plugin_run "$phase" "lo=$FLASH_LO,hi=$FLASH_HI,k=$k"; then
            # Not reached: the store sequence differed from the counting run's.
            n_miss=$((n_miss + 1))
            WHY="store $k was not reached within 60 s"
        else
            before=$(grep -a "boot: \|app: \|confirm: \|smp: " "$LOG" | tail -n 1 | tr -d '\r' || true)
            cut_lines=$(wc -l <"$LOG")
            recover_and_finish || true
        fi
        if [ -z "$WHY" ]; then
            # What the first boot after the cut did, and which application it started.
            after=$(tail -n +$((cut_lines + 1)) "$LOG" | tr -d '\r')
            first=$(echo "$after" | grep -a -m 1 "app: version" || true)
            case $first in
            *"version 1.0.0"*) kind="back on 1.0.0"; n_v1=$((n_v1 + 1)) ;;
            *) kind="back on 2.0.0"; n_v2=$((n_v2 + 1)) ;;
            esac
            if echo "$after" | grep -aq "resuming an interrupted swap"; then
                kind="$kind, swap resumed"
                n_resumed=$((n_resumed + 1))
            fi
            if [ "$want" != all ] || [ $((i % 1000)) = 0 ] || [ "$i" = "$n" ]; then
                printf '[%s]   %s cut %d/%d after store %d of %d: ok (%s); last line before: %s\n' \
                    "$(elapsed)" "$phase" "$i" "$n" "$k" "$total" "$kind" "${before:-(none)}"
            fi
        else
            failures=$((failures + 1))
            bad "$phase cut $i/$n after store $k of $total: $WHY"
            cp "$RUN/flash.img" "$RUN/failed-$phase-cut-k$k.img"
            cp "$LOG" "$RUN/failed-$phase-cut-k$k.log"
        fi
        stop_qemu
    done
    P_CUTS=$((P_CUTS + n))
    P_FAILURES=$((P_FAILURES + failures))
    echo "qemu-powerloss: $phase breakdown: of $total stores, $n cut: $n_v2 came back on 2.0.0" \
        "($n_resumed of them resuming an interrupted swap), $n_v1 on 1.0.0 (then v2 uploaded" \
        "and installed), $n_miss not reached"
}

# The end of a run: the log with -v, the verdict and the exit status.
finish() {
    if [ "$VERBOSE" = 1 ]; then
        echo "---- UART0 log"
        tr -d '\r' <"$LOG"
    fi
    if [ "$FAILS" -ne 0 ]; then
        say "qemu-demo: $FAILS step(s) FAILED (logs in $RUN: uart0.log, smp.log)"
        exit 1
    fi
    say "qemu-demo: every step held"
    exit 0
}

# ---- the demo ------------------------------------------------------------------------------

: >"$LOG"
if [ -z "$PCUTS" ]; then # the exact cuts need only steps [1] and [2]
    say "[0] MPU lock: boot a probe image that writes the bootloader, the keystore and the counter," \
        "reads and runs the bootloader's RAM"
    seed_flash "$APPS/qemu_mpu_probe.signed.bin"
    rc=0
    timeout 20 qemu-system-arm -M mps2-an386 -display none -monitor none \
        -object memory-backend-file,id=fl,size=16M,mem-path="$RUN/flash.img",share=on \
        -machine memory-backend=fl -serial file:"$RUN/mpu.log" \
        -semihosting-config enable=on,target=native -kernel "$BOOT" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 0 ] && grep -aq "mpu: every probe held" "$RUN/mpu.log"; then
        ok "$(grep -ac 'faulted as expected' "$RUN/mpu.log") accesses faulted (MemManage)," \
            "$(grep -ac 'allowed, as expected' "$RUN/mpu.log") allowed ones did not;" \
            "$(grep -ac 'stopped as expected' "$RUN/mpu.log") library writes to the keystore/counter failed"
        grep -a "MPU:\|write keystore\|write counter\|ifu_keys_provision\|ifu_counter_advance" \
            "$RUN/mpu.log" | tr -d '\r' | show
    else
        bad "MPU probe (exit $rc)"
        tr -d '\r' <"$RUN/mpu.log" | sed 's/^/         | /'
    fi

fi

seed_flash
say "[1] boot v1 in QEMU mps2-an386 (flash file $RUN/flash.img, SMP on $RUN/smp.tty)"
start_qemu
if wait_log "app: SMP server on UART1" 1 10 && [ "$(active_version)" = "1.0.0" ]; then
    ok "v1 runs: $(grep -a 'boot: confirmed version' "$LOG" | tail -n 1 | tr -d '\r')"
    # The flash as it is now (v1 booted and confirmed): the start of every exact download cut.
    cp "$RUN/flash.img" "$RUN/booted-v1.img"
    this_boot | grep -a "keystore\|security counter" | show
else
    bad "v1 did not come up"
fi

say "[2] upload v2 over SMP, request a test install, reset"
n_boot=$(count "boot: swap done")
t_up=$(date +%s.%N)
staged=0
if upload_test "$RUN/v2.bin"; then
    # The flash as it is now (v1 confirmed, v2 staged and requested): the start of every swap cut.
    cp "$RUN/flash.img" "$RUN/staged-v2.img"
    UPLOAD_S=$(awk -v a="$t_up" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    say "    v2 uploaded and verified by the application in ${UPLOAD_S}s; install requested"
    staged=1
fi
if [ "$staged" = 1 ] && reset_and_wait && wait_log "confirm: done" 1 5 &&
    [ "$(count "boot: swap done")" -gt "$n_boot" ] &&
    boot_has "app: version 2.0.0 running, on trial" && boot_has "app: security counter 1$"; then
    ok "bootloader verified and swapped; v2 ran on trial and confirmed itself; counter still 1"
    this_boot | sed -n '/swap done/,$p' | grep -v "SMP server" | show
else
    bad "v2 install"
fi

if [ -n "$PCUTS" ]; then
    [ -f "$RUN/staged-v2.img" ] || die "no staged flash image: step [2] failed"
    stop_qemu
    plugin_cuts swap "$PCUTS"
    [ -z "$PDLCUTS" ] || plugin_cuts download "$PDLCUTS"
    echo "qemu-powerloss: $P_CUTS cuts, $P_FAILURES failures"
    finish
fi

say "[3] reset again: v2 must stay, and its security counter becomes the device's"
if reset_and_wait && boot_has "app: version 2.0.0 running, confirmed" &&
    boot_has "boot: security counter raised to 2" && boot_has "app: security counter 2$" &&
    [ "$(active_version)" = "2.0.0" ]; then
    ok "v2 runs, confirmed; the bootloader raised the counter to 2"
    this_boot | grep -a "security counter\|keystore:" | show
else
    bad "v2 did not stay"
fi

say "[4] upload v3 (never confirms), test, reset"
if upload_test "$RUN/v3.bin" && reset_and_wait &&
    boot_has "app: version 3.0.0 running, on trial" && boot_has "built never to confirm" &&
    boot_has "app: security counter 2$"; then
    ok "v3 runs on trial and does not confirm"
else
    bad "v3 trial"
fi

say "[5] reset: the bootloader reverts the unconfirmed v3"
if reset_and_wait && boot_has "boot: revert done" &&
    boot_has "app: version 2.0.0 running, restored by a revert" &&
    boot_has "app: last update: version 3.0.0 reverted" &&
    boot_has "app: security counter 2$" && ! boot_has "security counter raised" &&
    [ "$(active_version)" = "2.0.0" ]; then
    ok "v2 is back and reports it; the v3 trial did not move the counter"
    this_boot | sed -n '/revert done/,$p' | grep -v "SMP server" | show
else
    bad "revert of v3"
fi

# A refused upload: `ifu smp upload` must fail, the log name the reason, v2 keep running and
# nothing be requested.
refused() {
    local img=$1 reason=$2 n out
    n=$(count "smp: request refused")
    if out=$(smp upload "$img" --mtu "$MTU" 2>&1); then
        echo "$out" >>"$RUN/smp.log"
        return 1
    fi
    echo "$out" >>"$RUN/smp.log"
    wait_log "smp: request refused" $((n + 1)) 5 &&
        tail -n 2 "$LOG" | grep -aq "smp: request refused: $reason" &&
        echo "$out" | grep -q "the device refused" &&
        [ "$(active_version)" = "2.0.0" ]
}

# SHA-256 of slot $1 (primary or secondary) in the flash file: what a step changed.
flash_sum() {
    local off=0 len=$PRIMARY_SIZE
    if [ "$1" = secondary ]; then
        off=$SECONDARY_OFF len=$SECONDARY_SIZE
    fi
    dd if="$RUN/flash.img" bs=4096 skip=$((off / 4096)) count=$((len / 4096)) status=none |
        sha256sum | cut -c1-16
}

say "[6] upload a tampered image (v3 with one payload byte changed)"
p_before=$(flash_sum primary)
if refused "$RUN/tampered.bin" "image hash mismatch" && [ "$(flash_sum primary)" = "$p_before" ]; then
    ok "refused at the end of the upload: $(grep -a 'device refused' "$RUN/smp.log" | tail -n 1)"
    ok "primary slot unchanged (sha256 $p_before...), only the staging slot was written; v2 runs"
else
    bad "tampered image"
fi

say "[7] upload a downgrade (1.5.0, security counter 1, while 2.0.0 runs)"
n_erase=$(count "smp: upload started")
p_before=$(flash_sum primary) s_before=$(flash_sum secondary)
if refused "$RUN/downgrade.bin" "" && [ "$(count "smp: upload started")" = "$n_erase" ] &&
    [ "$(flash_sum primary)" = "$p_before" ] && [ "$(flash_sum secondary)" = "$s_before" ]; then
    ok "refused on its header: $(grep -a 'device refused' "$RUN/smp.log" | tail -n 1)"
    ok "both slots byte-identical before and after: nothing was erased or written"
else
    bad "downgrade"
fi

say "[8] upload an image of an old security epoch (2.1.0, a newer version, security counter 1)"
p_before=$(flash_sum primary)
n_started=$(count "smp: upload started")
if refused "$RUN/oldepoch.bin" "rollback refused" && [ "$(flash_sum primary)" = "$p_before" ] &&
    [ "$(count "smp: upload started")" -gt "$n_started" ]; then
    ok "its version passed the header check; the update API's counter rule refused it in finish:"
    ok "$(grep -a 'device refused' "$RUN/smp.log" | tail -n 1)"
else
    bad "old security epoch through the update API"
fi

say "[9] power off, write that image straight into the staging slot with a test request" \
    "(flash access, bypassing the application), power on"
stop_qemu
python3 - "$RUN/flash.img" "$RUN/oldepoch-staged.bin" $((SECONDARY_OFF + 0x1000)) <<'EOF'
import sys
img = open(sys.argv[2], "rb").read()
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[3]))
    f.write(img)
EOF
n=$(apps)
start_qemu
if wait_log "app: SMP server on UART1" $((n + 1)) 30 &&
    boot_has "boot: secondary image refused: rollback refused" &&
    boot_has "app: version 2.0.0 running" &&
    boot_has "app: staged image refused: rollback refused" &&
    boot_has "app: security counter 2$" && [ "$(flash_sum primary)" = "$p_before" ] &&
    [ "$(active_version)" = "2.0.0" ]; then
    ok "the bootloader's counter rule refuses it too; primary slot unchanged; v2 runs"
    this_boot | grep -a "refused\|security counter" | grep -v "SMP server" | show
else
    bad "old security epoch staged in the flash"
fi

say "[10] reset: still v2, counter 2"
if reset_and_wait && [ "$(active_version)" = "2.0.0" ] &&
    boot_has "app: version 2.0.0 running" && boot_has "app: security counter 2$"; then
    ok "v2 runs"
else
    bad "v2 after the refusals"
fi
stop_qemu

# ---- power cuts ----------------------------------------------------------------------------

# Kill QEMU (pid $4) $3 seconds after the log first holds $2 (polled every millisecond, so
# the cut is placed relative to what the device is doing, not to QEMU's start).
cut_after() {
    python3 - "$LOG" "$2" "$3" "$4" <<'EOF'
import os, signal, sys, time
log, pat, delay, pid = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3]), int(sys.argv[4])
end = time.monotonic() + 120
while time.monotonic() < end:
    with open(log, "rb") as f:
        if pat in f.read():
            break
    time.sleep(0.001)
else:
    sys.exit(1)
time.sleep(delay)
os.kill(pid, signal.SIGKILL)
EOF
}

# Seconds between the first appearance of $1 and of $2 in the log (polled every millisecond).
measure() {
    python3 - "$LOG" "$1" "$2" <<'EOF'
import sys, time
log, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
t = {}
end = time.monotonic() + 120
while time.monotonic() < end and b not in t:
    with open(log, "rb") as f:
        data = f.read()
    for p in (a, b):
        if p in data and p not in t:
            t[p] = time.monotonic()
    time.sleep(0.001)
print("%.3f" % (t.get(b, 0) - t.get(a, 0)))
EOF
}

# Delay in seconds (3 decimals) drawn uniformly from [lo, hi] with bash's seeded RANDOM.
draw() { awk -v lo="$1" -v hi="$2" -v r="$RANDOM" -v s="$RANDOM" \
    'BEGIN { printf "%.3f", lo + (hi - lo) * (r * 32768 + s) / 1073741824 }'; }

if [ "$CUTS" -gt 0 ]; then
    [ -f "$RUN/staged-v2.img" ] || die "no staged flash image: step [2] failed"
    RANDOM=$SEED
    # A fifth of the cuts during downloads (each costs two uploads), the rest during swaps.
    n_dl=$(((CUTS + 4) / 5))
    n_sw=$((CUTS - n_dl))
    # The swap window: from "swapping it in" to "swap done", measured once without a cut.
    cp "$RUN/staged-v2.img" "$RUN/flash.img"
    : >"$LOG"
    start_qemu
    SWAP_S=$(measure "swapping it in" "boot: swap done")
    wait_log "app: SMP server on UART1" 1 60 || die "the uncut swap did not finish"
    stop_qemu
    say "power cuts: $CUTS (seed $SEED): $n_dl during downloads (upload ${UPLOAD_S}s)," \
        "$n_sw during swaps (swap ${SWAP_S}s)"
    failures=0
    n_resumed=0
    for i in $(seq "$CUTS"); do
        : >"$LOG"
        if [ "$i" -le "$n_dl" ]; then
            kind=download
            seed_flash
            start_qemu
            wait_log "app: SMP server on UART1" 1 60 || die "v1 did not start"
            at=$(draw 0 "$UPLOAD_S")
            smp upload "$RUN/v2.bin" --mtu "$MTU" >>"$RUN/smp.log" 2>&1 &
            uploader=$!
            cut_after "$LOG" "smp: upload started" "$at" "$QEMU_PID" || true
            # The host side of the cut link: do not wait for its response timeout.
            kill -INT "$uploader" 2>/dev/null || true # SIGINT: bash prints no job notice
            wait "$uploader" 2>/dev/null || true
        else
            kind=swap
            cp "$RUN/staged-v2.img" "$RUN/flash.img"
            # A little past the measured swap: cuts also land in the verify and trial start after it.
            at=$(draw 0 "$(awk -v s="$SWAP_S" 'BEGIN { print s * 1.2 }')")
            start_qemu
            cut_after "$LOG" "swapping it in" "$at" "$QEMU_PID" || true
        fi
        wait_gone "$QEMU_PID"
        QEMU_PID=
        before=$(grep -a "boot: \|smp: upload" "$LOG" | tail -n 1 | tr -d '\r')
        WHY=
        if recover_and_finish; then
            resumed=
            if grep -aq "resuming an interrupted swap" "$LOG"; then
                resumed=", the bootloader resumed the swap"
                n_resumed=$((n_resumed + 1))
            fi
            printf '[%s]   cut %2d/%d (%s, +%ss): ok%s; last line before the cut: %s\n' \
                "$(elapsed)" "$i" "$CUTS" "$kind" "$at" "$resumed" "${before:-(none)}"
        else
            failures=$((failures + 1))
            bad "cut $i/$CUTS ($kind, +${at}s): $WHY"
            cp "$RUN/flash.img" "$RUN/failed-cut-$i.img"
            cp "$LOG" "$RUN/failed-cut-$i.log"
        fi
        stop_qemu
    done
    say "$n_resumed cuts fell inside a swap and were finished by the bootloader's journal"
    echo "qemu-powerloss: $CUTS cuts, $failures failures"
fi

finish
