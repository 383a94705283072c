#!/bin/sh
# Timings for docs/BENCHMARKS.md, in one run:
#   1. ifu's streaming verify of a 1 MiB image (ECDSA P-256 / SHA-256, then every other
#      algorithm) against SHA-256 of the same file: OpenSSL in-process (EVP) and the
#      `openssl dgst -sha256` process; ratios against the goal (>= 0.9 of OpenSSL's throughput).
#   2. `ifu sign` of the 1 MiB payload, whole process, per algorithm, against imgtool 2.4.0.
#   3. The boot engine's flash cost per mode and geometry (bench_boot).
#   5. The streaming update API: context size, peak stack of begin/write/finish (stack painting on
#      the host; the deepest static call chain from -fcallgraph-info on Cortex-M4 when
#      arm-none-eabi-gcc is installed), throughput against a raw copy (bench_update).
#
#   bench/run.sh [BUILDDIR]        # default BUILDDIR: build-bench/ in the source tree
#   cmake --build build -t bench   # the same, with BUILDDIR = build/bench-release
#
# BUILDDIR is configured Release (tests off) and holds the scratch files (BUILDDIR/bench-work).
# Environment: RUNS (in-process repetitions, default 100), EXEC_RUNS (process repetitions,
# default 21), IFU_SHARED_DIR (the shared/ folder; its imgtool keys are used when present, else
# fresh keys come from `ifu keygen`). Uses hyperfine as a cross-check when it is installed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build-bench"}
mkdir -p "$build"
build=$(cd "$build" && pwd)
runs=${RUNS:-100}
exec_runs=${EXEC_RUNS:-21}
shared=${IFU_SHARED_DIR:-"$root/../shared"}
jobs=$(nproc 2>/dev/null || echo 2)
algs="rsa-2048 rsa-3072 ecdsa-p256 ecdsa-p384 ed25519"

say() {
    printf '\n== %s\n' "$*"
}

# Value of key=value in a line of text: field KEY TEXT.
field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# Floating-point a / b with 3 decimals.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# ---- build ---------------------------------------------------------------------------------

if ! cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DIFU_BUILD_TESTS=OFF \
    -DIFU_BUILD_TOOLS=ON -DIFU_BUILD_BENCH=ON >"$build/bench-build.log" 2>&1 ||
    ! cmake --build "$build" -j "$jobs" -t bench_verify bench_exec ifu_cli bench_boot_swap \
        bench_boot_overwrite bench_boot_xip bench_update \
        >>"$build/bench-build.log" 2>&1; then
    tail -n 40 "$build/bench-build.log"
    echo "bench/run.sh: build failed (log: bench-build.log in the build dir)" >&2
    exit 1
fi

bv=$(find "$build" -name bench_verify -type f | head -n 1)
bx=$(find "$build" -name bench_exec -type f | head -n 1)
ifu=$(find "$build/tools" -name ifu -type f | head -n 1)
for f in "$bv" "$bx" "$ifu"; do
    if [ -z "$f" ] || [ ! -x "$f" ]; then
        echo "bench/run.sh: a benchmark program is missing from $build" >&2
        exit 1
    fi
done

# ---- machine -------------------------------------------------------------------------------

say "machine"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "source:   $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
echo "nproc:    $(nproc)"
echo "cpu:      $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
if grep -qw sha_ni /proc/cpuinfo; then
    echo "sha_ni:   yes (x86 SHA extensions: OpenSSL uses them, mbedTLS 3.6 has no x86 SHA code)"
else
    echo "sha_ni:   no"
fi
echo "cc:       $(cc --version | head -n 1)"
echo "openssl:  $(openssl version)"
echo "kernel:   $(uname -sr)"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min, at start)"
echo "build:    Release (-O3 -DNDEBUG)"

# ---- inputs --------------------------------------------------------------------------------

