#!/usr/bin/env bash
# `ifu provision` (docs/CLI.md, docs/KEYS.md §3): the keystore image, byte by byte, for the
# flash-page and OTP backends, the C table for the compiled-in backend, bad input, and
# `ifu info --keystore` naming the slot an image's key is in. The layout is checked here with
# shell tools and Python's zlib CRC-32, independently of the library that wrote it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$WORK"
"$IFU" keygen -k k0.pem -t ed25519
"$IFU" keygen -k k1.pem -t ecdsa-p256
"$IFU" keygen -k k2.pem -t rsa-2048
"$IFU" keygen -k kx.pem -t x25519
for k in 0 1 2; do
    "$IFU" getpub -k k$k.pem -e raw >k$k.raw
    sha256sum <k$k.raw | cut -d' ' -f1 >k$k.anchor
done

hexat() { # FILE OFFSET LEN: lower-case hex of LEN bytes at OFFSET
    od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'
}
repeat() { # BYTE COUNT
    local s=""
    for _ in $(seq "$2"); do s="$s$1"; done
    printf '%s' "$s"
}
crc_ok() { # FILE RECORD_OFFSET: the CRC-32 at +36 covers bytes +0..+35
    # gzip's trailer holds the CRC-32 (IEEE, as zlib) of its input, little-endian (RFC 1952).
    local want
    want=$(dd if="$1" bs=1 skip="$2" count=36 status=none | gzip -c | tail -c 8 | head -c 4 |
        od -An -tx1 | tr -d ' \n')
    [ "$want" = "$(hexat "$1" $(($2 + 36)) 4)" ]
}

# Flash page: write size 8 -> 56-byte records (40 body, 8 commit, 8 revoke), erased 0xff.
"$IFU" provision -f flash -w 8 --size 4096 -o page.bin k0.pem k1.pem k2.pem >page.txt
check "flash: padded to --size" test "$(stat -c %s page.bin)" = 4096
for k in 0 1 2; do
    o=$((k * 56))
    check "flash slot $k: tag and kind" test "$(hexat page.bin $o 4)" = 4b010000
    check "flash slot $k: anchor = SHA-256 of the PUBKEY encoding" \
        test "$(hexat page.bin $((o + 4)) 32)" = "$(cat k$k.anchor)"
    check "flash slot $k: CRC-32" crc_ok page.bin $o
    check "flash slot $k: commit mark programmed" test "$(hexat page.bin $((o + 40)) 8)" = "$(repeat 00 8)"
    check "flash slot $k: revoke mark erased" test "$(hexat page.bin $((o + 48)) 8)" = "$(repeat ff 8)"
    check "flash slot $k: listed" grep -q "^slot $k: valid   $(cat k$k.anchor)  k$k.pem\$" page.txt
done
check "flash slot 3: erased" test "$(hexat page.bin 168 56)" = "$(repeat ff 56)"
check "flash slot 3: listed empty" grep -q '^slot 3: empty' page.txt
check "flash: rest of the page erased" test "$(hexat page.bin 224 3872 | tr -d f)" = ""

# OTP: erased 0x00, default write size 4 -> 48-byte records; slot 0 written revoked.
"$IFU" provision -f otp --slots 2 --revoke 0 -o otp.bin k0.pem k1.pem >otp.txt
check "otp: exactly two records" test "$(stat -c %s otp.bin)" = 96
check "otp slot 0: commit mark" test "$(hexat otp.bin 40 4)" = ffffffff
check "otp slot 0: revoked" test "$(hexat otp.bin 44 4)" = ffffffff
check "otp slot 1: not revoked" test "$(hexat otp.bin 92 4)" = 00000000
check "otp slot 1: CRC-32" crc_ok otp.bin 48
check "otp: listing" grep -q '^slot 0: revoked' otp.txt

# C table: compiles against the public headers; the blob equals the flash image.
"$IFU" provision -f c --full -n board_keys -o keys.c k0.pem k1.pem >/dev/null
"$IFU" provision -f flash -o same.bin k0.pem k1.pem >/dev/null
if [ -n "${IFU_INCLUDE:-}" ] && command -v cc >/dev/null; then
    check "c: compiles (C99, -Wall -Wextra -Werror)" \
        cc -std=c99 -Wall -Wextra -Werror -fsyntax-only -I "$IFU_INCLUDE" keys.c
fi
blob=$(sed -n '/_blob\[/,/^};/p' keys.c | grep -o '0x[0-9a-f][0-9a-f]' | tr -d '\n' | sed 's/0x//g')
check "c: blob = flash image" test "$blob" = "$(hexat same.bin 0 "$(stat -c %s same.bin)")"
check "c: full keys" grep -q 'const struct ifu_key board_keys_full\[4\]' keys.c

# ifu info --keystore: the slot an image's key is in, and its state.
head -c 3000 /dev/urandom >payload.bin
"$IFU" sign -k k1.pem --public-key-format full -v 1.0.0 -H 0x100 --pad-header -S 0 payload.bin i1.bin
"$IFU" sign -k k0.pem --public-key-format full -v 1.0.0 -H 0x100 --pad-header -S 0 payload.bin i0.bin
"$IFU" sign -k k2.pem -v 1.0.0 -H 0x100 --pad-header -S 0 payload.bin i2.bin
check "info: key 1 in slot 1" sh -c "'$IFU' info --keystore otp.bin --slots 2 --erased 0 i1.bin | grep -q 'keystore:       slot 1, valid\$'"
check "info: key 0 revoked" sh -c "'$IFU' info --keystore otp.bin --slots 2 --erased 0 i0.bin | grep -q 'slot 0, revoked'"
check "info: key 2 not held" sh -c "'$IFU' info --keystore otp.bin --slots 2 --erased 0 i2.bin | grep -q 'not held'"
check "info: KEYHASH image needs the full key" sh -c "'$IFU' info --keystore page.bin --write-size 8 i2.bin | grep -q 'slot 2, valid (needs the full key'"

# Bad input: exit status 2, one line on stderr, nothing written.
bad() { # NAME ARGS...
    local name=$1
    shift
    rm -f out.bin
    local st=0
    "$IFU" provision "$@" >/dev/null 2>err.txt || st=$?
    if [ "$st" -eq 0 ] || [ -e out.bin ] || [ "$(wc -l <err.txt)" -ne 1 ]; then
        fail "bad input $name: status $st, stderr: $(tr '\n' ' ' <err.txt)"
    else
        pass "bad input $name (status $st)"
    fi
}
bad "no key" -o out.bin
bad "no output" k0.pem
bad "five keys in four slots" -o out.bin k0.pem k1.pem k2.pem k0.raw k1.raw
bad "same key twice" -o out.bin k0.pem k0.pem
bad "x25519 key" -o out.bin kx.pem
bad "erased 0x12" -e 0x12 -o out.bin k0.pem
bad "otp erased 0xff" -f otp -e 0xff -o out.bin k0.pem
bad "write size 3" -w 3 -o out.bin k0.pem
bad "size too small" --size 40 -o out.bin k0.pem
bad "revoke an empty slot" --revoke 3 -o out.bin k0.pem
bad "format" -f eeprom -o out.bin k0.pem
finish
