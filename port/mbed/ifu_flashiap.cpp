/* ifu's flash port over mbed::FlashIAP: see ifu_flashiap.h.
 *
 * UNTESTED ON REAL MBED: compiled and run on a host only, against the
 * stand-in port/mbed/test/drivers/FlashIAP.h (tests/test_mbed_flashiap.cpp).
 *
 * Written to the FlashIAP contract of Mbed OS 6 (drivers/FlashIAP.h):
 * addresses are absolute; program() wants a page-aligned address and pads a
 * size that is not a multiple of the page size (ifu never asks for one:
 * write_size is the page size); erase() wants sector-aligned ends;
 * get_sector_size(addr) answers for the sector holding addr. */
#include "ifu_flashiap.h"

#include <stddef.h>
#include <string.h>

#include "drivers/FlashIAP.h"
#include "ifu/errors.h"

/* Bytes compared per read-back with IFU_FLASHIAP_F_VERIFY: on the stack. */
#define VERIFY_CHUNK 32u

/* The callbacks have C language linkage: struct ifu_flash is a C type. */
extern "C" {
static int fi_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len);
static int fi_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len);
static int fi_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len);
static int fi_sync(const struct ifu_flash *fl);
}

/* 0 if [off, off+len) is inside the window. ifu never asks for more; a
 * direct caller might. */
static int in_window(const struct ifu_flashiap *fi, uint32_t off, uint32_t len)
{
    return (uint64_t)off + len <= fi->size ? 0 : IFU_EINVAL;
}

/* FlashIAP's 0 / negative status as ifu's: IFU_EIO, remembered for a log. */
static int mapped(struct ifu_flashiap *fi, int status)
{
    if (status == 0) {
        return 0;
    }
    fi->last_status = status;
    return IFU_EIO;
}

/* With IFU_FLASHIAP_F_VERIFY: 0 if the len bytes at FlashIAP address addr
 * equal want (or, want NULL, all read as the erase value), else IFU_EIO. */
static int read_back(struct ifu_flashiap *fi, uint32_t addr, const uint8_t *want, uint32_t len)
{
    uint8_t got[VERIFY_CHUNK];
    for (uint32_t done = 0; done < len; done += VERIFY_CHUNK) {
        uint32_t n = len - done;
        if (n > VERIFY_CHUNK) {
            n = VERIFY_CHUNK;
        }
        int err = mapped(fi, fi->iap->read(got, addr + done, n));
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t w = want != NULL ? want[done + i] : fi->flash.erased_val;
            if (got[i] != w) {
                return IFU_EIO;
            }
        }
    }
    return 0;
}

static int fi_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct ifu_flashiap *fi = static_cast<struct ifu_flashiap *>(fl->ctx);
    int err = in_window(fi, off, len);
    if (err) {
        return err;
    }
    return mapped(fi, fi->iap->read(buf, fi->base + off, len));
}

static int fi_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    struct ifu_flashiap *fi = static_cast<struct ifu_flashiap *>(fl->ctx);
    int err = in_window(fi, off, len);
    if (err) {
        return err;
    }
    err = mapped(fi, fi->iap->program(buf, fi->base + off, len));
    if (!err && (fi->flags & IFU_FLASHIAP_F_VERIFY) != 0) {
        err = read_back(fi, fi->base + off, static_cast<const uint8_t *>(buf), len);
    }
    return err;
}

static int fi_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    struct ifu_flashiap *fi = static_cast<struct ifu_flashiap *>(fl->ctx);
    int err = in_window(fi, off, len);
    if (err) {
        return err;
    }
    err = mapped(fi, fi->iap->erase(fi->base + off, len));
    if (!err && (fi->flags & IFU_FLASHIAP_F_VERIFY) != 0) {
        err = read_back(fi, fi->base + off, NULL, len);
    }
    return err;
}

static int fi_sync(const struct ifu_flash *fl)
{
    const struct ifu_flashiap *fi = static_cast<const struct ifu_flashiap *>(fl->ctx);
    return fi->sync(fi->sync_arg);
}

