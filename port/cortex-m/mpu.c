/* see mpu.h */
#include "mpu.h"

#include "cm.h"

#define MPU_TYPE IFU_CM_REG(0xE000ED90u)
#define MPU_CTRL IFU_CM_REG(0xE000ED94u)
#define MPU_RNR  IFU_CM_REG(0xE000ED98u)
#define MPU_RBAR IFU_CM_REG(0xE000ED9Cu)
#define MPU_RASR IFU_CM_REG(0xE000EDA0u)

#define RASR_ENABLE   0x1u
#define RASR_SIZE(l2) (((l2)-1u) << 1) /* region of 2^l2 bytes */
#define RASR_C        (1u << 17)
#define RASR_B        (1u << 16)
#define RASR_AP(ap)   ((ap) << 24)
#define RASR_XN       (1u << 28)

unsigned ifu_mpu_regions(void)
{
    return (unsigned)((MPU_TYPE >> 8) & 0xFFu);
}

int ifu_mpu_region(unsigned n, uint32_t base, uint32_t size, uint32_t ap, uint32_t flags)
{
    if (n >= ifu_mpu_regions() || size < 32u || (size & (size - 1u)) != 0u ||
        (base & (size - 1u)) != 0u || ap > 7u || (flags & ~IFU_MPU_XN) != 0u) {
        return -1;
    }
    uint32_t l2 = 0;
    while ((1u << l2) != size && l2 < 31u) {
        l2++;
    }
    if ((1u << l2) != size) {
        return -1; /* 4 GiB: not expressible here */
    }
    MPU_RNR = n;
    MPU_RBAR = base;
    MPU_RASR = RASR_AP(ap) | RASR_C | RASR_B | RASR_SIZE(l2) | RASR_ENABLE |
               ((flags & IFU_MPU_XN) ? RASR_XN : 0u);
    ifu_cm_dsb();
    return 0;
}

void ifu_mpu_disable(void)
{
    ifu_cm_dsb();
    MPU_CTRL = 0;
    ifu_cm_dsb();
    ifu_cm_isb();
}

void ifu_mpu_enable(uint32_t ctrl)
{
    ifu_cm_dsb();
    MPU_CTRL = ctrl;
    ifu_cm_dsb();
    ifu_cm_isb();
}
