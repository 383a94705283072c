#!/usr/bin/env bash
# The ifu demo: make a signing key, sign a firmware image the way imgtool
# does, verify it with the device library, show what is inside, and watch a
# tampered copy and a copy checked against the wrong key get refused. Then
# the boot engine on a simulated device (ifu-sim, docs/SIM.md): an update
# installed on trial, reverted when not confirmed, confirmed, and a power cut
# mid-install that the next reset finishes.
# Usage: scripts/demo.sh PATH_TO_IFU [WORK_DIR]
# Environment: IFU_SIM (default: tools/ifu-sim/ifu-sim next to PATH_TO_IFU's tools/ifu).
set -euo pipefail

IFU=${1:?usage: scripts/demo.sh PATH_TO_IFU [WORK_DIR]}
IFU=$(cd "$(dirname "$IFU")" && pwd)/$(basename "$IFU")
SIM=${IFU_SIM:-$(dirname "$IFU")/../ifu-sim/ifu-sim}
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$WORK"

say() { printf '\n--- %s\n' "$*"; }
run() {
    printf '$ %s\n' "$*"
    "$@"
}

say "1. A signing key (ECDSA P-256) and its public half, as the bootloader stores it"
rm -f demo-key.pem other-key.pem
run "$IFU" keygen -k demo-key.pem -t ecdsa-p256
run "$IFU" getpub -k demo-key.pem -e hash

say "2. A 64 KiB 'firmware' payload, signed as version 1.2.3+4 with security counter 7"
head -c 65536 /dev/urandom >firmware.bin
run "$IFU" sign -k demo-key.pem -v 1.2.3+4 -s 7 -H 0x200 --pad-header -S 0x20000 \
    firmware.bin firmware-signed.bin

say "3. Verified by the device library (the same code the bootloader runs)"
run "$IFU" verify -k demo-key.pem firmware-signed.bin

say "4. What the image carries"
run "$IFU" info firmware-signed.bin

say "5. One flipped payload bit: refused"
cp firmware-signed.bin tampered.bin
printf '\x55' | dd of=tampered.bin bs=1 seek=4096 conv=notrunc status=none
if "$IFU" verify -k demo-key.pem tampered.bin; then
    echo "demo: FAILED: a tampered image was accepted" >&2
    exit 1
fi

say "6. Checked against a key the device does not trust: refused"
run "$IFU" keygen -k other-key.pem -t ecdsa-p256
if "$IFU" verify -k other-key.pem firmware-signed.bin; then
    echo "demo: FAILED: an image was accepted with the wrong key" >&2
    exit 1
fi

# ---- The boot engine on a simulated device ---------------------------------
# Each step prints one line; the full ifu-sim output is in ifu-sim.log.

if [ ! -x "$SIM" ]; then
    echo "demo: FAILED: $SIM not found (build the ifu_sim_cli target, or set IFU_SIM)" >&2
    exit 1
fi
SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM")
SIM_LOG=$WORK/ifu-sim.log
: >"$SIM_LOG"
out=
rc=0

# Run ifu-sim; its output lands in $out (and the log), its status in $rc.
sim() {
    rc=0
    out=$("$SIM" "$@" 2>&1) || rc=$?
    printf '$ ifu-sim %s\n%s\n[exit %d]\n' "$*" "$out" >>"$SIM_LOG"
}
sim_fail() {
    printf 'demo: FAILED: %s\n--- ifu-sim said:\n%s\n' "$*" "$out" >&2
    exit 1
}
# sim_ok ARGS...: run ifu-sim, which must succeed.
sim_ok() {
    sim "$@"
    [ "$rc" -eq 0 ] || sim_fail "ifu-sim $1 exited with $rc"
}
has() { grep -q -- "$1" <<<"$out"; }
# expect_boot VERSION STATE [EVENT...]: the last boot booted VERSION in STATE, with these events.
expect_boot() {
    local version=$1 state=$2
    shift 2
    [ "$rc" -eq 0 ] || sim_fail "boot exited with $rc, want 0"
    has "^booted: version $version from the primary (slot 0), state $state\$" ||
        sim_fail "want version $version booted in state $state"
    for ev in "$@"; do
        has "] $ev:" || has "] $ev\$" || sim_fail "want the event '$ev'"
    done
}
ops() { sed -n 's/^flash: \([0-9]*\) operations.*/\1/p' <<<"$out"; }
state_is() {
    sim_ok state --flash dev.bin
    has "^running: $1\$" && has "^pending: $2\$" && has "^in-progress: $3\$" ||
        sim_fail "want running $1, pending $2, in-progress $3"
}
step() { printf '  %-37s %s\n' "$1" "$2"; }