work="$build/bench-work"
rm -rf "$work"
mkdir -p "$work"
"$bv" --payload 1048576 "$work/payload.bin"
keys="$shared/vectors/imgtool/keys"
if [ -f "$keys/ecdsa-p256.pem" ]; then
    echo "keys:     shared/vectors/imgtool/keys (imgtool keygen)"
else
    keys="$work/keys"
    mkdir -p "$keys"
    for t in $algs; do
        "$ifu" keygen -k "$keys/$t.pem" -t "$t"
    done
    echo "keys:     fresh, ifu keygen"
fi
sign_args="-v 1.0.0 -H 0x200 --pad-header -S 0x200000"
for t in $algs; do
    # shellcheck disable=SC2086 # sign_args is a list of options
    "$ifu" sign -k "$keys/$t.pem" $sign_args "$work/payload.bin" "$work/$t.bin"
done
echo "payload:  1048576 pseudo-random bytes (bench_verify --payload)"
echo "images:   ifu sign -k KEY $sign_args payload.bin T.bin"

# ---- 1. verify throughput ------------------------------------------------------------------

say "1. verify, in process: bench_verify -n $runs -k ecdsa-p256.pem ecdsa-p256.bin (best of $runs)"
p256=$("$bv" -n "$runs" -k "$keys/ecdsa-p256.pem" "$work/ecdsa-p256.bin")
printf '%s\n' "$p256"

say "1b. verify, whole process (bench_exec, $exec_runs runs after 3 warm-ups)"
dgst=$("$bx" -n "$exec_runs" -- openssl dgst -sha256 "$work/ecdsa-p256.bin")
echo "openssl dgst -sha256 ecdsa-p256.bin:          $dgst"
iv=$("$bx" -n "$exec_runs" -- "$ifu" verify -k "$keys/ecdsa-p256.pem" "$work/ecdsa-p256.bin")
echo "ifu verify -k ecdsa-p256.pem ecdsa-p256.bin:  $iv"

say "1c. verify, in process, the other algorithms (best of $runs)"
for t in rsa-2048 rsa-3072 ecdsa-p384 ed25519; do
    "$bv" -n "$runs" -k "$keys/$t.pem" "$work/$t.bin" | grep -E '^(image|result (sig_verify|evp_sig_verify|image_verify) )'
done

# OpenSSL without its SHA-NI code path (OPENSSL_ia32cap masks CPUID leaf 7 EBX bit 29, the SHA
# extensions): what ifu's mbedTLS SHA-256, portable C, is up against on a CPU without them.
nosha=""
if grep -qw sha_ni /proc/cpuinfo; then
    say "1d. as 1, OpenSSL with SHA-NI masked (OPENSSL_ia32cap=':~0x20000000'), best of $runs"
    nosha=$(OPENSSL_ia32cap=':~0x20000000' "$bv" -n "$runs" -k "$keys/ecdsa-p256.pem" \
        "$work/ecdsa-p256.bin")
    printf '%s\n' "$nosha" | grep -E '^result (evp_sha256|port_hash|image_verify|verify_update) '
fi

# ---- 2. sign time --------------------------------------------------------------------------

# imgtool 2.4.0 medians from the issue: 0.29-0.34 s per sign, 0.45 s for RSA-3072. The ratio
# uses the low end (0.29 s), the one least favourable to ifu.
anchor_ms() {
    if [ "$1" = rsa-3072 ]; then echo 450; else echo 290; fi
}

# A RAM file system, to separate the durable write (ifu sign fsyncs its output) from the rest.
tmpfs=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    tmpfs=$(mktemp -d /dev/shm/ifu-bench.XXXXXX)
    trap 'rm -rf "$tmpfs"' EXIT
    cp "$work/payload.bin" "$tmpfs/payload.bin"
fi

