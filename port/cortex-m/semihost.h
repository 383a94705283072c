/* ARM semihosting (ARM "Semihosting for AArch32 and AArch64", version 2.0):
 * the calls the QEMU runs use. Needs `-semihosting-config enable=on`; without
 * it the BKPT is a HardFault.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_CM_SEMIHOST_H
#define IFU_CM_SEMIHOST_H

#include <stdint.h>

/* End the run: SYS_EXIT_EXTENDED (0x20) with reason ADP_Stopped_ApplicationExit
 * (0x20026) and code, so QEMU exits with status code (0..255). Never returns. */
void ifu_semihost_exit(uint32_t code) __attribute__((noreturn));

/* SYS_WRITE0: s on the host's stderr (QEMU). */
void ifu_semihost_write0(const char *s);

#endif /* IFU_CM_SEMIHOST_H */
