# Code ranges of a GNU ld map file for the insncount plugin (tools/qemu-plugins/insncount.c):
# one line "LO HI LABEL" (hex) per input section the linker placed in the output section .text,
# labelled by its object: "libifu.a(image_verify.c)", "startup.c". POSIX awk.
function hex(s,   i, n) {
    n = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n
}
function emit(addr, size, file) {
    if (out != ".text" || size == 0) return
    sub(/.*\//, "", file); sub(/\.obj\)$/, ")", file); sub(/\.o\)$/, ")", file)
    sub(/\.c\.obj$/, ".c", file); sub(/\.obj$/, "", file)
    printf "%x %x %s\n", addr, addr + size, file
}
/Linker script and memory map/ { m = 1; next }
!m { next }
/^\.[^ ]/ { out = $1; next }
/^ \*fill\* / { next }
/^ \.[^ ]+$/ { pend = 1; next }
/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { emit(hex($2), hex($3), $4); pend = 0; next }
pend && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { emit(hex($1), hex($2), $3); pend = 0; next }
{ pend = 0 }
