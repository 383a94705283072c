/* Swap mode: the offset swap with test boot, confirm and revert.
 * docs/DESIGN.md §7.4 and §7.7. */
#include <stddef.h>

#include "boot_priv.h"
#include "fault_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

enum ifu_boot_mode ifu_boot_mode(void)
{
    return IFU_BOOT_MODE_SWAP;
}

int boot_mode_request_ok(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind)
{
    (void)kind;
    return journal_request_ok(cfg);
}

int boot_mode_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *lay)
{
    struct tr_geo g;
    uint32_t first;
    uint32_t h;
    uint32_t p_last;
    uint32_t p_last_size;
    uint32_t j_first;
    const struct ifu_area *pri = &cfg->primary;
    const struct ifu_area *sec = &cfg->secondary;

    tr_geo_of(pri, &g);
    int np = ifu_area_sector_count(pri);
    int ns = ifu_area_sector_count(sec);
    int err = np < 0 ? np : ns < 0 ? ns : 0;
    if (!err) {
        err = ifu_area_sector(sec, 0, &first, &h);
    }
    if (!err) {
        err = boot_last_sector(pri, &p_last, &p_last_size);
    }
    if (err) {
        return err;
    }
    lay->headroom = h;
    lay->max_steps = (uint32_t)np + (uint32_t)ns;
    lay->primary_trailer = tr_fixed_size(&g);
    lay->secondary_trailer = tr_fixed_size(&g) + journal_size(&g, lay->max_steps);
    /* The primary's trailer lives in its last sector; the journal's sectors
     * are ones no step touches, so images end before them (DESIGN.md §7.4). */
    err = journal_layout(sec, lay->max_steps, &j_first);
    if (err) {
        return err;
    }
    if (lay->primary_trailer > p_last_size || sec->size < h + lay->secondary_trailer) {
        return IFU_ELAYOUT;
    }
    uint32_t max = pri->size - lay->primary_trailer;
    max = IFU_MIN(max, sec->size - h - lay->secondary_trailer);
    max = IFU_MIN(max, j_first);
    if (max < IFU_IMAGE_HEADER_SIZE) {
        return IFU_ELAYOUT;
    }
    lay->max_image_size = max;
    /* The largest images must have a plan; smaller ones are checked again
     * before an install writes anything. */
    struct journal j = {.op = JOP_INSTALL_TEST, .old_size = max, .new_size = max, .headroom = h};
    uint32_t steps;
    err = journal_plan_check(cfg, &j, &steps);
    if (!err && steps > lay->max_steps) {
        err = IFU_ELAYOUT;
    }
    return err;
}

static int install(struct boot_run *run, const struct trailer *req)
{
    struct ifu_image_info staged;
    struct ifu_image_info old;
    const struct ifu_boot_config *cfg = run->cfg;

    /* B4: the staged image verifies before anything changes. */
    int err =
        boot_verify(run, &cfg->secondary, run->lay.headroom, run->lay.max_image_size, &staged);
    if (boot_is_flash_error(err)) {
        return err;
    }
    if (!IFU_FI(MODE_STAGED_VERIFIED, err == 0)) {
        return boot_reject(run, err);
    }
    /* The running image is saved only if it verifies; otherwise there is
     * nothing worth keeping and the install is a plain copy. */
    uint32_t old_size = 0;
    err = boot_verify(run, &cfg->primary, 0, cfg->primary.size - run->lay.primary_trailer, &old);
    if (boot_is_flash_error(err)) {
        return err;
    }
    /* An image too large for the secondary's save area (a factory image
     * between max_image_size and the primary's own limit) cannot be saved:
     * the install is then a plain copy, as for an invalid one, and a test
     * request becomes permanent (nothing to revert to). */
    if (!err && old.total_size <= run->lay.max_image_size) {
        old_size = old.total_size;
    }
    if (cfg->counter != NULL) {
        /* Anti-rollback: commit the running image if it is confirmed, then
         * judge the staged one (an old image below the counter did not
         * verify above, so it is neither saved nor compared with). */
        struct trailer t;
        int why;
        int have = err == 0;
        err = tr_read(&cfg->primary, &t);
        if (!err) {
            err = boot_install_policy(run, &staged, have ? &old : NULL,
                                      boot_running_state(&t) != IFU_BOOT_STATE_TESTING, &why);
        }
        if (err) {
            return err;
        }
        if (why) {
            return boot_reject(run, why);
        }
    }
    /* With no image saved to go back to, a test install is permanent: a
     * revert would have nothing to restore (DESIGN.md §7.4). */
    enum jop op = req->image_ok || old_size == 0 ? JOP_INSTALL_PERM : JOP_INSTALL_TEST;
    struct journal j = {.op = op,
                        .old_size = old_size,
                        .new_size = staged.total_size,
                        .headroom = run->lay.headroom};
    /* The primary is about to change: check the staged image's verdict again. */
    err = boot_proof_check(run, &cfg->secondary, run->lay.headroom, &staged);
    if (IFU_FI(PROOF_PASSED, err != 0)) {
        return err;
    }
    return journal_install(run, &j);
}

