#!/usr/bin/env bash
# Test 1: every `imgtool sign` line of the vectors' commands.txt, run with ifu instead, gives the
# same image: Ed25519 and unsigned images whole-file identical (HEX as text), the others identical
# except the signature value (imgcheck compare). `ifu verify` then accepts ifu's own image.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_vectors
: "${IMGCHECK:?IMGCHECK must point at the imgcheck helper}"

cd "$IFU_VECTORS"
mkdir -p "$WORK/good"
while IFS= read -r line; do
    case "$line" in
    "imgtool sign "*) ;;
    *) continue ;;
    esac
    eval "set -- ${line#imgtool }"    # the file is test data we trust: it holds quoted arguments
    args=("$@")
    n=${#args[@]}
    want=${args[n - 1]}
    got="$WORK/$want"
    args[n - 1]=$got
    key=""
    for ((i = 0; i < n - 1; i++)); do
        if [ "${args[i]}" = "-k" ]; then
            key=${args[i + 1]}
        fi
    done
    name=$(basename "$want")

    if ! err=$("$IFU" "${args[@]}" 2>&1); then
        fail "$name: ifu sign failed: $err"
        continue
    fi
    case "$key" in
    "" | *ed25519*)
        # Deterministic: the whole file must match.
        if cmp -s "$want" "$got"; then
            pass "$name: identical to imgtool's"
        else
            fail "$name: differs from imgtool's ($(cmp "$want" "$got" 2>&1 | head -1))"
        fi
        ;;
    *)
        check "$name: same as imgtool's except the signature" "$IMGCHECK" compare "$want" "$got"
        ;;
    esac
    if [ -n "$key" ]; then
        check "$name: ifu verify accepts it" "$IFU" verify -k "${key%.pem}.pub.pem" "$got"
    else
        check "$name: ifu verify (hash only) accepts it" "$IFU" verify "$got"
    fi
done <commands.txt
finish
