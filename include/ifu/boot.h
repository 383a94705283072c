/* The boot engine: decide what to boot, finish interrupted work, install,
 * revert, verify, and name the image to jump to.
 *
 * Two halves share this header:
 * - the bootloader calls ifu_boot_go() once per reset;
 * - the application calls ifu_boot_request(), ifu_boot_confirm() and
 *   ifu_boot_state(), which only read and program trailer fields and need no
 *   keys.
 *
 * The mode is chosen when the library is built (one of src/boot_overwrite.c,
 * boot_swap.c, boot_xip.c is linked); ifu_boot_mode() names it. On-flash
 * layout, state machine and the power-loss argument: docs/DESIGN.md §7. */
#ifndef IFU_BOOT_H
#define IFU_BOOT_H

#include <stdint.h>

#include "ifu/counter.h"
#include "ifu/flash.h"
#include "ifu/image.h"
#include "ifu/keys.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ifu_boot_mode {
    IFU_BOOT_MODE_OVERWRITE = 1, /* copy the staged image over the primary; no revert */
    IFU_BOOT_MODE_SWAP = 2,      /* exchange the images; a test boot reverts unless confirmed */
    IFU_BOOT_MODE_XIP = 3,       /* two executable slots; boot the highest valid version */
};

/* The mode this library was built with. */
enum ifu_boot_mode ifu_boot_mode(void);

enum ifu_boot_request_kind {
    IFU_BOOT_REQ_TEST = 1,      /* boot the new image once; it must confirm itself */
    IFU_BOOT_REQ_PERMANENT = 2, /* install and keep */
};

enum ifu_boot_state {
    IFU_BOOT_STATE_NONE = 0,          /* staging slot: nothing requested */
    IFU_BOOT_STATE_INSTALL_TEST,      /* staging slot: install requested, as a test */
    IFU_BOOT_STATE_INSTALL_PERMANENT, /* staging slot: install requested, permanent */
    IFU_BOOT_STATE_TESTING,   /* running image is on trial: confirm, or the next reset reverts */
    IFU_BOOT_STATE_CONFIRMED, /* running image is confirmed */
    IFU_BOOT_STATE_REVERTED,  /* running image was restored after a trial that did not confirm */
};

/* Trailer state as the application sees it (ifu_boot_state). */
struct ifu_boot_status {
    enum ifu_boot_state running; /* TESTING, CONFIRMED or REVERTED */
    enum ifu_boot_state pending; /* NONE, INSTALL_TEST or INSTALL_PERMANENT */
    uint8_t in_progress;         /* 1 if an interrupted install or revert awaits the bootloader */
    /* Why the bootloader refused the image staged in the secondary (XIP: the
     * other slot), as a negative IFU_E* kept in its trailer until the slot is
     * staged again; 0 if it did not refuse it. XIP records IFU_ESTATE for a
     * trial that ended unconfirmed. */
    int staged_err;
};

/* What ifu_boot_go() reports through the optional event hook, in order. */
enum ifu_boot_event {
    IFU_BOOT_EV_RESUME = 1, /* an interrupted install or revert is being finished */
    IFU_BOOT_EV_INSTALL,    /* a requested image verified; the install starts */
    IFU_BOOT_EV_INSTALLED,  /* the install finished */
    IFU_BOOT_EV_REJECTED,   /* a requested or candidate image was refused (err says why) */
    IFU_BOOT_EV_TRIAL,      /* an unconfirmed image boots for its one trial */
    IFU_BOOT_EV_REVERT,     /* a trial was not confirmed; the previous image comes back */
    IFU_BOOT_EV_REVERTED,   /* the revert finished */
    IFU_BOOT_EV_BOOT,       /* the image in slot is verified and will be booted */
    IFU_BOOT_EV_NO_IMAGE,   /* nothing bootable; the recovery hook runs next */
};

