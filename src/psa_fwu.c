/* The PSA Certified Firmware Update API 1.0 over the streaming update API
 * and the boot engine's trailers. See include/psa/update.h; the state
 * mapping, the rules that rebuild the state from flash after a reset, and
 * the departures from the specification are in docs/PSA-FWU.md.
 *
 * The PSA functions take no context, so everything lives in one static
 * object, `fwu`, filled by ifu_psa_fwu_init(). Between resets the state is
 * the RAM copy (STAGED, TRIAL and REJECTED cannot be told apart from flash
 * alone before the bootloader has run); at init it is read back from flash.
 * Every state the specification allows to persist is persisted: a verdict
 * (FAILED) in the staging slot's `rejected` field, CANDIDATE as a complete
 * staged image that verifies, WRITING as a resumable prefix, UPDATED as the
 * previous image still in the second location. */
#include "psa/update.h"

#include <string.h>

#include "boot_priv.h"
#include "image_priv.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "util_priv.h"

#define VERIFY_CHUNK 64u /* stack buffer of the staged-image check in init */
#define SPARE_ERASES 2   /* erases ahead of need per psa_fwu_write call, at most */

/* The façade's one context. Fields are valid only while `ready` is 1. */
static struct {
    uint8_t ready;                   /* 1 after a successful ifu_psa_fwu_init */
    uint8_t state;                   /* PSA_FWU_* */
    uint8_t live;                    /* 1 while u.up holds a session (begun, not wiped) */
    psa_status_t error;              /* info.error in FAILED and REJECTED */
    int32_t ifu_error;               /* impl.ifu_error */
    uint32_t max_zeros;              /* consecutive 0-byte takes a write may see (sectors + 2) */
    struct ifu_psa_fwu_config cfg;   /* copy; cfg.policy points at `policy` */
    struct ifu_update_policy policy; /* copy of the caller's, plus NEWER_ONLY in XIP */
    struct ifu_boot_layout lay;
    psa_fwu_image_version_t version; /* of the running image */
    /* The session, or the verifier init uses before any session exists. */
    union {
        struct ifu_update up;
        struct ifu_verify v;
    } u;
} fwu;

static const struct ifu_area *second(void)
{
    return &fwu.cfg.boot->secondary;
}

/* ifu's reasons as PSA status codes (spec §5.4: INVALID_SIGNATURE for an
 * integrity or authenticity failure, NOT_PERMITTED for a valid image the
 * policy refuses, INVALID_ARGUMENT for a malformed image or bad offsets). */
static psa_status_t to_psa(int err)
{
    switch (err) {
    case 0:
        return PSA_SUCCESS;
    case IFU_EIO:
        return PSA_ERROR_STORAGE_FAILURE;
    case IFU_ECRYPTO:
        return PSA_ERROR_GENERIC_ERROR;
    case IFU_ESTATE:
        return PSA_ERROR_BAD_STATE;
    case IFU_ENOSPC:
        return PSA_ERROR_INSUFFICIENT_STORAGE;
    case IFU_EROLLBACK:
    case IFU_ECOUNTER: /* valid, but beyond what the security counter can hold */
        return PSA_ERROR_NOT_PERMITTED;
    case IFU_ENOHASH:
    case IFU_EHASH:
    case IFU_ENOKEY:
    case IFU_ENOSIG:
    case IFU_ESIG:
        return PSA_ERROR_INVALID_SIGNATURE;
    case IFU_ECANCELED:
        return PSA_SUCCESS; /* cancelled by the client: no error to report */
    default:
        return PSA_ERROR_INVALID_ARGUMENT;
    }
}

static void drop_session(void)
{
    ifu_wipe(&fwu.u, sizeof fwu.u);
    fwu.live = 0;
}

/* Persist a verdict: the staging slot's rejected field (B5's field), so the
 * image is never installed or resumed and the state reads FAILED after a
 * reset. Programs only an erased field, so it is idempotent. */
static int mark_rejected(int why)
{
    int err = tr_mark_rejected(second(), why);
    if (!err) {
        err = ifu_area_sync(second());
    }
    return err;
}

/* -> FAILED with ifu reason why; error is what info.error reports. */
static void to_failed(int why, psa_status_t error)
{
    fwu.state = PSA_FWU_FAILED;
    fwu.error = error;
    fwu.ifu_error = why;
    drop_session();
    if (!boot_is_flash_error(why)) {
        /* A failing flash is not written again; the state is then FAILED
         * until the reset, and rebuilt from what the flash holds. */
        (void)mark_rejected(why);
    }
}