/* Walk the sectors from the start of the flash to the end of the window,
 * checking that both ends of the window are sector boundaries and merging
 * the window's sectors into runs. */
static int walk(struct ifu_flashiap *fi, uint32_t flash_start, uint32_t page)
{
    uint64_t addr = flash_start;
    uint64_t from = fi->base;
    uint64_t to = from + fi->size;
    uint32_t runs = 0;
    while (addr < to) {
        uint32_t s = fi->iap->get_sector_size((uint32_t)addr);
        /* Mbed answers MBED_FLASH_INVALID_SIZE off the flash; some targets 0. */
        if (s == 0 || s == 0xffffffffu || s % page != 0 || addr + s > to) {
            return IFU_EINVAL;
        }
        if (addr < from && addr + s > from) {
            return IFU_EINVAL; /* the window starts inside a sector */
        }
        if (addr >= from) {
            if (runs > 0 && fi->runs[runs - 1].size == s) {
                fi->runs[runs - 1].count++;
            } else if (runs == IFU_FLASHIAP_MAX_RUNS) {
                return IFU_ENOSPC;
            } else {
                fi->runs[runs].size = s;
                fi->runs[runs].count = 1;
                runs++;
            }
        }
        addr += s;
    }
    fi->flash.sector_runs = runs;
    return 0;
}

static int setup(struct ifu_flashiap *fi, mbed::FlashIAP *iap,
                 const struct ifu_flashiap_config *cfg)
{
    uint32_t page = iap->get_page_size();
    uint32_t start = iap->get_flash_start();
    uint64_t flash_end = (uint64_t)start + iap->get_flash_size();
    uint8_t ev = iap->get_erase_value();
    if (page == 0 || flash_end == start) {
        return IFU_EINVAL; /* not initialised, or no flash */
    }
    /* ifu programs write_size units, each once; FlashIAP programs whole pages. */
    if ((page & (page - 1)) != 0 || page > IFU_FLASH_MAX_WRITE_SIZE) {
        return IFU_EUNSUPPORTED;
    }
    if (ev != 0x00 && ev != 0xff) {
        return IFU_EUNSUPPORTED;
    }
    uint64_t base = cfg != NULL && cfg->addr != 0 ? cfg->addr : start;
    if (base < start || base >= flash_end) {
        return IFU_EINVAL;
    }
    uint64_t size = cfg != NULL && cfg->size != 0 ? cfg->size : flash_end - base;
    if (base + size > flash_end || size > 0xffffffffu) {
        return IFU_EINVAL;
    }

    fi->iap = iap;
    fi->base = (uint32_t)base;
    fi->size = (uint32_t)size;
    if (cfg != NULL) {
        fi->flags = cfg->flags;
        fi->sync = cfg->sync;
        fi->sync_arg = cfg->sync_arg;
    }
    fi->flash.ctx = fi;
    fi->flash.read = fi_read;
    fi->flash.prog = fi_prog;
    fi->flash.erase = fi_erase;
    fi->flash.sync = fi->sync != NULL ? fi_sync : NULL;
    fi->flash.write_size = page;
    fi->flash.erased_val = ev;
    fi->flash.sectors = fi->runs;
    fi->flash.map_addr = fi->base;
    int err = walk(fi, start, page);
    if (err) {
        return err;
    }
    return ifu_flash_check(&fi->flash);
}

/* see ifu_flashiap.h */
int ifu_flashiap_init(struct ifu_flashiap *fi, mbed::FlashIAP *iap,
                      const struct ifu_flashiap_config *cfg)
{
    if (fi == NULL) {
        return IFU_EINVAL;
    }
    memset(fi, 0, sizeof *fi);
    if (iap == NULL) {
        return IFU_EINVAL;
    }
    int err = setup(fi, iap, cfg);
    if (err) {
        memset(fi, 0, sizeof *fi);
    }
    return err;
}
