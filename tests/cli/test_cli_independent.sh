#!/usr/bin/env bash
# Test 3: images that `ifu sign` makes, checked by tests/cli/imgcheck, a reader that shares no
# code with libifu or the CLI (OpenSSL recomputes the hash and verifies the signature). Fresh keys
# of every type, a spread of options, the external-signing flow (--vector-to-sign, openssl pkeyutl,
# --fix-sig); each image must also pass `ifu verify`. Needs no vectors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${IMGCHECK:?IMGCHECK must point at the imgcheck helper}"

cd "$WORK"
head -c 5000 /dev/urandom >p5000.bin
head -c 1 /dev/urandom >p1.bin
{ head -c 256 /dev/zero; head -c 777 /dev/urandom; } >z256p777.bin

for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519; do
    "$IFU" keygen -k "$t.pem" -t "$t"
    "$IFU" getpub -k "$t.pem" -e pem >"$t.pub.pem"
done

# One image: sign, then imgcheck verify and ifu verify with the public key.
signed() {
    local name=$1 key=$2
    shift 2
    local out="$name"
    if ! err=$("$IFU" sign -k "$key.pem" "$@" "$out" 2>&1); then
        fail "$name: ifu sign failed: $err"
        return
    fi
    check "$name: independent check" "$IMGCHECK" verify "$out" "$key.pub.pem"
    check "$name: ifu verify" "$IFU" verify -k "$key.pub.pem" "$out"
}

base=(-v 1.2.3+4 -H 0x200 --pad-header -S 0x10000)
for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519; do
    signed "$t-basic.bin" "$t" "${base[@]}" p5000.bin
    signed "$t-full-key.bin" "$t" "${base[@]}" --public-key-format full p5000.bin
    signed "$t-tlvs.bin" "$t" "${base[@]}" -s auto -d "(1,2.0.0), (2, 0.1.2+3)" \
        --custom-tlv 0xa0 0x0102 --custom-tlv 0x1234 text --boot-record SPE p5000.bin
    signed "$t-pad.bin" "$t" -v 0.0.1 -H 0x20 --pad-header -S 0x4000 --align 8 --max-align 16 \
        --confirm -s 5 p1.bin
    signed "$t-nopadhdr.bin" "$t" -v 3 -H 0x100 -S 0x2000 --overwrite-only --pad z256p777.bin
    signed "$t-hex.hex" "$t" "${base[@]}" -x 0x08040000 -L 0x20000000 p5000.bin
done
signed ed25519-sha512.bin ed25519 "${base[@]}" --sha 512 p5000.bin
signed ed25519-pure.bin ed25519 "${base[@]}" --pure p5000.bin
signed ed25519-pure-full.bin ed25519 "${base[@]}" --pure --public-key-format full p1.bin

for sha in 256 384 512; do
    out="unsigned-sha$sha.bin"
    if "$IFU" sign "${base[@]}" --sha "$sha" p5000.bin "$out" 2>"$WORK/err"; then
        check "$out: independent hash check" "$IMGCHECK" verify "$out"
        check "$out: ifu verify (hash only)" "$IFU" verify "$out"
    else
        fail "$out: ifu sign failed: $(cat "$WORK/err")"
    fi
done

# External signing, as docs/CLI.md shows it: export the digest, sign it with OpenSSL, insert.
for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519; do
    sha=256
    [ "$t" = ecdsa-p384 ] && sha=384
    name="$t-external"
    if ! "$IFU" sign "${base[@]}" --sha "$sha" --vector-to-sign digest p5000.bin "$name.digest" \
        2>"$WORK/err"; then
        fail "$name: --vector-to-sign failed: $(cat "$WORK/err")"
        continue
    fi
    case "$t" in
    rsa-*)
        openssl pkeyutl -sign -inkey "$t.pem" -in "$name.digest" -out "$name.sig" \
            -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
            -pkeyopt rsa_pss_saltlen:32 -pkeyopt rsa_mgf1_md:sha256
        ;;
    ecdsa-*)
        openssl pkeyutl -sign -inkey "$t.pem" -in "$name.digest" -out "$name.sig"
        ;;
    ed25519)
        openssl pkeyutl -sign -inkey "$t.pem" -rawin -in "$name.digest" -out "$name.sig"
        ;;
    esac
    openssl base64 -A -in "$name.sig" -out "$name.sig.b64"
    if ! err=$("$IFU" sign "${base[@]}" --fix-sig "$name.sig.b64" --fix-sig-pubkey "$t.pub.pem" \
        p5000.bin "$name.bin" 2>&1); then
        fail "$name: --fix-sig failed: $err"
        continue
    fi
    check "$name: independent check" "$IMGCHECK" verify "$name.bin" "$t.pub.pem"
    check "$name: ifu verify" "$IFU" verify -k "$t.pub.pem" "$name.bin"
    if [ "$t" = ed25519 ]; then
        "$IFU" sign -k ed25519.pem "${base[@]}" p5000.bin ed25519-direct.bin
        check "$name: same file as signing directly" cmp "$name.bin" ed25519-direct.bin
    fi
done

# The payload vector is exactly the signed bytes of the image.
"$IFU" sign "${base[@]}" -s 9 --vector-to-sign payload p5000.bin payload.vec
"$IFU" sign -k ed25519.pem "${base[@]}" -s 9 p5000.bin for-payload.bin
check "payload vector: equals the image's signed bytes" \
    cmp payload.vec <(head -c "$(stat -c %s payload.vec)" for-payload.bin)
finish
