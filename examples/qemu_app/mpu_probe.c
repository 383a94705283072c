/* The MPU lock, checked from the application's side (docs/QEMU.md "MPU").
 *
 * Booted by the bootloader like any image, this program tries what the lock
 * must stop and reports on UART0 what the core did:
 *   - write the bootloader's code (region 0, read-only): MemManage, data
 *     access violation, MMFAR = the address, memory unchanged;
 *   - write the keystore and the security counter in the flash (region 2,
 *     read-only, locked by the keystore's lock hook): the same; execute
 *     from there (execute-never): MemManage, instruction access violation;
 *   - read the bootloader's RAM (region 1, no access): MemManage;
 *   - execute from the bootloader's RAM (execute-never): MemManage,
 *     instruction access violation;
 *   - provision a key and raise the counter through the library, as code in
 *     the application could (ifu_keys_provision, ifu_counter_advance on a
 *     writable view): the NOR driver's first store faults, MMFAR is inside
 *     the locked range, the call is abandoned there (longjmp, as a product's
 *     fault handler would end the task), and the slots and the counter read
 *     as before;
 * and, as controls, that reading the bootloader's code, the keystore and the
 * counter, and writing its own RAM still work. Exit status (semihosting): 0 if every probe behaved
 * as expected, 1 otherwise.
 *
 * Device code: C99, no malloc. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "cm.h"
#include "ifu/errors.h"
#include "semihost.h"
#include "uart.h"

#define LOG AN386_UART_LOG

#define CFSR_IACCVIOL  0x01u
#define CFSR_DACCVIOL  0x02u
#define CFSR_MMARVALID 0x80u

static volatile unsigned fault_exc;
/* Set while a library call runs that must not write: its first faulting
 * store abandons it (library_abort). */
static volatile int library_armed;
static jmp_buf library_env;

#define XPSR_IT 0x0600FC00u /* IT/ICI bits: cleared when resuming elsewhere */

static void library_abort(void)
{
    longjmp(library_env, 1);
}
static volatile uint32_t fault_cfsr, fault_mmfar;
static volatile uint32_t scratch;

/* Record the fault, clear the status, and resume: after the faulting load or
 * store, or, for an instruction fetch fault, at the caller's return address. */
void ifu_cm_fault(struct ifu_cm_frame *frame, unsigned exc)
{
    fault_exc = exc;
    fault_cfsr = IFU_CM_CFSR;
    fault_mmfar = IFU_CM_MMFAR;
    IFU_CM_CFSR = fault_cfsr; /* write-one-to-clear */
    if (exc != 4u) {
        ifu_uart_printf(LOG, "mpu: unexpected exception %u at %08x, CFSR %08x\n", exc,
                        (unsigned)frame->pc, (unsigned)fault_cfsr);
        ifu_semihost_exit(1);
    }
    if (library_armed && (fault_cfsr & CFSR_DACCVIOL) != 0u) {
        /* Return to thread mode in library_abort: the stores after this one
         * are never tried (a word-erase loop with post-indexed stores could
         * not be stepped over one instruction at a time). */
        library_armed = 0;
        frame->pc = (uint32_t)(uintptr_t)library_abort & ~1u;
        frame->xpsr &= ~XPSR_IT;
    } else if (fault_cfsr & CFSR_IACCVIOL) {
        frame->pc = frame->lr & ~1u;
    } else {
        frame->pc += ifu_cm_insn_size(frame->pc);
    }
}

static void reset_fault(void)
{
    fault_exc = 0;
    fault_cfsr = 0;
    fault_mmfar = 0;
}

static int failures;

static void expect_fault(const char *what, uint32_t addr, uint32_t cfsr_bit)
{
    int ok =
        fault_exc == 4u && (fault_cfsr & cfsr_bit) != 0u &&
        (cfsr_bit == CFSR_IACCVIOL || ((fault_cfsr & CFSR_MMARVALID) != 0u && fault_mmfar == addr));
    ifu_uart_printf(LOG, "mpu: %s %08x: %s (exception %u, CFSR %08x, MMFAR %08x)\n", what,
                    (unsigned)addr, ok ? "faulted as expected" : "NOT STOPPED", (unsigned)fault_exc,
                    (unsigned)fault_cfsr, (unsigned)fault_mmfar);
    failures += !ok;
    reset_fault();
}

static void expect_no_fault(const char *what, uint32_t addr)
{
    int ok = fault_exc == 0u;
    ifu_uart_printf(LOG, "mpu: %s %08x: %s\n", what, (unsigned)addr,
                    ok ? "allowed, as expected" : "FAULTED");
    failures += !ok;
    reset_fault();
}

/* Run op (a library call that writes the locked store) with faults armed to
 * abandon it; then check that it was stopped (a fault inside the locked
 * range, or an error return) and that nothing changed: every byte of the
 * range, every slot's state, the counter's value. */
static struct ifu_keystore ks;
static uint8_t snapshot[AN386_BOOTDATA_SIZE];
static struct ifu_key_slot slot_before[AN386_KEY_SLOTS];
static uint32_t counter_before;
static const uint8_t anchor[IFU_KEYS_ANCHOR_SIZE] = {0x1f, 0x2e, 0x3d}; /* no real key's */

static int try_provision(void *arg)
{
    (void)arg;
    return ifu_keys_provision(&ks, anchor);
}

static int try_advance(void *arg)
{
    return ifu_counter_advance(arg, counter_before + 1u);
}

static int store_unchanged(void *arg)
{
    struct ifu_key_slot now;
    struct ifu_counter_state cs;
    if (memcmp(snapshot, (const void *)(uintptr_t)(AN386_FLASH_ADDR + AN386_BOOTDATA_OFF),
               sizeof snapshot) != 0) {
        return 0;
    }
    for (uint32_t i = 0; i < AN386_KEY_SLOTS; i++) {
        if (ifu_keys_get(&ks, i, &now) != 0 || now.state != slot_before[i].state) {
            return 0;
        }
    }
    return arg == NULL || (ifu_counter_get(arg, &cs) == 0 && cs.value == counter_before);
}

