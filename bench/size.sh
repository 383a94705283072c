#!/bin/sh
# Code size of the device library: per object on the host and on Cortex-M4, and linked (what a
# bootloader pays after --gc-sections), with the stack frames of ifu's own functions.
#
#   bench/size.sh [OUTDIR]        # default OUTDIR: build-size/ in the source tree
#   cmake --build build -t size   # the same, with OUTDIR = build/size
#
# Configures and builds two trees of its own, OUTDIR/host and OUTDIR/arm, each with MinSizeRel
# (-Os) and only the device library; the figures never depend on the tree it is started from.
# Needs cmake and a host cc; the Cortex-M part needs arm-none-eabi-gcc (newlib-nano) and is
# skipped with a message without it. docs/BENCHMARKS.md explains the method and the figures.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/build-size"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

say() {
    printf '\n== %s\n' "$*"
}

# Print `size` Berkeley output for archive members with the path stripped: "(ex .../libifu.a)"
# becomes "libifu.a", so nothing machine-specific reaches a report.
size_table() {
    tool=$1
    shift
    "$tool" -t "$@" | sed -e 's| (ex [^)]*/\([^/)]*\))| \1|' -e 's|\.c\.o\(bj\)\{0,1\}\b|.c|'
}

# Find a built archive by name (CMake puts them in different folders per target).
archive() {
    find "$1" -name "$2" -type f | head -n 1
}

# Attribute what the linker kept (from its map file) to archive members: text (code and
# read-only data), data, bss, per member and per archive. Discarded sections are not in the
# memory map, so this adds up to what `size` reports for the ELF (less linker padding).
map_attribution() {
    # POSIX awk (no gawk extensions): one row per member, then sort and format.
    awk '
    function hex(s,   i, n) {
        n = 0; s = tolower(s); sub(/^0x/, "", s)
        for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return n
    }
    function cls(o) {
        if (o ~ /^\.(bss|noinit)/) return "bss"
        if (o ~ /^\.(data|init_array|fini_array|preinit_array|tdata)/) return "data"
        if (o ~ /^\.(text|rodata|ARM\.exidx|ARM\.extab|init|fini|eh_frame)/) return "text"
        return ""
    }
    function add(size, file,   c) {
        c = cls(out)
        if (c == "" || size == 0) return
        sub(/.*\//, "", file); sub(/\.c\.obj\)$/, ".c)", file); sub(/\.c\.obj$/, ".c", file)
        sum[file, c] += size; keys[file] = 1
    }
    /Linker script and memory map/ { m = 1; next }
    !m { next }
    /^\.[^ ]/ { out = $1; next }
    /^ \*fill\* / { next }
    /^ \.[^ ]+$/ { pend = 1; next }
    /^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add(hex($3), $4); pend = 0; next }
    pend && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add(hex($2), $3); pend = 0; next }
    { pend = 0 }
    END {
        for (k in keys) {
            lib = k; sub(/\(.*/, "", lib)
            if (lib !~ /\.a$/) lib = "(program)"
            print lib, k, sum[k, "text"] + 0, sum[k, "data"] + 0, sum[k, "bss"] + 0
        }
    }' "$1" | sort -k1,1 -k3,3nr | awk '
    function flush() {
        if (lib == "") return
        printf "%-44s %7d %6d %6d\n", lib, lt, ld, lb
        printf "%s", rows
    }
    $1 != lib { flush(); lib = $1; lt = ld = lb = 0; rows = "" }
    {
        lt += $3; ld += $4; lb += $5; tt += $3; td += $4; tb += $5
        rows = rows sprintf("  %-42s %7d %6d %6d\n", $2, $3, $4, $5)
    }
    END {
        flush()
        printf "%-44s %7d %6d %6d\n", "total", tt, td, tb
    }' | { printf '%-44s %7s %6s %6s\n' "archive / member" text data bss; cat; }
}

echo "bench/size.sh: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "source: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"

# ---- host ----------------------------------------------------------------------------------

say "host: $(cc --version | head -n 1)"
cmake -S "$root" -B "$out/host" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=OFF >"$out/host.log" 2>&1 ||
    { cat "$out/host.log"; exit 1; }
cmake --build "$out/host" -j "$jobs" -t ifu ifu_mbedtls ifu_sodium >>"$out/host.log" 2>&1 ||
    { cat "$out/host.log"; exit 1; }
echo "flags: MinSizeRel (-Os), x86-64"
for lib in libifu.a libifu_mbedtls.a libifu_sodium.a; do
    echo
    size_table size "$(archive "$out/host" "$lib")"
done

# ---- Cortex-M4 -----------------------------------------------------------------------------

if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    say "arm-none-eabi-gcc not found: Cortex-M4 figures skipped"
    exit 0
fi

arm_flags="-mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections -fstack-usage"
say "Cortex-M4: $(arm-none-eabi-gcc --version | head -n 1)"
# IFU_BUILD_BENCH=ON builds the size_*.elf programs of bench/size_main.c in this cross build.
cmake -S "$root" -B "$out/arm" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_C_COMPILER=arm-none-eabi-gcc -DCMAKE_SYSTEM_NAME=Generic \
    -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY "-DCMAKE_C_FLAGS=$arm_flags" \
    -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=ON >"$out/arm.log" 2>&1 ||
    { cat "$out/arm.log"; exit 1; }
# Named targets only: the cross build must not depend on host-only programs elsewhere in the tree
# (fuzz/ replay programs, for one, need <dirent.h>, which newlib lacks).
progs="size_ifu_p256 size_ifu_rsa2048 size_ifu_ed25519 size_floor_sha256 size_floor_p256
size_floor_rsa2048 size_floor_ed25519"
# shellcheck disable=SC2086 # progs is a list of target names
cmake --build "$out/arm" -j "$jobs" -t ifu ifu_mbedtls ifu_sodium $progs >>"$out/arm.log" 2>&1 ||
    { cat "$out/arm.log"; exit 1; }
echo "flags: MinSizeRel (-Os -DNDEBUG) $arm_flags"
for lib in libifu.a libifu_mbedtls.a libifu_sodium.a; do
    echo
    size_table arm-none-eabi-size "$(archive "$out/arm" "$lib")"
done

say "Cortex-M4 linked: bench/size_main.c, --specs=nano.specs --specs=nosys.specs -nostartfiles" \
    "-Wl,--gc-sections, entry Reset_Handler"
echo "  ifu_*:   ifu_image_verify() with one trusted key of that algorithm, SHA-256 hashset"
echo "  floor_*: the crypto libraries called directly (SHA-256 + that one check), no ifu"
(cd "$out/arm/bench" && arm-none-eabi-size size_ifu_p256.elf size_ifu_rsa2048.elf \
    size_ifu_ed25519.elf size_floor_sha256.elf size_floor_p256.elf size_floor_rsa2048.elf \
    size_floor_ed25519.elf)

say "Cortex-M4 linked size_ifu_p256.elf, attributed from its map file"
map_attribution "$out/arm/bench/size_ifu_p256.map"

say "Cortex-M4 stack frames of ifu's functions (-fstack-usage, bytes, own frame only)"
find "$out/arm/src" -name '*.su' -exec cat {} + | sed 's|^[^	]*/||' | sort -t '	' -k2,2nr |
    head -n 12
