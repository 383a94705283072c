# Sourced by fuzz/run.sh and fuzz/campaign.sh: which libFuzzer binaries a
# build folder holds, and the seed corpus of each.
#
# fuzz_targets BUILD: the names (without "fuzz_") of every fuzz_* executable
# in BUILD/fuzz, except the replay programs: whatever fuzz/CMakeLists.txt
# built, so a new target needs no change here.
fuzz_targets() {
    local f name
    for f in "$1"/fuzz/fuzz_*; do
        name=${f##*/fuzz_}
        [ -f "$f" ] && [ -x "$f" ] || continue
        case $name in *_replay | *.*) continue ;; esac
        echo "$name"
    done
}

# fuzz_seed TARGET CORPUS_DIR: copy the seeds into CORPUS_DIR (existing files
# are kept): fuzz/regressions/TARGET/, fuzz/seeds/TARGET/, and from
# $SHARED/vectors/imgtool (when present) the inputs that suit the target:
# Intel HEX files for cli_hex, PEM keys for cli_key, nothing for sim_desc,
# and the images (good and bad, up to 64 KiB) for every other target.
fuzz_seed() {
    local t=$1 corpus=$2 dir f
    mkdir -p "$corpus"
    for dir in "$FUZZ_ROOT/fuzz/regressions/$t" "$FUZZ_ROOT/fuzz/seeds/$t"; do
        [ -d "$dir" ] && cp -n "$dir"/* "$corpus"/ 2>/dev/null || true
    done
    local img=$SHARED/vectors/imgtool
    if [ ! -d "$img" ]; then
        echo "fuzz: $img not found: seeding $t from fuzz/regressions and fuzz/seeds only"
        return 0
    fi
    local -a pick
    case $t in
    cli_hex) pick=("$img"/good/*.hex "$img"/bad/*.hex) ;;
    cli_key) pick=("$img"/keys/*.pem) ;;
    sim_desc) pick=() ;;
    *) pick=("$img"/good/*.bin "$img"/bad/*.bin) ;;
    esac
    for f in "${pick[@]}"; do
        [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] && cp -n "$f" "$corpus"/ || true
    done
}

# fuzz_configure BUILD: a clang build of every libFuzzer target (ASan +
# UBSan), only the fuzz binaries.
fuzz_configure() {
    cmake -S "$FUZZ_ROOT" -B "$1" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DIFU_FUZZ=ON -DIFU_SANITIZE=ON -DIFU_BUILD_TOOLS=OFF -DIFU_BUILD_TESTS=OFF \
        -DIFU_BUILD_BENCH=OFF -DIFU_SHARED_DIR="$SHARED" >/dev/null &&
        cmake --build "$1" -j"${FUZZ_BUILD_JOBS:-$(nproc)}" --target fuzz_all >/dev/null
}

# fuzz_stat LOG KEY: a value of libFuzzer's -print_final_stats=1 block
# (number_of_executed_units, average_exec_per_sec, new_units_added, ...).
fuzz_stat() {
    grep -o "stat::$2: *[0-9]*" "$1" | tail -1 | grep -o '[0-9]*$' || echo '?'
}

# fuzz_last LOG FIELD: the last value of a status-line field: cov (edges),
# ft (features), corp (corpus entries).
fuzz_last() {
    grep -o " $2: [0-9]*" "$1" | tail -1 | grep -o '[0-9]*$' || echo '?'
}
