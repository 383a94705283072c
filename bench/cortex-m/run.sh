#!/bin/bash
# Cortex-M footprint and instruction counts on mps2-an386 (QEMU), per signature algorithm:
#   - arm-none-eabi-size of a minimal bootloader (cm_bench.c BENCH_BOOT), swap and overwrite,
#     -Os, Thumb, --gc-sections, the other algorithms compiled out; where its bytes go;
#   - peak RAM: .data + .bss + the stack peak found by stack painting, on an install;
#   - exact instructions (tools/qemu-plugins/insncount) of ifu_image_verify() on a 256 KiB image
#     (header + payload = 262,144 bytes hashed), split into SHA-256, signature, ifu's own code,
#     libc; the same check from the raw crypto calls; ifu's overhead over them;
#   - instructions and flash operations of an install (swap or overwrite) of that image, and of a
#     plain boot (verify and jump, nothing to do).
#
#   bench/cortex-m/run.sh [OUTDIR]        # default OUTDIR: build-cm-bench/ in the source tree
#   IFU_BENCH_ALGS="p256" bench/cortex-m/run.sh   # a subset of: p256 p256m rsa2048 ed25519
#                                                 # (p256m: P-256 through p256-m, IFU_WITH_P256M)
#   IFU_BENCH_SMALL=1 ...  # also the size-optimised crypto build (IFU_CRYPTO_SMALL)
#
# Needs arm-none-eabi-gcc, qemu-system-arm, cmake, a host cc, OpenSSL 3 (the host `ifu` tool,
# built here in OUTDIR/host). docs/BENCHMARKS.md "Cortex-M" explains the method and the figures.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$root/build-cm-bench"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
algs=${IFU_BENCH_ALGS:-"p256 p256m rsa2048 ed25519"}
jobs=2
qemu=${QEMU:-qemu-system-arm}

for tool in arm-none-eabi-gcc arm-none-eabi-size "$qemu" cmake; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done

say() { printf '\n== %s\n' "$*"; }
log() { "$@" >>"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log"; exit 1; }; }

echo "bench/cortex-m/run.sh: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "source: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
echo "$(arm-none-eabi-gcc --version | head -n 1); $("$qemu" --version | head -n 1)"
: >"$out/build.log"

# ---- host: the ifu tool and the QEMU plugins ---------------------------------------------------
log cmake -S "$root" -B "$out/host" -DCMAKE_BUILD_TYPE=Release -DIFU_BUILD_TESTS=OFF \
    -DIFU_BUILD_BENCH=OFF
log cmake --build "$out/host" -j $jobs -t ifu_cli ifu_qemu_insncount
ifu=$out/host/tools/ifu/ifu
insncount=$out/host/tools/qemu-plugins/insncount.so

# ---- inputs: keys, payload ----------------------------------------------------------------------
mkdir -p "$out/keys" "$out/img"
declare -A keytype=([p256]=ecdsa-p256 [p256m]=ecdsa-p256 [rsa2048]=rsa-2048 [ed25519]=ed25519)
header=512
hashed=262144 # header + payload: the "256 KiB image" of the anchors
# Deterministic payload: the same bytes on every run.
yes 'ifu Cortex-M benchmark payload, 256 KiB image, mps2-an386.' | head -c $((hashed - header)) \
    >"$out/img/payload.bin"

# categories of insncount labels (map_ranges.awk) for the verify split
categorise() { # categorise REPORT: "hash sig ifu libc startup program other total"
    awk '
    $1 != "insncount:" { next }
    { label = $2; n = $3 }
    label == "total" { total = n; next }
    label ~ /sha256\.c\)$/ { c["hash"] += n; next }
    label ~ /^libifu_(mbedtls|sodium)\.a/ { c["sig"] += n; next }
    label ~ /^libifu(_boot_[a-z]+)?\.a/ { c["ifu"] += n; next }
    label ~ /^libifu_cortex_m\.a/ { c["port"] += n; next }
    label ~ /^lib(c_nano|gcc|nosys)\.a/ { c["libc"] += n; next }
    label == "startup.c" { c["startup"] += n; next }
    label ~ /^(cm_bench\.c|bench_key\.c)$/ { c["program"] += n; next }
    { c["other"] += n }
    END {
        printf "%d %d %d %d %d %d %d %d %d\n", c["hash"], c["sig"], c["ifu"], c["port"], c["libc"],
               c["startup"], c["program"], c["other"], total
    }' "$1"
}

