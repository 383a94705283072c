/* QEMU mps2-an505 (Cortex-M33 with TrustZone-M, ARM AN505 / IoTKit): the
 * addresses the TrustZone demo (examples/tz) uses. Facts measured on QEMU
 * 10.0.2 (docs/PORTING.md "TrustZone on mps2-an505"); register layouts from
 * the ARMv8-M Architecture Reference Manual (DDI 0553) and the IoTKit
 * Technical Reference Manual (ARM 100912, secure privilege control block,
 * MPC and PPC registers).
 *
 * Address bit 28 selects the alias: the IDAU calls an address Secure when
 * its top nibble is odd. Every RAM sits behind a Memory Protection
 * Controller (MPC) that decides per block which alias may reach it.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_AN505_BOARD_H
#define IFU_AN505_BOARD_H

#include <stdint.h>

/* Memory. SSRAM1 (4 MiB) holds both images: the Secure image in its first
 * 2 MiB (Secure alias 0x10000000), the Non-secure image in its second 2 MiB
 * (Non-secure alias 0x00200000). SSRAM2 (2 MiB): Secure data in its first
 * MiB (0x38000000), Non-secure data in its second (0x28100000). */
#define IFU_AN505_SSRAM1_NS    0x00000000u
#define IFU_AN505_SSRAM1_S     0x10000000u
#define IFU_AN505_SSRAM2_NS    0x28000000u
#define IFU_AN505_SSRAM2_S     0x38000000u
#define IFU_AN505_S_CODE       0x10000000u /* Secure image, vector table first (VTOR_S at reset) */
#define IFU_AN505_S_CODE_SIZE  0x00200000u
#define IFU_AN505_NSC          0x1000F000u /* veneers (.gnu.sgstubs), Non-secure callable */
#define IFU_AN505_NSC_SIZE     0x00001000u
#define IFU_AN505_S_RAM        0x38000000u
#define IFU_AN505_S_RAM_SIZE   0x00100000u
#define IFU_AN505_NS_CODE      0x00200000u /* Non-secure image, vector table first */
#define IFU_AN505_NS_CODE_SIZE 0x00200000u
#define IFU_AN505_NS_RAM       0x28100000u
#define IFU_AN505_NS_RAM_SIZE  0x00100000u
/* The SAU marks the whole Non-secure alias of SSRAM1 and SSRAM2 Non-secure
 * (as the IDAU does); the MPCs then keep the Secure halves Secure, so a
 * Non-secure access to them through that alias is a BusFault from the MPC. */
#define IFU_AN505_SSRAM1_SIZE 0x00400000u
#define IFU_AN505_SSRAM2_SIZE 0x00200000u

/* The Secure NOR flash: the PSRAM at 0x80000000, the only memory QEMU can
 * back with a host file (so it survives a reset and a killed QEMU). It has
 * no MPC and the IDAU calls it Non-secure: it is Secure only because no SAU
 * region covers it (the SAU's default is Secure), so a Non-secure access is
 * a SecureFault. Driven by port/cortex-m/nor.c with a W25Q128JV's geometry,
 * it holds the boot engine's two slots: the primary (the Non-secure image,
 * verified and copied to IFU_AN505_NS_CODE at every boot) and the
 * secondary, where the PSA FWU gateways stage a new image; after them the
 * Secure image's own data: the keystore page (the trust anchors, written
 * by `ifu provision` at build time) and the anti-rollback counter's ring.
 * The host seeds the file (scripts/tz-demo.sh).
 *
 *   +0x00000  primary slot, 64 KiB (16 sectors)
 *   +0x10000  secondary slot, 68 KiB (17 sectors: one sector of headroom for
 *             the swap boot engine, docs/DESIGN.md 7.4)
 *   +0x21000  keystore, 1 sector (IFU_AN505_KEY_SLOTS slots, write size 1)
 *   +0x22000  security counter, 2 sectors (the flash ring needs two)
 *   +0x24000  reserved, 1 sector */
