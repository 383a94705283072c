/* mps2-an386 (Cortex-M4) as the QEMU demo uses it: memory map, flash layout
 * and the boot configuration shared by the bootloader and the application.
 * docs/QEMU.md draws the map; docs/PORTING.md explains the choices.
 *
 *   0x00000000  SSRAM1      bootloader (loaded by QEMU's -kernel), 128 KiB
 *   0x20000000  SSRAM2      bootloader RAM, 64 KiB (locked by the MPU before the jump)
 *   0x20010000  SSRAM2      application RAM, 256 KiB
 *   0x21000000  PSRAM       "NOR flash", 16 MiB, backed by a host file:
 *      +0x000000  primary slot, 256 KiB (64 sectors): the running image, executed in place
 *      +0x040000  secondary slot, 260 KiB (65 sectors): headroom sector + staged image
 *
 * Device code: C99, no malloc. */
#ifndef IFU_AN386_BOARD_H
#define IFU_AN386_BOARD_H

#include <stdint.h>

#include "ifu/boot.h"
#include "nor.h"

#define AN386_BOOT_ADDR     0x00000000u
#define AN386_BOOT_SIZE     0x00020000u /* 128 KiB */
#define AN386_BOOT_RAM      0x20000000u
#define AN386_BOOT_RAM_SIZE 0x00010000u /* 64 KiB */
#define AN386_APP_RAM       0x20010000u
#define AN386_APP_RAM_SIZE  0x00040000u /* 256 KiB */

#define AN386_FLASH_ADDR     0x21000000u
#define AN386_FLASH_SIZE     0x01000000u /* 16 MiB: the whole PSRAM, W25Q128JV-sized */
#define AN386_PRIMARY_OFF    0x00000000u
#define AN386_PRIMARY_SIZE   0x00040000u /* 64 sectors */
#define AN386_SECONDARY_OFF  0x00040000u
#define AN386_SECONDARY_SIZE 0x00041000u /* 65 sectors: one of headroom (DESIGN.md 7.4) */

/* Program unit ifu uses on this flash, bytes. The part programs bytes. */
#define AN386_WRITE_SIZE 1u

/* Image header size the application images are signed with: the vector
 * table follows it, and VTOR needs 512-byte alignment for 80 vectors. */
#define AN386_HEADER_SIZE 0x200u

#define AN386_UART_LOG 0x40004000u /* UART0: the log (first -serial) */
#define AN386_UART_SMP 0x40005000u /* UART1: SMP (second -serial) */

/* Set up the flash driver (once) and fill *cfg: the two slots over it, the
 * keyring (may be NULL for callers that only read state), no hooks. Returns
 * the driver, for its statistics. */
struct ifu_nor *an386_flash(void);
void an386_boot_config(struct ifu_boot_config *cfg, const struct ifu_keyring *keys);

#endif /* IFU_AN386_BOARD_H */
