/* The streaming update API: take a new image in chunks of any size from any
 * transport, check it while it arrives, stage it, and ask the bootloader to
 * install it.
 *
 *   begin   -> nothing erased; reports where a reset transfer can resume
 *   write   -> any chunk size, any boundary, in order; repeats accepted if identical
 *   finish  -> one signature check; the image is complete and verified
 *   install -> ifu_boot_request(TEST | PERMANENT)
 *   abort / status
 *
 * Writes go to the staging slot only (cfg->secondary: swap and overwrite at
 * ifu_boot_layout().headroom, direct-XIP at offset 0 of the slot the
 * application does not run from). The running image is never touched.
 * The on-flash rules (erase order, how a resume point is recognised, why a
 * power cut at any instant is safe): docs/DESIGN.md §8. A guide with a
 * complete transport loop: docs/UPDATE.md. */
#ifndef IFU_UPDATE_H
#define IFU_UPDATE_H

#include <stdint.h>

#include "ifu/boot.h"
#include "ifu/flash.h"
#include "ifu/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Policy flags (struct ifu_update_policy.flags). */
#define IFU_UPDATE_P_NO_DOWNGRADE                                                                  \
    0x1u                             /* version >= the running image's (if it has a valid header) */
#define IFU_UPDATE_P_NEWER_ONLY 0x2u /* version > the running image's (implies NO_DOWNGRADE) */

/* What the caller allows, checked on the image header (the 32nd byte, before
 * anything is erased) and, for sec_cnt, in finish. Zero it, then set fields:
 * an all-zero policy accepts any well-formed image the slot can hold. The
 * struct is copied by begin; check_ctx must outlive the context. Versions
 * compare by major, minor, revision (ifu_image_version_cmp). */
struct ifu_update_policy {
    uint32_t flags;                       /* IFU_UPDATE_P_* */
    struct ifu_image_version min_version; /* lowest acceptable version; 0.0.0 for none */
    uint32_t min_sec_cnt;                 /* lowest SEC_CNT TLV value (absent = 0); 0 for none */
    /* Optional: a last word on the header (a product id in load_addr, a
     * flag the product forbids...). Return 0 to accept or a negative IFU_E*
     * (IFU_EROLLBACK, IFU_EUNSUPPORTED...), which becomes the sticky error. */
    int (*check)(void *ctx, const struct ifu_image_header *hdr);
    void *check_ctx;
};

/* Context states (ifu_update_status). */
enum ifu_update_state {
    IFU_UPDATE_IDLE = 0,  /* no transfer: never begun, aborted */
    IFU_UPDATE_RECEIVING, /* begin succeeded; bytes are being written */
    IFU_UPDATE_COMPLETE,  /* finish verified the image */
    IFU_UPDATE_INSTALLED, /* install recorded the request; reset to let the bootloader act */
    IFU_UPDATE_FAILED,    /* a sticky error; abort or begin again */
};

/* One transfer. Caller-owned (static or on a long-lived stack frame); every
 * field is private and the layout may change. It holds no pointer into
 * itself, only to the caller's configuration (cfg, its flash and keyring),
 * which must outlive it. sizeof: 2,080 B on x86-64 with the default
 * config.h, of which 1,792 B are the streaming verifier (DESIGN.md §8.5). */
