/* Paths of the boot engine the behaviour and power-loss tests do not take, each with what
 * include/ifu/boot.h and docs/DESIGN.md §7 promise there. One program per boot mode
 * (test_cov_boot_paths_<mode>):
 * - geometries a mode cannot lay out are IFU_ELAYOUT from every entry point, before any write;
 * - absent arguments and a bad configuration are IFU_EINVAL, before any flash operation;
 * - ifu_boot_check() refuses a result whose fields were changed after the boot;
 * - journal begin records this layout could not have written (bad CRC, another version, an
 *   unknown operation, sizes or headroom out of the layout) are no record: the request still
 *   installs; four of them leave no field to begin in, and the request is refused (IFU_ESTATE)
 *   with the running image kept, and so is a request over dirty step entries;
 * - a revert record whose reason byte is out of range reverts with IFU_ESTATE as the reason;
 * - a primary trailer with the magic only is not a trial;
 * - direct-XIP: a full tie boots slot A; a pending request is reported only over a header that
 *   parses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "boot_priv.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_image.h"
#include "util_priv.h"

#define SECTOR (4 * TU_KIB)

/* The begin record's fixed bytes (docs/DESIGN.md §7.3): "IFUJ", format version 1. */
#define REC_MAGIC   0x4a554649u
#define REC_VERSION 1u

static const struct tu_geom *const geom = &tu_geom_small;

static enum ifu_boot_mode mode;

static struct tu_rig *rig_new(const struct tu_geom *g)
{
    struct tu_rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_ifu(tu_rig_init(r, g, 11), 0);
    return r;
}

static void rig_free(struct tu_rig *r)
{
    tu_rig_free(r);
    free(r);
}

static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

/* Boot, which must succeed and run img from the given slot. */
static void boots(struct tu_rig *r, struct ifu_boot_result *res, unsigned slot,
                  const struct tu_image *img)
{
    assert_ifu(tu_rig_go(r, res), 0);
    assert_int_equal(res->slot, slot);
    assert_true(tu_rig_holds(r, slot, 0, img));
    assert_int_equal(res->info.total_size, img->len);
}

/* ---- geometries ---- */

struct bad_geom {
    struct tu_geom g;
    int want[3]; /* ifu_boot_layout() in overwrite, swap, xip */
};

/* The primary at offset 0, the secondary right after it, on the given sector runs. */
#define GEOM(nm, psize, ssize, ...)                                                                \
    {                                                                                              \
        .name = (nm), .runs = {__VA_ARGS__},                                                       \
        .run_count =                                                                               \
            sizeof((struct ifu_sector_run[]){__VA_ARGS__}) / sizeof(struct ifu_sector_run),        \
        .pri_size = (psize), .sec_off = (psize), .sec_size = (ssize), .write_size = 8,             \
        .erased = 0xff                                                                             \
    }

static int mode_index(void)
{
    return mode == IFU_BOOT_MODE_OVERWRITE ? 0 : mode == IFU_BOOT_MODE_SWAP ? 1 : 2;
}

