/* Flash access: a caller-filled description of one flash device, and areas
 * (offset, size) inside it.
 *
 * ifu touches flash only through the callbacks below. Every library entry
 * point checks alignment and bounds itself and returns IFU_EINVAL or
 * IFU_ENOSPC; a driver never sees a request outside its device or off its
 * write and sector grid, so it need not check again.
 *
 * Zero the struct, then set fields by name: a zero field means "default", and
 * fields added later go at the end. */
#ifndef IFU_FLASH_H
#define IFU_FLASH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A run of equal sectors: count sectors of size bytes each.
 * STM32F4 bank: {16384, 4}, {65536, 1}, {131072, 7}. */
struct ifu_sector_run {
    uint32_t size;  /* bytes, a multiple of write_size */
    uint32_t count; /* >= 1 */
};

struct ifu_flash {
    void *ctx; /* the driver's; ifu never reads it */

    /* Read len bytes at byte offset off into buf. Any alignment. */
    int (*read)(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len);

    /* Program len bytes at off. off and len are multiples of write_size and
     * every byte of [off, off+len) is erased. Returns 0 once the bytes are
     * programmed (durable after sync, if sync is set), or a negative IFU_E*
     * (IFU_EIO if unsure); ifu passes the code back unchanged. */
    int (*prog)(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len);

    /* Erase exactly one sector: off is its first byte, len its size. Every
     * byte reads back as erased_val afterwards. */
    int (*erase)(const struct ifu_flash *fl, uint32_t off, uint32_t len);

    /* Optional: make every earlier prog and erase durable. NULL if prog and
     * erase are synchronous. ifu calls it before each journal record. */
    int (*sync)(const struct ifu_flash *fl);

    uint32_t write_size;                  /* program unit, bytes: a power of two, 1..32 */
    uint8_t erased_val;                   /* 0xff (NOR) or 0x00 */
    const struct ifu_sector_run *sectors; /* ascending runs covering the device from offset 0 */
    uint32_t sector_runs;                 /* entries in sectors, >= 1 */
    /* Address at which offset 0 appears in the CPU's memory map, for images
     * that execute in place (direct-XIP checks an image's ROM_FIXED load
     * address against it). 0 if the flash is not memory-mapped. */
    uint32_t map_addr;
    /* Optional: where this process reads the device in place, for hashing
     * without a copy (docs/PORTING.md "Memory-mapped reads"). If set, the byte
     * at device offset off is ((const uint8_t *)map)[off] for every off below
     * the device size, and reading it there gives exactly what read() gives:
     * at any moment after a prog, erase or sync has returned, with no cache
     * in between that those calls leave stale, and without faulting. ifu then
     * hashes image bytes (verification) through ifu_area_map() in place, in
     * large spans, and still calls read() for everything else. NULL (the
     * default): ifu reads only through read(). Unlike map_addr, this is a
     * pointer in the address space that runs ifu (the same number on a
     * device; a buffer on a host simulator). */
    const void *map;
};

/* A contiguous range of one flash device: a slot, a status page, a key page.
 * off and size lie on sector boundaries of *flash. */
struct ifu_area {
    const struct ifu_flash *flash;
    uint32_t off;  /* bytes from the start of the device */
    uint32_t size; /* bytes */
};

#define IFU_FLASH_MAX_WRITE_SIZE 32u

/* Check a flash description: callbacks read/prog/erase set, write_size a
 * power of two in 1..32, erased_val 0x00 or 0xff, at least one run, every
 * sector size a non-zero multiple of write_size, and the device no larger
 * than 4 GiB - 1. Returns 0 or IFU_EINVAL. Touches no flash. */
int ifu_flash_check(const struct ifu_flash *fl);

/* Total bytes of the device (sum of its runs). fl must pass ifu_flash_check. */
uint32_t ifu_flash_size(const struct ifu_flash *fl);

/* The sector holding byte off: *start is its first byte, *size its size.
 * Returns 0, or IFU_EINVAL if off is past the device. */
int ifu_flash_sector(const struct ifu_flash *fl, uint32_t off, uint32_t *start, uint32_t *size);

/* Check an area: its flash passes ifu_flash_check, size > 0, and both ends lie
 * on sector boundaries inside the device. Returns 0 or IFU_EINVAL. */
int ifu_area_check(const struct ifu_area *a);

/* Number of sectors in the area, or a negative IFU_E* if it is not valid. */
int ifu_area_sector_count(const struct ifu_area *a);

/* The sector of the area holding area offset off (offsets relative to the
 * area's start): *start and *size as for ifu_flash_sector. Returns 0, or
 * IFU_EINVAL if off is not inside the area. */
int ifu_area_sector(const struct ifu_area *a, uint32_t off, uint32_t *start, uint32_t *size);

/* Read len bytes at area offset off. IFU_EINVAL if the range leaves the area. */
int ifu_area_read(const struct ifu_area *a, uint32_t off, void *buf, uint32_t len);

/* The bytes [off, off+len) of the area in place: *p is the address of area
 * byte off if the area's flash has a map, else NULL (then read them with
 * ifu_area_read). The same checks as ifu_area_read: IFU_EINVAL, and *p NULL,
 * for a bad area or a range that leaves it, so nothing outside the area is
 * ever handed out. The bytes stay valid only until the next prog or erase
 * of that range. Touches no flash. */
int ifu_area_map(const struct ifu_area *a, uint32_t off, uint32_t len, const uint8_t **p);

/* Program len bytes at area offset off. IFU_EINVAL unless off and len are
 * multiples of the write size and the range lies inside the area. The bytes
 * must be erased (ifu never programs over programmed bytes). */
int ifu_area_prog(const struct ifu_area *a, uint32_t off, const void *buf, uint32_t len);

/* Erase the sectors covering [off, off+len) of the area, one erase callback
 * per sector. IFU_EINVAL unless both ends lie on sector boundaries inside the
 * area. */
int ifu_area_erase(const struct ifu_area *a, uint32_t off, uint32_t len);

/* Call the flash's sync callback if it has one. */
int ifu_area_sync(const struct ifu_area *a);

/* 1 if all len bytes at area offset off read as the erased value, 0 if not,
 * negative IFU_E* on a read error. */
int ifu_area_is_erased(const struct ifu_area *a, uint32_t off, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* IFU_FLASH_H */
