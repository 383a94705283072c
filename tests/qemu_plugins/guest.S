/* Guest for the plugin tests (tests/qemu_plugins.cmake), mps2-an386 (Cortex-M4).
 * Assembly, so that every count below is known from the source alone:
 *   stores:  1000 word stores of 1, 2, ..., 1000 to 0x21000000.. (PSRAM, the file-backed flash),
 *            500 byte stores to 0x20000000.. (SSRAM2); no other store (no stack is used).
 *   work:    called 3 times, 1 + 2 * 100 + 1 = 202 instructions per call: 606.
 *   total:   3 + 4 * 1000 + 3 + 4 * 500 + 3 + 606 + 3 = 6618 instructions from reset to the
 *            semihosting exit (the BKPT included).
 * It ends with semihosting SYS_EXIT_EXTENDED, exit status 0. */
    .syntax unified
    .cpu cortex-m4
    .thumb

    .section .vectors, "a"
    .word 0x20010000            /* initial SP: never used */
    .word reset                 /* reset vector (Thumb: bit 0 set by .thumb_func) */

    .text
    .thumb_func
    .global reset
reset:
    ldr r0, =0x21000000         /* 1000 word stores into the flash range */
    movs r1, #1
    ldr r2, =1000
1:  str r1, [r0], #4
    adds r1, #1
    cmp r1, r2
    bls 1b

    ldr r0, =0x20000000         /* 500 byte stores outside it */
    movs r1, #0
    ldr r2, =500
2:  strb r1, [r0, r1]
    adds r1, #1
    cmp r1, r2
    blo 2b

    bl work
    bl work
    bl work

    movs r0, #0x20              /* SYS_EXIT_EXTENDED */
    adr r1, exit_block
    bkpt 0xab
3:  b 3b

    .thumb_func
    .global work
    .type work, %function
work:
    movs r0, #100
4:  subs r0, #1
    bne 4b
    bx lr
    .size work, . - work

    .align 2
exit_block:
    .word 0x20026               /* ADP_Stopped_ApplicationExit */
    .word 0                     /* exit status */
    .ltorg