static void test_geometries_a_mode_cannot_lay_out(void **state)
{
    (void)state;
    static const struct bad_geom cases[] = {
        /* The secondary's last sector (128 bytes) cannot hold the trailer (64) and the four
         * begin records (96) of a journal; XIP keeps no journal. */
        {.g = GEOM("small secondary end", 16 * SECTOR, 8 * SECTOR + 128, {SECTOR, 24}, {128, 1}),
         .want = {IFU_ELAYOUT, IFU_ELAYOUT, 0}},
        /* The primary's last sector (32 bytes) cannot hold its trailer (64). */
        {.g = GEOM("small primary end", 15 * SECTOR + 32, 17 * SECTOR, {SECTOR, 15}, {32, 1},
                   {SECTOR, 17}),
         .want = {IFU_ELAYOUT, IFU_ELAYOUT, IFU_ELAYOUT}},
        /* A secondary of one sector: the swap's headroom is all of it. */
        {.g =
             GEOM("one-sector secondary", 16 * SECTOR, 64 * TU_KIB, {SECTOR, 16}, {64 * TU_KIB, 1}),
         .want = {0, IFU_ELAYOUT, 0}},
        /* A secondary of one 200-byte sector: its last sector holds the trailer and the begin
         * records (160), but not the step entries after them. */
        {.g = GEOM("secondary smaller than its journal", 8 * SECTOR, 200, {SECTOR, 8}, {200, 1}),
         .want = {IFU_ELAYOUT, IFU_ELAYOUT, 0}},
        /* A primary of 88 bytes: 24 left after its trailer, less than an image header. */
        {.g = GEOM("88-byte primary", 88, 17 * SECTOR, {88, 1}, {SECTOR, 17}),
         .want = {IFU_ELAYOUT, IFU_ELAYOUT, IFU_ELAYOUT}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_geom *c = &cases[i];
        int want = c->want[mode_index()];
        struct tu_rig *r = rig_new(&c->g);
        struct ifu_boot_result res;
        struct ifu_boot_status st;
        print_message("%s: want %d\n", c->g.name, want);
        assert_ifu(r->layout_err, want);
        if (want != 0) {
            assert_ifu(tu_rig_go(r, &res), want);
            if (mode != IFU_BOOT_MODE_XIP) { /* a journal mode checks its layout here too */
                assert_ifu(ifu_boot_state(&r->cfg, &st), want);
                assert_ifu(ifu_boot_request(&r->cfg, IFU_BOOT_REQ_PERMANENT), want);
            }
            assert_int_equal(r->sim.stats.ops, 0); /* nothing written, nothing erased */
        }
        rig_free(r);
    }
}

/* ---- arguments ---- */

static void test_absent_arguments_and_bad_configuration(void **state)
{
    (void)state;
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_a());
    struct ifu_boot_layout lay;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_trailer_info tr[2];
    struct ifu_boot_journal_info jn;

    assert_ifu(ifu_boot_layout(&r->cfg, NULL), IFU_EINVAL);
    assert_ifu(ifu_boot_layout(NULL, &lay), IFU_EINVAL);
    assert_ifu(ifu_boot_go(NULL, &r->cfg, &res), IFU_EINVAL);
    assert_ifu(ifu_boot_go(&r->boot, &r->cfg, NULL), IFU_EINVAL);
    assert_ifu(ifu_boot_check(NULL), IFU_EINVAL);
    assert_ifu(ifu_boot_request(&r->cfg, (enum ifu_boot_request_kind)7), IFU_EINVAL);
    assert_ifu(ifu_boot_state(&r->cfg, NULL), IFU_EINVAL);
    assert_ifu(ifu_boot_inspect(&r->cfg, NULL, &jn), IFU_EINVAL);

    /* A secondary of no bytes: every entry point refuses the configuration. */
    struct ifu_boot_config bad = r->cfg;
    bad.secondary.size = 0;
    assert_ifu(ifu_boot_request(&bad, IFU_BOOT_REQ_PERMANENT), IFU_EINVAL);
    assert_ifu(ifu_boot_confirm(&bad), IFU_EINVAL);
    assert_ifu(ifu_boot_state(&bad, &st), IFU_EINVAL);
    assert_ifu(ifu_boot_inspect(&bad, tr, &jn), IFU_EINVAL);

    /* No keyring, or a keyring without its keys: nothing could verify. */
    struct ifu_boot_config nokeys = r->cfg;
    nokeys.keys = NULL;
    assert_ifu(ifu_boot_go(&r->boot, &nokeys, &res), IFU_EINVAL);
    const struct ifu_keyring empty = {NULL, 1};
    nokeys.keys = &empty;
    assert_ifu(ifu_boot_go(&r->boot, &nokeys, &res), IFU_EINVAL);
    assert_int_equal(r->sim.stats.ops, 0);
    assert_int_equal(r->sim.stats.reads, 0);

    /* The trailers alone (no journal asked for), then with the journal: XIP keeps none. */
    assert_ifu(ifu_boot_inspect(&r->cfg, tr, NULL), 0);
    assert_int_equal(tr[0].magic, 0);
    assert_int_equal(tr[1].magic, 0);
    memset(&jn, 0xa5, sizeof jn);
    assert_ifu(ifu_boot_inspect(&r->cfg, tr, &jn), 0);
    assert_int_equal(jn.open, 0);
    assert_int_equal(jn.steps_done, 0);
    boots(r, &res, 0, img_a());
    rig_free(r);
}

