#!/usr/bin/env bash
# End-to-end test of the SMP serial transport (docs/SMP.md): `ifu smp` talks
# to `smp_device` (examples/smp_uart) through a pseudo-terminal pair the
# device opens with openpty(3). The device's flash is an ifu-sim flash file;
# its "reset" runs the boot engine (ifu_boot_go) on that file.
#
#   a tampered image is refused at the end of its upload and not listed;
#   v2 uploads, is listed, is marked for test, a reset installs it on trial,
#   confirm, a reset keeps it (confirmed);
#   then the protocol overhead of an upload at MTU 128, 256, 512 and 2048.
#
# Usage: test_smp_uart.sh IFU IFU_SIM SMP_DEVICE WORKDIR
set -euo pipefail

IFU=$1
IFU_SIM=$2
DEVICE=$3
WORK=$4
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

pass=0
fail=0
dev_pid=
ok() {
    pass=$((pass + 1))
    echo "ok: $*"
}
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}
stop_device() {
    if [ -n "$dev_pid" ]; then
        kill "$dev_pid" 2>/dev/null || true
        wait "$dev_pid" 2>/dev/null || true
        dev_pid=
    fi
}
trap stop_device EXIT

# Start the device on flash $1 with log $2; waits for its pty link.
start_device() {
    rm -f tty
    "$DEVICE" --flash "$1" --key key.pem --pty tty >"$2" 2>&1 &
    dev_pid=$!
    for _ in $(seq 100); do
        [ -L tty ] && return 0
        sleep 0.05
    done
    echo "device did not start:"
    cat "$2"
    exit 1
}

# A fresh device running v1, confirmed.
new_flash() {
    "$IFU_SIM" init --flash "$1" --force >/dev/null
    "$IFU_SIM" flash --flash "$1" v1.img >/dev/null
}

"$IFU" keygen -k key.pem -t ecdsa-p256
head -c 24000 /dev/urandom >app1.bin
head -c 30000 /dev/urandom >app2.bin
"$IFU" sign -k key.pem -v 1.0.0 -H 0x200 --pad-header -S 0x20000 --align 8 app1.bin v1.img
"$IFU" sign -k key.pem -v 2.0.0 -H 0x200 --pad-header -S 0x20000 --align 8 app2.bin v2.img
cp v2.img bad.img
# One payload bit flipped: same header, so the device cannot tell before the hash.
printf '\x5a' | dd of=bad.img bs=1 seek=$((0x1000)) conv=notrunc status=none

new_flash dev.bin
start_device dev.bin device.log

out=$("$IFU" smp list --port tty)
if grep -q "slot 0: version 1.0.0 .* active confirmed bootable" <<<"$out" && ! grep -q "slot 1" <<<"$out"; then
    ok "list: v1 active and confirmed, nothing staged"
else
    bad "list before the upload: $out"
fi

set +e
out=$("$IFU" smp upload bad.img --port tty --mtu 512 2>&1)
rc=$?
set -e
if [ $rc -eq 1 ] && grep -q "the device refused: image hash mismatch (rc 9, ECORRUPT)" <<<"$out"; then
    ok "tampered upload refused: exit 1, ECORRUPT, image hash mismatch"
else
    bad "tampered upload: exit $rc: $out"
fi
out=$("$IFU" smp list --port tty)
if ! grep -q "slot 1" <<<"$out"; then
    ok "list: the refused image is not shown"
else
    bad "list after the tampered upload: $out"
fi
# A hash of a length no image hash has is refused before anything is sent (it once went out
# as a request for any even number of digits up to 128).
bad_lengths=0
for digits in 2 62 66 94 98 126 130; do
    set +e
    out=$("$IFU" smp test "$(printf "%0${digits}d" 0)" --port tty 2>&1)
    rc=$?
    set -e
    if [ $rc -eq 0 ] || ! grep -q "want 64, 96 or 128 hex digits" <<<"$out"; then
        bad "test with a hash of $digits digits: exit $rc: $out"
        bad_lengths=$((bad_lengths + 1))
    fi