/* Bring back the image saved at secondary offset 0. Returns 0 when reverted,
 * 1 when there is nothing valid to revert to, or a flash error. */
static int revert(struct boot_run *run, int reason)
{
    struct ifu_image_info saved;
    const struct ifu_area *sec = &run->cfg->secondary;

    boot_emit(run, IFU_BOOT_EV_REVERT, 0, 0);
    /* B4: the saved image verifies before the primary is touched. */
    int err = boot_verify(run, sec, 0, run->lay.max_image_size, &saved);
    if (boot_is_flash_error(err)) {
        return err;
    }
    if (!IFU_FI(MODE_SAVED_VERIFIED, err == 0)) {
        boot_emit(run, IFU_BOOT_EV_REJECTED, 1, err);
        return 1;
    }
    /* The primary is about to be restored from it: check again. */
    err = boot_proof_check(run, sec, 0, &saved);
    if (IFU_FI(PROOF_PASSED, err != 0)) {
        return err;
    }
    /* The journal's sectors hold none of the saved image: clear what an
     * earlier operation or a torn erase left there. */
    err = journal_clear(sec, run->lay.max_steps);
    if (err) {
        return err;
    }
    struct journal j = {.op = JOP_REVERT, .new_size = saved.total_size, .reason = reason};
    err = journal_start(run, &j);
    if (!err) {
        err = journal_run(run, &j);
    }
    if (!err) {
        run->res->actions |= IFU_BOOT_DID_REVERT;
        boot_emit(run, IFU_BOOT_EV_REVERTED, 0, 0);
    }
    return err;
}

static int boot_primary(struct boot_run *run)
{
    struct trailer t;
    struct ifu_image_info info;
    const struct ifu_area *pri = &run->cfg->primary;
    int reverted = 0;

    int err = tr_read(pri, &t);
    if (err) {
        return err;
    }
    /* A trial that reached a second reset without confirming is over. */
    if (boot_running_state(&t) == IFU_BOOT_STATE_TESTING && t.trial) {
        err = revert(run, IFU_ESTATE); /* the trial ended unconfirmed */
        if (err < 0) {
            return err;
        }
        reverted = 1;
    }
    for (;;) {
        err = tr_read(pri, &t);
        if (err) {
            return err;
        }
        enum ifu_boot_state state = boot_running_state(&t);
        /* B1: verified in this call, right before it is named. */
        err = boot_verify(run, pri, 0, pri->size - run->lay.primary_trailer, &info);
        if (boot_is_flash_error(err)) {
            return err;
        }
        if (!IFU_FI(MODE_PRIMARY_VERIFIED, err == 0)) {
            /* A trial image that does not verify goes back at once. */
            if (state == IFU_BOOT_STATE_TESTING && !reverted) {
                reverted = 1;
                int r = revert(run, err); /* the trial image does not verify */
                if (r < 0) {
                    return r;
                }
                if (r == 0) {
                    continue;
                }
            }
            return boot_no_image(run, err);
        }
        if (state == IFU_BOOT_STATE_TESTING && !t.trial) {
            err = tr_set_flag(pri, TR_TRIAL, BOOT_FLAG_SET);
            if (!err) {
                err = ifu_area_sync(pri);
            }
            if (err) {
                return err;
            }
            run->res->actions |= IFU_BOOT_DID_TRIAL;
            boot_emit(run, IFU_BOOT_EV_TRIAL, 0, 0);
        }
        return boot_finish_go(run, 0, pri, &info, state);
    }
}

int boot_mode_go(struct boot_run *run)
{
    struct trailer req;
    enum journal_found found;

    int err = journal_resume(run, &found);
    if (!err && found == JOURNAL_NONE) {
        err = tr_read(&run->cfg->secondary, &req);
        if (!err && boot_pending_state(&req) != IFU_BOOT_STATE_NONE) {
            err = install(run, &req);
        }
    }
    if (err) {
        return err;
    }
    return boot_primary(run);
}

int boot_mode_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st)
{
    return journal_state(cfg, st);
}