/* ---- ifu_boot_check ---- */

static void test_boot_check_refuses_a_changed_result(void **state)
{
    (void)state;
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_a());
    struct ifu_boot_result res;
    boots(r, &res, 0, img_a());
    assert_ifu(ifu_boot_check(&res), 0);

    struct ifu_boot_result x = res;
    x.entry_off += 4; /* a glitch moved the jump target */
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    x = res;
    x.slot ^= 1u;
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    x = res;
    x.info.hdr.img_size += 1;
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    x = res;
    x.verdict ^= 1u; /* the verdict and the check word no longer agree */
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    x = res;
    x.check = 0;
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    /* A failed boot's result is never accepted. */
    struct tu_rig *e = rig_new(geom);
    assert_ifu(tu_rig_go(e, &x), IFU_ENOIMAGE);
    assert_ifu(ifu_boot_check(&x), IFU_EFAULT);
    rig_free(e);
    rig_free(r);
}

/* ---- journal records ---- */

/* Program begin record field i of the secondary's journal as given (poked, as a damaged part
 * or a foreign writer would leave it). */
static void plant_record(struct tu_rig *r, uint32_t i, const uint8_t rec[JOURNAL_RECORD_LEN])
{
    struct tr_geo g;
    tr_geo_of(&r->cfg.secondary, &g);
    uint32_t off = r->cfg.secondary.size - tr_fixed_size(&g) - (i + 1) * g.record;
    ifu_sim_poke(&r->sim, r->cfg.secondary.off + off, rec, JOURNAL_RECORD_LEN);
}

struct rec_spec {
    const char *what;
    uint8_t op, version, reason;
    uint32_t old_size, new_size, headroom;
    int bad_crc;
};

static void make_record(const struct rec_spec *s, uint8_t rec[JOURNAL_RECORD_LEN])
{
    memset(rec, 0, JOURNAL_RECORD_LEN);
    ifu_put_le32(rec, REC_MAGIC);
    rec[4] = s->op;
    rec[5] = s->version;
    rec[6] = s->reason;
    ifu_put_le32(rec + 8, s->old_size);
    ifu_put_le32(rec + 12, s->new_size);
    ifu_put_le32(rec + 16, s->headroom);
    ifu_put_le32(rec + 20, ifu_crc32(rec, 20) ^ (s->bad_crc ? 1u : 0u));
}

/* A rig running A with B staged and requested for good. */
static struct tu_rig *rig_requested(void)
{
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_a());
    assert_ifu(tu_rig_stage(r, 1, tu_rig_stage_off(r), img_b()), 0);
    assert_ifu(ifu_boot_request(&r->cfg, IFU_BOOT_REQ_PERMANENT), 0);
    return r;
}

