/* Cortex-M (ARMv7-M / ARMv8-M mainline) port: the system registers ifu's
 * bootloader and the demo application touch, as plain addresses (ARMv7-M
 * Architecture Reference Manual, DDI 0403E, B3.2 and B3.5). No CMSIS: the
 * port must build with the Debian toolchain and nothing else.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_CM_H
#define IFU_CM_H

#include <stdint.h>

#define IFU_CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control block (B3.2.2). */
#define IFU_CM_ICSR  IFU_CM_REG(0xE000ED04u)
#define IFU_CM_VTOR  IFU_CM_REG(0xE000ED08u)
#define IFU_CM_AIRCR IFU_CM_REG(0xE000ED0Cu)
#define IFU_CM_SHCSR IFU_CM_REG(0xE000ED24u)
#define IFU_CM_CFSR  IFU_CM_REG(0xE000ED28u)
#define IFU_CM_HFSR  IFU_CM_REG(0xE000ED2Cu)
#define IFU_CM_MMFAR IFU_CM_REG(0xE000ED34u)
#define IFU_CM_BFAR  IFU_CM_REG(0xE000ED38u)

#define IFU_CM_ICSR_PENDSVCLR (1u << 27)
#define IFU_CM_ICSR_PENDSTCLR (1u << 25)
#define IFU_CM_AIRCR_RESET    0x05FA0004u /* VECTKEY | SYSRESETREQ */
#define IFU_CM_SHCSR_FAULTS   0x00070000u /* MEMFAULTENA | BUSFAULTENA | USGFAULTENA */

/* SysTick (B3.3) and NVIC (B3.4): 8 words of enable/pending bits cover the
 * 240 external interrupts ARMv7-M allows. */
#define IFU_CM_SYST_CSR     IFU_CM_REG(0xE000E010u)
#define IFU_CM_NVIC_ICER(n) IFU_CM_REG(0xE000E180u + 4u * (n))
#define IFU_CM_NVIC_ICPR(n) IFU_CM_REG(0xE000E280u + 4u * (n))
#define IFU_CM_NVIC_WORDS   8u

static inline void ifu_cm_dsb(void)
{
    __asm__ volatile("dsb 0xf" ::: "memory");
}

static inline void ifu_cm_isb(void)
{
    __asm__ volatile("isb 0xf" ::: "memory");
}

static inline void ifu_cm_irq_disable(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
}

/* Request a system reset (SYSRESETREQ) and wait for it. */
void ifu_cm_reset(void);

/* Hand the CPU to the image whose vector table is at vtor (word 0: initial
 * MSP, word 1: reset handler): disable interrupts, stop SysTick, disable and
 * clear every NVIC interrupt, clear pending PendSV/SysTick, set VTOR and
 * MSP, re-enable interrupts (nothing can be pending) and branch. vtor must be
 * aligned as VTOR requires (128 bytes at least; the vector table's size
 * rounded up to a power of two). Never returns. */
void ifu_cm_jump(uint32_t vtor) __attribute__((noreturn));

/* ifu_cm_jump, and write mpu_ctrl to MPU_CTRL in the same instruction
 * sequence as the MSP switch: the bootloader's regions (programmed before,
 * with the MPU off) then take effect when no stack access of the bootloader
 * can follow, so its own RAM may be among the locked regions. */
void ifu_cm_jump_mpu(uint32_t vtor, uint32_t mpu_ctrl) __attribute__((noreturn));

/* The exception stack frame the core pushes: r0-r3, r12, lr, pc, xpsr. */
struct ifu_cm_frame {
    uint32_t r[4];
    uint32_t r12, lr, pc, xpsr;
};

/* Called by the startup code's HardFault, MemManage, BusFault and UsageFault
 * handlers with the frame that was stacked and the exception number (3..6).
 * The default (weak) prints the fault status registers on UART0 and ends the
 * QEMU run with semihosting exit code 128 + exc. A program may define its
 * own, e.g. to record a fault and resume after the faulting instruction by
 * advancing frame->pc (ifu_cm_insn_size). */
void ifu_cm_fault(struct ifu_cm_frame *frame, unsigned exc);

/* Size in bytes (2 or 4) of the Thumb instruction at pc. */
unsigned ifu_cm_insn_size(uint32_t pc);

#endif /* IFU_CM_H */
