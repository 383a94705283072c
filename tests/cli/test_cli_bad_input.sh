#!/usr/bin/env bash
# Test 4: bad input. Each case must end with the expected exit status (docs/CLI.md: 1 invalid
# image, 2 usage, 3 file or key), exactly one stderr line of the form "ifu: <what>: <why>", no
# crash, and no output file: neither a new one, nor a changed old one, nor a temporary left over.
# Needs no vectors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$WORK"
mkdir out
head -c 3000 /dev/urandom >pay.bin
head -c 64 /dev/zero >zeros.bin
"$IFU" keygen -k p256.pem -t ecdsa-p256
"$IFU" keygen -k rsa.pem -t rsa-2048
"$IFU" keygen -k ed.pem -t ed25519
"$IFU" getpub -k p256.pem -e pem >p256.pub.pem
"$IFU" getpub -k ed.pem -e pem >ed.pub.pem
printf 'not a key\n' >garbage.pem
printf -- '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' >broken.pem
printf ':10000000000102030405060708090A0B0C0D0E0F00\n:00000001FF\n' >badsum.hex
printf ':0400000001020304F2\nxyz\n' >badline.hex
printf 'c29tZQ==\n' >sig.b64
printf '%%%%%%\n' >badsig.b64
"$IFU" sign -k p256.pem -v 1 -H 0x200 --pad-header -S 0x10000 pay.bin good.bin
cp good.bin flipped.bin
printf '\x55' | dd of=flipped.bin bs=1 seek=1000 conv=notrunc 2>/dev/null
head -c 2000 good.bin >truncated.bin
printf 'OLD' >out/existing.bin

S=(-v 1.0.0 -H 0x200 --pad-header -S 0x10000)