static void test_records_the_layout_could_not_have_written_are_ignored(void **state)
{
    (void)state;
    if (mode == IFU_BOOT_MODE_XIP) {
        skip(); /* direct-XIP keeps no journal */
    }
    struct tu_rig *probe = rig_new(geom);
    uint32_t max = probe->lay.max_image_size;
    uint32_t h = probe->lay.headroom;
    uint32_t n = img_b()->len;
    rig_free(probe);
    const struct rec_spec cases[] = {
        {"bad CRC", JOP_INSTALL_PERM, REC_VERSION, 0, 0, n, h, 1},
        {"version 2", JOP_INSTALL_PERM, 2, 0, 0, n, h, 0},
        {"operation 0", 0, REC_VERSION, 0, 0, n, h, 0},
        {"operation 5", JOP_REVERT + 1, REC_VERSION, 0, 0, n, h, 0},
        {"old size past the layout", JOP_INSTALL_PERM, REC_VERSION, 0, max + 1, n, h, 0},
        {"new size past the layout", JOP_INSTALL_PERM, REC_VERSION, 0, 0, max + 1, h, 0},
        {"foreign headroom", JOP_INSTALL_PERM, REC_VERSION, 0, 0, n, h + 8, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("%s\n", cases[i].what);
        struct tu_rig *r = rig_requested();
        uint8_t rec[JOURNAL_RECORD_LEN];
        make_record(&cases[i], rec);
        plant_record(r, 0, rec);
        /* Not a record: no operation in progress, the request stands. */
        struct ifu_boot_status st;
        struct ifu_boot_trailer_info tr[2];
        struct ifu_boot_journal_info jn;
        assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
        assert_int_equal(st.in_progress, 0);
        assert_int_equal(st.pending, IFU_BOOT_STATE_INSTALL_PERMANENT);
        assert_ifu(ifu_boot_inspect(&r->cfg, tr, &jn), 0);
        assert_int_equal(jn.open, 0);
        assert_int_equal(tr[1].magic, 1);
        /* The install begins in the next field and completes. */
        struct ifu_boot_result res;
        boots(r, &res, 0, img_b());
        assert_true((res.actions & IFU_BOOT_DID_INSTALL) != 0);
        assert_true((res.actions & (IFU_BOOT_DID_RESUME | IFU_BOOT_DID_REJECT)) == 0);
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        /* The request is used up: the next boot neither installs nor refuses anything. */
        assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
        assert_int_equal(st.pending, IFU_BOOT_STATE_NONE);
        boots(r, &res, 0, img_b());
        assert_int_equal(res.actions, 0);
        rig_free(r);

        /* A power cut in the middle of that install: the next boot finds the real record
         * behind the planted one and finishes the operation. */
        r = rig_requested();
        plant_record(r, 0, rec);
        ifu_sim_arm_cut(&r->sim, 30, IFU_SIM_CUT_CLEAN);
        assert_ifu(tu_rig_go(r, &res), IFU_EIO);
        ifu_sim_power_on(&r->sim);
        assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
        assert_int_equal(st.in_progress, 1);
        boots(r, &res, 0, img_b());
        assert_true((res.actions & IFU_BOOT_DID_RESUME) != 0);
        assert_true((res.actions & IFU_BOOT_DID_REJECT) == 0);
        rig_free(r);
    }
}

static void test_four_damaged_records_refuse_the_request_and_keep_the_image(void **state)
{
    (void)state;
    if (mode == IFU_BOOT_MODE_XIP) {
        skip();
    }
    struct tu_rig *r = rig_requested();
    const struct rec_spec bad = {"bad CRC", JOP_INSTALL_PERM, REC_VERSION, 0, 0, 100, 0, 1};
    uint8_t rec[JOURNAL_RECORD_LEN];
    make_record(&bad, rec);
    for (uint32_t i = 0; i < JOURNAL_BEGIN_SLOTS; i++) {
        plant_record(r, i, rec);
    }
    uint8_t *before = malloc(geom->pri_size);
    assert_non_null(before);
    memcpy(before, tu_rig_bytes(r, 0), geom->pri_size);
    struct ifu_boot_result res;
    boots(r, &res, 0, img_a());
    assert_memory_equal(before, tu_rig_bytes(r, 0), geom->pri_size);
    assert_true((res.actions & IFU_BOOT_DID_REJECT) != 0);
    assert_true((res.actions & IFU_BOOT_DID_INSTALL) == 0);
    assert_ifu(res.reject_err, IFU_ESTATE);
    struct ifu_boot_status st;
    assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
    assert_int_equal(st.pending, IFU_BOOT_STATE_NONE);
    assert_ifu(st.staged_err, IFU_ESTATE);
    /* The refusal is for good: the next boot neither retries nor refuses again. */
    boots(r, &res, 0, img_a());
    assert_int_equal(res.actions, 0);
    free(before);
    rig_free(r);
}

/* A programmed bit among the step entries with no begin record before them would read as a
 * step done: the install does not begin, the request is refused (IFU_ESTATE) and the running
 * image stays. */
static void test_dirty_step_entries_refuse_the_request_and_keep_the_image(void **state)
{
    (void)state;
    if (mode == IFU_BOOT_MODE_XIP) {
        skip();
    }
    struct tu_rig *r = rig_requested();
    struct tr_geo g;
    tr_geo_of(&r->cfg.secondary, &g);
    uint32_t step0 = r->cfg.secondary.size - tr_fixed_size(&g) - JOURNAL_BEGIN_SLOTS * g.record -
                     g.write; /* step entry 0, the first one written */
    const uint8_t dirt = 0x00;
    ifu_sim_poke(&r->sim, r->cfg.secondary.off + step0, &dirt, 1);
    struct ifu_boot_result res;
    boots(r, &res, 0, img_a());
    assert_true((res.actions & IFU_BOOT_DID_REJECT) != 0);
    assert_true((res.actions & IFU_BOOT_DID_INSTALL) == 0);
    assert_ifu(res.reject_err, IFU_ESTATE);
    boots(r, &res, 0, img_a());
    assert_int_equal(res.actions, 0);
    rig_free(r);
}

static void test_revert_record_with_reason_out_of_range_reverts_with_estate(void **state)
{
    (void)state;
    if (mode == IFU_BOOT_MODE_XIP) {
        skip();
    }
    /* B runs in the primary, A is saved at secondary offset 0, and an open revert record says
     * A goes back; its reason byte (200) is no error code. */
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_b());
    tu_rig_poke_image(r, 1, 0, img_a());
    const struct rec_spec rv = {"revert", JOP_REVERT, REC_VERSION, 200, 0, img_a()->len, 0, 0};
    uint8_t rec[JOURNAL_RECORD_LEN];
    make_record(&rv, rec);
    plant_record(r, 0, rec);

    struct ifu_boot_status st;
    assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
    assert_int_equal(st.in_progress, 1);
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(r, &res), 0);
    assert_int_equal(res.slot, 0);
    assert_true(tu_rig_holds(r, 0, 0, img_a()));
    assert_true((res.actions & IFU_BOOT_DID_RESUME) != 0);
    assert_true((res.actions & IFU_BOOT_DID_REVERT) != 0);
    assert_int_equal(res.state, IFU_BOOT_STATE_REVERTED);
    assert_ifu(ifu_boot_state(&r->cfg, &st), 0);
    assert_int_equal(st.in_progress, 0);
    assert_int_equal(st.running, IFU_BOOT_STATE_REVERTED);
    assert_ifu(st.staged_err, IFU_ESTATE);
    rig_free(r);
}

