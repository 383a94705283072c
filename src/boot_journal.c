/* The journal and the plan: how an install, overwrite or revert moves sectors
 * so that a power cut at any instant can be finished by the next boot.
 * The argument is in docs/DESIGN.md §7.3-7.4; invariants B2 and B3. */
#include <string.h>

#include "boot_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

#define JOURNAL_MAGIC   0x4a554649u /* "IFUJ" */
#define JOURNAL_VERSION 1u

static uint32_t journal_base(const struct ifu_area *sec, const struct tr_geo *g)
{
    return sec->size - tr_fixed_size(g);
}

static uint32_t begin_off(const struct ifu_area *sec, const struct tr_geo *g, uint32_t i)
{
    return journal_base(sec, g) - (i + 1) * g->record;
}

static uint32_t step_off(const struct ifu_area *sec, const struct tr_geo *g, uint32_t k)
{
    return journal_base(sec, g) - JOURNAL_BEGIN_SLOTS * g->record - (k + 1) * g->write;
}

/* max_steps entries, plus the close mark after an operation's last step. */
uint32_t journal_size(const struct tr_geo *g, uint32_t max_steps)
{
    return JOURNAL_BEGIN_SLOTS * g->record + (max_steps + 1) * g->write;
}

int journal_layout(const struct ifu_area *sec, uint32_t max_steps, uint32_t *first)
{
    struct tr_geo g;
    uint32_t last;
    uint32_t last_size;
    uint32_t size;

    tr_geo_of(sec, &g);
    uint32_t total = tr_fixed_size(&g) + journal_size(&g, max_steps);
    int err = boot_last_sector(sec, &last, &last_size);
    if (err) {
        return err;
    }
    if (tr_fixed_size(&g) + JOURNAL_BEGIN_SLOTS * g.record > last_size || total > sec->size) {
        return IFU_ELAYOUT;
    }
    return ifu_area_sector(sec, sec->size - total, first, &size);
}

static int decode(const uint8_t rec[JOURNAL_RECORD_LEN], struct journal *j)
{
    if (ifu_get_le32(rec) != JOURNAL_MAGIC || rec[5] != JOURNAL_VERSION ||
        ifu_get_le32(rec + 20) != ifu_crc32(rec, 20)) {
        return 0;
    }
    if (rec[4] < JOP_INSTALL_TEST || rec[4] > JOP_REVERT) {
        return 0;
    }
    j->op = (enum jop)rec[4];
    j->old_size = ifu_get_le32(rec + 8);
    j->new_size = ifu_get_le32(rec + 12);
    j->headroom = ifu_get_le32(rec + 16);
    j->reason = rec[6] >= 1 && rec[6] <= 127 ? -(int)rec[6] : 0;
    return 1;
}

/* A record this layout could not have written (CRC-valid garbage) is no
 * record: its plan could reach the journal's own sector. */
static int plausible(const struct ifu_boot_config *cfg, const struct ifu_boot_layout *lay,
                     struct journal *j)
{
    return j->old_size <= lay->max_image_size && j->new_size <= lay->max_image_size &&
           (j->headroom == lay->headroom || j->headroom == 0) &&
           journal_plan_check(cfg, j, &j->steps) == 0 && j->steps <= lay->max_steps;
}

int journal_read(const struct ifu_boot_config *cfg, const struct ifu_boot_layout *lay,
                 struct journal *j, int *valid)
{
    struct tr_geo g;
    uint8_t rec[JOURNAL_RECORD_LEN];
    uint8_t unit[IFU_FLASH_MAX_WRITE_SIZE];
    const struct ifu_area *sec = &cfg->secondary;

