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
 *      +0x0FC000  bootloader data, 16 KiB (one MPU region, read-only after the lock):
 *                   +0x0FC000 keystore, 1 sector; +0x0FD000 security counter, 2 sectors;
 *                   +0x0FF000 reserved
 *      +0x100000  the demo application's note sector
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

/* Bootloader data: the keystore (docs/KEYS.md §2.3) and the anti-rollback
 * counter (docs/ROLLBACK.md, flash ring backend), outside both slots, in one
 * naturally aligned power-of-two range so that one MPU region covers both.
 * The bootloader may write them until the keystore's lock hook runs (in
 * ifu_boot_go, after the counter's last raise); from then on, and in the
 * application, the range is read-only (boot/main.c). */
#define AN386_BOOTDATA_OFF  0x000FC000u
#define AN386_BOOTDATA_SIZE 0x00004000u /* 16 KiB, 16 KiB-aligned at 0x210FC000 */
#define AN386_KEYSTORE_OFF  0x000FC000u /* 1 sector */
#define AN386_KEYSTORE_SIZE 0x00001000u
#define AN386_KEY_SLOTS     4u          /* `ifu provision -s 4 -w 1` */
#define AN386_COUNTER_OFF   0x000FD000u /* 2 sectors: the ring needs two */
#define AN386_COUNTER_SIZE  0x00002000u

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

/* The keystore in its reserved sector (backend (c), ifu_keys_init_area) with
 * AN386_KEY_SLOTS slots, no lock hook (the bootloader sets its own). With
 * writable 0, prog is NULL: the application's read-only view, through
 * ifu_keys_count/ifu_keys_get. Returns 0 or IFU_EINVAL. */
int an386_keystore(struct ifu_keystore *ks, int writable);

/* The anti-rollback counter in its two sectors (ifu_counter_flash_init).
 * The application reads it with ifu_counter_get; only the boot engine raises
 * it. Returns 0 or IFU_EINVAL. */
int an386_counter(struct ifu_counter *c);

#endif /* IFU_AN386_BOARD_H */