/* ---- trailers ---- */

static void test_primary_magic_alone_is_not_a_trial(void **state)
{
    (void)state;
    /* The magic as a request writes it, copied to the end of the primary, with no other
     * flag: not a trial (no copy_done), nothing to revert. */
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_a());
    struct ifu_boot_config app;
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(tu_rig_stage(r, 1, tu_rig_stage_off(r), img_b()), 0);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_PERMANENT), 0);
    const uint8_t *sec_end = tu_rig_bytes(r, 1) + geom->sec_size - BOOT_MAGIC_SIZE;
    ifu_sim_poke(&r->sim, geom->pri_off + geom->pri_size - BOOT_MAGIC_SIZE, sec_end,
                 BOOT_MAGIC_SIZE);
    assert_ifu(ifu_area_erase(&r->cfg.secondary, 0, geom->sec_size), 0);

    struct ifu_boot_status st;
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_int_equal(st.running, IFU_BOOT_STATE_CONFIRMED);
    assert_int_equal(st.pending, IFU_BOOT_STATE_NONE);
    if (mode != IFU_BOOT_MODE_XIP) { /* in XIP the magic alone is a request for slot A */
        struct ifu_boot_result res;
        boots(r, &res, 0, img_a());
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        assert_int_equal(res.actions, 0);
        boots(r, &res, 0, img_a());
        assert_int_equal(res.actions, 0);
    }
    rig_free(r);
}

/* With a 32-byte write unit the magic field is 32 bytes and the magic its last 16: a field
 * whose first half holds something is no place for a magic, and the request is refused, with
 * nothing of it taking effect at the next reset. */
