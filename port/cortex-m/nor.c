/* see nor.h */
#include "nor.h"

#include <string.h>

#include "ifu/errors.h"

static struct ifu_nor *dev(const struct ifu_flash *fl)
{
    return (struct ifu_nor *)fl->ctx;
}

static volatile uint8_t *byte_at(const struct ifu_nor *nor, uint32_t off)
{
    return (volatile uint8_t *)(uintptr_t)(nor->base + off);
}

static int in_range(const struct ifu_nor *nor, uint32_t off, uint32_t len)
{
    return off <= nor->size && len <= nor->size - off;
}

static int nor_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct ifu_nor *nor = dev(fl);
    if (!in_range(nor, off, len)) {
        nor->stats.misuse++;
        return IFU_EINVAL;
    }
    nor->stats.reads++;
    memcpy(buf, (const void *)(uintptr_t)(nor->base + off), len);
    return 0;
}

static int nor_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    struct ifu_nor *nor = dev(fl);
    const uint8_t *src = buf;
    if (!in_range(nor, off, len) || off % fl->write_size != 0u || len % fl->write_size != 0u) {
        nor->stats.misuse++;
        return IFU_EINVAL;
    }
    /* Erase-before-write: check the whole range before the first store, as
     * a driver that reads back before programming would. */
    for (uint32_t i = 0; i < len; i++) {
        if (*byte_at(nor, off + i) != 0xFFu) {
            nor->stats.prog_over++;
            return IFU_EIO;
        }
    }
    nor->stats.progs++;
    nor->stats.prog_bytes += len;
    /* Page by page, byte by byte: each store is one point where a cut can
     * fall. A NOR cell can only go from 1 to 0: AND, as the part does. */
    for (uint32_t i = 0; i < len; i++) {
        volatile uint8_t *p = byte_at(nor, off + i);
        *p = (uint8_t)(*p & src[i]);
    }
    for (uint32_t i = 0; i < len; i++) {
        if (*byte_at(nor, off + i) != src[i]) {
            return IFU_EIO;
        }
    }
    return 0;
}

static int nor_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    struct ifu_nor *nor = dev(fl);
    if (!in_range(nor, off, len) || off % IFU_NOR_SECTOR_SIZE != 0u || len != IFU_NOR_SECTOR_SIZE) {
        nor->stats.misuse++;
        return IFU_EINVAL;
    }
    nor->stats.erases++;
    volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)(nor->base + off);
    for (uint32_t i = 0; i < IFU_NOR_SECTOR_SIZE / 4u; i++) {
        w[i] = 0xFFFFFFFFu;
    }
    return 0;
}

const struct ifu_flash *ifu_nor_init(struct ifu_nor *nor, uint32_t base, uint32_t size,
                                     uint32_t write_size)
{
    if (size == 0u || size % IFU_NOR_SECTOR_SIZE != 0u || write_size == 0u ||
        write_size > IFU_FLASH_MAX_WRITE_SIZE || (write_size & (write_size - 1u)) != 0u) {
        return NULL;
    }
    memset(nor, 0, sizeof *nor);
    nor->base = base;
    nor->size = size;
    nor->run.size = IFU_NOR_SECTOR_SIZE;
    nor->run.count = size / IFU_NOR_SECTOR_SIZE;
    nor->fl.ctx = nor;
    nor->fl.read = nor_read;
    nor->fl.prog = nor_prog;
    nor->fl.erase = nor_erase;
    nor->fl.write_size = write_size;
    nor->fl.erased_val = 0xFFu;
    nor->fl.sectors = &nor->run;
    nor->fl.sector_runs = 1;
    nor->fl.map_addr = base;
    return &nor->fl;
}

void ifu_nor_set_mapped(struct ifu_nor *nor, int on)
{
    nor->fl.map = on ? (const void *)(uintptr_t)nor->base : NULL;
}

int ifu_nor_erase_range(struct ifu_nor *nor, uint32_t off, uint32_t len)
{
    if (off % IFU_NOR_SECTOR_SIZE != 0u || len % IFU_NOR_SECTOR_SIZE != 0u ||
        !in_range(nor, off, len)) {
        return IFU_EINVAL;
    }
    for (uint32_t o = off; o < off + len; o += IFU_NOR_SECTOR_SIZE) {
        (void)nor_erase(&nor->fl, o, IFU_NOR_SECTOR_SIZE);
    }
    return 0;
}
