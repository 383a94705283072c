/* A NOR flash in RAM: struct ifu_flash (include/ifu/flash.h) over a
 * memory-mapped region that the CPU can write freely (QEMU's file-backed
 * PSRAM on the MPS2 boards, docs/QEMU.md), with the rules of a real part
 * enforced in software:
 *
 * - geometry of a Winbond W25Q128JV (datasheet rev. F, 2018): 16 MiB,
 *   4096 uniform 4 KiB sectors (command 0x20 erases one), 256-byte program
 *   pages, erased state 0xFF. A Quad-SPI controller maps such a part into the
 *   address space for execute-in-place, as the PSRAM is mapped here;
 * - program only erased bytes: a program over a byte that is not 0xFF is
 *   refused with IFU_EIO and counted (the real part would AND the bits, a
 *   silent corruption; ifu never does it, so a refusal is a bug found);
 * - program byte by byte and erase word by word from the sector's start: a
 *   power cut (QEMU killed) can land between any two stores, leaving a torn
 *   program or a half-erased sector, as a cut during the real operations can
 *   (the real part programs at most one 256-byte page per command; the page
 *   split would not change which bytes a cut leaves, so it is not modelled);
 * - reads are memory reads (memory-mapped, as XIP); ifu_nor_set_mapped()
 *   also lends ifu the mapping (struct ifu_flash.map), so that it hashes
 *   slots in place instead of copying them through read.
 *
 * Device code: C99, no malloc. */
#ifndef IFU_CM_NOR_H
#define IFU_CM_NOR_H

#include <stdint.h>

#include "ifu/flash.h"

#define IFU_NOR_SECTOR_SIZE 4096u /* W25Q128JV sector erase unit */
#define IFU_NOR_PAGE_SIZE   256u  /* W25Q128JV page program unit */

/* Counters of what the driver did (statistics and the power-loss test). */
struct ifu_nor_stats {
    uint32_t reads, progs, erases; /* callback calls */
    uint32_t prog_bytes;
    uint32_t prog_over; /* programs refused: a target byte was not erased */
    uint32_t misuse;    /* requests off the device or off the sector grid */
};

/* One device: caller-owned, fields private. It holds fl, whose ctx points
 * back at the device, so do not copy it after ifu_nor_init. */
struct ifu_nor {
    uint32_t base; /* CPU address of offset 0 */
    uint32_t size; /* bytes */
    struct ifu_sector_run run;
    struct ifu_flash fl;
    struct ifu_nor_stats stats;
};

/* Describe a NOR device of size bytes (a multiple of 4 KiB) mapped at base,
 * with write_size (a power of two, 1..32) as the program unit ifu uses; the
 * part itself programs single bytes, so 1 is its true unit. Touches no
 * memory at base. Returns the struct ifu_flash to hand to ifu, or NULL for a
 * bad size or write_size. */
const struct ifu_flash *ifu_nor_init(struct ifu_nor *nor, uint32_t base, uint32_t size,
                                     uint32_t write_size);

/* Lend ifu the mapping (on = 1): fl.map = base, so verification hashes the
 * slots in place (include/ifu/flash.h). The promise holds here: prog and
 * erase store straight into the mapped memory, no cache lies in between,
 * and a read of it cannot fault. Off (0, the default after ifu_nor_init):
 * every read goes through the read callback (and is counted in stats). */
void ifu_nor_set_mapped(struct ifu_nor *nor, int on);

/* Erase [off, off + len) (sector-aligned) outside ifu, e.g. to factory-reset
 * a slot. Returns 0 or IFU_EINVAL. */
int ifu_nor_erase_range(struct ifu_nor *nor, uint32_t off, uint32_t len);

#endif /* IFU_CM_NOR_H */