    tr_geo_of(sec, &g);
    memset(j, 0, sizeof *j);
    *valid = 0;
    for (uint32_t i = 0; i < JOURNAL_BEGIN_SLOTS && !*valid; i++) {
        int err = ifu_area_read(sec, begin_off(sec, &g, i), rec, sizeof rec);
        if (err) {
            return err;
        }
        /* Not a record: the next field may hold the real one. */
        *valid = decode(rec, j) && plausible(cfg, lay, j);
    }
    if (!*valid) {
        return 0;
    }
    /* Entries are programmed in order, each after its step completed; any
     * programmed bit (a torn entry too) means the step completed. Entry
     * `steps` is the close mark. */
    for (j->steps_done = 0; j->steps_done <= j->steps; j->steps_done++) {
        int err = ifu_area_read(sec, step_off(sec, &g, j->steps_done), unit, g.write);
        if (err) {
            return err;
        }
        uint32_t k = 0;
        while (k < g.write && unit[k] == g.erased) {
            k++;
        }
        if (k == g.write) {
            break;
        }
    }
    j->closed = j->steps_done > j->steps;
    if (j->closed) {
        j->steps_done = j->steps;
    }
    return 0;
}

/* Erase every sector holding a programmed byte of the journal area, the
 * last sector first. Only called with no valid begin record, to give a new
 * operation clean step entries; the journal's sectors hold no image data that
 * an operation still needs (ifu_boot_layout keeps images out of them). */
int journal_clear(const struct ifu_area *sec, uint32_t max_steps)
{
    struct tr_geo g;
    uint32_t start;
    uint32_t size;

    tr_geo_of(sec, &g);
    uint32_t lo = journal_base(sec, &g) - journal_size(&g, max_steps);
    for (uint32_t end = sec->size; end > lo; end = start) {
        int err = ifu_area_sector(sec, end - 1, &start, &size);
        if (err) {
            return err;
        }
        uint32_t from = start > lo ? start : lo;
        int r = ifu_area_is_erased(sec, from, end - from);
        if (r < 0) {
            return r;
        }
        if (r == 0) {
            err = ifu_area_erase(sec, start, size);
            if (!err) {
                err = ifu_area_sync(sec);
            }
            if (err) {
                return err;
            }
        }
    }
    return 0;
}

int journal_begin(const struct ifu_area *sec, uint32_t max_steps, const struct journal *j)
{
    struct tr_geo g;
    uint8_t rec[IFU_FLASH_MAX_WRITE_SIZE * 2]; /* R <= 32 */

    tr_geo_of(sec, &g);
    /* Step entries must all be erased, or stale bits would read as done. */
    int r = ifu_area_is_erased(sec, step_off(sec, &g, max_steps), (max_steps + 1) * g.write);
    if (r <= 0) {
        return r < 0 ? r : IFU_ESTATE;
    }
    for (uint32_t i = 0; i < JOURNAL_BEGIN_SLOTS; i++) {
        uint32_t off = begin_off(sec, &g, i);
        r = ifu_area_is_erased(sec, off, g.record);
        if (r < 0) {
            return r;
        }
        if (r == 0) {
            continue; /* a torn earlier attempt: use the next field */
        }
        memset(rec, g.erased, g.record);
        ifu_put_le32(rec, JOURNAL_MAGIC);
        rec[4] = (uint8_t)j->op;
        rec[5] = JOURNAL_VERSION;
        rec[6] = (uint8_t)(j->reason < 0 && j->reason >= -127 ? -j->reason : 0);
        rec[7] = 0;
        ifu_put_le32(rec + 8, j->old_size);
        ifu_put_le32(rec + 12, j->new_size);
        ifu_put_le32(rec + 16, j->headroom);
        ifu_put_le32(rec + 20, ifu_crc32(rec, 20));
        int err = ifu_area_prog(sec, off, rec, g.record);
        if (!err) {
            err = ifu_area_sync(sec);
        }
        return err;
    }
    return IFU_ESTATE; /* four torn begin records: the request is refused */
}

/* The plan (DESIGN.md §7.4). S steps fill the secondary's sectors under
 * old_size with the old image; P steps fill the primary's sectors under
 * new_size with the image at secondary offset h, then the primary's last
 * sector (its trailer) if no P step covered it. A copy is the same plan with
 * old_size 0. */
struct plan {
    const struct ifu_area *pri;
    const struct ifu_area *sec;
    uint32_t old_size;
    uint32_t new_size;
    uint32_t h;
    uint32_t p_end; /* primary [0, p_end) done by P steps */
    uint32_t q_end; /* secondary [0, q_end) done by S steps */
    uint32_t last_start;
    uint8_t last_done; /* the primary's last sector done as its own step */
};

