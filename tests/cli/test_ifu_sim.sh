#!/usr/bin/env bash
# ifu-sim (docs/SIM.md): the update flow on a file-backed device, checked by the versions and
# states it reports, not only by exit statuses: factory image, test install, revert without
# confirm, confirm, a power cut mid-install that the next reset finishes (at a spread of cut
# points, in every cut mode), a tampered or foreign image refused while the running one stays;
# and the error cases: unknown command, missing files, bad keys, bad options.
# Environment: IFU (the ifu CLI, to make keys and images), IFU_SIM (the ifu-sim binary).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${IFU_SIM:?IFU_SIM must point at the ifu-sim binary}"

cd "$WORK"
OUT=
RC=0

# sim ARGS...: run ifu-sim; stdout+stderr in $OUT, exit status in $RC.
sim() {
    RC=0
    OUT=$("$IFU_SIM" "$@" 2>&1) || RC=$?
}
has() { grep -q -- "$1" <<<"$OUT"; }
short() { printf '%s' "$OUT" | tr '\n' '|' | cut -c1-400; }

# expect NAME STATUS [PATTERN...]: the last run exited with STATUS and printed every PATTERN.
expect() {
    local name=$1 want=$2
    shift 2
    if [ "$RC" -ne "$want" ]; then
        fail "$name: exit $RC, want $want: $(short)"
        return
    fi
    for pat in "$@"; do
        if ! has "$pat"; then
            fail "$name: no '$pat' in: $(short)"
            return
        fi
    done
    pass "$name"
}

# expect_err NAME STATUS PATTERN: failed with STATUS and exactly one line "ifu-sim: ...PATTERN".
expect_err() {
    local name=$1 want=$2 pat=$3
    if [ "$RC" -ne "$want" ]; then
        fail "$name: exit $RC, want $want: $(short)"
    elif [ "$(wc -l <<<"$OUT")" -ne 1 ] || ! grep -q "^ifu-sim: .*$pat" <<<"$OUT"; then
        fail "$name: want one line 'ifu-sim: ...$pat', got: $(short)"
    else
        pass "$name"
    fi
}

booted() { printf '^booted: version %s from .*, state %s$' "$1" "$2"; }
ops() { sed -n 's/^flash: \([0-9]*\) operations.*/\1/p' <<<"$OUT"; }

# ---- keys and images ----
"$IFU" keygen -k key.pem -t ecdsa-p256
"$IFU" keygen -k other.pem -t ed25519
"$IFU" keygen -k enc.pem -t x25519
"$IFU" getpub -k key.pem -e pem >pub.pem
for v in 1 2 3; do
    head -c $((12288 + v * 1000)) /dev/urandom >p$v.bin
    "$IFU" sign -k key.pem -v $v.0.0 -H 0x200 --pad-header -S 0x20000 --align 8 p$v.bin v$v.img
done
cp v2.img tampered.img
printf '\x55' | dd of=tampered.img bs=1 seek=2000 conv=notrunc status=none
"$IFU" sign -k key.pem -v 9.0.0 -H 0x200 --pad-header -S 0x20000 --align 8 --pad p1.bin padded.img
head -c 200000 /dev/urandom >huge.bin

# ---- command line and files ----
sim help
expect "help lists the commands" 0 "^  boot " "^  stage "
sim boot --help
expect "boot --help" 0 "--cut-at N"
sim frobnicate
expect_err "unknown command: exit 2" 2 "frobnicate: no such command"
sim state --flash missing.bin
expect_err "missing flash file: exit 3, names init" 3 "missing.bin: .*ifu-sim init"
sim init --flash x.bin --layout nope
expect_err "unknown layout: exit 2" 2 "unknown layout 'nope'"
check "unknown layout leaves no file" test ! -e x.bin -a ! -e x.bin.layout
sim init --flash x.bin --write-size 3
expect_err "write size 3: exit 2" 2 "not a power of two"
sim init --flash x.bin --erased 0x7f
expect_err "erased 0x7f: exit 2" 2 "neither 0xff nor 0x00"
sim init --bogus
expect_err "unknown option: exit 2" 2 "bogus"

