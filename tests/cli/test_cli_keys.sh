#!/usr/bin/env bash
# Key commands: `ifu keygen` writes PKCS#8 PEM that OpenSSL reads, `ifu getpub` prints the
# encodings MCUboot uses (checked against OpenSSL's own output), and, when the imgtool vectors
# are present, `ifu getpub -e pem` reproduces imgtool's .pub.pem files and `-e hash` the KEYHASH
# TLVs of imgtool's images.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$WORK"
for t in rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519 x25519; do
    if ! err=$("$IFU" keygen -k "$t.pem" -t "$t" 2>&1); then
        fail "keygen $t: $err"
        continue
    fi
    check "keygen $t: PKCS#8 PEM" grep -qx -- '-----BEGIN PRIVATE KEY-----' "$t.pem"
    check "keygen $t: mode 0600" test "$(stat -c %a "$t.pem")" = 600
    check "keygen $t: OpenSSL reads it" openssl pkey -in "$t.pem" -noout
    openssl pkey -in "$t.pem" -pubout -out "$t.ossl.pub.pem"
    "$IFU" getpub -k "$t.pem" -e pem >"$t.pub.pem"
    check "getpub $t -e pem: OpenSSL's SubjectPublicKeyInfo PEM" cmp "$t.pub.pem" "$t.ossl.pub.pem"
    case "$t" in
    rsa-*) openssl rsa -in "$t.pem" -RSAPublicKey_out -outform DER -out "$t.ossl.der" 2>/dev/null ;;
    *) openssl pkey -in "$t.pem" -pubout -outform DER -out "$t.ossl.der" ;;
    esac
    "$IFU" getpub -k "$t.pem" -e raw >"$t.raw"
    check "getpub $t -e raw: $( [ "${t%%-*}" = rsa ] && echo PKCS#1 || echo SPKI ) DER" \
        cmp "$t.raw" "$t.ossl.der"
    "$IFU" getpub -k "$t.pub.pem" -e raw >"$t.pub.raw"
    check "getpub $t from the public key: same bytes" cmp "$t.raw" "$t.pub.raw"
    want=$(sha256sum <"$t.raw" | cut -d' ' -f1)
    check "getpub $t -e hash: SHA-256 of the raw key" \
        test "$("$IFU" getpub -k "$t.pem" -e hash)" = "$want"
    check "getpubhash $t -e raw: SHA-256 of the raw key" \
        test "$("$IFU" getpubhash -k "$t.pem" -e raw | xxd -p -c 64)" = "$want"
    len=$(stat -c %s "$t.raw")
    "$IFU" getpub -k "$t.pem" -o "$t.c"
    check "getpub $t -e lang-c: length line" \
        grep -qx "const unsigned int .*_pub_key_len = $len;" "$t.c"
    check "getpub $t -e lang-c: $(( (len + 7) / 8 )) lines of bytes" \
        test "$(grep -c '^    0x' "$t.c")" -eq $(( (len + 7) / 8 ))
    check "getpub $t -e lang-c: the same bytes" \
        test "$(grep '^    0x' "$t.c" | tr -d ' ,\n' | sed 's/0x//g')" = \
        "$(xxd -p "$t.raw" | tr -d '\n')"
done
check "keygen replaces an existing key (as imgtool does)" "$IFU" keygen -k ed25519.pem -t ed25519
check "keygen: the replaced key differs" \
    bash -c "! cmp -s <('$IFU' getpub -k ed25519.pem -e raw) ed25519.raw"
check "getpub -e c and -l c give lang-c" \
    cmp <("$IFU" getpub -k ecdsa-p256.pem -e c) <("$IFU" getpub -k ecdsa-p256.pem -l c)
check "getpub --name-suffix" \
    grep -q 'ecdsa_pub_key_2\[\]' <("$IFU" getpub -k ecdsa-p256.pem --name-suffix _2)
check "getpub -e lang-rust" grep -qx 'static ECDSAP384_PUB_KEY: &\[u8\] = &\[' \
    <("$IFU" getpub -k ecdsa-p384.pem -e lang-rust)

# Passphrases are read from the terminal; `script` gives the commands one.
if command -v script >/dev/null 2>&1 && command -v setsid >/dev/null 2>&1; then
    script -qc "'$IFU' keygen -k enc.pem -t ecdsa-p256 -p" /dev/null <<<$'pw one\npw one\n' \
        >/dev/null
    check "keygen -p: an encrypted PKCS#8 PEM" \
        grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' enc.pem
    check "keygen -p: OpenSSL opens it with the passphrase" \
        openssl pkey -in enc.pem -passin 'pass:pw one' -noout
    want=$(openssl pkey -in enc.pem -passin 'pass:pw one' -pubout -outform DER | sha256sum |
        cut -d' ' -f1)
    got=$(script -qc "'$IFU' getpub -k enc.pem -e hash" /dev/null <<<'pw one' | tr -d '\r' |
        tail -1)
    check "getpub asks for the passphrase of an encrypted key" test "$got" = "$want"
    check "an encrypted key without a terminal fails cleanly" \
        bash -c "setsid -w '$IFU' getpub -k enc.pem </dev/null 2>&1 | grep -q 'no terminal'"
else
    printf 'SKIP passphrase checks: no script or setsid command\n'
fi

if [ -n "${IFU_VECTORS:-}" ] && [ -f "$IFU_VECTORS/MANIFEST.tsv" ]; then
    cd "$IFU_VECTORS"
    for k in keys/*.pem; do
        case "$k" in *.pub.pem) continue ;; esac
        check "getpub -e pem $k: imgtool's ${k%.pem}.pub.pem" \
            cmp <("$IFU" getpub -k "$k" -e pem) "${k%.pem}.pub.pem"
    done
    for pair in rsa2048-basic:rsa-2048 rsa3072-big-maxver:rsa-3072 p256-1byte:ecdsa-p256 \
        ed25519-basic:ed25519; do
        img=good/${pair%%:*}.bin
        key=keys/${pair##*:}.pem
        want=$("$IFU" info --json "$img" | sed -n 's/^  "key_hash": "\(.*\)",$/\1/p')
        check "getpub -e hash $key: the KEYHASH of $img" \
            test "$("$IFU" getpub -k "$key" -e hash)" = "$want"
    done
else
    printf 'SKIP vector checks: imgtool vectors not found\n'
fi
finish