enum step_kind { STEP_S = 1, STEP_P = 2 };

struct step {
    enum step_kind kind;
    uint32_t dst_off; /* sector start in the destination slot */
    uint32_t dst_size;
    uint32_t src_off; /* in the other slot */
    uint32_t len;     /* bytes to copy, 0..dst_size */
};

static int plan_init(struct plan *pl, const struct ifu_boot_config *cfg, const struct journal *j)
{
    uint32_t last_size;
    memset(pl, 0, sizeof *pl);
    pl->pri = &cfg->primary;
    pl->sec = &cfg->secondary;
    pl->old_size = j->old_size;
    pl->new_size = j->new_size;
    pl->h = j->headroom;
    if (j->old_size > cfg->primary.size || j->new_size > cfg->primary.size ||
        j->headroom > cfg->secondary.size || j->new_size > cfg->secondary.size - j->headroom) {
        return IFU_ELAYOUT;
    }
    return boot_last_sector(pl->pri, &pl->last_start, &last_size);
}

/* Old bytes in primary [lo, hi) already overwritten by a P step? */
static int p_touched(const struct plan *pl, uint32_t lo, uint32_t hi)
{
    return lo < hi && (lo < pl->p_end || (pl->last_done && hi > pl->last_start));
}

/* The next step, in *st. Returns 1, 0 when the plan is complete, or
 * IFU_ELAYOUT if no step may run (a geometry the offset swap cannot do). */
static int plan_next(struct plan *pl, struct step *st)
{
    uint32_t start;
    uint32_t size;

    if (pl->q_end < pl->old_size) {
        int err = ifu_area_sector(pl->sec, pl->q_end, &start, &size);
        if (err) {
            return err;
        }
        uint32_t end = start + size;
        uint32_t old_hi = IFU_MIN(end, pl->old_size);
        uint32_t new_lo = start > pl->h ? start - pl->h : 0;
        uint32_t new_hi = end > pl->h ? IFU_MIN(end - pl->h, pl->new_size) : 0;
        /* Old bytes still in the primary; new bytes stored here already moved. */
        if (!p_touched(pl, start, old_hi) && (new_lo >= new_hi || pl->p_end >= new_hi)) {
            st->kind = STEP_S;
            st->dst_off = start;
            st->dst_size = size;
            st->src_off = start;
            st->len = old_hi - start;
            pl->q_end = end;
            return 1;
        }
    }
    if (pl->p_end < pl->new_size) {
        int err = ifu_area_sector(pl->pri, pl->p_end, &start, &size);
        if (err) {
            return err;
        }
        uint32_t end = start + size;
        /* Old bytes here saved; new bytes for here not yet overwritten. */
        if ((start >= pl->old_size || pl->q_end >= IFU_MIN(end, pl->old_size)) &&
            pl->q_end <= start + pl->h) {
            st->kind = STEP_P;
            st->dst_off = start;
            st->dst_size = size;
            st->src_off = start + pl->h;
            st->len = IFU_MIN(end, pl->new_size) - start;
            pl->p_end = end;
            return 1;
        }
        return IFU_ELAYOUT;
    }
    if (pl->q_end < pl->old_size) {
        return IFU_ELAYOUT;
    }
    if (pl->p_end <= pl->last_start && !pl->last_done) {
        st->kind = STEP_P; /* the trailer's sector: erase only */
        st->dst_off = pl->last_start;
        st->dst_size = pl->pri->size - pl->last_start;
        st->src_off = 0;
        st->len = 0;
        pl->last_done = 1;
        return 1;
    }
    return 0;
}

int journal_plan_check(const struct ifu_boot_config *cfg, const struct journal *j, uint32_t *steps)
{
    struct plan pl;
    struct step st = {0}; /* -O3 cannot see that plan_next sets it before use */

    int r = plan_init(&pl, cfg, j);
    *steps = 0;
    while (r == 0 && (r = plan_next(&pl, &st)) == 1) {
        (*steps)++;
        r = 0;
    }
    return r;
}