#define IFU_AN505_FLASH_S        0x80000000u
#define IFU_AN505_FLASH_SIZE     0x00025000u
#define IFU_AN505_FLASH_WRITE    1u
#define IFU_AN505_PRIMARY_OFF    0x00000000u
#define IFU_AN505_PRIMARY_SIZE   0x00010000u
#define IFU_AN505_SECONDARY_OFF  0x00010000u
#define IFU_AN505_SECONDARY_SIZE 0x00011000u
#define IFU_AN505_BOOTDATA_OFF   0x00021000u /* keystore + counter, 12 KiB (MPU: 32-byte granule) */
#define IFU_AN505_BOOTDATA_SIZE  0x00003000u
#define IFU_AN505_KEYSTORE_OFF   0x00021000u
#define IFU_AN505_KEYSTORE_SIZE  0x00001000u
#define IFU_AN505_KEY_SLOTS      4u /* `ifu provision -s 4 -w 1` */
#define IFU_AN505_COUNTER_OFF    0x00022000u
#define IFU_AN505_COUNTER_SIZE   0x00002000u

/* MPCs (IoTKit TRM; QEMU hw/arm/mps2-tz.c): SSRAM1, SSRAM2, SSRAM3. */
#define IFU_AN505_MPC_SSRAM1  0x58007000u
#define IFU_AN505_MPC_SSRAM2  0x58008000u
#define IFU_AN505_MPC_CTRL    0x00u
#define IFU_AN505_MPC_BLK_MAX 0x10u
#define IFU_AN505_MPC_BLK_CFG 0x14u /* block size = 1 << (BLK_CFG + 5) bytes */
#define IFU_AN505_MPC_BLK_IDX 0x18u
#define IFU_AN505_MPC_BLK_LUT 0x1Cu /* one bit per block, 1 = Non-secure */

/* Secure privilege control block (IoTKit TRM). */
#define IFU_AN505_SECRESPCFG   0x50080010u /* bit 0: blocked accesses get a bus error, not RAZ/WI */
#define IFU_AN505_NSCCFG       0x50080014u /* bit 0 CODENSC: 0x10000000-0x1FFFFFFF may be NSC */
#define IFU_AN505_APBNSPPCEXP1 0x50080084u /* bit 5: UART0 Non-secure */
#define IFU_AN505_PPC_UART0    (1u << 5)

/* CMSDK UART0: Secure alias until it is handed to the Non-secure side, then
 * only the Non-secure alias answers. */
#define IFU_AN505_UART0_S        0x50200000u
#define IFU_AN505_UART0_NS       0x40200000u
#define IFU_AN505_UART1_S        0x50201000u
#define IFU_AN505_UART1_NS       0x40201000u
#define IFU_AN505_PERIPH_NS      0x40000000u /* Non-secure peripheral aliases */
#define IFU_AN505_PERIPH_NS_SIZE 0x10000000u

/* ARMv8-M system registers of the Security Extension (DDI 0553, D1.2). */
#define IFU_V8M_SHCSR                0xE000ED24u
#define IFU_V8M_SHCSR_SECUREFAULTENA (1u << 19)
#define IFU_V8M_SHCSR_BUSFAULTENA    (1u << 17)
#define IFU_V8M_SHCSR_MEMFAULTENA    (1u << 16)
#define IFU_V8M_SHCSR_USGFAULTENA    (1u << 18)
#define IFU_V8M_CFSR                 0xE000ED28u
#define IFU_V8M_HFSR                 0xE000ED2Cu
#define IFU_V8M_BFAR                 0xE000ED38u
#define IFU_V8M_MMFAR                0xE000ED34u
#define IFU_V8M_SAU_CTRL             0xE000EDD0u
#define IFU_V8M_SAU_RNR              0xE000EDD8u
#define IFU_V8M_SAU_RBAR             0xE000EDDCu
#define IFU_V8M_SAU_RLAR             0xE000EDE0u
#define IFU_V8M_SFSR                 0xE000EDE4u
#define IFU_V8M_SFAR                 0xE000EDE8u
#define IFU_V8M_VTOR_NS              0xE002ED08u /* the Non-secure SCB's VTOR, seen from Secure state */
/* The MPU (PMSAv8, DDI 0553 B10.2); from Secure state these addresses reach
 * the Secure MPU, which checks only Secure-state accesses. */
#define IFU_V8M_MPU_TYPE  0xE000ED90u
#define IFU_V8M_MPU_CTRL  0xE000ED94u
#define IFU_V8M_MPU_RNR   0xE000ED98u
#define IFU_V8M_MPU_RBAR  0xE000ED9Cu
#define IFU_V8M_MPU_RLAR  0xE000EDA0u
#define IFU_V8M_MPU_MAIR0 0xE000EDC0u

#endif /* IFU_AN505_BOARD_H */
