#!/bin/bash
# Tests of the QEMU TCG plugins (tools/qemu-plugins/) on a guest whose counts are known from its
# source (tests/qemu_plugins/guest.S). Registered by tests/qemu_plugins.cmake.
#
#   run.sh CASE QEMU PLUGIN_DIR GUEST_ELF NM WORKDIR
#
# CASE: insncount | flashcut-count | flashcut-cut | bad-args. Exit 0 pass, 1 fail, 77 skip.
set -u

case_name=$1 qemu=$2 plugins=$3 guest=$4 nm=$5 work=$6

if [ ! -x "$qemu" ]; then
    echo "SKIP: qemu-system-arm not found (scripts/setup.sh installs it)"
    exit 77
fi
mkdir -p "$work"
fails=0

check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok   $1: $3"
    else
        echo "FAIL $1: expected '$2', got '$3'"
        fails=$((fails + 1))
    fi
}

# run [qemu options...]: the guest on mps2-an386, semihosting on, no display or serial.
run() {
    "$qemu" -M mps2-an386 -display none -monitor none -serial null \
        -semihosting-config enable=on,target=native -kernel "$guest" "$@"
}

report_value() { # report_value FILE LABEL: the count printed for LABEL
    sed -n "s/^insncount: $2 \([0-9]*\)$/\1/p" "$1"
}

case $case_name in
insncount)
    # The range of `work` as nm prints it (address, bit 0 clear, and size).
    read -r addr size _ < <("$nm" -S "$guest" | awk '$4 == "work"')
    lo=$((0x$addr)) hi=$((0x$addr + 0x$size))
    for i in 1 2; do
        run -plugin "$plugins/insncount.so,range=$lo-$hi:work,out=$work/count$i.txt"
        check "run $i exit status" 0 $?
        check "run $i work" 606 "$(report_value "$work/count$i.txt" work)"
        check "run $i total" 6618 "$(report_value "$work/count$i.txt" total)"
        check "run $i other" 6012 "$(report_value "$work/count$i.txt" '(other)')"
    done
    # The same range from a file, split in two labels, plus a range nothing executes.
    printf '# lo hi label\n%x %x work_head\n\n%x %x work_tail\n%x %x unused\n' \
        "$lo" $((lo + 4)) $((lo + 4)) "$hi" 0x3000 0x3100 >"$work/ranges.txt"
    run -plugin "$plugins/insncount.so,ranges=$work/ranges.txt,out=$work/count3.txt"
    check "ranges file: exit status" 0 $?
    check "ranges file: head (3 x (movs + 100 subs))" 303 "$(report_value "$work/count3.txt" work_head)"
    check "ranges file: tail (3 x (100 bne + bx))" 303 "$(report_value "$work/count3.txt" work_tail)"
    check "ranges file: unused" 0 "$(report_value "$work/count3.txt" unused)"
    check "ranges file: total" 6618 "$(report_value "$work/count3.txt" total)"
    ;;
flashcut-count)
    run -plugin "$plugins/flashcut.so,lo=0x21000000,hi=0x22000000,out=$work/flash.txt"
    check "exit status" 0 $?
    check "flash range" "flashcut: 1000 stores in [0x21000000, 0x22000000)" "$(cat "$work/flash.txt")"
    run -plugin "$plugins/flashcut.so,lo=0x20000000,hi=0x20000100,out=$work/ram.txt"
    check "first 256 bytes of SSRAM2" "flashcut: 256 stores in [0x20000000, 0x20000100)" \
        "$(cat "$work/ram.txt")"
    run -plugin "$plugins/flashcut.so,lo=0x30000000,hi=0x30001000,out=$work/none.txt"
    check "untouched range" "flashcut: 0 stores in [0x30000000, 0x30001000)" "$(cat "$work/none.txt")"
    ;;
flashcut-cut)
    # The flash is a shared file-backed PSRAM; the guest stores word i = i + 1. After a cut at k
    # the file must hold exactly words 1..k, then zeros.
    for k in 1 337 999 1000 1001; do
        img="$work/flash-$k.img"
        rm -f "$img" "$work/cut-$k.txt"
        truncate -s 16M "$img"
        run -object "memory-backend-file,id=fl,size=16M,mem-path=$img,share=on" \
            -machine memory-backend=fl \
            -plugin "$plugins/flashcut.so,lo=0x21000000,hi=0x22000000,k=$k,out=$work/cut-$k.txt" \
            2>/dev/null
        status=$?
        words=$(od -An -tu4 -v -N 4096 "$img" | tr -s ' ' '\n' | grep -v '^$')
        expected_last=$k
        if [ "$k" -le 1000 ]; then
            check "k=$k: killed by SIGKILL" 137 "$status"
            check "k=$k: no report" "" "$(cat "$work/cut-$k.txt" 2>/dev/null)"
        else
            expected_last=1000
            check "k=$k (beyond the last store): exit status" 0 "$status"
            check "k=$k: report" "flashcut: 1000 stores in [0x21000000, 0x22000000)" \
                "$(cat "$work/cut-$k.txt")"
        fi
        check "k=$k: words written" "$expected_last" "$(echo "$words" | grep -vc '^0$')"
        check "k=$k: last word" "$expected_last" "$(echo "$words" | sed -n "${expected_last}p")"
        check "k=$k: words in order" "" \
            "$(echo "$words" | head -n "$expected_last" | awk '$1 != NR { print NR; exit }')"
        rm -f "$img"
    done
    ;;
bad-args)
    for args in "lo=0x100" "lo=0x200,hi=0x100" "lo=0,hi=0x100,k=0" "lo=0,hi=0x100,k=x" "lo=0,hi=1,x=1"; do
        run -plugin "$plugins/flashcut.so,$args" 2>/dev/null
        status=$?
        check "flashcut $args refused" "not 0" "$([ $status -ne 0 ] && echo "not 0" || echo 0)"
    done
    for args in "range=0x200-0x100:a" "range=0x100:a" "range=0x100-0x200:" "ranges=$work/missing" \
        "range=0x100-0x200:a,range=0x1f0-0x300:b" "y=1"; do
        run -plugin "$plugins/insncount.so,$args" 2>/dev/null
        status=$?
        check "insncount $args refused" "not 0" "$([ $status -ne 0 ] && echo "not 0" || echo 0)"
    done
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac

[ "$fails" -eq 0 ] && echo "PASS" && exit 0
echo "$fails check(s) failed"
exit 1
