/* The MPU lock, checked from the application's side (docs/QEMU.md "MPU").
 *
 * Booted by the bootloader like any image, this program tries what the lock
 * must stop and reports on UART0 what the core did:
 *   - write the bootloader's code and trusted key (region 0, read-only):
 *     MemManage, data access violation, MMFAR = the address, memory unchanged;
 *   - read the bootloader's RAM (region 1, no access): MemManage;
 *   - execute from the bootloader's RAM (execute-never): MemManage,
 *     instruction access violation;
 * and, as controls, that reading the bootloader's code and writing its own
 * RAM still work. Exit status (semihosting): 0 if every probe behaved as
 * expected, 1 otherwise.
 *
 * Device code: C99, no malloc. */
#include <stdint.h>

#include "board.h"
#include "cm.h"
#include "semihost.h"
#include "uart.h"

#define LOG AN386_UART_LOG

#define CFSR_IACCVIOL  0x01u
#define CFSR_DACCVIOL  0x02u
#define CFSR_MMARVALID 0x80u

static volatile unsigned fault_exc;
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
    if (fault_cfsr & CFSR_IACCVIOL) {
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