sim init --flash dev.bin
expect "init uniform-4k" 0 "swap mode\|overwrite mode\|xip mode" "largest image: [0-9]* bytes"
MODE=$(sed -n 's/.*, \([a-z]*\) mode, write size.*/\1/p' <<<"$OUT")
check "init writes the flash and its description" test -s dev.bin -a -s dev.bin.layout
sim init --flash dev.bin
expect_err "init over an existing file: exit 2" 2 "exists (use --force"
for l in stm32f4 uniform-128k; do
    sim init --flash "$l.bin" --layout "$l" --write-size 1 --erased 0x00
    expect "init $l, write size 1, erased 0x00" 0 "layout $l" "erased 0x00"
done

sim boot --flash dev.bin
expect_err "boot without --key: exit 2" 2 "missing option -k/--key"
sim boot --flash dev.bin --key v1.img
expect_err "boot with a key that is not PEM: exit 3" 3 "not a PEM"
sim boot --flash dev.bin --key nokey.pem
expect_err "boot with a missing key file: exit 3" 3 "nokey.pem"
sim boot --flash dev.bin --key enc.pem
expect_err "boot with an X25519 key: exit 3" 3 "cannot sign"
sim boot --flash dev.bin --key key.pem --cut torn
expect_err "--cut without --cut-at: exit 2" 2 "needs --cut-at"
sim boot --flash dev.bin --key key.pem --cut-at 0
expect_err "--cut-at 0: exit 2" 2 "count from 1"
sim boot --flash dev.bin --key key.pem --cut-at 3 --cut sideways
expect_err "--cut sideways: exit 2" 2 "clean, done, torn"
sim boot --flash dev.bin --key key.pem
expect "boot of an erased device: exit 1, no image" 1 "no image:" "^no bootable image"
sim request --flash dev.bin maybe
expect_err "request maybe: exit 2" 2 "neither test nor permanent"
sim stage --flash dev.bin huge.bin
expect_err "stage of an image larger than the slot: exit 2" 2 "do not fit"
sim stage --flash dev.bin
expect_err "stage without IMAGE: exit 2" 2 "missing argument IMAGE"
sim stage --flash dev.bin nofile.img
expect_err "stage of a missing file: exit 3" 3 "nofile.img"

cp dev.bin short.bin
cp dev.bin.layout short.bin.layout
truncate -s 1000 short.bin
sim state --flash short.bin
expect_err "flash file of the wrong size: exit 3" 3 "not this device's flash"
cp dev.bin nodesc.bin
sim state --flash nodesc.bin
expect_err "flash file without its description: exit 3" 3 "nodesc.bin.layout: missing"

# ---- factory image; padding after the image is not written ----
sim flash --flash dev.bin v1.img
expect "flash v1" 0 "factory-programmed v1.img .*version 1.0.0+0"
sim flash --flash dev.bin padded.img
expect "flash of a --pad image leaves the padding out" 0 "are not written"
sim boot --flash dev.bin --key key.pem
expect "padded factory image boots" 0 "$(booted 9.0.0+0 confirmed)"
sim flash --flash dev.bin v1.img
sim boot --flash dev.bin --key key.pem
expect "factory v1 boots, writes nothing" 0 "$(booted 1.0.0+0 confirmed)" "^flash: 0 operations"
sim boot --flash dev.bin --key pub.pem
expect "the public PEM from ifu getpub is a trusted key" 0 "$(booted 1.0.0+0 confirmed)"
sim boot --flash dev.bin --key other.pem
expect "an untrusted key: exit 1, no bootable image" 1 "] no image:" "^no bootable image"

# ---- a tampered update is refused; the running image stays ----
sim stage --flash dev.bin tampered.img
expect "stage the tampered image" 0 "^staged tampered.img"
sim request --flash dev.bin permanent
sim boot --flash dev.bin --key key.pem
expect "boot refuses the tampered image and keeps v1" 0 \
    "rejected: .*image hash mismatch" "$(booted 1.0.0+0 confirmed)"
sim state --flash dev.bin
expect "the refused request is void, its reason kept" 0 "^pending: none$" "^in-progress: no$" \
    "^staged-error: image hash mismatch$"
sim show --flash dev.bin
expect "show names the refusal" 0 "rejected (image hash mismatch)"
sim request --flash dev.bin permanent
expect_err "a request over a refused image: exit 1" 1 "stage the image again"