say "2. ifu sign, whole process, 1 MiB payload (bench_exec: $exec_runs runs after 3 warm-ups)"
echo "median_ms: wall time, the goal's measure (<= 15 ms); cpu_ms: median user + system time"
echo "speedup: imgtool 2.4.0 median (issue: 0.29-0.34 s, 0.45 s RSA-3072; low end used) / median_ms"
echo "process floors:"
echo "  /bin/true:                $("$bx" -n "$exec_runs" -- /bin/true)"
echo "  ifu --help:               $("$bx" -n "$exec_runs" -- "$ifu" --help)"
echo "  openssl version:          $("$bx" -n "$exec_runs" -- openssl version)"
for t in ecdsa-p256 rsa-3072; do
    echo "  ifu getpub -k $t.pem: $("$bx" -n "$exec_runs" -- "$ifu" getpub -k "$keys/$t.pem")"
done
echo
printf '%-11s %-6s %8s %10s %8s %11s %8s %7s\n' alg output min_ms median_ms cpu_ms imgtool_ms speedup goal
for t in $algs; do
    for where in disk tmpfs; do
        if [ "$where" = disk ]; then
            dir=$work
        elif [ -n "$tmpfs" ]; then
            dir=$tmpfs
        else
            continue
        fi
        # shellcheck disable=SC2086
        r=$("$bx" -n "$exec_runs" -- "$ifu" sign -k "$keys/$t.pem" $sign_args \
            "$dir/payload.bin" "$dir/out-$t.bin")
        med=$(field median_ms "$r")
        a=$(anchor_ms "$t")
        x=$(ratio "$a" "$med")
        goal=$(awk -v m="$med" 'BEGIN { print (m <= 15 ? "met" : "missed") }')
        printf '%-11s %-6s %8s %10s %8s %11s %7sx %7s\n' "$t" "$where" "$(field min_ms "$r")" \
            "$med" "$(field cpu_median_ms "$r")" "$a" "$x" "$goal"
    done
done

if command -v hyperfine >/dev/null 2>&1; then
    say "2b. cross-check with $(hyperfine --version): ifu sign to disk, median of $exec_runs"
    for t in $algs; do
        # shellcheck disable=SC2086
        hyperfine -N --runs "$exec_runs" --warmup 3 --export-csv "$work/hf.csv" \
            "$ifu sign -k $keys/$t.pem $sign_args $work/payload.bin $work/out-$t.bin" \
            >/dev/null 2>&1 &&
            awk -F, -v t="$t" 'NR == 2 { printf "%-11s median_ms=%.3f user_ms=%.3f sys_ms=%.3f\n",
                t, $4 * 1000, $5 * 1000, $6 * 1000 }' "$work/hf.csv"
    done
else
    say "2b. hyperfine not installed: cross-check skipped"
fi

# ---- summary -------------------------------------------------------------------------------

line() {
    printf '%s\n' "$p256" | grep "^result $1 "
}
evp=$(field best_ms "$(line evp_sha256)")
iv_best=$(field best_ms "$(line image_verify)")
up_best=$(field best_ms "$(line verify_update)")
port=$(field best_ms "$(line port_hash)")
sig=$(field best_ms "$(line sig_verify)")
say "summary (ECDSA P-256 / SHA-256, 1 MiB; throughput ratio = OpenSSL time / ifu time; goal >= 0.9)"
echo "ifu_image_verify (reader)     vs EVP SHA-256 in process:    $(ratio "$evp" "$iv_best")"
echo "ifu_verify_update (4 KiB)     vs EVP SHA-256 in process:    $(ratio "$evp" "$up_best")"
# Process figures: CPU time (user + system) is what the process costs and hardly moves when
# other processes load the machine; the wall-time ratio is printed too.
dgst_cpu=$(field cpu_median_ms "$dgst")
echo "ifu_image_verify (reader)     vs openssl dgst process:      $(ratio "$dgst_cpu" "$iv_best")  (dgst CPU median / verify best)"
echo "ifu verify process            vs openssl dgst process:      $(ratio "$dgst_cpu" "$(field cpu_median_ms "$iv")")  (CPU medians; wall medians: $(ratio "$(field median_ms "$dgst")" "$(field median_ms "$iv")"))"
echo "mbedTLS SHA-256 (port hash)   vs EVP SHA-256 in process:    $(ratio "$evp" "$port")  (the ceiling for any verifier on this hash)"
if [ -n "$nosha" ]; then
    evp_nosha=$(field best_ms "$(printf '%s\n' "$nosha" | grep '^result evp_sha256 ')")
    iv_nosha=$(field best_ms "$(printf '%s\n' "$nosha" | grep '^result image_verify ')")
    echo "ifu_image_verify (reader)     vs EVP SHA-256 without SHA-NI: $(ratio "$evp_nosha" "$iv_nosha")"