/* 1 if all n bytes are the erased value. */
static int all_erased(const uint8_t *p, uint32_t n, uint8_t erased)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != erased) {
            return 0;
        }
    }
    return 1;
}

static int run_step(struct boot_run *run, const struct step *st)
{
    const struct ifu_area *dst = st->kind == STEP_S ? &run->cfg->secondary : &run->cfg->primary;
    const struct ifu_area *src = st->kind == STEP_S ? &run->cfg->primary : &run->cfg->secondary;
    uint32_t w = dst->flash->write_size;
    /* Whole write units; the layout keeps the rounded range inside both
     * slots' image areas. */
    uint32_t len = (st->len + w - 1) / w * w;
    uint8_t erased = dst->flash->erased_val;

    int err = ifu_area_erase(dst, st->dst_off, st->dst_size);
    for (uint32_t done = 0; !err && done < len;) {
        uint32_t n = IFU_MIN(len - done, (uint32_t)IFU_BOOT_BUF_SIZE);
        err = ifu_area_read(src, st->src_off + done, run->b->buf, n);
        /* Erased chunks stay erased: nothing to program. */
        if (!err && !all_erased(run->b->buf, n, erased)) {
            err = ifu_area_prog(dst, st->dst_off + done, run->b->buf, n);
        }
        done += n;
    }
    if (!err) {
        err = ifu_area_sync(dst);
    }
    return err;
}

static int mark_step(const struct ifu_area *sec, uint32_t k)
{
    struct tr_geo g;
    uint8_t unit[IFU_FLASH_MAX_WRITE_SIZE];

    tr_geo_of(sec, &g);
    memset(unit, g.erased, g.write);
    unit[0] = BOOT_FLAG_SET;
    int err = ifu_area_prog(sec, step_off(sec, &g, k), unit, g.write);
    if (!err) {
        err = ifu_area_sync(sec);
    }
    return err;
}

/* The primary's trailer after the operation; every write is skipped if
 * already made, so the finish may be repeated. */
static int finish(const struct ifu_area *pri, const struct journal *j)
{
    enum jop op = j->op;
    uint8_t type = op == JOP_INSTALL_TEST ? BOOT_SWAP_TYPE_TEST
                   : op == JOP_REVERT     ? BOOT_SWAP_TYPE_REVERT
                                          : BOOT_SWAP_TYPE_PERM;
    int err = tr_set_flag(pri, TR_SWAP_INFO, type);
    /* swap_info is MCUboot's record and one torn byte can make it any type;
     * "reverted" is read from the rejected flag, whose any-bit-set rule
     * survives a torn write (DESIGN.md §7.2). */
    if (!err && op == JOP_REVERT) {
        err = tr_mark_rejected(pri, j->reason ? j->reason : IFU_ESTATE);
    }
    if (!err && op != JOP_INSTALL_TEST) {
        err = tr_set_flag(pri, TR_IMAGE_OK, BOOT_FLAG_SET);
    }
    if (!err) {
        err = tr_set_flag(pri, TR_COPY_DONE, BOOT_FLAG_SET);
    }
    if (!err) {
        err = tr_write_magic(pri, 0);
    }
    if (!err) {
        err = ifu_area_sync(pri);
    }
    return err;
}

int journal_start(struct boot_run *run, const struct journal *j)
{
    uint32_t steps;
    int err = journal_plan_check(run->cfg, j, &steps);
    if (!err && steps > run->lay.max_steps) {
        err = IFU_ELAYOUT;
    }
    if (!err) {
        err = journal_begin(&run->cfg->secondary, run->lay.max_steps, j);
    }
    return err;
}

/* Start and run an install whose staged image has verified: a geometry or
 * journal that cannot take it refuses the image (B5), nothing else does. */
int journal_install(struct boot_run *run, const struct journal *j)
{
    int err = journal_start(run, j);
    if (err == IFU_ELAYOUT || err == IFU_ESTATE) {
        return boot_reject(run, err);
    }
    if (err) {
        return err;
    }
    run->res->actions |= IFU_BOOT_DID_INSTALL;
    boot_emit(run, IFU_BOOT_EV_INSTALL, 1, 0);
    err = journal_run(run, j);
    if (!err) {
        boot_emit(run, IFU_BOOT_EV_INSTALLED, 0, 0);
    }
    return err;
}