static void library_call(const char *name, int (*op)(void *), void *arg)
{
    const uint32_t lo = AN386_FLASH_ADDR + AN386_BOOTDATA_OFF;
    volatile int err = 1; /* 1: abandoned at a fault */
    memcpy(snapshot, (const void *)(uintptr_t)lo, sizeof snapshot);
    reset_fault();
    if (setjmp(library_env) == 0) {
        library_armed = 1;
        err = op(arg);
        library_armed = 0;
    }
    int in_range = fault_exc == 4u && (fault_cfsr & CFSR_MMARVALID) != 0u && fault_mmfar >= lo &&
                   fault_mmfar - lo < AN386_BOOTDATA_SIZE;
    int same = store_unchanged(arg);
    int ok = same && (err == 1 ? in_range : err < 0);
    if (err == 1) {
        ifu_uart_printf(LOG, "mpu: %s: its first store faulted (CFSR %08x, MMFAR %08x), %s: %s\n",
                        name, (unsigned)fault_cfsr, (unsigned)fault_mmfar,
                        same ? "store unchanged" : "store CHANGED",
                        ok ? "stopped as expected" : "NOT STOPPED");
    } else {
        ifu_uart_printf(LOG, "mpu: %s returned %d (%s), %s: %s\n", name, (int)err,
                        ifu_strerror(err), same ? "store unchanged" : "store CHANGED",
                        ok ? "stopped as expected" : "NOT STOPPED");
    }
    failures += !ok;
    reset_fault();
}

static void write_word(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}

static uint32_t read_word(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

int main(void)
{
    ifu_uart_init(LOG);
    ifu_uart_printf(LOG, "mpu: probe running from %08x\n", (unsigned)IFU_CM_VTOR);

    const uint32_t code[] = {AN386_BOOT_ADDR + 0x100u, AN386_BOOT_ADDR + AN386_BOOT_SIZE - 4u};
    for (unsigned i = 0; i < 2u; i++) {
        uint32_t before = read_word(code[i]);
        expect_no_fault("read bootloader code", code[i]);
        write_word(code[i], ~before);
        expect_fault("write bootloader code", code[i], CFSR_DACCVIOL);
        if (read_word(code[i]) != before) {
            ifu_uart_printf(LOG, "mpu: bootloader word at %08x CHANGED\n", (unsigned)code[i]);
            failures++;
        }
        reset_fault();
    }
    /* The bootloader data: first word of the keystore, of the counter, last of the region. */
    const uint32_t data[] = {AN386_FLASH_ADDR + AN386_KEYSTORE_OFF,
                             AN386_FLASH_ADDR + AN386_COUNTER_OFF,
                             AN386_FLASH_ADDR + AN386_BOOTDATA_OFF + AN386_BOOTDATA_SIZE - 4u};
    const char *data_read[] = {"read keystore", "read counter", "read bootloader data"};
    const char *data_write[] = {"write keystore", "write counter", "write bootloader data"};
    for (unsigned i = 0; i < 3u; i++) {
        uint32_t before = read_word(data[i]);
        expect_no_fault(data_read[i], data[i]);
        write_word(data[i], ~before);
        expect_fault(data_write[i], data[i], CFSR_DACCVIOL);
        if (read_word(data[i]) != before) {
            ifu_uart_printf(LOG, "mpu: word at %08x CHANGED\n", (unsigned)data[i]);
            failures++;
        }
        reset_fault();
    }
    void (*data_fn)(void) = (void (*)(void))(uintptr_t)(data[0] | 1u);
    data_fn();
    expect_fault("execute keystore", data[0], CFSR_IACCVIOL);

    /* The same through the library, with a writable view of the store. */
    struct ifu_counter ctr;
    struct ifu_counter_state before;
    if (an386_keystore(&ks, 1) != 0 || an386_counter(&ctr) != 0 ||
        ifu_counter_get(&ctr, &before) != 0) {
        ifu_uart_printf(LOG, "mpu: keystore or counter unusable\n");
        failures++;
    } else {
        for (uint32_t i = 0; i < AN386_KEY_SLOTS; i++) {
            (void)ifu_keys_get(&ks, i, &slot_before[i]);
        }
        counter_before = before.value;
        library_call("ifu_keys_provision", try_provision, NULL);
        library_call("ifu_counter_advance", try_advance, &ctr);
    }

    const uint32_t ram[] = {AN386_BOOT_RAM, AN386_BOOT_RAM + AN386_BOOT_RAM_SIZE - 4u};
    for (unsigned i = 0; i < 2u; i++) {
        scratch = read_word(ram[i]);
        expect_fault("read bootloader RAM", ram[i], CFSR_DACCVIOL);
        write_word(ram[i], 0u);
        expect_fault("write bootloader RAM", ram[i], CFSR_DACCVIOL);
    }
    void (*fn)(void) = (void (*)(void))(uintptr_t)(AN386_BOOT_RAM | 1u);
    fn();
    expect_fault("execute bootloader RAM", AN386_BOOT_RAM, CFSR_IACCVIOL);
    write_word(AN386_APP_RAM + AN386_APP_RAM_SIZE - 4096u, 0x12345678u);
    expect_no_fault("write application RAM", AN386_APP_RAM + AN386_APP_RAM_SIZE - 4096u);

    ifu_uart_printf(LOG, "mpu: %s (%d unexpected)\n", failures ? "FAILED" : "every probe held",
                    failures);
    return failures ? 1 : 0;
}