struct ifu_boot_config {
    /* Swap and overwrite: primary = where the image executes, secondary =
     * where a new image is staged (at offset ifu_boot_layout().headroom).
     * Direct-XIP: slots A and B. The application side passes the slot it runs
     * from as primary. */
    struct ifu_area primary;
    struct ifu_area secondary;
    /* Bootloader only: trusted keys, and the hash algorithms images may use
     * (IFU_HASHSET(...) bits; 0 means SHA-256 only). */
    const struct ifu_keyring *keys;
    uint32_t hashset;
    /* Optional trust anchors in bootloader-owned storage (include/ifu/keys.h).
     * NULL: keys is the keyring. Set: keys is ignored, and only the
     * keystore's VALID slots are trusted; an image whose key is revoked fails
     * with IFU_EREVOKED; ifu_image_info.key_index is the key's slot. The
     * bootloader applies the keystore's rotation policy to the image it boots
     * once that image is confirmed, then calls the keystore's lock hook. */
    struct ifu_keystore *keystore;
    /* Optional anti-rollback counter (include/ifu/counter.h); NULL for none.
     * Bootloader: no image whose SEC_CNT is below it is booted, installed or
     * reverted into (IFU_EROLLBACK), and it is raised to an image's SEC_CNT
     * only once that image is confirmed (docs/ROLLBACK.md). Application:
     * the update API reads it to refuse such images in finish. */
    struct ifu_counter *counter;
    /* Optional hooks (NULL for none). event: progress for a log or a LED;
     * slot is 0 (primary/A) or 1 (secondary/B); err is 0 or why an image was
     * refused. recovery: called once by ifu_boot_go before it returns
     * IFU_ENOIMAGE, to enter a serial recovery loop, say; it must not touch the
     * slots' flash. */
    void (*event)(void *ctx, enum ifu_boot_event ev, unsigned slot, int err);
    void (*recovery)(void *ctx, int err);
    void *hook_ctx;
};

/* Sizes that follow from the slots' geometry and the mode. */
struct ifu_boot_layout {
    uint32_t headroom;          /* secondary offset of a staged image's first byte */
    uint32_t max_image_size;    /* largest image (header through unprotected TLVs) */
    uint32_t primary_trailer;   /* bytes reserved at the end of the primary */
    uint32_t secondary_trailer; /* bytes reserved at the end of the secondary */
    uint32_t max_steps;         /* journal entries one operation may need */
};

/* Check the slots and compute their layout. Returns 0, IFU_EINVAL (an area is
 * invalid, the slots overlap, or they are on flashes with different write
 * sizes or erased values) or IFU_ELAYOUT (valid, but this mode cannot use it:
 * no room for an image, or, for swap, a sector map the swap plan cannot
 * cover with the secondary's first sector as headroom; DESIGN.md §7.4).
 * Touches no flash. */
int ifu_boot_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *out);

/* Copy buffer of the engine, bytes: a multiple of IFU_FLASH_MAX_WRITE_SIZE.
 * Smaller costs more read and prog calls per sector, never correctness. */
#ifndef IFU_BOOT_BUF_SIZE
#define IFU_BOOT_BUF_SIZE 256
#endif

/* The engine's working memory. Caller-owned; fields private. */
struct ifu_boot {
    struct ifu_verify verify;
    uint8_t buf[IFU_BOOT_BUF_SIZE];
};

/* Bits of ifu_boot_result.actions: what this call did. */
#define IFU_BOOT_DID_RESUME  0x01u /* finished an operation a reset interrupted */
#define IFU_BOOT_DID_INSTALL 0x02u /* installed a requested image */
#define IFU_BOOT_DID_REVERT  0x04u /* reverted an unconfirmed trial */
#define IFU_BOOT_DID_REJECT  0x08u /* refused a requested image (reject_err says why) */
#define IFU_BOOT_DID_TRIAL   0x10u /* the booted image starts its trial */
#define IFU_BOOT_DID_COUNTER 0x20u /* raised the anti-rollback counter (cfg->counter) */

struct ifu_boot_result {
    unsigned slot;              /* 0: primary (XIP: A), 1: secondary (XIP: B) */
    uint32_t image_off;         /* flash offset of the image's header */
    uint32_t entry_off;         /* flash offset of its first payload byte */
    struct ifu_image_info info; /* of the booted image, as verified */
    enum ifu_boot_state state;  /* TESTING, CONFIRMED or REVERTED */
    uint32_t actions;           /* IFU_BOOT_DID_* */
    int reject_err;             /* why a requested image was refused, 0 if none */
    /* Fault-injection hardening, private: the verifier's verdict for the
     * named image and a check word over the fields above, written by
     * ifu_boot_go() and checked by ifu_boot_check(). */
    uint32_t verdict;
    uint32_t check;
};