# count ELF REPORT [qemu options]: run ELF under insncount with ranges from its map
count() {
    local elf=$1 rep=$2
    shift 2
    awk -f "$root/bench/cortex-m/map_ranges.awk" "${elf%.elf}.map" >"${elf%.elf}.ranges"
    "$qemu" -M mps2-an386 -display none -monitor none -serial null \
        -semihosting-config enable=on,target=native -kernel "$elf" "$@" \
        -plugin "$insncount,ranges=${elf%.elf}.ranges,out=$rep" 2>"$rep.console"
}

erased_flash() { # erased_flash FILE: 16 MiB of 0xFF
    head -c 16777216 /dev/zero | tr '\0' '\377' >"$1"
}

put() { # put FILE IMAGE OFFSET
    dd if="$2" of="$1" bs=4096 seek=$(($3 / 4096)) conv=notrunc status=none
}

flash_opts() {
    echo "-object memory-backend-file,id=fl,size=16M,mem-path=$1,share=on -machine memory-backend=fl"
}

variants="default"
[ "${IFU_BENCH_SMALL:-0}" = 1 ] && variants="default small"

for alg in $algs; do
  for variant in $variants; do
    name=$alg
    small=OFF
    [ "$variant" = small ] && name=$alg-small && small=ON
    key=$out/keys/$alg.pem
    [ -f "$key" ] || "$ifu" keygen -t "${keytype[$alg]}" -k "$key" >/dev/null
    rsa=OFF; p256=OFF; ed=OFF; p256m=OFF
    case $alg in
    p256) p256=ON ;;
    p256m) p256=ON; p256m=ON ;;
    rsa2048) rsa=ON ;;
    ed25519) ed=ON ;;
    esac
    tree=$out/arm-$name
    log cmake -S "$root" -B "$tree" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
        -DCMAKE_BUILD_TYPE=MinSizeRel -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF \
        -DIFU_WITH_RSA=$rsa -DIFU_WITH_ECDSA_P256=$p256 -DIFU_WITH_ECDSA_P384=OFF \
        -DIFU_WITH_ED25519=$ed -DIFU_WITH_SHA512=OFF -DIFU_CRYPTO_SMALL=$small \
        -DIFU_WITH_P256M=$p256m \
        -DIFU_BENCH_ALG="$alg" -DIFU_BENCH_KEY="$key" -DIFU_SIGNING_KEY="$key" \
        -DIFU_HOST_TOOL="$ifu"
    log cmake --build "$tree" -j $jobs -t cm_boot_swap cm_boot_overwrite cm_boot_swap_report \
        cm_boot_overwrite_report cm_stage_swap cm_stage_overwrite cm_verify cm_raw
    b=$tree/bench/cortex-m

    say "$name: minimal bootloader, arm-none-eabi-size (bytes)"
    (cd "$b" && arm-none-eabi-size cm_boot_swap.elf cm_boot_overwrite.elf)
    for mode in swap overwrite; do
        echo "-- $mode, where .text goes (linker map):"
        awk -f "$root/bench/cortex-m/map_ranges.awk" "$b/cm_boot_$mode.map" | awk '
            function hex(s,   i, n) {
                n = 0; s = tolower(s)
                for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
                return n
            }
            { size = hex($2) - hex($1); l = $3 }
            l ~ /^libifu\.a\(crypto_/ { c["ifu crypto glue (src/crypto_*.c)"] += size; next }
            l ~ /^libifu(_boot_[a-z]+)?\.a/ { c["ifu (src/: verifier, boot engine, flash layer)"] += size; next }
            l ~ /^libifu_(mbedtls|sodium)\.a/ { c["crypto libraries (mbedTLS / libsodium)"] += size; next }
            l ~ /^libifu_cortex_m\.a/ { c["port (NOR driver, UART, jump)"] += size; next }
            l ~ /^lib(c_nano|gcc|nosys)\.a/ { c["libc, libgcc"] += size; next }
            { c["program (startup, main, key)"] += size }
            END { for (k in c) printf "   %7d  %s\n", c[k], k }' | sort -rn
    done

    say "$name: verify of a 256 KiB image (exact instructions, insncount)"
    img=$out/img/$name.bin
    "$ifu" sign -k "$key" -v 1.0.0 -H $header --pad-header --sha 256 -S $((72 * 4096)) --align 1 \
        --sig-out "$out/img/$name.sig.b64" "$out/img/payload.bin" "$img" >/dev/null
    base64 -d "$out/img/$name.sig.b64" >"$out/img/$name.sig"
    siglen=$(stat -c %s "$out/img/$name.sig")
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((siglen & 255)) $((siglen >> 8 & 255)) 0 0)" \
        >"$out/img/$name.sigblob"
    cat "$out/img/$name.sig" >>"$out/img/$name.sigblob"
    count "$b/cm_verify.elf" "$b/verify.count" \
        -device loader,file="$img",addr=0x00100000,force-raw=on
    count "$b/cm_raw.elf" "$b/raw.count" \
        -device loader,file="$img",addr=0x00100000,force-raw=on \
        -device loader,file="$out/img/$name.sigblob",addr=0x00180000,force-raw=on
    grep -q '^bench: verify 0$' "$b/verify.count.console" || { echo "verify failed"; exit 1; }
    grep -q '^bench: raw verify 0$' "$b/raw.count.console" || { echo "raw verify failed"; exit 1; }
    read -r vh vs vi vp vl vst vpr vo vt < <(categorise "$b/verify.count")
    read -r rh rs ri rp rl rst rpr ro rt < <(categorise "$b/raw.count")
    printf '%-28s %12s %12s\n' "" "ifu verify" "raw calls"
    printf '%-28s %12d %12d\n' "SHA-256 (sha256.c)" "$vh" "$rh" "signature (rest of crypto)" \
        "$vs" "$rs" "ifu (libifu.a)" "$vi" "$ri" "libc/libgcc (memcpy...)" "$vl" "$rl" \
        "program (reader, main)" "$vpr" "$rpr" "startup (.bss zeroing)" "$vst" "$rst" \
        "other" "$((vp + vo))" "$((rp + ro))" "total" "$vt" "$rt"
    awk -v v=$((vt - vst)) -v r=$((rt - rst)) 'BEGIN {
        printf "ifu overhead over the raw calls (startup excluded): %d instructions, %.2f %%\n",
               v - r, 100 * (v - r) / r }'

    for mode in swap overwrite; do
        say "$name: $mode: a plain boot of that image, then an install of it"
        fl=$out/img/flash-$name-$mode.img
        erased_flash "$fl"
        # v1 (the same bytes, version 1.0.0) in the primary, v2 staged in the secondary.
        "$ifu" sign -k "$key" -v 2.0.0 -H $header --pad-header --sha 256 -S $((73 * 4096)) \
            --align 1 "$out/img/payload.bin" "$out/img/$name-v2.bin" >/dev/null
        put "$fl" "$img" 0
        # A plain boot first: v1 alone, no trailer (a factory image, confirmed): verify, jump.
        # shellcheck disable=SC2046 # flash_opts is a list of options
        count "$b/cm_boot_${mode}_report.elf" "$b/$mode-plain.count" $(flash_opts "$fl")
        # shellcheck disable=SC2046
        "$qemu" -M mps2-an386 -display none -monitor none -serial null \
            -semihosting-config enable=on,target=native -kernel "$b/cm_stage_$mode.elf" \
            $(flash_opts "$fl") 2>"$b/stage-$mode.console"
        headroom=$(sed -n 's/^bench: headroom //p' "$b/stage-$mode.console")
        grep -q '^bench: request 0$' "$b/stage-$mode.console" || { echo "stage failed"; exit 1; }
        put "$fl" "$out/img/$name-v2.bin" $((72 * 4096 + headroom))
        # shellcheck disable=SC2046
        count "$b/cm_boot_${mode}_report.elf" "$b/$mode-install.count" $(flash_opts "$fl")
        for run in plain install; do
            c=$b/$mode-$run.count.console
            grep -q '^bench: boot_go 0$' "$c" || { echo "$mode $run failed"; cat "$c"; exit 1; }
            read -r h s i p l st pr o t < <(categorise "$b/$mode-$run.count")
            printf '%-8s total %10d  (SHA-256 %d, signature %d, ifu %d, NOR driver %d, libc %d)\n' \
                "$run" "$t" "$h" "$s" "$i" "$p" "$l"
            sed -n 's/^bench: /         /p' "$c" | grep -v boot_go
        done
        rm -f "$fl"
    done
  done
done