if [ "$MODE" != swap ]; then
    printf 'note: ifu-sim is built for %s mode: the swap flow below is skipped\n' "$MODE"
    finish
    exit
fi

# ---- test install, revert, confirm ----
sim stage --flash dev.bin v2.img
sim request --flash dev.bin test
sim state --flash dev.bin
expect "after request test: pending install-test" 0 "^running: confirmed$" "^pending: install-test$"
sim request --flash dev.bin permanent
expect_err "a permanent request over a test one: exit 1" 1 "another request"
sim boot --flash dev.bin --key key.pem
expect "install v2 as a test" 0 "] install:" "] installed" "] trial:" "$(booted 2.0.0+0 testing)"
sim state --flash dev.bin
expect "v2 runs on trial" 0 "^running: testing$" "^pending: none$"
sim boot --flash dev.bin --key key.pem
expect "unconfirmed v2 reverts to v1" 0 "] revert:" "] reverted" "$(booted 1.0.0+0 reverted)"
sim boot --flash dev.bin --key key.pem
expect "v1 stays after the revert" 0 "$(booted 1.0.0+0 reverted)" "^flash: 0 operations"

sim stage --flash dev.bin v2.img
sim request --flash dev.bin test
sim boot --flash dev.bin --key key.pem
expect "install v2 again as a test" 0 "$(booted 2.0.0+0 testing)"
sim confirm --flash dev.bin
expect "confirm v2" 0 "^confirmed: the image on trial stays"
sim confirm --flash dev.bin
expect "confirm again: nothing to do" 0 "already confirmed"
sim boot --flash dev.bin --key key.pem
expect "confirmed v2 stays" 0 "$(booted 2.0.0+0 confirmed)" "^flash: 0 operations"

# ---- power cut mid-install, finished by the next reset ----
sim stage --flash dev.bin v3.img
sim request --flash dev.bin permanent
cp dev.bin start.bin
cp dev.bin.layout start.bin.layout
cp start.bin try.bin
cp start.bin.layout try.bin.layout
sim boot --flash try.bin --key key.pem
expect "rehearsal: the permanent install of v3" 0 "$(booted 3.0.0+0 confirmed)"
TOTAL=$(ops)
sim boot --flash dev.bin --key key.pem --cut-at $((TOTAL / 2))
expect "cut at op $((TOTAL / 2)) of $TOTAL: exit 5" 5 \
    "^power cut: the device lost power at flash operation $((TOTAL / 2)) "
sim state --flash dev.bin
expect "after the cut: an install in progress" 0 "^in-progress: yes$"
sim stage --flash dev.bin v1.img
expect_err "the application cannot stage before the bootloader resumes: exit 1" 1 "awaits the bootloader"
sim show --flash dev.bin
expect "show names the journal" 0 "journal: install-permanent in progress"
sim boot --flash dev.bin --key key.pem
expect "the next reset resumes and boots v3" 0 "] resume:" "$(booted 3.0.0+0 confirmed)"
sim show --flash dev.bin --key key.pem
expect "show after the resume" 0 "running  image 3.0.0+0.*signature ok" \
    "saved    image 2.0.0+0.*signature ok" "journal: no operation in progress"

# Old or new, never neither: a spread of cut points, every cut mode, then one clean reset.
bad=0
runs=0
for cut in $(seq 1 7 "$TOTAL") "$TOTAL"; do
    for mode in clean done torn; do
        cp start.bin cut.bin
        cp start.bin.layout cut.bin.layout
        sim boot --flash cut.bin --key key.pem --cut-at "$cut" --cut "$mode" --seed "$cut"
        first=$RC
        sim boot --flash cut.bin --key key.pem
        runs=$((runs + 1))
        if [ "$first" -ne 5 ] || [ "$RC" -ne 0 ] || ! has "$(booted 3.0.0+0 confirmed)"; then
            bad=$((bad + 1))
            [ $bad -le 3 ] && printf '  cut %s %s: first exit %s, then: %s\n' "$cut" "$mode" \
                "$first" "$(short)"
        fi
    done
done
if [ $bad -eq 0 ]; then
    pass "power cut at $runs points x modes of the v3 install: the next reset boots v3"
else
    fail "power cut sweep: $bad of $runs runs did not end with v3 booted"
fi

finish
