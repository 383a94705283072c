/* Flash descriptions and areas: every check happens here, before a driver
 * callback, so a driver never sees a request off its grid (DESIGN.md §7.1).
 *
 * Sums of offsets and lengths are done in 64 bits so that no uint32_t
 * wrap-around can turn an out-of-range request into an in-range one. */
#include "ifu/flash.h"

#include <stddef.h>

#include "ifu/errors.h"
#include "util_priv.h"

/* Bytes ifu_area_is_erased reads per driver call: small, on the stack. */
#define ERASED_CHUNK 64u

#define DEVICE_MAX 0xffffffffu

/* see include/ifu/flash.h */
int ifu_flash_check(const struct ifu_flash *fl)
{
    if (fl == NULL || fl->read == NULL || fl->prog == NULL || fl->erase == NULL) {
        return IFU_EINVAL;
    }
    uint32_t ws = fl->write_size;
    if (ws == 0 || ws > IFU_FLASH_MAX_WRITE_SIZE || (ws & (ws - 1)) != 0) {
        return IFU_EINVAL;
    }
    if (fl->erased_val != 0x00 && fl->erased_val != 0xff) {
        return IFU_EINVAL;
    }
    if (fl->sectors == NULL || fl->sector_runs == 0) {
        return IFU_EINVAL;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < fl->sector_runs; i++) {
        const struct ifu_sector_run *r = &fl->sectors[i];
        if (r->size == 0 || r->size % ws != 0 || r->count == 0) {
            return IFU_EINVAL;
        }
        total += (uint64_t)r->size * r->count;
        /* Checked on every run, so total never wraps 64 bits either. */
        if (total > DEVICE_MAX) {
            return IFU_EINVAL;
        }
    }
    return 0;
}

/* see include/ifu/flash.h */
uint32_t ifu_flash_size(const struct ifu_flash *fl)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < fl->sector_runs; i++) {
        total += (uint64_t)fl->sectors[i].size * fl->sectors[i].count;
    }
    return (uint32_t)total;
}

/* The sector holding off, or IFU_EINVAL past the device. fl is checked. */
static int sector_of(const struct ifu_flash *fl, uint32_t off, uint32_t *start, uint32_t *size)
{
    uint64_t base = 0;
    for (uint32_t i = 0; i < fl->sector_runs; i++) {
        const struct ifu_sector_run *r = &fl->sectors[i];
        uint64_t run_len = (uint64_t)r->size * r->count;
        if (off < base + run_len) {
            *start = (uint32_t)(base + (off - base) / r->size * r->size);
            *size = r->size;
            return 0;
        }
        base += run_len;
    }
    return IFU_EINVAL;
}

/* 1 if off is the first byte of a sector or the end of the device. fl is checked. */
static int on_boundary(const struct ifu_flash *fl, uint64_t off)
{
    uint32_t start;
    uint32_t size;
    if (off == ifu_flash_size(fl)) {
        return 1;
    }
    return off < DEVICE_MAX && sector_of(fl, (uint32_t)off, &start, &size) == 0 && start == off;
}

/* see include/ifu/flash.h */
int ifu_flash_sector(const struct ifu_flash *fl, uint32_t off, uint32_t *start, uint32_t *size)
{
    if (ifu_flash_check(fl) != 0 || start == NULL || size == NULL) {
        return IFU_EINVAL;
    }
    return sector_of(fl, off, start, size);
}

/* see include/ifu/flash.h */
int ifu_area_check(const struct ifu_area *a)
{
    if (a == NULL || ifu_flash_check(a->flash) != 0 || a->size == 0) {
        return IFU_EINVAL;
    }
    uint64_t end = (uint64_t)a->off + a->size;
    if (end > ifu_flash_size(a->flash)) {
        return IFU_EINVAL;
    }
    if (!on_boundary(a->flash, a->off) || !on_boundary(a->flash, end)) {
        return IFU_EINVAL;
    }
    return 0;
}

/* see include/ifu/flash.h */
int ifu_area_sector_count(const struct ifu_area *a)
{
    int err = ifu_area_check(a);
    if (err) {
        return err;
    }
    /* Intersect the area with each run; both ends are on boundaries, so
     * every intersection is a whole number of that run's sectors. */
    uint64_t lo = a->off;
    uint64_t hi = lo + a->size;
    uint64_t base = 0;
    uint64_t count = 0;
    for (uint32_t i = 0; i < a->flash->sector_runs; i++) {
        const struct ifu_sector_run *r = &a->flash->sectors[i];
        uint64_t run_end = base + (uint64_t)r->size * r->count;
        uint64_t from = lo > base ? lo : base;
        uint64_t to = hi < run_end ? hi : run_end;
        if (from < to) {
            count += (to - from) / r->size;
        }
        base = run_end;
    }
    /* Only a device of over 2^31 one-byte sectors gets here. */
    if (count > 0x7fffffffu) {
        return IFU_EINVAL;
    }
    return (int)count;
}

