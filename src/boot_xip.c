/* Direct-XIP mode: two executable slots, the highest valid version boots,
 * a trial that does not confirm is rejected for good. Nothing is copied and
 * nothing erased; every write is one trailer flag. docs/DESIGN.md §7.6. */
#include <string.h>
#include <stddef.h>

#include "boot_priv.h"
#include "fault_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

enum ifu_boot_mode ifu_boot_mode(void)
{
    return IFU_BOOT_MODE_XIP;
}

int boot_mode_request_ok(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind)
{
    (void)cfg;
    (void)kind;
    return 0;
}

int boot_mode_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *lay)
{
    struct tr_geo g;
    uint32_t last;
    uint32_t last_size;

    tr_geo_of(&cfg->primary, &g);
    lay->primary_trailer = tr_fixed_size(&g);
    lay->secondary_trailer = lay->primary_trailer;
    for (unsigned i = 0; i < 2; i++) {
        const struct ifu_area *a = i == 0 ? &cfg->primary : &cfg->secondary;
        int err = boot_last_sector(a, &last, &last_size);
        if (err) {
            return err;
        }
        if (last_size < lay->primary_trailer ||
            a->size - lay->primary_trailer < IFU_IMAGE_HEADER_SIZE) {
            return IFU_ELAYOUT;
        }
    }
    lay->max_image_size = IFU_MIN(cfg->primary.size, cfg->secondary.size) - lay->primary_trailer;
    return 0;
}

struct slot {
    const struct ifu_area *area;
    struct trailer t;
    struct ifu_image_info info;
    int valid;      /* verified in this call, and built for this slot */
    int eligible;   /* confirmed, or requested and not yet tried */
    int err;        /* why it is not valid, 0 if it is */
    int trial_over; /* with a counter: tried, never confirmed; decided after the scan */
};

/* Refuse the requested image in slot i for good, recording why. */
static int reject(struct boot_run *run, unsigned i, struct slot *s, int why)
{
    run->res->actions |= IFU_BOOT_DID_REJECT;
    run->res->reject_err = why;
    boot_emit(run, IFU_BOOT_EV_REJECTED, i, why);
    s->valid = 0;
    s->t.rejected = 1;
    s->err = why;
    int err = tr_mark_rejected(s->area, why);
    return err ? err : ifu_area_sync(s->area);
}

/* The trial of slot i ended without a confirm: refuse it for good. */
static int trial_failed(struct boot_run *run, unsigned i, struct slot *s)
{
    run->res->actions |= IFU_BOOT_DID_REVERT;
    boot_emit(run, IFU_BOOT_EV_REVERT, i, 0);
    s->valid = 0;
    s->trial_over = 0;
    s->t.rejected = 1;
    s->err = IFU_ESTATE;
    int err = tr_mark_rejected(s->area, IFU_ESTATE);
    return err ? err : ifu_area_sync(s->area);
}

static int slot_scan(struct boot_run *run, unsigned i, struct slot *s)
{
    s->area = i == 0 ? &run->cfg->primary : &run->cfg->secondary;
    s->valid = 0;
    s->eligible = 0;
    s->trial_over = 0;
    int err = tr_read(s->area, &s->t);
    s->err = err ? err : s->t.reject_err;
    if (err || s->t.rejected) {
        return err; /* a rejected image is never verified or booted again */
    }
    s->trial_over = s->t.magic == 1 && !s->t.image_ok && s->t.trial;
    if (s->trial_over && run->cfg->counter == NULL) {
        /* Started once and never confirmed: the trial failed. */
        return trial_failed(run, i, s);
    }
    err = boot_verify(run, s->area, 0, run->lay.max_image_size, &s->info);
    if (boot_is_flash_error(err)) {
        return err;
    }
    /* An image linked for a fixed address runs only from that address. */
    if (!err && (s->info.hdr.flags & IFU_IMAGE_F_ROM_FIXED) != 0 &&
        s->info.hdr.load_addr != s->area->flash->map_addr + s->area->off) {
        err = IFU_EHEADER;
    }
    s->err = err;
    if (err && s->trial_over) {
        return trial_failed(run, i, s);
    }
    if (err == IFU_EROLLBACK && run->cfg->counter != NULL) {
        /* Below the counter, which never goes down: refused for good,
         * confirmed or not. */
        return reject(run, i, s, err);
    }
    if (!IFU_FI(MODE_SLOT_VERIFIED, err == 0)) {
        /* Only a request not yet confirmed is refused for good. A confirmed
         * image that fails once (a keyring rotated too early, a corrupted
         * read) is skipped for this boot only: marking it would brick a
         * device whose configuration error is later fixed. */
        if (s->t.magic != 1 || s->t.image_ok) {
            return 0;
        }
        return reject(run, i, s, err);
    }
    s->valid = 1;
    s->eligible = s->t.image_ok || s->t.magic == 1;
    return 0;
}