fi
echo "signature check share of ifu_image_verify:                 $(ratio "$sig" "$iv_best")"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min, at end)"

# ---- 3. boot engine: flash cost of one update per mode and geometry ------------------------

say "3. boot engine: one update of an image filling 90% of the largest image (flash simulator)"
for mode in swap overwrite xip; do
    bb=$(find "$build" -name "bench_boot_$mode" -type f | head -n 1)
    "$bb" "$ifu" "$build/bench-work/boot-$mode"
done

# ---- 5. streaming update: RAM and throughput -----------------------------------------------

say "5. streaming update: context size, peak stack, throughput vs a raw copy (flash simulator)"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min, at start of section 5)"
bu=$(find "$build" -name bench_update -type f | head -n 1)
"$bu" "$ifu" "$work/update" "$runs"
echo "load:     $(cut -d ' ' -f 1-3 /proc/loadavg) (1/5/15 min, at end of section 5)"

# Worst static call chain from a root function over GCC -fcallgraph-info=su files (VCG). Frames
# come from the "N bytes (static...)" labels; callees with no frame (libc, and indirect calls: the
# flash driver's callbacks, mbedtls_platform_zeroize's memset pointer) count 0 and are listed.
call_chain() {
    awk -v root="$1" '
    function depth(f,   i, n, d, best, bt) {
        if (f in memo) return memo[f]
        if (f in onpath) { recursive = recursive " " f; return 0 }
        onpath[f] = 1; best = 0; bt = ""
        n = nedge[f]
        for (i = 1; i <= n; i++) {
            d = depth(edge[f, i])
            if (d > best || bt == "") { best = d; bt = edge[f, i] }
        }
        delete onpath[f]
        if (!(f in frame)) missing[f] = 1
        memo[f] = frame[f] + best; via[f] = bt
        return memo[f]
    }
    /^node:/ {
        match($0, /title: "[^"]*"/); t = substr($0, RSTART + 8, RLENGTH - 9)
        if (match($0, /\\n[0-9]+ bytes \(/)) {
            v = substr($0, RSTART + 2, RLENGTH - 2); sub(/ .*/, "", v); frame[t] = v + 0
        }
        next
    }
    /^edge:/ {
        match($0, /sourcename: "[^"]*"/); a = substr($0, RSTART + 13, RLENGTH - 14)
        match($0, /targetname: "[^"]*"/); b = substr($0, RSTART + 13, RLENGTH - 14)
        if (!((a, b) in seen)) { seen[a, b] = 1; edge[a, ++nedge[a]] = b }
    }
    END {
        total = depth(root)
        printf "%s: %d bytes on the deepest static chain:", root, total
        for (f = root; f != ""; f = via[f]) { g = f; sub(/.*:/, "", g); printf " %s(%d)", g, frame[f] }
        printf "\n"
        m = ""
        for (f in missing) { g = f; sub(/.*:/, "", g); m = m " " g }
        if (m != "") printf "  no frame known (0 counted):%s\n", m
        if (recursive != "") printf "  recursion cut at:%s\n", recursive
    }'
}

if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    arm="$build/arm-update"
    arm_flags="-mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections -fstack-usage"
    say "5b. Cortex-M4: $(arm-none-eabi-gcc --version | head -n 1), MinSizeRel (-Os), $arm_flags"
    if cmake -S "$root" -B "$arm" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DCMAKE_C_COMPILER=arm-none-eabi-gcc -DCMAKE_SYSTEM_NAME=Generic \
        -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY \
        "-DCMAKE_C_FLAGS=$arm_flags -fcallgraph-info=su" -DIFU_BUILD_TOOLS=OFF \
        -DIFU_BUILD_TESTS=OFF -DIFU_BUILD_BENCH=OFF >"$arm.log" 2>&1 &&
        cmake --build "$arm" -j "$jobs" -t ifu_boot_swap ifu_mbedtls ifu_sodium >>"$arm.log" 2>&1; then
        # sizeof on the target, read from the symbol sizes of a probe object (nothing runs).
        cat >"$arm/probe.c" <<'PROBE'
#include "chunk_rx.h"
#include "ifu/update.h"
struct ifu_update probe_ifu_update;
struct ifu_verify probe_ifu_verify;
struct chunk_rx probe_chunk_rx;
PROBE
        # shellcheck disable=SC2086 # arm_flags is a list of options
        arm-none-eabi-gcc $arm_flags -Os -std=c99 -I "$root/include" \
            -I "$root/examples/small_chunk" -c "$arm/probe.c" -o "$arm/probe.o"
        arm-none-eabi-nm -S "$arm/probe.o" | while read -r _addr size _type name; do
            printf 'sizeof(struct %s) = %d\n' "${name#probe_}" "0x$size"
        done
        # The same probe for single-algorithm device builds (config.h knobs): one hash
        # context, and signature/key buffers sized for ECDSA P-256 or for Ed25519.
        for knobs in "P-256:-DIFU_VERIFY_MAX_HASHES=1 -DIFU_MAX_SIG_SIZE=72 -DIFU_MAX_PUBKEY_SIZE=91" \
            "Ed25519:-DIFU_VERIFY_MAX_HASHES=1 -DIFU_MAX_SIG_SIZE=64 -DIFU_MAX_PUBKEY_SIZE=44"; do
            # shellcheck disable=SC2086 # the knobs are a list of options
            arm-none-eabi-gcc $arm_flags -Os -std=c99 -I "$root/include" \
                -I "$root/examples/small_chunk" ${knobs#*:} -c "$arm/probe.c" -o "$arm/probe1.o"
            arm-none-eabi-nm -S "$arm/probe1.o" | while read -r _addr size _type name; do
                printf '%s-only build (%s): sizeof(struct %s) = %d\n' "${knobs%%:*}" \
                    "${knobs#*:}" "${name#probe_}" "0x$size"
            done
        done
        # The example receiver is device code: its size on the target.
        # shellcheck disable=SC2086
        arm-none-eabi-gcc $arm_flags -Os -std=c99 -Wall -Wextra -Werror -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual -Wundef -I "$root/include" \
            -c "$root/examples/small_chunk/chunk_rx.c" -o "$arm/chunk_rx.o"
        arm-none-eabi-size "$arm/chunk_rx.o" | sed 's|[^ 	]*/||'
        echo "deepest static call chains (frames from -fcallgraph-info=su, bytes):"
        for fn in ifu_update_write ifu_update_begin ifu_update_finish; do
            find "$arm" -name '*.ci' -exec cat {} + | call_chain "$fn"
        done
        echo "own frames of src/update.c (-fstack-usage):"
        find "$arm/src" -name 'update.c.su' -exec cat {} + | sed 's|^[^	]*/||' |
            sort -t '	' -k2,2nr
    else
        tail -n 20 "$arm.log"
        echo "Cortex-M4 build failed: figures skipped"
    fi
else
    say "5b. arm-none-eabi-gcc not found: Cortex-M4 figures skipped"
fi