static int component_ok(psa_fwu_component_t component)
{
    return fwu.ready && component == 0;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_query(psa_fwu_component_t component, psa_fwu_component_info_t *info)
{
    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (info == NULL) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    memset(info, 0, sizeof *info);
    info->state = fwu.state;
    if (fwu.state == PSA_FWU_FAILED || fwu.state == PSA_FWU_REJECTED) {
        info->error = fwu.error;
        info->impl.ifu_error = fwu.ifu_error;
    }
    info->version = fwu.version;
    info->max_size = fwu.lay.max_image_size;
    info->flags = 0; /* non-volatile staging, plain images */
    info->location = fwu.cfg.boot->primary.off;
    if (fwu.state == PSA_FWU_WRITING && fwu.live) {
        struct ifu_update_status st;
        if (ifu_update_status(&fwu.u.up, NULL, &st) == 0) {
            info->impl.written = st.offset;
        }
    }
    return PSA_SUCCESS;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_start(psa_fwu_component_t component, const void *manifest,
                           size_t manifest_size)
{
    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (fwu.state != PSA_FWU_READY) {
        return PSA_ERROR_BAD_STATE;
    }
    /* The manifest is bundled (header and TLVs): a detached one is refused. */
    if (manifest != NULL || manifest_size != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    drop_session();
    int err = ifu_update_begin(&fwu.u.up, fwu.cfg.boot, &fwu.policy, NULL, NULL);
    if (err) {
        drop_session();
        return to_psa(err);
    }
    fwu.live = 1;
    fwu.state = PSA_FWU_WRITING;
    return PSA_SUCCESS;
}

/* A write failed: transport mistakes (a gap, a repeat that differs, a block
 * past the window) leave the session as it was; anything else failed it. */
static psa_status_t write_failed(int err)
{
    struct ifu_update_status st;

    if (ifu_update_status(&fwu.u.up, NULL, &st) == 0 && st.state != IFU_UPDATE_FAILED) {
        return to_psa(err);
    }
    to_failed(err, to_psa(err));
    return to_psa(err);
}

/* see include/psa/update.h */
psa_status_t psa_fwu_write(psa_fwu_component_t component, size_t image_offset, const void *block,
                           size_t block_size)
{
    const size_t align_mask = ((size_t)1 << PSA_FWU_LOG2_WRITE_ALIGN) - 1u;

    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (fwu.state != PSA_FWU_WRITING || !fwu.live) {
        return PSA_ERROR_BAD_STATE;
    }
    if (block == NULL || block_size == 0 || block_size > PSA_FWU_MAX_WRITE_SIZE) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* Always false while PSA_FWU_LOG2_WRITE_ALIGN is 0, as today; kept for a larger one. */
    /* cppcheck-suppress knownConditionTrueFalse */
    if ((image_offset & align_mask) != 0) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    /* Outside the staging area: refused before ifu sees a truncated offset. */
    if (image_offset > fwu.lay.max_image_size ||
        block_size > fwu.lay.max_image_size - image_offset) {
        return PSA_ERROR_INVALID_ARGUMENT;
    }
    const uint8_t *p = block;
    uint32_t off = (uint32_t)image_offset;
    uint32_t left = (uint32_t)block_size;
    uint32_t zeros = 0;
    while (left > 0) {
        /* Each call erases at most one sector; a 0 return is progress. */
        int n = ifu_update_write(&fwu.u.up, off, p, left);
        if (n < 0) {
            return write_failed(n);
        }
        zeros = n == 0 ? zeros + 1 : 0;
        if (zeros > fwu.max_zeros) {
            return PSA_ERROR_GENERIC_ERROR; /* cannot happen: ifu takes bytes after its erases */
        }
        off += (uint32_t)n;
        p += n;
        left -= (uint32_t)n;
    }
    /* Spare erases ahead of need (a 0-byte write spends one, or nothing once
     * the slot is erased to its end): the block that reaches the image's
     * TLV area must find every sector to the slot end erased (U4), and
     * these keep that last call short. */
    for (int i = 0; i < SPARE_ERASES; i++) {
        int n = ifu_update_write(&fwu.u.up, off, NULL, 0);
        if (n < 0) {
            return write_failed(n);
        }
    }
    return PSA_SUCCESS;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_finish(psa_fwu_component_t component)
{
    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (fwu.state != PSA_FWU_WRITING || !fwu.live) {
        return PSA_ERROR_BAD_STATE;
    }
    int err = ifu_update_finish(&fwu.u.up, NULL);
    if (err) {
        /* U6: the slot is marked rejected; the image never installs. */
        to_failed(err, to_psa(err));
        return to_psa(err);
    }
    fwu.state = PSA_FWU_CANDIDATE;
    return PSA_SUCCESS;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_cancel(psa_fwu_component_t component)
{
    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (fwu.state != PSA_FWU_WRITING && fwu.state != PSA_FWU_CANDIDATE) {
        return PSA_ERROR_BAD_STATE;
    }
    int err = 0;
    if (fwu.live) {
        err = ifu_update_abort(&fwu.u.up); /* marks the slot if the session wrote */
    }
    drop_session();
    if (!err) {
        /* Also an untouched session and a candidate found at init. */
        err = mark_rejected(IFU_ECANCELED);
    }
    fwu.state = PSA_FWU_FAILED;
    fwu.error = PSA_SUCCESS;
    fwu.ifu_error = IFU_ECANCELED;
    return to_psa(err);
}

/* Erase one sector unless it already reads erased (no wear for nothing). */
static int erase_dirty(const struct ifu_area *a, uint32_t start, uint32_t size)
{
    int r = ifu_area_is_erased(a, start, size);
    if (r < 0) {
        return r;
    }
    return r == 1 ? 0 : ifu_area_erase(a, start, size);
}

/* see include/psa/update.h */
psa_status_t psa_fwu_clean(psa_fwu_component_t component)
{
    const struct ifu_area *a;
    uint32_t start;
    uint32_t size;
    uint32_t first_size;

    if (!component_ok(component)) {
        return PSA_ERROR_DOES_NOT_EXIST;
    }
    if (fwu.state != PSA_FWU_FAILED && fwu.state != PSA_FWU_UPDATED) {
        return PSA_ERROR_BAD_STATE;
    }
    drop_session();
    a = second();
    /* Sector 0 last: it holds what says UPDATED (swap: the saved image;
     * overwrite, XIP: the old image's header), and the trailer sector goes
     * after the image sectors, so a cut leaves FAILED or UPDATED (clean
     * again) or a slot a new start can reuse. Sectors that read erased are
     * not erased again. */
    int err = ifu_area_sector(a, 0, &start, &first_size);
    for (uint32_t o = first_size; !err && o < a->size; o = start + size) {
        err = ifu_area_sector(a, o, &start, &size);
        if (!err) {
            err = erase_dirty(a, start, size);
        }
    }
    if (!err) {
        err = erase_dirty(a, 0, first_size);
    }
    if (!err) {
        err = ifu_area_sync(a);
    }
    if (err) {
        return to_psa(err); /* state unchanged: clean again */
    }
    fwu.state = PSA_FWU_READY;
    fwu.error = PSA_SUCCESS;
    fwu.ifu_error = 0;
    return PSA_SUCCESS;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_install(void)
{
    if (!fwu.ready || fwu.state != PSA_FWU_CANDIDATE) {
        return PSA_ERROR_BAD_STATE;
    }
    /* Overwrite mode cannot revert, so it has no trial (spec C.1.1). */
    enum ifu_boot_request_kind kind =
        ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST;
    int err;
    if (fwu.live) {
        err = ifu_update_install(&fwu.u.up, kind);
    } else {
        /* A candidate found at init: it verified there. */
        err = ifu_boot_request(fwu.cfg.boot, kind);
    }
    if (err) {
        return to_psa(err); /* still CANDIDATE: nothing was requested */
    }
    fwu.state = PSA_FWU_STAGED;
    return PSA_SUCCESS_REBOOT;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_request_reboot(void)
{
    if (!fwu.ready || fwu.cfg.reboot == NULL) {
        return PSA_ERROR_NOT_SUPPORTED;
    }
    return fwu.cfg.reboot(fwu.cfg.reboot_ctx);
}

/* see include/psa/update.h */
psa_status_t psa_fwu_reject(psa_status_t error)
{
    if (!fwu.ready) {
        return PSA_ERROR_BAD_STATE;
    }
    if (fwu.state == PSA_FWU_STAGED) {
        int err = 0;
        if (fwu.live) {
            err = ifu_update_abort(&fwu.u.up);
        }
        drop_session();
        if (!err) {
            err = mark_rejected(IFU_ECANCELED); /* voids the request (DESIGN.md §8.2) */
        }
        if (err) {
            return to_psa(err); /* still STAGED: reject again before the reset */
        }
        fwu.state = PSA_FWU_FAILED;
        fwu.error = error;
        fwu.ifu_error = 0;
        return PSA_SUCCESS;
    }
    if (fwu.state == PSA_FWU_TRIAL) {
        /* Nothing to write: the bootloader reverts a trial that reaches the
         * next reset unconfirmed (DESIGN.md §7.4, §7.6). */
        fwu.state = PSA_FWU_REJECTED;
        fwu.error = error;
        fwu.ifu_error = 0;
        return PSA_SUCCESS_REBOOT;
    }
    return PSA_ERROR_BAD_STATE;
}

/* see include/psa/update.h */
psa_status_t psa_fwu_accept(void)
{
    if (!fwu.ready || fwu.state != PSA_FWU_TRIAL) {
        return PSA_ERROR_BAD_STATE;
    }
    int err = ifu_boot_confirm(fwu.cfg.boot);
    if (err) {
        return to_psa(err);
    }
    fwu.state = PSA_FWU_UPDATED;
    return PSA_SUCCESS;
}

/* 0 if the staging slot holds a complete image that verifies with the
 * keys (the check finish made), else why not. Uses fwu.u.v, so it runs
 * before any session. */
static int verify_staged(struct ifu_image_info *info)
{
    struct ifu_verify *v = &fwu.u.v;
    const struct ifu_boot_config *b = fwu.cfg.boot;
    uint8_t buf[VERIFY_CHUNK];
    uint32_t hashset = b->hashset != 0 ? b->hashset : IFU_HASHSET(IFU_HASH_SHA256);

    const struct ifu_keyring *keys;
    uint32_t revoked;
    int err = boot_keyring(b, &keys, &revoked);
    if (!err) {
        err = boot_verify_begin(v, keys, revoked, hashset, fwu.lay.max_image_size);
    }
    if (!err) {
        /* In place if the flash is mapped, else through buf. */
        err = ifu_verify_feed_area(v, second(), fwu.lay.headroom, fwu.lay.max_image_size, buf,
                                   sizeof buf);
    }
    if (!err) {
        err = ifu_verify_finish_area(v, second(), fwu.lay.headroom, info);
    }
    ifu_verify_abort(v);
    return err;
}

/* The staged image is what is left of an install, not a new download:
 * swap and overwrite, a copy of the running image (its header); direct-XIP,
 * an image not newer than the running one (the façade only takes newer
 * ones there, so this is the image the update replaced). */
static int is_leftover(const uint8_t staged[IFU_IMAGE_HEADER_SIZE],
                       const struct ifu_image_header *sh, int have_running,
                       const uint8_t running[IFU_IMAGE_HEADER_SIZE],
                       const struct ifu_image_header *rh)
{
    if (!have_running) {
        return 0;
    }
    if (ifu_boot_mode() == IFU_BOOT_MODE_XIP) {
        return ifu_image_version_cmp(&sh->version, &rh->version) <= 0;
    }
    return memcmp(staged, running, IFU_IMAGE_HEADER_SIZE) == 0;
}

static void set_state(uint8_t state, int why)
{
    fwu.state = state;
    fwu.ifu_error = why;
    fwu.error = to_psa(why);
}

/* Rebuild the state from flash (docs/PSA-FWU.md §3), first rule that
 * matches. Returns 0 or a flash error. */
static int rebuild(const struct ifu_boot_status *bs, int have_running,
                   const uint8_t running[IFU_IMAGE_HEADER_SIZE], const struct ifu_image_header *rh)
{
    const struct ifu_area *a = second();
    struct trailer t;
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header sh;
    struct ifu_image_info info;
    uint32_t resume = 0;

    /* R1: the running image is on trial (the bootloader set its trial flag). */
    if (bs->running == IFU_BOOT_STATE_TESTING) {
        set_state(PSA_FWU_TRIAL, 0);
        return 0;
    }
    /* R2: an install request the bootloader has not acted on yet. */
    if (bs->pending != IFU_BOOT_STATE_NONE) {
        set_state(PSA_FWU_STAGED, 0);
        return 0;
    }
    /* R3: a verdict on the second image: refused by the bootloader, failed
     * finish, cancel, reject while staged; XIP, also a trial that ended. */
    int err = tr_read(a, &t);
    if (err) {
        return err;
    }
    if (t.rejected) {
        set_state(PSA_FWU_FAILED, t.reject_err);
        return 0;
    }
    /* R4 (swap): secondary[0, headroom) holds only an image saved by an
     * install; downloads start at headroom. After a revert it is the image
     * now running again (FAILED), else the replaced one (UPDATED). */
    if (ifu_boot_mode() == IFU_BOOT_MODE_SWAP) {
        int r = ifu_area_is_erased(a, 0, fwu.lay.headroom);
        if (r < 0) {
            return r;
        }
        if (r == 0) {
            if (bs->running == IFU_BOOT_STATE_REVERTED) {
                set_state(PSA_FWU_FAILED, bs->staged_err);
            } else {
                set_state(PSA_FWU_UPDATED, 0);
            }
            return 0;
        }
    }
    /* R5: nothing that starts like an image in the staging area. */
    err = ifu_area_read(a, fwu.lay.headroom, raw, sizeof raw);
    if (err) {
        return err;
    }
    if (ifu_image_parse_header(&sh, raw) != 0) {
        set_state(PSA_FWU_READY, 0);
        return 0;
    }
    /* R6: the copy an install left behind, or the image it replaced. */
    if (is_leftover(raw, &sh, have_running, running, rh)) {
        set_state(PSA_FWU_UPDATED, 0);
        return 0;
    }
    /* R7: a complete image that verifies and meets the policy: CANDIDATE
     * persists over a reset (spec §4.2.2, non-volatile staging). */
    err = verify_staged(&info);
    if (boot_is_flash_error(err)) {
        return err;
    }
    int verified = err == 0;
    if (verified && fwu.policy.min_sec_cnt != 0 && info.sec_cnt < fwu.policy.min_sec_cnt) {
        set_state(PSA_FWU_FAILED, IFU_EROLLBACK);
        return 0;
    }
    /* The header goes through the update API's checks (and policy); the
     * session also tells where an interrupted download resumes. */
    err = ifu_update_begin(&fwu.u.up, fwu.cfg.boot, &fwu.policy, raw, &resume);
    if (boot_is_flash_error(err)) {
        drop_session();
        return err;
    }
    if (err) {
        /* The policy or this build refuses what is staged. */
        drop_session();
        set_state(PSA_FWU_FAILED, err);
        return 0;
    }
    fwu.live = 1;
    if (verified) {
        drop_session(); /* the session only read: nothing to undo */
        set_state(PSA_FWU_CANDIDATE, 0);
        return 0;
    }
    /* R8: a resumable prefix: WRITING persists, impl.written says where to
     * go on. Else the bytes are discarded (READY); a start reuses the slot. */
    if (resume > 0) {
        set_state(PSA_FWU_WRITING, 0);
        return 0;
    }
    drop_session();
    set_state(PSA_FWU_READY, 0);
    return 0;
}

/* see include/psa/update.h */
int ifu_psa_fwu_init(const struct ifu_psa_fwu_config *cfg)
{
    struct ifu_boot_status bs;
    uint8_t running[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header rh;

    ifu_wipe(&fwu, sizeof fwu); /* a session of an earlier init is forgotten, not aborted */
    if (cfg == NULL || cfg->boot == NULL ||
        (cfg->boot->keys == NULL && cfg->boot->keystore == NULL)) {
        return IFU_EINVAL;
    }
    fwu.cfg = *cfg;
    if (cfg->policy != NULL) {
        fwu.policy = *cfg->policy;
    }
    if (ifu_boot_mode() == IFU_BOOT_MODE_XIP) {
        fwu.policy.flags |= IFU_UPDATE_P_NEWER_ONLY; /* only a newer image ever boots */
    }
    fwu.cfg.policy = NULL; /* fwu.policy is the copy in use */
    int err = ifu_boot_layout(cfg->boot, &fwu.lay);
    if (!err) {
        err = ifu_boot_state(cfg->boot, &bs);
    }
    if (!err && bs.in_progress) {
        err = IFU_ESTATE; /* the bootloader must finish its operation first */
    }
    int sectors = err ? 0 : ifu_area_sector_count(second());
    if (sectors < 0) {
        err = sectors;
    }
    if (!err) {
        err = ifu_area_read(&cfg->boot->primary, 0, running, sizeof running);
    }
    if (err) {
        ifu_wipe(&fwu, sizeof fwu);
        return err;
    }
    fwu.max_zeros = (uint32_t)sectors + 2u;
    int have_running = ifu_image_parse_header(&rh, running) == 0;
    if (have_running) {
        fwu.version.major = rh.version.major;
        fwu.version.minor = rh.version.minor;
        fwu.version.patch = rh.version.revision;
        fwu.version.build = rh.version.build;
    }
    err = rebuild(&bs, have_running, running, &rh);
    if (err) {
        ifu_wipe(&fwu, sizeof fwu);
        return err;
    }
    fwu.ready = 1;
    return 0;
}