/* 1 if slot a should boot rather than slot b (both candidates): higher
 * version, then confirmed over on trial; slot A wins a full tie. */
static int better(const struct slot *a, const struct slot *b)
{
    int c = ifu_image_version_cmp(&a->info.hdr.version, &b->info.hdr.version);
    if (c != 0) {
        return c > 0;
    }
    return a->t.image_ok && !b->t.image_ok;
}

/* Anti-rollback after the scan (docs/ROLLBACK.md): commit the confirmed
 * images, drop what falls below the counter, refuse requests it cannot
 * hold, and end a failed trial only if the other image can take over. */
static int xip_counter(struct boot_run *run, struct slot s[2])
{
    int err = 0;
    /* image_ok: confirmed by the application, or requested for good. */
    for (unsigned i = 0; i < 2 && !err; i++) {
        if (s[i].valid && s[i].t.image_ok) {
            err = boot_counter_commit(run, &s[i].info);
        }
    }
    for (unsigned i = 0; i < 2 && !err; i++) {
        struct slot *x = &s[i];
        /* A request (for a test or for good) not yet tried. */
        int request = x->t.magic == 1 && !x->trial_over;
        if (!x->valid) {
            continue;
        }
        int why = boot_counter_admit(run, &x->info);
        if (why == 0 && request) {
            why = boot_counter_fits(run, &x->info);
        }
        if (why != 0 && (request || why == IFU_EROLLBACK)) {
            x->trial_over = 0;            /* refused here; no revert to decide */
            err = reject(run, i, x, why); /* below the counter: for good */
        } else if (why != 0) {
            x->valid = 0;
            x->err = why;
        }
    }
    /* The revert case: a failed trial is refused only if the other slot
     * holds an image that boots; if that one fell below the counter (or
     * does not verify), the trial image keeps booting, on trial. */
    for (unsigned i = 0; i < 2 && !err; i++) {
        if (s[i].trial_over && (!s[i].valid || s[1 - i].valid)) {
            err = trial_failed(run, i, &s[i]);
        }
    }
    return err;
}