say "7. The boot engine on a simulated device (ifu-sim; flash in dev.bin, log in ifu-sim.log)"
rm -f dev.bin dev.bin.layout try.bin try.bin.layout
sim_ok init --flash dev.bin --layout uniform-4k --write-size 8
if ! has " swap mode"; then
    step "skipped:" "this ifu-sim is not built for swap mode (IFU_BOOT_MODE)"
    say "demo: every step held (files in $WORK)"
    exit 0
fi
"$IFU" keygen -k boot-key.pem -t ecdsa-p256
for v in 1 2 3; do
    head -c 24576 /dev/urandom >app-v$v.bin
    "$IFU" sign -k boot-key.pem -v $v.0.0 -H 0x200 --pad-header -S 0x20000 --align 8 \
        app-v$v.bin app-v$v.img
done
step "device:" "260 KiB flash, 4 KiB sectors, swap mode; v1, v2, v3 signed (24 KiB each)"

sim_ok flash --flash dev.bin app-v1.img
sim boot --flash dev.bin --key boot-key.pem
expect_boot 1.0.0+0 confirmed boot
step "factory-program v1, reset:" "v1.0.0 boots (confirmed)"

sim_ok stage --flash dev.bin app-v2.img
sim_ok request --flash dev.bin test
state_is confirmed install-test no
sim boot --flash dev.bin --key boot-key.pem
expect_boot 2.0.0+0 testing install installed trial
step "stage v2, request test, reset:" "installed in $(ops) flash ops; v2.0.0 runs on trial"

sim boot --flash dev.bin --key boot-key.pem
expect_boot 1.0.0+0 reverted revert reverted
step "reset again, v2 never confirmed:" "reverted in $(ops) flash ops; v1.0.0 runs again"

sim_ok stage --flash dev.bin app-v2.img
sim_ok request --flash dev.bin test
sim boot --flash dev.bin --key boot-key.pem
expect_boot 2.0.0+0 testing install trial
sim_ok confirm --flash dev.bin
state_is confirmed none no
step "stage v2 again, reset, confirm:" "v2.0.0 on trial, then confirmed by the application"

sim boot --flash dev.bin --key boot-key.pem
expect_boot 2.0.0+0 confirmed boot
[ "$(ops)" = 0 ] || sim_fail "a reset of a confirmed image wrote flash ($(ops) ops)"
step "reset:" "v2.0.0 stays (confirmed; no flash written)"

sim_ok stage --flash dev.bin app-v3.img
sim_ok request --flash dev.bin permanent
# A rehearsal on a copy counts the install's flash operations; the cut lands halfway.
cp dev.bin try.bin
cp dev.bin.layout try.bin.layout
sim boot --flash try.bin --key boot-key.pem
expect_boot 3.0.0+0 confirmed install installed
total=$(ops)
cut=$((total / 2))
sim boot --flash dev.bin --key boot-key.pem --cut-at "$cut" --cut torn
[ "$rc" -eq 5 ] || sim_fail "boot with --cut-at exited with $rc, want 5 (power cut)"
has "^power cut: the device lost power at flash operation $cut " || sim_fail "no power cut at op $cut"
state_is confirmed none yes
step "stage v3, request permanent, reset:" "power cut at flash op $cut of $total (torn write)"

sim boot --flash dev.bin --key boot-key.pem
expect_boot 3.0.0+0 confirmed resume installed
state_is confirmed none no
step "power back on, reset:" "the journal resumes the install; v3.0.0 runs (confirmed)"

cp app-v2.img tampered.img
printf '\x55' | dd of=tampered.img bs=1 seek=4096 conv=notrunc status=none
sim_ok stage --flash dev.bin tampered.img
sim_ok request --flash dev.bin test
sim boot --flash dev.bin --key boot-key.pem
expect_boot 3.0.0+0 confirmed rejected
has "rejected: .*image hash mismatch" || sim_fail "want the refusal to name the hash mismatch"
sim_ok state --flash dev.bin
has "^staged-error: image hash mismatch$" || sim_fail "the application cannot read why"
step "stage a tampered image, reset:" "refused (image hash mismatch, kept for the app); v3 runs"

say "demo: every step held (files in $WORK)"
