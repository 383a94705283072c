/* TrustZone-M setup on mps2-an505 for a Secure image that starts a
 * Non-secure one (examples/tz): SAU regions, MPC blocks, the UART handover
 * and the jump to Non-secure state. Build with -mcpu=cortex-m33 -mcmse.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_AN505_TZ_H
#define IFU_AN505_TZ_H

#include <stdint.h>

/* Program the SAU: the Non-secure aliases of SSRAM1 and SSRAM2 (the MPCs
 * decide which blocks behind them are Non-secure), the Non-secure
 * peripheral aliases, and the NSC region of the veneers; set NSCCFG.CODENSC
 * so that the IDAU lets the veneer region be NSC; enable the SAU
 * (everything not covered stays Secure). Regions from board.h. */
void ifu_an505_sau_setup(void);

/* Mark [off, off + len) of the memory behind the MPC at mpc (board.h) as
 * Non-secure; blocks outside stay as they are (Secure after reset). off and
 * len must be multiples of the MPC's block size. 0, or IFU_EINVAL
 * if the range is not block aligned or exceeds the MPC. */
int ifu_an505_mpc_set_ns(uint32_t mpc, uint32_t off, uint32_t len);

/* Make [base, base + size) read-only and execute-never for Secure code
 * with the Secure MPU (region, privileged and unprivileged alike), and
 * enable that MPU with the default map elsewhere (PRIVDEFENA): from then
 * until the next reset even a Secure store there is a MemManage fault.
 * base and size: multiples of 32. 0, or IFU_EINVAL (bad range, region
 * beyond the MPU's, no MPU). */
int ifu_an505_secure_mpu_ro(uint32_t region, uint32_t base, uint32_t size);

/* Hand UART0 to the Non-secure side (PPC bit); from then on only
 * IFU_AN505_UART0_NS answers. The SAU must cover the peripheral NS alias. */
void ifu_an505_uart0_to_ns(void);

/* Start the Non-secure image whose vector table is at vtor (Non-secure
 * alias): VTOR_NS, MSP_NS from word 0, then BLXNS to word 1 with arg in r0.
 * Returns only if the Non-secure reset handler returns. */
void ifu_an505_start_ns(uint32_t vtor, uint32_t arg);

#endif /* IFU_AN505_TZ_H */
