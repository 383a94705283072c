#!/usr/bin/env bash
# Test 2: every MANIFEST.tsv row through `ifu verify` (with its key, or hash-only when the key is
# `-`) gives the row's `expect` verdict; exit status 0 or 1, never a crash. For rows whose reason
# is `good`, `ifu info --json` agrees with the version, security_counter, hdr_size, img_size,
# hash, sig and keyfmt columns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_vectors

# Value of a top-level key of `ifu info --json` (one key per line), quotes removed.
json_field() {
    sed -n "s/^  \"$1\": \(.*\)\$/\1/p" "$2" | head -1 | sed 's/,$//; s/^"//; s/"$//'
}

cd "$IFU_VECTORS"
row=0
while IFS=$'\t' read -r file key expect _imgtool reason version sec hdr img hash sig keyfmt _; do
    row=$((row + 1))
    [ "$row" -eq 1 ] && continue    # header line
    name="$file${key:+ [$key]}"
    set +e
    if [ "$key" = "-" ]; then
        out=$("$IFU" verify "$file" 2>&1)
    else
        out=$("$IFU" verify -k "$key" "$file" 2>&1)
    fi
    rc=$?
    set -e
    case "$rc" in
    0) got=accept ;;
    1) got=reject ;;
    *)
        fail "$name: exit status $rc ($out)"
        continue
        ;;
    esac
    if [ "$got" = "$expect" ]; then
        pass "$name: $got ($(printf '%s' "$out" | head -1))"
    else
        fail "$name: $got, want $expect ($out)"
    fi

    [ "$reason" = "good" ] || continue
    json="$WORK/info.json"
    if ! "$IFU" info --json "$file" >"$json" 2>"$WORK/info.err"; then
        fail "$file: ifu info --json failed: $(cat "$WORK/info.err")"
        continue
    fi
    [ "$sec" = "-" ] && sec=null
    want="version=$version security_counter=$sec hdr_size=$((hdr)) img_size=$((img))"
    want="$want hash=$hash sig=$sig keyfmt=$keyfmt hash_ok=true"
    got=""
    for f in version security_counter hdr_size img_size hash sig keyfmt hash_ok; do
        got="$got${got:+ }$f=$(json_field "$f" "$json")"
    done
    if [ "$got" = "$want" ]; then
        pass "$file: info --json agrees with the manifest"
    else
        fail "$file: info --json says '$got', manifest '$want'"
    fi
done <MANIFEST.tsv
finish
