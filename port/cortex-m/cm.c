/* see cm.h */
#include "cm.h"

void ifu_cm_reset(void)
{
    ifu_cm_dsb();
    IFU_CM_AIRCR = IFU_CM_AIRCR_RESET;
    ifu_cm_dsb();
    for (;;) {
    }
}

#define MPU_CTRL_ADDR 0xE000ED94u

static void jump(uint32_t vtor, uint32_t mpu_ctrl, uint32_t ctrl_addr) __attribute__((noreturn));

void ifu_cm_jump(uint32_t vtor)
{
    /* Writing MPU_CTRL's own value back changes nothing. */
    jump(vtor, IFU_CM_REG(MPU_CTRL_ADDR), MPU_CTRL_ADDR);
}

void ifu_cm_jump_mpu(uint32_t vtor, uint32_t mpu_ctrl)
{
    jump(vtor, mpu_ctrl, MPU_CTRL_ADDR);
}

static void jump(uint32_t vtor, uint32_t mpu_ctrl, uint32_t ctrl_addr)
{
    const volatile uint32_t *vt = (const volatile uint32_t *)(uintptr_t)vtor;
    uint32_t sp = vt[0];
    uint32_t pc = vt[1];

    ifu_cm_irq_disable();
    IFU_CM_SYST_CSR = 0; /* a SysTick the bootloader started must not fire in the image */
    for (unsigned i = 0; i < IFU_CM_NVIC_WORDS; i++) {
        IFU_CM_NVIC_ICER(i) = 0xFFFFFFFFu;
        IFU_CM_NVIC_ICPR(i) = 0xFFFFFFFFu;
    }
    IFU_CM_ICSR = IFU_CM_ICSR_PENDSVCLR | IFU_CM_ICSR_PENDSTCLR;
    IFU_CM_VTOR = vtor;
    ifu_cm_dsb();
    ifu_cm_isb();
    /* From here the old stack is gone: one asm block, no compiler-made
     * stack access between the MSP write and the branch. Interrupts come back
     * on as after a reset (PRIMASK = 0); none is enabled or pending. */
    __asm__ volatile("str %2, [%3]\n\t"
                     "dsb 0xf\n\t"
                     "isb 0xf\n\t"
                     "msr msp, %0\n\t"
                     "isb 0xf\n\t"
                     "cpsie i\n\t"
                     "bx %1\n\t"
                     :
                     : "r"(sp), "r"(pc | 1u), "r"(mpu_ctrl), "r"(ctrl_addr)
                     : "memory");
    for (;;) {
    }
}

unsigned ifu_cm_insn_size(uint32_t pc)
{
    uint16_t hw = *(const volatile uint16_t *)(uintptr_t)(pc & ~1u);
    /* A 32-bit Thumb-2 instruction starts with 0b11101, 0b11110 or 0b11111. */
    return (hw & 0xF800u) >= 0xE800u ? 4u : 2u;
}
