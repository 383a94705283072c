/* see tz.h */
#include "tz.h"

#include <arm_cmse.h>

#include "board.h"
#include "ifu/errors.h"

#define REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define SAU_RLAR_ENABLE 1u
#define SAU_RLAR_NSC    2u
#define SAU_CTRL_ENABLE 1u

static void dsb_isb(void)
{
    __asm__ volatile("dsb 0xf\n\tisb 0xf" ::: "memory");
}

static void sau_region(uint32_t n, uint32_t base, uint32_t size, uint32_t flags)
{
    REG(IFU_V8M_SAU_RNR) = n;
    REG(IFU_V8M_SAU_RBAR) = base & ~0x1Fu;
    REG(IFU_V8M_SAU_RLAR) = ((base + size - 1u) & ~0x1Fu) | flags | SAU_RLAR_ENABLE;
}

void ifu_an505_sau_setup(void)
{
    REG(IFU_V8M_SAU_CTRL) = 0u;
    sau_region(0u, IFU_AN505_SSRAM1_NS, IFU_AN505_SSRAM1_SIZE, 0u);
    sau_region(1u, IFU_AN505_SSRAM2_NS, IFU_AN505_SSRAM2_SIZE, 0u);
    sau_region(2u, IFU_AN505_PERIPH_NS, IFU_AN505_PERIPH_NS_SIZE, 0u);
    sau_region(3u, IFU_AN505_NSC, IFU_AN505_NSC_SIZE, SAU_RLAR_NSC);
    REG(IFU_AN505_NSCCFG) |= 1u;
    REG(IFU_V8M_SAU_CTRL) = SAU_CTRL_ENABLE;
    dsb_isb();
}

int ifu_an505_mpc_set_ns(uint32_t mpc, uint32_t off, uint32_t len)
{
    uint32_t blk = 1u << (REG(mpc + IFU_AN505_MPC_BLK_CFG) + 5u);
    uint32_t words = REG(mpc + IFU_AN505_MPC_BLK_MAX) + 1u; /* LUT words */
    if (off % blk != 0u || len % blk != 0u || off / blk + len / blk > words * 32u) {
        return IFU_EINVAL;
    }
    for (uint32_t b = off / blk; b < (off + len) / blk; b++) {
        /* Auto-increment is on after reset: set the index before every
         * access and write whole words. */
        REG(mpc + IFU_AN505_MPC_BLK_IDX) = b / 32u;
        uint32_t lut = REG(mpc + IFU_AN505_MPC_BLK_LUT);
        REG(mpc + IFU_AN505_MPC_BLK_IDX) = b / 32u;
        REG(mpc + IFU_AN505_MPC_BLK_LUT) = lut | (1u << (b % 32u));
    }
    dsb_isb();
    return 0;
}

/* PMSAv8 fields (DDI 0553 B10.2): RBAR AP[2:1] = 0b11 read-only at any
 * privilege, XN bit 0; RLAR EN bit 0, AttrIndx [3:1] = 0 (MAIR0 attribute
 * 0: Normal memory, non-cacheable, 0x44); CTRL ENABLE bit 0, PRIVDEFENA
 * bit 2. */
#define MPU_RBAR_RO_ANY 0x6u
#define MPU_RBAR_XN     0x1u
#define MPU_RLAR_EN     0x1u
#define MPU_CTRL_ON     0x5u

int ifu_an505_secure_mpu_ro(uint32_t region, uint32_t base, uint32_t size)
{
    uint32_t regions = (REG(IFU_V8M_MPU_TYPE) >> 8) & 0xFFu;
    if (region >= regions || size == 0u || (base & 0x1Fu) != 0u || (size & 0x1Fu) != 0u ||
        base + size - 1u < base) {
        return IFU_EINVAL;
    }
    REG(IFU_V8M_MPU_CTRL) = 0u;
    dsb_isb();
    REG(IFU_V8M_MPU_MAIR0) = (REG(IFU_V8M_MPU_MAIR0) & ~0xFFu) | 0x44u;
    REG(IFU_V8M_MPU_RNR) = region;
    REG(IFU_V8M_MPU_RBAR) = base | MPU_RBAR_RO_ANY | MPU_RBAR_XN;
    REG(IFU_V8M_MPU_RLAR) = ((base + size - 1u) & ~0x1Fu) | MPU_RLAR_EN;
    REG(IFU_V8M_MPU_CTRL) = MPU_CTRL_ON;
    dsb_isb();
    return 0;
}

void ifu_an505_uart0_to_ns(void)
{
    REG(IFU_AN505_APBNSPPCEXP1) |= IFU_AN505_PPC_UART0;
    dsb_isb();
}

typedef void __attribute__((cmse_nonsecure_call)) ns_reset_fn(uint32_t arg);

void ifu_an505_start_ns(uint32_t vtor, uint32_t arg)
{
    const volatile uint32_t *vec = (const volatile uint32_t *)(uintptr_t)vtor;
    uint32_t sp = vec[0];
    ns_reset_fn *reset = (ns_reset_fn *)cmse_nsfptr_create((ns_reset_fn *)(uintptr_t)vec[1]);
    REG(IFU_V8M_VTOR_NS) = vtor;
    __asm__ volatile("msr msp_ns, %0" : : "r"(sp));
    dsb_isb();
    reset(arg);
}
