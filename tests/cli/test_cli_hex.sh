#!/usr/bin/env bash
# Intel HEX in and out: a HEX input signs to the same image as the equivalent binary (holes read
# as 0xff, base address moved down by the header with --pad-header); a HEX output decodes to the
# binary output, its padded form is sparse (only image and trailer pieces), and its records follow
# python-intelhex's layout (16-byte data records, type 04 only above 64 KiB, one EOF record).
# Needs no vectors; uses imgcheck's own HEX decoder as the reference.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${IMGCHECK:?IMGCHECK must point at the imgcheck helper}"

cd "$WORK"
"$IFU" keygen -k ed.pem -t ed25519
"$IFU" getpub -k ed.pem -e pem >ed.pub.pem
head -c 3000 /dev/urandom >a.bin
head -c 1000 /dev/urandom >b.bin

# A HEX input with a 96-byte hole: the same as a binary input with 0xff there.
cat a.bin <(head -c 96 /dev/zero | tr '\0' '\377') b.bin >ab.bin
{
    printf ':020000040800F2\n'
    for part in a:0x0200 b:0x0e18; do   # 0x200 + 3000 = 0xdb8; + 96 = 0xe18
        f=${part%%:*}.bin
        addr=$((${part##*:}))
        len=$(stat -c %s "$f")
        off=0
        while [ "$off" -lt "$len" ]; do
            n=$((len - off < 16 ? len - off : 16))
            bytes=$(dd if="$f" bs=1 skip="$off" count="$n" 2>/dev/null | xxd -p -c 16 | tr a-f A-F)
            a=$((addr + off))
            sum=$((n + (a >> 8) + (a & 255)))
            for ((i = 0; i < n; i++)); do
                sum=$((sum + 0x${bytes:2*i:2}))
            done
            printf ':%02X%04X00%s%02X\n' "$n" "$a" "$bytes" $(((256 - sum % 256) % 256))
            off=$((off + n))
        done
    done
    printf ':00000001FF\n'
} >ab.hex

S=(-k ed.pem -v 2.1.0 -H 0x200 --pad-header -S 0x8000)
"$IFU" sign "${S[@]}" ab.bin ab-from-bin.bin
"$IFU" sign "${S[@]}" ab.hex ab-from-hex.bin
check "HEX input with a hole signs like the binary with 0xff" cmp ab-from-bin.bin ab-from-hex.bin

"$IFU" sign "${S[@]}" ab.hex ab-from-hex.hex
check "HEX to HEX: base moved down by the header (0x08000000)" \
    grep -qx ':10000000.*' <(sed -n 2p ab-from-hex.hex)
check "HEX to HEX: decodes to the binary image" "$IMGCHECK" compare ab-from-bin.bin ab-from-hex.hex
check "HEX to HEX: ifu verify" "$IFU" verify -k ed.pub.pem ab-from-hex.hex
check "HEX to HEX: independent check" "$IMGCHECK" verify ab-from-hex.hex ed.pub.pem
"$IFU" sign "${S[@]}" -x 0x10000000 ab.hex ab-moved.hex
check "-x overrides the HEX input's address" grep -qx ':020000041000EA' <(head -1 ab-moved.hex)

# Padded HEX output is sparse; filling its holes with 0xff gives the padded binary.
P=(-k ed.pem -v 1 -H 0x20 --pad-header -S 0x20000 -x 0x08010000)
"$IFU" sign "${P[@]}" --confirm a.bin pad.bin
"$IFU" sign "${P[@]}" --confirm a.bin pad.hex
check "padded HEX decodes to the padded binary" "$IMGCHECK" compare pad.bin pad.hex
check "padded HEX is sparse" test "$(grep -c '^:10' pad.hex)" -lt $((0x20000 / 16 / 4))
check "padded HEX ends with image_ok + magic, then EOF" \
    test "$(tail -4 pad.hex | tr '\n' ' ')" = ":020000040802F0 \
:10FFE80001FFFFFFFFFFFFFF77C295F360D2EF7FAE :08FFF8003552500F2CB6798040 :00000001FF "
check "every line is a well-formed record" bash -c "! grep -vqE '^:([0-9A-F]{2})+\$' pad.hex"
"$IFU" sign -k ed.pem -v 1 -H 0x20 --pad-header -S 0x2000 -x 0x100 a.bin small.hex
check "no type 04 record below 64 KiB" bash -c "! grep -q ':02000004' small.hex"
check "HEX below 64 KiB decodes to the binary" "$IMGCHECK" compare \
    <("$IFU" sign -k ed.pem -v 1 -H 0x20 --pad-header -S 0x2000 a.bin /dev/stdout) small.hex
finish