/* Run the boot engine once, as the bootloader does after every reset.
 * Finishes any interrupted install or revert, performs a requested install
 * (only after the staged image verifies), reverts a trial that was not
 * confirmed, then verifies the image it names: hash, signature and trusted
 * key. It never names an image that did not verify in this call.
 * Flash: programs and erases the two slots as docs/DESIGN.md §7 describes.
 * Returns 0 with *res filled; IFU_ENOIMAGE if no slot holds a bootable image
 * (the recovery hook has run; nothing was erased); IFU_EINVAL/IFU_ELAYOUT
 * for a bad configuration (nothing touched); IFU_EFAULT if redundant checks
 * of a verification disagreed (a fault is suspected: halt or reset, never
 * jump; nothing was written after the disagreement); or a flash error, after
 * which calling again (or resetting) resumes safely. Before jumping, the port
 * also calls ifu_boot_check(res). The configuration (slots,
 * a non-empty keyring, a hash set this build supports) is checked before
 * any flash is read or written. With cfg->counter set, the counter is read
 * first (its error, or IFU_EINVAL for a counter without callbacks, stops the
 * boot), images below it count as not verifying (IFU_EROLLBACK), and it is
 * raised for a confirmed image before that image is named
 * (IFU_BOOT_DID_COUNTER; docs/ROLLBACK.md). */
int ifu_boot_go(struct ifu_boot *b, const struct ifu_boot_config *cfg, struct ifu_boot_result *res);

/* The port calls this immediately before it jumps to res->entry_off, and
 * jumps only if it returns 0. It checks, apart from ifu_boot_go()'s return
 * value, that res carries the verifier's "verified" verdict and a check word
 * that matches res's fields, so a glitch that skips one branch in the engine
 * (or corrupts the entry offset) does not fall through to the jump. Reads
 * nothing but res; no flash. Returns 0, IFU_EINVAL for NULL, or IFU_EFAULT
 * (halt or reset; never jump). Fault model: docs/SECURITY.md §5. */
int ifu_boot_check(const struct ifu_boot_result *res);

/* Application: ask the bootloader to install the image staged in the
 * secondary slot (XIP: the slot given as secondary) at the next reset.
 * Programs the trailer's magic (and image_ok for PERMANENT) in MCUboot's
 * layout. The image is not checked here; the bootloader verifies it.
 * Returns 0; IFU_EINVAL; IFU_EUNSUPPORTED for TEST in overwrite mode;
 * IFU_ESTATE if a request of the other kind is recorded, if the slot's
 * trailer holds something else than an erased or exact magic, if the slot
 * was refused (rejected), or if a journal record shows the staged image was
 * already installed (stage it again); IFU_ELAYOUT for slots the mode cannot
 * use; or a flash error. A second identical request is a no-op. */
int ifu_boot_request(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind);

/* Application: declare the running image good, ending its trial. Programs
 * image_ok in the primary's trailer (XIP: in the slot given as primary).
 * Returns 0 (also if already confirmed, and without writing if the primary
 * has no trailer magic: an image programmed in the factory, which the
 * bootloader treats as confirmed) or a flash error. */
int ifu_boot_confirm(const struct ifu_boot_config *cfg);

/* Application or bootloader: read the trailer state. Touches no flash but
 * reads. Returns 0 or a flash error. */
int ifu_boot_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st);

/* Diagnostics: the decoded trailer of one slot (DESIGN.md §7.2). */
struct ifu_boot_trailer_info {
    int magic;        /* 1: MCUboot's magic; 0: erased; -1: anything else */
    uint8_t image_ok; /* each flag: 1 if its write unit is not entirely erased */
    uint8_t copy_done;
    uint8_t trial;
    uint8_t rejected;
    uint8_t swap_type; /* swap_info's type: 2 test, 3 permanent, 4 revert; 0 if none */
    int reject_err;    /* with rejected: the recorded reason (negative IFU_E*) */
};

/* Diagnostics: the journal (swap and overwrite; DESIGN.md §7.3). */
struct ifu_boot_journal_info {
    uint8_t
        open; /* 1 if a valid begin record is not yet closed: an operation awaits the bootloader */
    uint8_t op;          /* 1 install (test), 2 install (permanent), 3 overwrite, 4 revert */
    uint32_t old_size;   /* bytes of the image being saved to secondary[0..), 0 if none */
    uint32_t new_size;   /* bytes of the image being copied into the primary */
    uint32_t steps_done; /* journal entries set */
};

/* Read both slots' trailers and the journal, for tools and logs. Touches no
 * flash but reads. journal may be NULL; in XIP mode it reads closed.
 * Returns 0, IFU_EINVAL/IFU_ELAYOUT for a bad configuration, or a flash
 * error. */
int ifu_boot_inspect(const struct ifu_boot_config *cfg, struct ifu_boot_trailer_info trailers[2],
                     struct ifu_boot_journal_info *journal);

#ifdef __cplusplus
}
#endif

#endif /* IFU_BOOT_H */