done
[ $bad_lengths -eq 0 ] && ok "hashes of 7 wrong lengths refused by ifu smp (64, 96 or 128 digits)"
set +e
out=$("$IFU" smp test "$(printf '%064d' 0)" --port tty 2>&1)
rc=$?
set -e
if [ $rc -eq 1 ] && grep -q "ENOENT" <<<"$out"; then
    ok "test of an unknown hash refused (ENOENT)"
else
    bad "test of an unknown hash: exit $rc: $out"
fi

out=$("$IFU" smp upload v2.img --port tty)
hash=$(sed -n 's/^upload: .*image hash \([0-9a-f]*\)$/\1/p' <<<"$out")
if grep -q "^upload: done" <<<"$out" && [ ${#hash} -eq 64 ]; then
    ok "upload v2 ($(grep -o 'MTU [0-9]*' <<<"$out"), $(grep -o '[0-9]* requests' <<<"$out"))"
else
    bad "upload v2: $out"
fi
out=$("$IFU" smp list --port tty)
if grep -q "slot 1: version 2.0.0 hash $hash bootable$" <<<"$out"; then
    ok "list: v2 staged in slot 1 with the image hash"
else
    bad "list after the upload: $out"
fi

out=$("$IFU" smp test "$hash" --port tty)
if grep -q "slot 1: version 2.0.0 hash $hash pending bootable$" <<<"$out"; then
    ok "test: v2 pending"
else
    bad "test: $out"
fi
"$IFU" smp reset --port tty >/dev/null
out=$("$IFU" smp list --port tty) # answered once the device has booted again
if grep -q "booted: version 2.0.0+0 from slot 0, state testing, installed" device.log &&
    grep -q "slot 0: version 2.0.0 hash $hash active bootable$" <<<"$out"; then
    ok "reset: the bootloader installed v2, running on trial (not confirmed)"
else
    bad "reset into the test: $out / $(tail -n 3 device.log)"
fi

out=$("$IFU" smp confirm --port tty)
if grep -q "slot 0: version 2.0.0 hash $hash active confirmed bootable" <<<"$out"; then
    ok "confirm: v2 confirmed"
else
    bad "confirm: $out"
fi
"$IFU" smp reset --port tty >/dev/null
out=$("$IFU" smp list --port tty)
if [ "$(grep -c '^booted: version 2.0.0+0 from slot 0, state confirmed$' device.log)" -eq 1 ] &&
    grep -q "slot 0: version 2.0.0 hash $hash active confirmed bootable" <<<"$out"; then
    ok "reset after confirm: v2 still runs, confirmed"
else
    bad "reset after confirm: $out / $(tail -n 3 device.log)"
fi
state=$("$IFU_SIM" state --flash dev.bin)
if grep -q "^running: confirmed" <<<"$state" && grep -q "^pending: none" <<<"$state"; then
    ok "ifu-sim reads the same flash: running confirmed, nothing pending"
else
    bad "ifu-sim state: $state"
fi
stop_device

# Overhead: a fresh device per MTU, the same 30 kB image.
echo "SMP upload overhead, $(stat -c %s v2.img)-byte image (wire bytes both ways - image bytes) / image bytes:"
printf '  %-6s %-9s %-13s %-13s %s\n' MTU requests "bytes sent" "bytes recvd" "overhead per image byte"
for mtu in 128 256 512 2048; do
    new_flash bench.bin
    start_device bench.bin bench.log
    out=$("$IFU" smp upload v2.img --port tty --mtu "$mtu")
    stop_device
    line=$(grep "^upload: done" <<<"$out")
    over=$(sed -n 's/^upload: overhead \([0-9.]*\) .*requests \([0-9.]*\), responses \([0-9.]*\).*/\1 (requests \2, responses \3)/p' <<<"$out")
    req=$(grep -o '[0-9]* requests' <<<"$line" | cut -d' ' -f1)
    sent=$(grep -o '[0-9]* bytes sent' <<<"$line" | cut -d' ' -f1)
    recv=$(grep -o '[0-9]* received' <<<"$line" | cut -d' ' -f1)
    printf '  %-6s %-9s %-13s %-13s %s\n' "$mtu" "$req" "$sent" "$recv" "$over"
    if [ -n "$over" ]; then
        ok "upload at MTU $mtu"
    else
        bad "upload at MTU $mtu: $out"
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