struct ifu_update {
    const struct ifu_boot_config *cfg;
    struct ifu_update_policy policy;
    enum ifu_update_state state;
    int err;           /* sticky error in IFU_UPDATE_FAILED */
    uint32_t base;     /* secondary offset of the image's first byte (sector-aligned) */
    uint32_t max_size; /* largest image the slot holds (ifu_boot_layout) */
    uint32_t pos;      /* image bytes accepted: the next offset to write */
    uint32_t prog;     /* image bytes on flash (a multiple of the write size, <= pos) */
    uint32_t end;      /* image size, once the unprotected TLV info is in; else 0 */
    uint32_t tlv_off;  /* offset of the unprotected TLV info (from the header) */
    uint32_t resumed;  /* offset begin resumed from */
    uint32_t first;    /* secondary offset from which this session erases (sector start) */
    uint32_t next;     /* secondary offset of the next sector the session erases */
    uint32_t last;     /* secondary offset of the slot's last sector */
    uint32_t erases;   /* sector erases this session */
    uint8_t tail_done; /* 1 once the last sector was erased this session */
    uint8_t hdr_ok;    /* 1 once the 32-byte header passed every check */
    uint8_t touched;   /* 1 once this session erased or programmed */
    uint8_t have_running;
    struct ifu_image_version running; /* version of the running image, if have_running */
    uint8_t hdr[IFU_IMAGE_HEADER_SIZE];
    uint8_t info[IFU_TLV_INFO_SIZE];        /* the unprotected TLV info header, as it passes */
    uint8_t pend[IFU_FLASH_MAX_WRITE_SIZE]; /* accepted bytes [prog, pos) not yet programmed */
    struct ifu_image_info result;           /* of the verified image, after finish */
    struct ifu_verify verify;
};

/* Start (or resume) a transfer into cfg's staging slot.
 * cfg: the application's boot configuration (XIP: primary = the slot it runs
 *   from). cfg->keys or cfg->keystore must be set: the image is verified
 *   here too, not only by the bootloader (a keystore is read here, its
 *   revoked slots included). cfg and everything it points to must outlive up.
 * policy: may be NULL (accept any version); copied.
 * hdr: NULL to start from offset 0, or the first 32 bytes of the image to be
 *   sent. Then the header is checked at once (a rejection returns here, with
 *   nothing touched), and if the staging slot already holds the start of an
 *   image with these 32 bytes, not marked rejected, from an earlier
 *   interrupted transfer, *resume_off is where to continue: the start of the
 *   sector that held the first unwritten byte (DESIGN.md §8.3). The kept
 *   bytes are re-read and re-hashed here. Same header does not prove same
 *   image: if the kept bytes belong to another build, finish fails with
 *   IFU_EHASH and the slot is marked rejected, so the next begin starts at 0.
 * resume_off: may be NULL; receives 0 or the resume offset.
 * Flash: reads only (the running image's header, the staging slot's trailer,
 *   and up to the whole staging slot to find and re-hash a resumable prefix).
 * Returns 0; IFU_EINVAL (bad argument, no keyring); IFU_ELAYOUT; IFU_ESTATE
 *   if the running image is on trial (swap and XIP: staging would destroy the
 *   image a revert needs; confirm first) or an install is in progress; a
 *   header rejection (as for ifu_update_write); or a flash error. */
int ifu_update_begin(struct ifu_update *up, const struct ifu_boot_config *cfg,
                     const struct ifu_update_policy *policy,
                     const uint8_t hdr[IFU_IMAGE_HEADER_SIZE], uint32_t *resume_off);

/* Accept the next chunk of the incoming image.
 *
 * off is the byte offset of data inside the image (0 = first header byte).
 * Chunks may have any size (len 0 is allowed and only advances erases) and
 * any boundary. Bytes before the next expected offset (a repeat) are compared
 * with what was accepted: identical is fine, different fails with
 * IFU_EMISMATCH and nothing of the chunk is taken. off past the next
 * expected offset fails with IFU_EGAP; a chunk reaching past the image's end
 * (once known) or past the slot's largest image fails with IFU_ERANGE. These
 * three leave the context as it was: send the right bytes and go on.
 *
 * Header first: on the 32nd byte the header is checked (magic, sizes against
 * the slot, flags this build cannot boot, ROM_FIXED address, policy) before
 * anything is erased.
 *
 * Bounded work: a call makes at most ONE sector erase, plus programming of
 * at most len + 32 bytes (one prog call per sector they span, plus two),
 * plus a read of any repeated bytes, plus, when it fails an image check, one
 * trailer program that marks the slot rejected. If the chunk needs more
 * erases, the call takes only part of it and returns how many bytes it took;
 * that may be 0, which is progress, not an error: call again with the rest
 * (data + n at off + n). A whole transfer makes at most one such call per
 * staging sector, plus one.
 *
 * Flash: programs and erases the staging slot only: its last sector first,
 * then the sectors from the image's start upwards, one sector ahead of the
 * bytes programmed, until every sector to the end of the slot is erased.
 *
 * Returns the number of bytes taken (>= 0) or a negative IFU_E*. After an
 * image error (format, size, flags, policy) or a flash error the context is
 * failed: every later call returns the same code until ifu_update_abort() or
 * a new begin. */
