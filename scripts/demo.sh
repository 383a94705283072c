#!/usr/bin/env bash
# The ifu demo: make a signing key, sign a firmware image the way imgtool
# does, verify it with the device library, show what is inside, and watch a
# tampered copy and a copy checked against the wrong key get refused.
# Usage: scripts/demo.sh PATH_TO_IFU [WORK_DIR]
set -euo pipefail

IFU=${1:?usage: scripts/demo.sh PATH_TO_IFU [WORK_DIR]}
IFU=$(cd "$(dirname "$IFU")" && pwd)/$(basename "$IFU")
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

say "demo: every step held (files in $WORK)"