/* see include/ifu/flash.h */
int ifu_area_sector(const struct ifu_area *a, uint32_t off, uint32_t *start, uint32_t *size)
{
    if (ifu_area_check(a) != 0 || off >= a->size || start == NULL || size == NULL) {
        return IFU_EINVAL;
    }
    uint32_t abs_start;
    int err = sector_of(a->flash, a->off + off, &abs_start, size);
    if (err) {
        return err;
    }
    /* The area starts on a sector boundary, so abs_start >= a->off. */
    *start = abs_start - a->off;
    return 0;
}

/* 0 if [off, off+len) lies inside the valid area a, else IFU_EINVAL. */
static int range_check(const struct ifu_area *a, uint32_t off, uint32_t len)
{
    int err = ifu_area_check(a);
    if (err) {
        return err;
    }
    if ((uint64_t)off + len > a->size) {
        return IFU_EINVAL;
    }
    return 0;
}

/* see include/ifu/flash.h */
int ifu_area_read(const struct ifu_area *a, uint32_t off, void *buf, uint32_t len)
{
    int err = range_check(a, off, len);
    if (err) {
        return err;
    }
    if (len == 0) {
        return 0;
    }
    if (buf == NULL) {
        return IFU_EINVAL;
    }
    return a->flash->read(a->flash, a->off + off, buf, len);
}

/* see include/ifu/flash.h */
int ifu_area_map(const struct ifu_area *a, uint32_t off, uint32_t len, const uint8_t **p)
{
    if (p == NULL) {
        return IFU_EINVAL;
    }
    *p = NULL;
    /* The check ifu_area_read makes: a mapped read never leaves the area. */
    int err = range_check(a, off, len);
    if (err) {
        return err;
    }
    if (a->flash->map != NULL) {
        /* off + len <= a->size and the area lies inside the device, so
         * a->off + off is a device offset below the device size. */
        *p = (const uint8_t *)a->flash->map + a->off + off;
    }
    return 0;
}

/* see include/ifu/flash.h */
int ifu_area_prog(const struct ifu_area *a, uint32_t off, const void *buf, uint32_t len)
{
    int err = range_check(a, off, len);
    if (err) {
        return err;
    }
    /* The area starts on a sector boundary, and sectors are multiples of
     * write_size, so area-relative alignment is device alignment. */
    uint32_t mask = a->flash->write_size - 1;
    if ((off & mask) != 0 || (len & mask) != 0) {
        return IFU_EINVAL;
    }
    if (len == 0) {
        return 0;
    }
    if (buf == NULL) {
        return IFU_EINVAL;
    }
    return a->flash->prog(a->flash, a->off + off, buf, len);
}

/* see include/ifu/flash.h */
int ifu_area_erase(const struct ifu_area *a, uint32_t off, uint32_t len)
{
    int err = range_check(a, off, len);
    if (err) {
        return err;
    }
    uint64_t pos = (uint64_t)a->off + off;
    uint64_t end = pos + len;
    if (!on_boundary(a->flash, pos) || !on_boundary(a->flash, end)) {
        return IFU_EINVAL;
    }
    while (pos < end) {
        uint32_t start;
        uint32_t size;
        err = sector_of(a->flash, (uint32_t)pos, &start, &size);
        if (!err) {
            err = a->flash->erase(a->flash, start, size);
        }
        if (err) {
            return err;
        }
        pos += size;
    }
    return 0;
}

/* see include/ifu/flash.h */
int ifu_area_sync(const struct ifu_area *a)
{
    int err = ifu_area_check(a);
    if (err) {
        return err;
    }
    if (a->flash->sync == NULL) {
        return 0;
    }
    return a->flash->sync(a->flash);
}

/* see include/ifu/flash.h */
int ifu_area_is_erased(const struct ifu_area *a, uint32_t off, uint32_t len)
{
    int err = range_check(a, off, len);
    if (err) {
        return err;
    }
    uint8_t chunk[ERASED_CHUNK];
    uint8_t ev = a->flash->erased_val;
    while (len > 0) {
        uint32_t n = IFU_MIN(len, ERASED_CHUNK);
        err = a->flash->read(a->flash, a->off + off, chunk, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (chunk[i] != ev) {
                return 0;
            }
        }
        off += n;
        len -= n;
    }
    return 1;
}