static void test_request_over_a_dirty_magic_field_is_refused(void **state)
{
    (void)state;
    struct tu_geom g32 = *geom;
    g32.write_size = 32;
    struct tu_rig *r = rig_new(&g32);
    assert_ifu(r->layout_err, 0);
    tu_rig_poke_image(r, 0, 0, img_a());
    assert_ifu(tu_rig_stage(r, 1, tu_rig_stage_off(r), img_b()), 0);
    const uint8_t dirt = 0x5a;
    ifu_sim_poke(&r->sim, g32.sec_off + g32.sec_size - 32, &dirt, 1);
    struct ifu_boot_config app;
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_PERMANENT), IFU_ESTATE);
    struct ifu_boot_status st;
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_int_equal(st.pending, IFU_BOOT_STATE_NONE);
    struct ifu_boot_result res;
    boots(r, &res, 0, img_a());
    assert_true((res.actions & (IFU_BOOT_DID_INSTALL | IFU_BOOT_DID_TRIAL)) == 0);
    assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
    rig_free(r);
}

/* ---- direct-XIP ---- */

static void test_xip_full_tie_boots_slot_a(void **state)
{
    (void)state;
    if (mode != IFU_BOOT_MODE_XIP) {
        skip();
    }
    /* The same version in both slots, each requested for good: slot A wins the tie. */
    struct tu_rig *r = rig_new(geom);
    struct ifu_boot_config app;
    for (unsigned slot = 0; slot < 2; slot++) {
        tu_rig_poke_image(r, slot, 0, img_a());
        tu_rig_app_cfg(r, 1 - slot, &app);
        assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_PERMANENT), 0);
    }
    struct ifu_boot_result res;
    boots(r, &res, 0, img_a());
    assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
    assert_true((res.actions & (IFU_BOOT_DID_REJECT | IFU_BOOT_DID_TRIAL)) == 0);
    boots(r, &res, 0, img_a());
    rig_free(r);
}

static void test_xip_pending_request_needs_a_header_that_parses(void **state)
{
    (void)state;
    if (mode != IFU_BOOT_MODE_XIP) {
        skip();
    }
    struct ifu_boot_config app;
    struct ifu_boot_status st;
    struct ifu_boot_result res;

    /* A request over bytes that are no image header: nothing is pending. */
    struct tu_rig *r = rig_new(geom);
    tu_rig_poke_image(r, 0, 0, img_a());
    static const uint8_t junk[64] = {0x12, 0x34, 0x56, 0x78};
    assert_ifu(ifu_area_prog(&r->cfg.secondary, 0, junk, sizeof junk), 0);
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_int_equal(st.pending, IFU_BOOT_STATE_NONE);
    boots(r, &res, 0, img_a()); /* and the bootloader refuses it */
    assert_true((res.actions & IFU_BOOT_DID_REJECT) != 0);
    assert_true((r->rejected_slots & 2u) != 0);
    rig_free(r);

    /* A request in slot B while slot A holds no image: pending, whatever its version. */
    r = rig_new(geom);
    tu_rig_poke_image(r, 1, 0, img_a());
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_int_equal(st.pending, IFU_BOOT_STATE_INSTALL_TEST);
    boots(r, &res, 1, img_a());
    assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometries_a_mode_cannot_lay_out),
        cmocka_unit_test(test_absent_arguments_and_bad_configuration),
        cmocka_unit_test(test_boot_check_refuses_a_changed_result),
        cmocka_unit_test(test_records_the_layout_could_not_have_written_are_ignored),
        cmocka_unit_test(test_four_damaged_records_refuse_the_request_and_keep_the_image),
        cmocka_unit_test(test_dirty_step_entries_refuse_the_request_and_keep_the_image),
        cmocka_unit_test(test_revert_record_with_reason_out_of_range_reverts_with_estate),
        cmocka_unit_test(test_primary_magic_alone_is_not_a_trial),
        cmocka_unit_test(test_request_over_a_dirty_magic_field_is_refused),
        cmocka_unit_test(test_xip_full_tie_boots_slot_a),
        cmocka_unit_test(test_xip_pending_request_needs_a_header_that_parses),
    };
    mode = ifu_boot_mode();
    char name[32];
    snprintf(name, sizeof name, "cov_boot_paths_%s", tu_boot_mode_name());
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