int boot_mode_go(struct boot_run *run)
{
    struct slot s[2];
    int pick = -1;

    memset(s, 0, sizeof s);
    for (unsigned i = 0; i < 2; i++) {
        int err = slot_scan(run, i, &s[i]);
        if (err) {
            return err;
        }
    }
    /* IFU_COUNTER_F_VERSION: an image requested for good (or confirmed)
     * that is not newer than the other slot's settled image (confirmed, or
     * without a trailer) is a downgrade too. A pending trial does not
     * count: the older image is what its revert needs. */
    if (run->cfg->counter != NULL && (run->cfg->counter->flags & IFU_COUNTER_F_VERSION) != 0) {
        for (unsigned i = 0; i < 2; i++) {
            const struct slot *o = &s[1 - i];
            if (s[i].valid && s[i].t.magic == 1 && s[i].t.image_ok && o->valid &&
                (o->t.image_ok || o->t.magic != 1) &&
                ifu_image_version_cmp(&s[i].info.hdr.version, &o->info.hdr.version) <= 0) {
                int err = reject(run, i, &s[i], IFU_EROLLBACK);
                if (err) {
                    return err;
                }
            }
        }
    }
    /* After the version rule, so an older image requested for good is
     * refused before xip_counter would commit its SEC_CNT. */
    if (run->cfg->counter != NULL) {
        int err = xip_counter(run, s);
        if (err) {
            return err;
        }
    }
    /* A trial is an upgrade: a requested image no newer than the other
     * image that verifies (confirmed or not, e.g. a factory image without a
     * trailer) would be a downgrade, and is refused. */
    for (unsigned i = 0; i < 2; i++) {
        const struct slot *o = &s[1 - i];
        if (s[i].valid && s[i].t.magic == 1 && !s[i].t.image_ok && o->valid &&
            ifu_image_version_cmp(&s[i].info.hdr.version, &o->info.hdr.version) <= 0) {
            int err = reject(run, i, &s[i], IFU_EROLLBACK);
            if (err) {
                return err;
            }
        }
    }
    /* Requested or confirmed images, the highest version first. */
    for (int i = 0; i < 2; i++) {
        if (IFU_FI(MODE_PICK_VALID, s[i].valid) && s[i].eligible &&
            (pick < 0 || better(&s[i], &s[pick]))) {
            pick = i;
        }
    }
    /* If there is none, slot A's image, else slot B's, if it verifies: a
     * factory-programmed image has no trailer and goes in slot A. Never the
     * higher version here, or an image merely staged, with no request,
     * would replace the running one. */
    for (int i = 0; i < 2 && pick < 0; i++) {
        if (IFU_FI(MODE_PICK_VALID, s[i].valid)) {
            pick = i;
        }
    }
    if (pick < 0) {
        /* Report slot A's reason, else slot B's. */
        return boot_no_image(run, s[0].err ? s[0].err : s[1].err ? s[1].err : IFU_ENOIMAGE);
    }
    struct slot *p = &s[pick];
    enum ifu_boot_state state = IFU_BOOT_STATE_CONFIRMED;
    if (p->t.magic == 1 && !p->t.image_ok) {
        int err = tr_set_flag(p->area, TR_TRIAL, BOOT_FLAG_SET);
        if (!err) {
            err = ifu_area_sync(p->area);
        }
        if (err) {
            return err;
        }
        if (!p->t.trial) { /* a kept trial (xip_counter) is not a new one */
            run->res->actions |= IFU_BOOT_DID_TRIAL;
            boot_emit(run, IFU_BOOT_EV_TRIAL, (unsigned)pick, 0);
        }
        state = IFU_BOOT_STATE_TESTING;
    } else if (s[1 - pick].t.rejected && s[1 - pick].t.trial) {
        state = IFU_BOOT_STATE_REVERTED; /* the other image failed its trial */
    }
    return boot_finish_go(run, (unsigned)pick, p->area, &p->info, state);
}

/* The 32-byte header at the start of a slot. */
static int read_header(const struct ifu_area *a, struct ifu_image_header *h)
{
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    int err = ifu_area_read(a, 0, raw, sizeof raw);
    return err ? err : ifu_image_parse_header(h, raw);
}

/* The application passes the slot it runs from as primary. */
int boot_mode_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st)
{
    struct trailer run;
    struct trailer other;

    int err = tr_read(&cfg->primary, &run);
    if (!err) {
        err = tr_read(&cfg->secondary, &other);
    }
    if (err) {
        return err;
    }
    if (run.magic == 1 && !run.image_ok && run.trial) {
        st->running = IFU_BOOT_STATE_TESTING;
    } else if (other.rejected && other.trial) {
        st->running = IFU_BOOT_STATE_REVERTED;
    } else {
        st->running = IFU_BOOT_STATE_CONFIRMED;
    }
    /* The other slot's request is pending only if its image is newer than
     * the running one, by their headers (not verified here: the bootloader
     * verifies), since only then will the bootloader boot it. */
    st->pending = other.trial ? IFU_BOOT_STATE_NONE : boot_pending_state(&other);
    if (st->pending != IFU_BOOT_STATE_NONE) {
        struct ifu_image_header h_run;
        struct ifu_image_header h_other;
        int r_other = read_header(&cfg->secondary, &h_other);
        int r_run = read_header(&cfg->primary, &h_run);
        if (r_other == IFU_EIO || r_run == IFU_EIO) {
            return IFU_EIO;
        }
        if (r_other != 0 ||
            (r_run == 0 && ifu_image_version_cmp(&h_other.version, &h_run.version) <= 0)) {
            st->pending = IFU_BOOT_STATE_NONE;
        }
    }
    st->staged_err = other.rejected ? other.reject_err : 0;
    return 0;
}
