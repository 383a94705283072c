/* Overwrite mode: the staged image is copied over the primary, no revert.
 * docs/DESIGN.md §7.5. */
#include <stddef.h>

#include "boot_priv.h"
#include "fault_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

enum ifu_boot_mode ifu_boot_mode(void)
{
    return IFU_BOOT_MODE_OVERWRITE;
}

/* No test boot without a copy of the old image to go back to. */
int boot_mode_request_ok(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind)
{
    return kind == IFU_BOOT_REQ_PERMANENT ? journal_request_ok(cfg) : IFU_EUNSUPPORTED;
}

int boot_mode_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *lay)
{
    struct tr_geo g;
    uint32_t p_last;
    uint32_t p_last_size;
    uint32_t j_first;
    const struct ifu_area *pri = &cfg->primary;
    const struct ifu_area *sec = &cfg->secondary;

    tr_geo_of(pri, &g);
    int np = ifu_area_sector_count(pri);
    int err = np < 0 ? np : 0;
    if (!err) {
        err = boot_last_sector(pri, &p_last, &p_last_size);
    }
    if (err) {
        return err;
    }
    lay->headroom = 0;
    lay->max_steps = (uint32_t)np;
    lay->primary_trailer = tr_fixed_size(&g);
    lay->secondary_trailer = tr_fixed_size(&g) + journal_size(&g, lay->max_steps);
    /* Here the staged image may share the journal's sectors: it has been
     * copied by the time the cleanup erases them. */
    err = journal_layout(sec, lay->max_steps, &j_first);
    if (err) {
        return err;
    }
    if (lay->primary_trailer > p_last_size) {
        return IFU_ELAYOUT;
    }
    uint32_t max = IFU_MIN(pri->size - lay->primary_trailer, sec->size - lay->secondary_trailer);
    if (max < IFU_IMAGE_HEADER_SIZE) {
        return IFU_ELAYOUT;
    }
    lay->max_image_size = max;
    return 0;
}

static int install(struct boot_run *run)
{
    struct ifu_image_info staged;

    /* B4: the old image is gone once the first step runs, so the staged one
     * must verify before the begin record is written. */
    int err = boot_verify(run, &run->cfg->secondary, 0, run->lay.max_image_size, &staged);
    if (boot_is_flash_error(err)) {
        return err;
    }
    if (!IFU_FI(MODE_STAGED_VERIFIED, err == 0)) {
        return boot_reject(run, err);
    }
    if (run->cfg->counter != NULL) {
        /* Anti-rollback: the running image, if it verifies, is committed
         * (installed images are permanent here) and compared with. */
        struct ifu_image_info cur;
        struct trailer t;
        const struct ifu_area *pri = &run->cfg->primary;
        int why;
        err = boot_verify(run, pri, 0, pri->size - run->lay.primary_trailer, &cur);
        if (boot_is_flash_error(err)) {
            return err;
        }
        int have = err == 0;
        err = tr_read(pri, &t);
        if (!err) {
            err = boot_install_policy(run, &staged, have ? &cur : NULL,
                                      boot_running_state(&t) != IFU_BOOT_STATE_TESTING, &why);
        }
        if (err) {
            return err;
        }
        if (why) {
            return boot_reject(run, why);
        }
    }
    /* The primary is about to be overwritten: check the decision again. */
    err = boot_proof_check(run, &run->cfg->secondary, 0, &staged);
    if (IFU_FI(PROOF_PASSED, err != 0)) {
        return err;
    }
    struct journal j = {.op = JOP_OVERWRITE, .new_size = staged.total_size};
    return journal_install(run, &j);
}

int boot_mode_go(struct boot_run *run)
{
    struct trailer t;
    struct ifu_image_info info;
    const struct ifu_area *pri = &run->cfg->primary;
    enum journal_found found;

    int err = journal_resume(run, &found);
    if (!err && found == JOURNAL_NONE) {
        err = tr_read(&run->cfg->secondary, &t);
        /* MCUboot's overwrite-only mode installs any request for good. */
        if (!err && boot_pending_state(&t) != IFU_BOOT_STATE_NONE) {
            err = install(run);
        }
    }
    if (!err) {
        err = tr_read(pri, &t);
    }
    if (err) {
        return err;
    }
    /* B1: verified in this call, right before it is named. */
    err = boot_verify(run, pri, 0, pri->size - run->lay.primary_trailer, &info);
    if (boot_is_flash_error(err)) {
        return err;
    }
    if (!IFU_FI(MODE_PRIMARY_VERIFIED, err == 0)) {
        return boot_no_image(run, err);
    }
    return boot_finish_go(run, 0, pri, &info, boot_running_state(&t));
}

int boot_mode_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st)
{
    return journal_state(cfg, st);
}
