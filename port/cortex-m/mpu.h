/* ARMv7-M PMSAv7 MPU (ARMv7-M ARM, DDI 0403E, B3.5): the few calls the
 * bootloader needs to lock itself before it jumps.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_CM_MPU_H
#define IFU_CM_MPU_H

#include <stdint.h>

/* Access permissions (MPU_RASR.AP) for privileged / unprivileged code. */
#define IFU_MPU_AP_NONE 0x0u /* no access for anyone */
#define IFU_MPU_AP_RW   0x3u /* read/write for both */
#define IFU_MPU_AP_RO   0x6u /* read-only for both: a write faults even when privileged */

#define IFU_MPU_XN 0x1u /* execute never */

/* MPU_CTRL values for ifu_cm_jump_mpu. PRIVDEFENA: privileged code sees the
 * default memory map outside the regions. */
#define IFU_MPU_CTRL_ENABLE     0x1u
#define IFU_MPU_CTRL_PRIVDEFENA 0x4u

/* Number of regions the MPU implements (MPU_TYPE.DREGION; 0: no MPU). */
unsigned ifu_mpu_regions(void);

/* Program region n: base aligned to size, size a power of two >= 32 bytes,
 * ap one of IFU_MPU_AP_*, flags 0 or IFU_MPU_XN. Normal memory, write-back
 * attributes. Does not enable the MPU. Returns 0, or -1 for a bad argument
 * (nothing written). */
int ifu_mpu_region(unsigned n, uint32_t base, uint32_t size, uint32_t ap, uint32_t flags);

/* Turn the MPU off (before reprogramming regions). */
void ifu_mpu_disable(void);

/* Turn the MPU on now with ctrl (IFU_MPU_CTRL_*), e.g. to lock a region
 * while the bootloader still runs; the regions must be programmed. */
void ifu_mpu_enable(uint32_t ctrl);

#endif /* IFU_CM_MPU_H */