int ifu_update_write(struct ifu_update *up, uint32_t off, const uint8_t *data, uint32_t len);

/* Finish the transfer: every byte of the image must have been written.
 * One signature check (the hashes ran while bytes streamed; an Ed25519
 * "pure" image is re-read from the slot for its second pass), the
 * policy's min_sec_cnt and, if cfg->counter is set, the security counter
 * (IFU_EROLLBACK below it, IFU_ECOUNTER beyond what it can hold;
 * docs/ROLLBACK.md). With IFU_COUNTER_F_VERSION in the counter's flags, the
 * header check also applies the bootloader's version rule.
 * Flash: reads; on failure programs the staging slot's rejected field with
 * the reason (so the request is void, nothing installs, and status reports
 * why after a reset).
 * Returns 0 (state COMPLETE), IFU_ETRUNC if bytes are missing, a
 * verification error (IFU_EHASH, IFU_ENOKEY, IFU_EREVOKED, IFU_ESIG...), IFU_EROLLBACK, or
 * the sticky error. Failures are sticky. info: optional; the verified
 * image's details on success. IFU_ECOUNTER or a counter storage error may
 * also come back. */
int ifu_update_finish(struct ifu_update *up, struct ifu_image_info *info);

/* Ask the bootloader to install the finished image at the next reset:
 * ifu_boot_request(cfg, kind). Needs state COMPLETE (or INSTALLED with the
 * same kind: a no-op). Flash: programs the staging slot's trailer.
 * Returns 0 (state INSTALLED), IFU_ESTATE, IFU_EUNSUPPORTED (TEST in
 * overwrite mode; the context stays COMPLETE), the sticky error, or a flash
 * error. */
int ifu_update_install(struct ifu_update *up, enum ifu_boot_request_kind kind);

/* Abandon the transfer. If this session changed the staging slot, or
 * finished or installed an image, the slot is marked rejected
 * (IFU_ECANCELED): it will not be resumed, and a request already made is
 * void. The context is wiped (state IDLE). Flash: at most one trailer
 * program. Returns 0 or a flash error (the context is wiped either way). */
int ifu_update_abort(struct ifu_update *up);

/* What the application can learn at any time, e.g. after a reset. */
struct ifu_update_status {
    enum ifu_update_state state; /* of up; IDLE if up is NULL */
    int err;                     /* the sticky error in FAILED, else 0 */
    uint32_t offset;             /* next image offset to send (bytes accepted) */
    uint32_t resumed;            /* offset begin resumed from */
    uint32_t image_size;         /* once known from the TLV info, else 0 */
    uint32_t max_image_size;     /* largest image the staging slot takes */
    /* Persisted, read from the trailers (ifu_boot_state): running is
     * TESTING, CONFIRMED or REVERTED; pending says whether an install is
     * requested; staged_err why the staged image was refused (by the
     * bootloader, or by finish/abort here), 0 if it was not. */
    struct ifu_boot_status boot;
    uint8_t running_valid; /* 1 if the running image's header parses */
    struct ifu_image_version running_version;
};

/* Fill *st. up may be NULL (after a reset, with no transfer in progress);
 * cfg may be NULL if up is given (its cfg is used). Flash: reads only.
 * Returns 0, IFU_EINVAL or a flash error. */
int ifu_update_status(const struct ifu_update *up, const struct ifu_boot_config *cfg,
                      struct ifu_update_status *st);

#ifdef __cplusplus
}
#endif

#endif /* IFU_UPDATE_H */
