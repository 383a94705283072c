/* Startup for the Cortex-M programs of this port (bootloader and
 * applications): the vector table, the reset handler (copy .data, zero .bss,
 * enable the configurable faults, call main) and the fault handlers.
 *
 * The linker script (port/cortex-m/<board>/boot.ld or app.ld) provides the symbols below
 * and keeps section .vectors at the start of the program. The table sits at
 * the program's first address: for an application that is the slot address
 * plus the image header size, which the bootloader writes to VTOR.
 *
 * Device code: C99 (GNU attributes and asm, which arm-none-eabi-gcc accepts
 * in -std=c99), no malloc. */
#include <stdint.h>

#include "cm.h"
#include "semihost.h"
#include "uart.h"

extern uint32_t _estack;        /* top of the stack: the initial MSP */
extern uint32_t _sidata;        /* load address of .data */
extern uint32_t _sdata, _edata; /* .data in RAM */
extern uint32_t _sbss, _ebss;   /* .bss */

int main(void);
void Reset_Handler(void);
void ifu_cm_fault_dispatch(struct ifu_cm_frame *frame, uint32_t ipsr);

static void fault_entry(void) __attribute__((naked));
static void idle_handler(void);

/* External interrupts in the table: the an386 image has 32 (QEMU
 * hw/arm/mps2.c, num-irq 32); the an505 IoTKit 96. 64 keeps the table at
 * 80 words (VTOR alignment 512 bytes, which an image header of 0x200 gives). */
#define IFU_CM_IRQS 64u

__attribute__((section(".vectors"), used)) void (*const ifu_cm_vectors[16 + IFU_CM_IRQS])(void) = {
    [0] = (void (*)(void))(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = idle_handler,  /* NMI */
    [3] = fault_entry,   /* HardFault */
    [4] = fault_entry,   /* MemManage */
    [5] = fault_entry,   /* BusFault */
    [6] = fault_entry,   /* UsageFault */
    [11] = idle_handler, /* SVCall */
    [14] = idle_handler, /* PendSV */
    [15] = idle_handler, /* SysTick */
    [16 ... 16 + IFU_CM_IRQS - 1] = idle_handler,
};

void Reset_Handler(void)
{
    uint32_t *src = &_sidata;
    /* cppcheck-suppress comparePointers ; _sdata and _edata bound one region (sections.ld) */
    for (uint32_t *dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    /* cppcheck-suppress comparePointers ; _sbss and _ebss bound one region (sections.ld) */
    for (uint32_t *dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0;
    }
    /* MemManage, BusFault and UsageFault as their own exceptions (not
     * escalated to HardFault): the MPU test reads which one it got. */
    IFU_CM_SHCSR |= IFU_CM_SHCSR_FAULTS;
    ifu_cm_dsb();
    ifu_cm_isb();
    ifu_semihost_exit((uint32_t)main() & 0xFFu);
}

/* Unexpected interrupt: nothing of this port enables one. Stop visibly. */
static void idle_handler(void)
{
    ifu_uart_printf(IFU_CM_LOG_UART, "fatal: unexpected exception %u\n",
                    (unsigned)(IFU_CM_ICSR & 0x1FFu));
    ifu_semihost_exit(127u);
}

/* Find the stacked frame (MSP or PSP, from EXC_RETURN bit 2) and call C.
 * ifu_cm_fault_dispatch returns with lr untouched, so its return is the
 * exception return. */
static void fault_entry(void)
{
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "mrs r1, ipsr\n\t"
                     "b ifu_cm_fault_dispatch\n\t");
}

void ifu_cm_fault_dispatch(struct ifu_cm_frame *frame, uint32_t ipsr)
{
    ifu_cm_fault(frame, (unsigned)(ipsr & 0x1FFu));
}

__attribute__((weak)) void ifu_cm_fault(struct ifu_cm_frame *frame, unsigned exc)
{
    static const char *const names[] = {"HardFault", "MemManage", "BusFault", "UsageFault"};
    const char *name = exc >= 3u && exc <= 6u ? names[exc - 3u] : "fault";
    ifu_uart_printf(IFU_CM_LOG_UART,
                    "fatal: %s at pc %08x: CFSR %08x HFSR %08x MMFAR %08x BFAR %08x\n", name,
                    (unsigned)frame->pc, (unsigned)IFU_CM_CFSR, (unsigned)IFU_CM_HFSR,
                    (unsigned)IFU_CM_MMFAR, (unsigned)IFU_CM_BFAR);
    ifu_semihost_exit(128u + exc);
}