int journal_run(struct boot_run *run, const struct journal *j)
{
    struct plan pl;
    struct step st = {0}; /* -O3 cannot see that plan_next sets it before use */
    uint32_t k = 0;
    int r = plan_init(&pl, run->cfg, j);

    while (r == 0 && (r = plan_next(&pl, &st)) == 1) {
        /* B2: steps the journal records as done are skipped; the first one
         * it does not record is redone from its erase. */
        if (k >= j->steps_done) {
            if (k >= run->lay.max_steps) {
                return IFU_ELAYOUT;
            }
            r = run_step(run, &st);
            if (!r) {
                r = mark_step(&run->cfg->secondary, k);
            }
        } else {
            r = 0;
        }
        k++;
    }
    if (r) {
        return r;
    }
    /* The close mark ends the operation without an erase: the record stays,
     * closed, until the next staging or revert clears the journal, so the
     * journal's sector is erased no more often than a slot sector. */
    r = finish(&run->cfg->primary, j);
    if (!r) {
        r = mark_step(&run->cfg->secondary, k);
    }
    return r;
}

int journal_resume(struct boot_run *run, enum journal_found *found)
{
    struct journal j;
    int valid;

    *found = JOURNAL_NONE;
    int err = journal_read(run->cfg, &run->lay, &j, &valid);
    if (err || !valid) {
        return err;
    }
    if (j.closed) {
        *found = JOURNAL_CLOSED; /* done; its request is used up */
        return 0;
    }
    /* B2: an interrupted operation is finished before anything else. */
    *found = JOURNAL_RESUMED;
    run->res->actions |= IFU_BOOT_DID_RESUME;
    boot_emit(run, IFU_BOOT_EV_RESUME, 0, 0);
    err = journal_run(run, &j);
    if (err) {
        return err;
    }
    if (j.op == JOP_REVERT) {
        run->res->actions |= IFU_BOOT_DID_REVERT;
        boot_emit(run, IFU_BOOT_EV_REVERTED, 0, 0);
    } else {
        run->res->actions |= IFU_BOOT_DID_INSTALL;
        boot_emit(run, IFU_BOOT_EV_INSTALLED, 0, 0);
    }
    return 0;
}

/* State of a mode that keeps a journal (swap, overwrite). */
int journal_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st)
{
    struct trailer pt;
    struct trailer stt;
    struct journal j;
    struct ifu_boot_layout lay;
    int valid = 0;

    int err = boot_mode_layout(cfg, &lay);
    if (!err) {
        err = tr_read(&cfg->primary, &pt);
    }
    if (!err) {
        err = tr_read(&cfg->secondary, &stt);
    }
    if (!err) {
        err = journal_read(cfg, &lay, &j, &valid);
    }
    if (err) {
        return err;
    }
    st->running = boot_running_state(&pt);
    /* A record, open or closed, means the request (if any) is taken. */
    st->pending = valid ? IFU_BOOT_STATE_NONE : boot_pending_state(&stt);
    st->in_progress = (uint8_t)(valid && !j.closed);
    /* Why the last staged image did not stay: refused before install (the
     * secondary's field), or its trial ended in a revert (the primary's).
     * The revert's reason belongs to the operation whose journal record is
     * still there; staging again erases the record, and the new image starts
     * with no refusal (the primary stays REVERTED until one is confirmed). */
    st->staged_err = stt.rejected                                      ? stt.reject_err
                     : st->running == IFU_BOOT_STATE_REVERTED && valid ? pt.reject_err
                                                                       : 0;
    return 0;
}

/* Swap and overwrite: a request is refused while a journal record exists (the
 * staged image was installed, or is being installed): stage it again. */
int journal_request_ok(const struct ifu_boot_config *cfg)
{
    struct ifu_boot_layout lay;
    struct journal j;
    int valid = 0;

    int err = boot_mode_layout(cfg, &lay);
    if (!err) {
        err = journal_read(cfg, &lay, &j, &valid);
    }
    return err ? err : valid ? IFU_ESTATE : 0;
}