# case NAME STATUS OUTFILE COMMAND...: OUTFILE ("-" for none) must not exist afterwards, or
# keep its old content when it existed before.
case_() {
    local name=$1 want=$2 outfile=$3
    shift 3
    local before=""
    if [ "$outfile" != - ] && [ -e "$outfile" ]; then
        before=$(sha256sum <"$outfile")
    fi
    set +e
    "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    local rc=$?
    set -e
    local lines
    lines=$(wc -l <"$WORK/stderr")
    local msg
    msg=$(head -1 "$WORK/stderr")
    local why=""
    [ "$rc" -eq "$want" ] || why="exit status $rc, want $want"
    [ "$lines" -eq 1 ] || why="$why; $lines stderr lines"
    case "$msg" in
    "ifu: "*": "*) ;;
    *) why="$why; stderr not 'ifu: <what>: <why>'" ;;
    esac
    if [ "$outfile" != - ]; then
        if [ -n "$before" ]; then
            [ "$(sha256sum <"$outfile")" = "$before" ] || why="$why; $outfile was changed"
        elif [ -e "$outfile" ]; then
            why="$why; $outfile was left behind"
        fi
    fi
    if compgen -G "$WORK/out/*.ifu-*" >/dev/null || compgen -G "$WORK/*.ifu-*" >/dev/null; then
        why="$why; a temporary file was left behind"
        rm -f "$WORK"/out/*.ifu-* "$WORK"/*.ifu-*
    fi
    if [ -z "$why" ]; then
        pass "$name: exit $rc: $msg"
    else
        fail "$name: ${why#; } [$msg]"
    fi
}

O=out/img.bin
# Command line.
case_ "no command" 2 - "$IFU" frobnicate
case_ "unknown option" 2 $O "$IFU" sign "${S[@]}" --frobnicate pay.bin $O
case_ "missing -S" 2 $O "$IFU" sign -v 1 -H 0x200 --pad-header pay.bin $O
case_ "missing OUTFILE" 2 - "$IFU" sign "${S[@]}" pay.bin
case_ "option without its value" 2 - "$IFU" sign pay.bin $O -k
case_ "bad version 1.2.x" 2 $O "$IFU" sign -v 1.2.x -H 0x200 --pad-header -S 0x10000 pay.bin $O
case_ "version with leading zero" 2 $O "$IFU" sign -v 01.2.3 -H 0x200 -S 0x10000 pay.bin $O
case_ "version build without revision" 2 $O "$IFU" sign -v 1.2+3 -H 0x200 -S 0x10000 pay.bin $O
case_ "version major 256" 2 $O "$IFU" sign -v 256.0.0 -H 0x200 -S 0x10000 pay.bin $O
case_ "version revision 65536" 2 $O "$IFU" sign -v 1.0.65536 -H 0x200 -S 0x10000 pay.bin $O
case_ "version build 2^32" 2 $O "$IFU" sign -v 1.0.0+4294967296 -H 0x200 -S 0x10000 pay.bin $O
case_ "header size 16" 2 $O "$IFU" sign -v 1 -H 16 --pad-header -S 0x10000 pay.bin $O
case_ "header size 0x10000" 2 $O "$IFU" sign -v 1 -H 0x10000 --pad-header -S 0x10000 pay.bin $O
case_ "slot size not a number" 2 $O "$IFU" sign -v 1 -H 0x200 --pad-header -S 12k pay.bin $O
case_ "slot size with leading zero" 2 $O "$IFU" sign -v 1 -H 0x200 --pad-header -S 010 pay.bin $O
case_ "security counter 2^32" 2 $O "$IFU" sign "${S[@]}" -s 0x100000000 pay.bin $O
case_ "bad --align choice" 2 $O "$IFU" sign "${S[@]}" --align 3 pay.bin $O
case_ "bad --erased-val" 2 $O "$IFU" sign "${S[@]}" -R 0xfe pay.bin $O
case_ "dependency without version" 2 $O "$IFU" sign "${S[@]}" -d "(1)" pay.bin $O
case_ "dependency id 256" 2 $O "$IFU" sign "${S[@]}" -d "(256,1.0.0)" pay.bin $O
case_ "custom TLV with a predefined type" 2 $O "$IFU" sign "${S[@]}" --custom-tlv 0x10 x pay.bin $O
case_ "custom TLV below 0xa0" 2 $O "$IFU" sign "${S[@]}" --custom-tlv 0x80 x pay.bin $O
case_ "custom TLV given twice" 2 $O \
    "$IFU" sign "${S[@]}" --custom-tlv 0xa0 x --custom-tlv 0xa0 y pay.bin $O
case_ "custom TLV odd hex" 2 $O "$IFU" sign "${S[@]}" --custom-tlv 0xa0 0x123 pay.bin $O
case_ "custom TLV bad hex" 2 $O "$IFU" sign "${S[@]}" --custom-tlv 0xa0 0x12zz pay.bin $O
case_ "boot record too long" 2 $O "$IFU" sign "${S[@]}" --boot-record ABCDEFGHIJKLM pay.bin $O
case_ "-L with -F" 2 $O "$IFU" sign "${S[@]}" -L 0x20000000 -F 0x8000000 pay.bin $O
case_ "--pure --sha 512" 2 $O "$IFU" sign "${S[@]}" -k ed.pem --pure --sha 512 pay.bin $O
case_ "vector-to-sign with --pad" 2 $O \
    "$IFU" sign "${S[@]}" --pad --vector-to-sign digest pay.bin $O
case_ "encryption (unsupported)" 2 $O "$IFU" sign "${S[@]}" -E p256.pub.pem pay.bin $O
# Options that the key cannot meet.
case_ "--pure with a P-256 key" 2 $O "$IFU" sign "${S[@]}" -k p256.pem --pure pay.bin $O
case_ "--sha 384 with a P-256 key" 2 $O "$IFU" sign "${S[@]}" -k p256.pem --sha 384 pay.bin $O
case_ "--sha 512 with an RSA key" 2 $O "$IFU" sign "${S[@]}" -k rsa.pem --sha 512 pay.bin $O
case_ "--fix-sig without its public key" 2 $O "$IFU" sign "${S[@]}" --fix-sig sig.b64 pay.bin $O
case_ "--fix-sig with -k" 2 $O \
    "$IFU" sign "${S[@]}" -k p256.pem --fix-sig sig.b64 --fix-sig-pubkey p256.pub.pem pay.bin $O
case_ "--sig-out of an unsigned image" 2 $O "$IFU" sign "${S[@]}" --sig-out out/s.b64 pay.bin $O
# Images that do not fit, headers that are not there.
case_ "image larger than the slot" 2 $O "$IFU" sign -v 1 -H 0x200 --pad-header -S 0x800 pay.bin $O
case_ "image + trailer larger than the slot" 2 $O \
    "$IFU" sign -v 1 -H 0x200 --pad-header -S 0xe00 pay.bin $O
case_ "no room for the header" 2 $O "$IFU" sign -v 1 -H 0x200 -S 0x10000 pay.bin $O
case_ "input shorter than the header" 2 $O "$IFU" sign -v 1 -H 0x200 -S 0x10000 zeros.bin $O
case_ ".hex output without an address" 2 out/img.hex "$IFU" sign "${S[@]}" pay.bin out/img.hex
case_ "failure keeps an existing OUTFILE" 2 out/existing.bin \
    "$IFU" sign -v 1 -H 0x200 --pad-header -S 0x800 pay.bin out/existing.bin
# Files and keys.
case_ "missing INFILE" 3 $O "$IFU" sign "${S[@]}" nothere.bin $O
case_ "missing key" 3 $O "$IFU" sign "${S[@]}" -k nothere.pem pay.bin $O
case_ "key that is not PEM" 3 $O "$IFU" sign "${S[@]}" -k garbage.pem pay.bin $O
case_ "PEM with broken contents" 3 $O "$IFU" sign "${S[@]}" -k broken.pem pay.bin $O
case_ "public key given to sign" 3 $O "$IFU" sign "${S[@]}" -k p256.pub.pem pay.bin $O
case_ "fix-sig that is not base64" 3 $O \
    "$IFU" sign "${S[@]}" --fix-sig badsig.b64 --fix-sig-pubkey p256.pub.pem pay.bin $O
case_ "HEX input with a bad checksum" 3 $O "$IFU" sign "${S[@]}" badsum.hex $O
case_ "HEX input with a bad line" 3 $O "$IFU" sign "${S[@]}" badline.hex $O
case_ "OUTFILE in a missing folder" 3 - "$IFU" sign "${S[@]}" pay.bin nodir/img.bin
case_ "keygen into a missing folder" 3 - "$IFU" keygen -k nodir/k.pem -t ed25519
case_ "keygen with an unknown type" 2 out/k.pem "$IFU" keygen -k out/k.pem -t rsa-1024
case_ "getpub of a missing key" 3 - "$IFU" getpub -k nothere.pem
case_ "getpub with an unknown encoding" 2 - "$IFU" getpub -k p256.pem -e base64
case_ "getpub with -e and -l" 2 - "$IFU" getpub -k p256.pem -e pem -l c
case_ "getpub name suffix with a dash" 2 - "$IFU" getpub -k p256.pem --name-suffix a-b
# Verification and info.
case_ "verify a flipped payload" 1 - "$IFU" verify -k p256.pub.pem flipped.bin
case_ "verify a truncated image" 1 - "$IFU" verify -k p256.pub.pem truncated.bin
case_ "verify with another key" 1 - "$IFU" verify -k ed.pub.pem good.bin
case_ "verify a non-image" 1 - "$IFU" verify pay.bin
case_ "verify a missing file" 3 - "$IFU" verify -k p256.pub.pem nothere.bin
case_ "verify with an unreadable key" 3 - "$IFU" verify -k garbage.pem good.bin
case_ "info of a non-image" 1 - "$IFU" info pay.bin
case_ "info --json of a truncated image" 1 - "$IFU" info --json truncated.bin
case_ "info of a bad HEX file" 3 - "$IFU" info badsum.hex
finish
