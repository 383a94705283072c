/* ifu's flash port over Mbed OS / Mbed CE's mbed::FlashIAP (C++).
 *
 * UNTESTED ON REAL MBED. This adapter has been compiled and run only on a
 * host, against a stand-in FlashIAP declared with Mbed OS 6's signatures
 * (port/mbed/test/drivers/FlashIAP.h) over a RAM model with NOR rules
 * (tests/test_mbed_flashiap.cpp). No Mbed target, toolchain or HAL has run
 * it. docs/PORTING.md ("Mbed OS and Mbed CE") says what was checked and what
 * was not.
 *
 * One struct ifu_flashiap describes a window [addr, addr + size) of the
 * FlashIAP device as one struct ifu_flash: ifu offset 0 is FlashIAP address
 * addr, map_addr is addr (FlashIAP is the MCU's memory-mapped flash), the
 * sector runs come from get_sector_size() walked across the window,
 * write_size is get_page_size() and erased_val get_erase_value(). Slots are
 * struct ifu_area inside it.
 *
 * Error mapping: every FlashIAP call that returns non-zero makes the
 * callback return IFU_EIO (FlashIAP's only documented failure is "a
 * negative error code", -1 in Mbed OS 6); the raw value is kept in
 * last_status for a log. ifu passes IFU_EIO back to its caller unchanged.
 *
 * Threads: FlashIAP serialises its own calls with a mutex, but the context
 * below is not locked: use one ifu_flashiap from one thread at a time (the
 * thread that runs the update or the boot engine), never from an interrupt
 * (FlashIAP takes a mutex, and may disable interrupts while it programs or
 * erases). */
#ifndef IFU_FLASHIAP_H
#define IFU_FLASHIAP_H

#ifndef __cplusplus
#error "ifu_flashiap.h is C++: mbed::FlashIAP is a C++ class"
#endif

#include <stdint.h>

#include "ifu/flash.h"

namespace mbed {
class FlashIAP;
}

/* Sector runs the context holds: runs of equal sectors, merged. An STM32F4
 * bank needs 3 ({16 KiB, 4}, {64 KiB, 1}, {128 KiB, 7}), a dual-bank
 * STM32F42x/43x 6. A window that needs more fails init with IFU_ENOSPC. */
#ifndef IFU_FLASHIAP_MAX_RUNS
#define IFU_FLASHIAP_MAX_RUNS 8
#endif

/* Read back every program and every erase and compare (IFU_EIO on a
 * difference). Mbed documents an erased sector's content as "undefined
 * until it has been programmed" while ifu needs erased bytes to read as
 * erased_val; set this flag until the part has been seen to honour that. It
 * costs a read of every byte written or erased. */
#define IFU_FLASHIAP_F_VERIFY 0x1u

/* What to describe. Zero it, then set fields. */
struct ifu_flashiap_config {
    /* FlashIAP address of ifu offset 0: a sector's first byte. 0 for
     * get_flash_start(). */
    uint32_t addr;
    /* Bytes from addr; the end must be a sector's end. 0 for "to the end of
     * the flash". */
    uint32_t size;
    uint32_t flags; /* IFU_FLASHIAP_F_* */
    /* Optional: becomes the flash's sync (ifu calls it before each journal
     * record and after each erase of an update). FlashIAP's program and
     * erase return when the operation is done, so none is needed for
     * durability; a product can hang cache maintenance or a watchdog kick
     * here. Returns 0 or a negative IFU_E*, passed back unchanged. */
    int (*sync)(void *arg);
    void *sync_arg;
};

/* The adapter's context. Caller-owned (static, or alive as long as any
 * ifu_area or ifu context that points at its flash); no heap. It points into
 * itself (flash.ctx, flash.sectors), so it must not be copied or moved after
 * ifu_flashiap_init. Fields other than flash and last_status are private. */
struct ifu_flashiap {
    struct ifu_flash flash; /* hand &flash to ifu (struct ifu_area.flash) */
    int last_status;        /* the FlashIAP return value of the last failed call, 0 if none */
    mbed::FlashIAP *iap;
    uint32_t base; /* FlashIAP address of offset 0 */
    uint32_t size; /* bytes described */
    uint32_t flags;
    int (*sync)(void *arg);
    void *sync_arg;
    struct ifu_sector_run runs[IFU_FLASHIAP_MAX_RUNS];
};

/* Describe a window of iap as fi->flash.
 * iap: initialised by the caller (iap->init() returned 0) and kept alive
 *   and initialised while fi is used; the adapter never calls init() or
 *   deinit(). cfg: may be NULL (the whole flash, no flags, no sync); read
 *   here only.
 * Flash: none; the geometry getters only.
 * Returns 0, or:
 *   IFU_EINVAL  fi or iap NULL; get_page_size() or get_flash_size() is 0
 *               (FlashIAP not initialised); the window leaves the flash or
 *               does not start and end on sector boundaries; a sector size
 *               that is 0, MBED_FLASH_INVALID_SIZE or not a multiple of the
 *               page size;
 *   IFU_EUNSUPPORTED  a page size that is not a power of two or is above
 *               IFU_FLASH_MAX_WRITE_SIZE (32): ifu programs in units of
 *               write_size and never programs a unit twice, and FlashIAP
 *               programs whole pages only (RP2040: 256 B, PSoC 6: 512 B),
 *               so such parts need a page-buffering driver this adapter is
 *               not; an erase value other than 0x00 or 0xff;
 *   IFU_ENOSPC  the window needs more than IFU_FLASHIAP_MAX_RUNS runs.
 * On failure fi->flash is zeroed, so ifu refuses it (IFU_EINVAL). */
int ifu_flashiap_init(struct ifu_flashiap *fi, mbed::FlashIAP *iap,
                      const struct ifu_flashiap_config *cfg);

#endif /* IFU_FLASHIAP_H */
