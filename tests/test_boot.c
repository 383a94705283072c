/* The boot engine (include/ifu/boot.h, docs/DESIGN.md §7), one program per
 * mode: test_boot_overwrite, test_boot_swap and test_boot_xip link the same
 * tests against ifu_boot_<mode> and pick expectations with ifu_boot_mode().
 * Images are signed by the project's CLI (tests/support/tu_image.c); the
 * flash is the simulator (port/sim). Power cuts: tests/pl_boot.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "tu_boot.h"
#include "tu_image.h"

#define KIB TU_KIB

#define M_OVERWRITE (1u << IFU_BOOT_MODE_OVERWRITE)
#define M_SWAP      (1u << IFU_BOOT_MODE_SWAP)
#define M_XIP       (1u << IFU_BOOT_MODE_XIP)
#define M_ALL       (M_OVERWRITE | M_SWAP | M_XIP)

static enum ifu_boot_mode mode;

/* The same with 32-byte writes (MCUboot's BOOT_MAX_ALIGN 32 trailer). */
static const struct tu_geom u4k_w32 = {
    .name = "u4k-w32",
    .runs = {{4 * KIB, 40}},
    .run_count = 1,
    .pri_off = 0,
    .pri_size = 16 * 4 * KIB,
    .sec_off = 16 * 4 * KIB,
    .sec_size = 17 * 4 * KIB,
    .write_size = 32,
    .erased = 0xff,
};

/* STM32F4-like: primary {16K,4},{64K,1},{128K,3}; secondary {128K,5}. */
static const struct tu_geom f4 = {
    .name = "f4",
    .runs = {{16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 8}},
    .run_count = 3,
    .pri_off = 0,
    .pri_size = 512 * KIB,
    .sec_off = 512 * KIB,
    .sec_size = 640 * KIB,
    .write_size = 8,
    .erased = 0xff,
};

/* The F4 map the other way round: big primary sectors, small ones first in
 * the secondary. The offset swap cannot move it (DESIGN.md §7.4). */
static const struct tu_geom f4_reversed = {
    .name = "f4-reversed",
    .runs = {{128 * KIB, 3}, {16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 3}},
    .run_count = 4,
    .pri_off = 0,
    .pri_size = 384 * KIB,
    .sec_off = 384 * KIB,
    .sec_size = 512 * KIB,
    .write_size = 8,
    .erased = 0xff,
};

/* The images: A runs, B is the update. */
static const struct tu_image *img_a(void)
{
    return tu_image(30000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(36000, "2.0.0");
}

static const char *state_name(enum ifu_boot_state s)
{
    static const char *names[] = {"NONE",    "INSTALL_TEST", "INSTALL_PERMANENT",
                                  "TESTING", "CONFIRMED",    "REVERTED"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

#define assert_state(got, want)                                                                    \
    do {                                                                                           \
        if ((got) != (want)) {                                                                     \
            fail_msg("state %s, want %s", state_name(got), state_name(want));                      \
        }                                                                                          \
    } while (0)

/* MCUboot's trailer, from docs/FORMAT.md §6, computed here independently of
 * the engine: A = BOOT_MAX_ALIGN = max(8, write size), M = align_up(16, A). */
static uint32_t mcu_align(const struct tu_rig *r)
{
    return r->sim.flash.write_size > 8 ? r->sim.flash.write_size : 8;
}

static uint32_t mcu_image_ok_off(const struct tu_rig *r, unsigned slot)
{
    uint32_t a = mcu_align(r);
    uint32_t m = a > 16 ? a : 16;
    return tu_rig_slot(r, slot)->size - m - a;
}

static void mcu_magic(const struct tu_rig *r, uint8_t out[16])
{
    static const uint8_t a8[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                   0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
    static const uint8_t tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                     0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};
    uint32_t a = mcu_align(r);
    if (a == 8) {
        memcpy(out, a8, 16);
    } else {
        out[0] = (uint8_t)a;
        out[1] = (uint8_t)(a >> 8);
        memcpy(out + 2, tail, sizeof tail);
    }
}

/* What MCUboot's boot_write_magic / boot_write_image_ok put on flash. */
static void poke_mcu_magic(struct tu_rig *r, unsigned slot)
{
    uint8_t m[16];
    mcu_magic(r, m);
    const struct ifu_area *a = tu_rig_slot(r, slot);
    ifu_sim_poke(&r->sim, a->off + a->size - 16, m, 16);
}

static void poke_mcu_image_ok(struct tu_rig *r, unsigned slot)
{
    uint8_t one = 0x01;
    ifu_sim_poke(&r->sim, tu_rig_slot(r, slot)->off + mcu_image_ok_off(r, slot), &one, 1);
}

/* ifu's own trial flag (DESIGN.md §7.2): S - M - 5A. */
static void poke_ifu_trial(struct tu_rig *r, unsigned slot)
{
    uint8_t one = 0x01;
    uint32_t a = mcu_align(r);
    ifu_sim_poke(&r->sim, tu_rig_slot(r, slot)->off + mcu_image_ok_off(r, slot) - 4 * a, &one, 1);
}

/* Where the staged image goes: secondary at the headroom. */
static unsigned stage_slot(void)
{
    return 1;
}

/* The slot the installed image runs from after an update. */
static unsigned new_slot(void)
{
    return mode == IFU_BOOT_MODE_XIP ? 1 : 0;
}

/* XIP: slot A as an earlier test update left it once confirmed: magic,
 * trial and image_ok. */
static void xip_confirmed_after_trial(struct tu_rig *r, unsigned slot)
{
    poke_mcu_magic(r, slot);
    poke_ifu_trial(r, slot);
    poke_mcu_image_ok(r, slot);
}

/* A rig with A running: in swap and overwrite a factory image (no trailer);
 * in XIP an image confirmed by an earlier update, so that a staged higher
 * version does not boot before it is requested. */
static void rig_start(struct tu_rig *r, const struct tu_geom *g)
{
    assert_int_equal(tu_rig_init(r, g, 1), 0);
    assert_ifu(r->layout_err, 0);
    tu_rig_poke_image(r, 0, 0, img_a());
    if (mode == IFU_BOOT_MODE_XIP) {
        xip_confirmed_after_trial(r, 0);
    }
}

static void stage(struct tu_rig *r, const struct tu_image *img)
{
    tu_rig_poke_image(r, stage_slot(), tu_rig_stage_off(r), img);
}

static void request(struct tu_rig *r, enum ifu_boot_request_kind kind)
{
    struct ifu_boot_config app;
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(ifu_boot_request(&app, kind), 0);
}

static void confirm_running(struct tu_rig *r, unsigned running)
{
    struct ifu_boot_config app;
    tu_rig_app_cfg(r, running, &app);
    assert_ifu(ifu_boot_confirm(&app), 0);
}

static void go_ok(struct tu_rig *r, struct ifu_boot_result *res)
{
    assert_ifu(tu_rig_go(r, res), 0);
    assert_int_equal(res->image_off, tu_rig_slot(r, res->slot)->off);
    assert_int_equal(res->entry_off, res->image_off + TU_IMAGE_HDR_SIZE);
}

/* The named slot is slot and holds img, exactly (a macro, so that a failure
 * names the test's line). */
#define assert_boots(r, res, slot_, img)                                                           \
    do {                                                                                           \
        const struct tu_image *img_ = (img);                                                       \
        if ((res)->slot != (slot_) || (res)->info.total_size != img_->len ||                       \
            !tu_rig_holds((r), (slot_), 0, img_)) {                                                \
            fail_msg("booted slot %u (%u bytes), want slot %u holding the %u-byte image",          \
                     (res)->slot, (unsigned)(res)->info.total_size, (unsigned)(slot_),             \
                     (unsigned)img_->len);                                                         \
        }                                                                                          \
    } while (0)

static uint8_t *copy_slot(const struct tu_rig *r, unsigned slot)
{
    uint32_t size = tu_rig_slot(r, slot)->size;
    uint8_t *p = malloc(size);
    assert_non_null(p);
    memcpy(p, tu_rig_bytes(r, slot), size);
    return p;
}

static void assert_slot_unchanged(const struct tu_rig *r, unsigned slot, const uint8_t *before)
{
    assert_memory_equal(tu_rig_bytes(r, slot), before, tu_rig_slot(r, slot)->size);
}

/* ---- layout ---- */

static void test_boot_layout_uniform_4k_has_one_sector_headroom_and_exact_max_image(void **state)
{
    struct tu_rig r;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    assert_ifu(r.layout_err, 0);
    /* A = 8, M = 16: flag fields M + 6A = 64 bytes; journal 4 records of
     * R = 24 bytes, one W = 8 entry per sector of both slots and the close
     * mark. */
    switch (mode) {
    case IFU_BOOT_MODE_SWAP:
        assert_int_equal(r.lay.headroom, 4 * KIB);
        assert_int_equal(r.lay.max_steps, 16 + 17);
        assert_int_equal(r.lay.primary_trailer, 64);
        assert_int_equal(r.lay.secondary_trailer, 64 + 4 * 24 + 34 * 8);
        assert_int_equal(r.lay.max_image_size, 16 * 4 * KIB - (64 + 4 * 24 + 34 * 8));
        break;
    case IFU_BOOT_MODE_OVERWRITE:
        assert_int_equal(r.lay.headroom, 0);
        assert_int_equal(r.lay.max_steps, 16);
        assert_int_equal(r.lay.secondary_trailer, 64 + 4 * 24 + 17 * 8);
        assert_int_equal(r.lay.max_image_size, 16 * 4 * KIB - 64);
        break;
    default:
        assert_int_equal(r.lay.headroom, 0);
        assert_int_equal(r.lay.primary_trailer, 64);
        assert_int_equal(r.lay.max_image_size, 16 * 4 * KIB - 64);
        break;
    }
    tu_rig_free(&r);
}

/* An image of exactly max_image_size installs; one byte more is refused
 * without touching the running image. */
static void test_boot_installs_image_of_exactly_max_size_and_refuses_one_byte_more(void **state)
{
    (void)state;
    /* XIP: see test_boot_xip_refuses_image_larger_than_max_image_size. */
    int extras = mode == IFU_BOOT_MODE_XIP ? 0 : 1;
    for (int extra = 0; extra <= extras; extra++) {
        struct tu_rig r;
        struct ifu_boot_result res;
        rig_start(&r, &tu_geom_u4k);
        const struct tu_image *probe = tu_image(1000, "2.0.0");
        uint32_t overhead = probe->len - 1000;
        const struct tu_image *big =
            tu_image(r.lay.max_image_size - overhead + (uint32_t)extra, "2.0.0");
        assert_int_equal(big->len, r.lay.max_image_size + (uint32_t)extra);
        /* Plant what fits below the trailer: the header tells the size. */
        uint32_t off = tu_rig_stage_off(&r);
        uint32_t room = r.cfg.secondary.size - r.lay.secondary_trailer - off;
        ifu_sim_poke(&r.sim, r.cfg.secondary.off + off, big->data,
                     big->len < room ? big->len : room);
        request(&r, IFU_BOOT_REQ_PERMANENT);
        uint8_t *before = copy_slot(&r, 0);
        go_ok(&r, &res);
        if (extra == 0) {
            assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, 0);
            assert_boots(&r, &res, new_slot(), big);
            assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
        } else {
            assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
            assert_ifu(res.reject_err, IFU_ENOSPC);
            assert_boots(&r, &res, 0, img_a());
            assert_slot_unchanged(&r, 0, before);
        }
        free(before);
        tu_rig_free(&r);
    }
}

static void test_boot_layout_accepts_stm32f4_mixed_map_with_128k_headroom(void **state)
{
    struct tu_rig r;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &f4, 1), 0);
    assert_ifu(r.layout_err, 0);
    if (mode == IFU_BOOT_MODE_SWAP) {
        assert_int_equal(r.lay.headroom, 128 * KIB);
        assert_int_equal(r.lay.max_steps, 8 + 5);
        assert_int_equal(r.lay.max_image_size, 512 * KIB - (64 + 4 * 24 + 14 * 8));
    } else {
        assert_int_equal(r.lay.headroom, 0);
    }
    tu_rig_free(&r);
}

/* The whole update cycle on the STM32F4-like map: request, boot, confirm. */
static void test_boot_updates_on_stm32f4_mixed_map(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &f4, 1), 0);
    const struct tu_image *a = tu_image(70000, "1.0.0");
    const struct tu_image *b = tu_image(150000, "2.0.0");
    tu_rig_poke_image(&r, 0, 0, a);
    if (mode == IFU_BOOT_MODE_XIP) {
        xip_confirmed_after_trial(&r, 0);
    }
    stage(&r, b);
    request(&r, mode == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST);
    go_ok(&r, &res);
    assert_boots(&r, &res, new_slot(), b);
    if (mode != IFU_BOOT_MODE_OVERWRITE) {
        assert_state(res.state, IFU_BOOT_STATE_TESTING);
        go_ok(&r, &res); /* no confirm: back to a */
        assert_boots(&r, &res, 0, a);
        assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    }
    assert_int_equal(r.sim.stats.prog_over, 0);
    assert_int_equal(r.sim.stats.misuse, 0);
    tu_rig_free(&r);
}

static void test_boot_layout_of_reversed_mixed_map_is_elayout_in_swap_only(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &f4_reversed, 1), 0);
    if (mode == IFU_BOOT_MODE_SWAP) {
        assert_ifu(r.layout_err, IFU_ELAYOUT);
        tu_rig_poke_image(&r, 0, 0, img_a());
        ifu_sim_reset_stats(&r.sim);
        assert_ifu(tu_rig_go(&r, &res), IFU_ELAYOUT);
        assert_int_equal(r.sim.stats.ops, 0);
        assert_int_equal(r.recovery_calls, 0);
    } else {
        assert_ifu(r.layout_err, 0);
    }
    tu_rig_free(&r);
}

static void test_boot_layout_refuses_unaligned_or_overlapping_slots_with_einval(void **state)
{
    struct tu_rig r;
    struct tu_rig other;
    struct ifu_boot_layout lay;
    struct ifu_boot_result res;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    struct tu_rig wide;
    struct tu_geom g = tu_geom_u4k;
    g.erased = 0x00;
    assert_int_equal(tu_rig_init(&other, &g, 1), 0);
    g = tu_geom_u4k;
    g.write_size = 32;
    assert_int_equal(tu_rig_init(&wide, &g, 1), 0);
    struct ifu_area p = r.cfg.primary;
    struct ifu_area s = r.cfg.secondary;
    struct {
        const char *what;
        struct ifu_area pri, sec;
    } cases[] = {
        {"primary starts mid-sector", {p.flash, 2 * KIB, p.size}, s},
        {"primary ends mid-sector", {p.flash, 0, p.size - 2 * KIB}, s},
        {"secondary starts mid-sector", p, {s.flash, s.off + 512, s.size - 4 * KIB}},
        {"secondary past the device end", p, {s.flash, s.off, 40 * 4 * KIB}},
        {"empty primary", {p.flash, 0, 0}, s},
        {"slots overlap by one sector", p, {s.flash, s.off - 4 * KIB, s.size}},
        {"secondary inside primary", p, {s.flash, 4 * KIB, 4 * 4 * KIB}},
        {"same area twice", p, p},
        {"flashes with other erased values", p, {&other.sim.flash, s.off, s.size}},
        {"flashes with other write sizes", p, {&wide.sim.flash, s.off, s.size}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ifu_boot_config cfg = r.cfg;
        cfg.primary = cases[i].pri;
        cfg.secondary = cases[i].sec;
        int err = ifu_boot_layout(&cfg, &lay);
        if (err != IFU_EINVAL) {
            fail_msg("%s: layout gives %s", cases[i].what, ifu_strerror(err));
        }
        ifu_sim_reset_stats(&r.sim);
        err = ifu_boot_go(&r.boot, &cfg, &res);
        if (err != IFU_EINVAL || r.sim.stats.ops != 0) {
            fail_msg("%s: go gives %s after %u ops", cases[i].what, ifu_strerror(err),
                     (unsigned)r.sim.stats.ops);
        }
    }
    tu_rig_free(&wide);
    tu_rig_free(&other);
    tu_rig_free(&r);
}

/* ---- install, trial, confirm, revert ---- */

static void install_test(struct tu_rig *r, struct ifu_boot_result *res)
{
    struct ifu_boot_status st;
    struct ifu_boot_config app;

    stage(r, img_b());
    request(r, IFU_BOOT_REQ_TEST);
    tu_rig_app_cfg(r, 0, &app);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.pending, IFU_BOOT_STATE_INSTALL_TEST);
    go_ok(r, res);
    assert_boots(r, res, new_slot(), img_b());
    assert_state(res->state, IFU_BOOT_STATE_TESTING);
    uint32_t want = IFU_BOOT_DID_TRIAL | (mode == IFU_BOOT_MODE_SWAP ? IFU_BOOT_DID_INSTALL : 0);
    assert_int_equal(res->actions, want);
}

static void test_boot_install_test_boots_new_image_on_trial(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_config app;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    tu_rig_app_cfg(&r, new_slot(), &app);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.running, IFU_BOOT_STATE_TESTING);
    assert_state(st.pending, IFU_BOOT_STATE_NONE);
    assert_int_equal(st.in_progress, 0);
    tu_rig_free(&r);
}

static void test_boot_unconfirmed_trial_reverts_at_next_boot(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    uint8_t *before = copy_slot(&r, 0);
    install_test(&r, &res);
    go_ok(&r, &res);
    assert_int_equal(res.actions, IFU_BOOT_DID_REVERT);
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    assert_boots(&r, &res, 0, img_a());
    if (mode == IFU_BOOT_MODE_XIP) {
        /* Nothing moved: only slot B's trailer flags changed. */
        assert_memory_equal(tu_rig_bytes(&r, 0), before, r.cfg.primary.size);
    }
    /* Reverted stays reverted, and costs nothing. */
    ifu_sim_reset_stats(&r.sim);
    go_ok(&r, &res);
    assert_int_equal(res.actions, 0);
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    assert_boots(&r, &res, 0, img_a());
    assert_int_equal(r.sim.stats.ops, 0);
    free(before);
    tu_rig_free(&r);
}

static void test_boot_confirmed_image_stays_confirmed_across_boots(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_config app;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    confirm_running(&r, res.slot);
    tu_rig_app_cfg(&r, res.slot, &app);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.running, IFU_BOOT_STATE_CONFIRMED);
    for (int i = 0; i < 3; i++) {
        ifu_sim_reset_stats(&r.sim);
        go_ok(&r, &res);
        assert_int_equal(res.actions, 0);
        assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
        assert_boots(&r, &res, new_slot(), img_b());
        assert_int_equal(r.sim.stats.ops, 0);
    }
    /* Confirming again is a no-op. */
    ifu_sim_reset_stats(&r.sim);
    confirm_running(&r, res.slot);
    assert_int_equal(r.sim.stats.ops, 0);
    tu_rig_free(&r);
}

static void test_boot_install_permanent_boots_new_image_confirmed(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    stage(&r, img_b());
    request(&r, IFU_BOOT_REQ_PERMANENT);
    go_ok(&r, &res);
    assert_boots(&r, &res, new_slot(), img_b());
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
    assert_int_equal(res.actions, mode == IFU_BOOT_MODE_XIP ? 0 : IFU_BOOT_DID_INSTALL);
    for (int i = 0; i < 2; i++) {
        ifu_sim_reset_stats(&r.sim);
        go_ok(&r, &res);
        assert_int_equal(res.actions, 0);
        assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
        assert_boots(&r, &res, new_slot(), img_b());
        assert_int_equal(r.sim.stats.ops, 0);
    }
    tu_rig_free(&r);
}

/* ---- refusals ---- */

/* Stage bad, request it, boot: refused for why, A boots, slot A unchanged. */
static void refuse_staged(const struct tu_image *bad, uint32_t plant_len, int why)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    rig_start(&r, &tu_geom_u4k);
    ifu_sim_poke(&r.sim, r.cfg.secondary.off + tu_rig_stage_off(&r), bad->data, plant_len);
    request(&r, mode == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST);
    uint8_t *before = copy_slot(&r, 0);
    go_ok(&r, &res);
    assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
    assert_int_equal(res.actions & (IFU_BOOT_DID_INSTALL | IFU_BOOT_DID_TRIAL), 0);
    assert_ifu(res.reject_err, why);
    assert_boots(&r, &res, 0, img_a());
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
    assert_slot_unchanged(&r, 0, before);
    assert_true(r.rejected_slots == 2u);
    /* The application reads why; the request is void, so the next boot
     * does nothing. */
    assert_ifu(ifu_boot_state(&r.cfg, &st), 0);
    assert_state(st.pending, IFU_BOOT_STATE_NONE);
    assert_ifu(st.staged_err, why);
    ifu_sim_reset_stats(&r.sim);
    go_ok(&r, &res);
    assert_int_equal(res.actions, 0);
    assert_boots(&r, &res, 0, img_a());
    assert_int_equal(r.sim.stats.ops, 0);
    free(before);
    tu_rig_free(&r);
}

static void test_boot_refuses_tampered_staged_image_and_keeps_primary(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct tu_image bad = *b;
    uint8_t *copy = malloc(b->len);
    assert_non_null(copy);
    memcpy(copy, b->data, b->len);
    copy[TU_IMAGE_HDR_SIZE + 1000] ^= 0x10;
    bad.data = copy;
    refuse_staged(&bad, bad.len, IFU_EHASH);
    free(copy);
}

static void test_boot_refuses_staged_image_signed_by_untrusted_key(void **state)
{
    (void)state;
    struct tu_image_spec s = {.key = TU_KEY_UNTRUSTED, .payload = 36000, .version = "2.0.0"};
    const struct tu_image *img = tu_image_get(&s);
    refuse_staged(img, img->len, IFU_ENOKEY);
}

static void test_boot_refuses_staged_image_larger_than_max_image_size(void **state)
{
    struct tu_rig r;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    uint32_t size = r.cfg.secondary.size;
    tu_rig_free(&r);
    /* Only the first 32 KiB are planted: the header alone says "too big". */
    refuse_staged(tu_image(size, "2.0.0"), 32 * KIB, IFU_ENOSPC);
}

static void
test_boot_with_no_valid_image_returns_enoimage_calls_recovery_once_erases_nothing(void **state)
{
    (void)state;
    /* 0: both slots erased; 1: both damaged; 2: both damaged, the staged
     * one requested (refusing it programs a flag, and still erases nothing). */
    for (int variant = 0; variant < 3; variant++) {
        struct tu_rig r;
        struct ifu_boot_result res;
        assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
        if (variant >= 1) {
            /* Both slots hold images with one flipped bit each. */
            tu_rig_poke_image(&r, 0, 0, img_a());
            tu_rig_poke_image(&r, 1, tu_rig_stage_off(&r), img_b());
            uint8_t x = (uint8_t)(tu_rig_bytes(&r, 0)[TU_IMAGE_HDR_SIZE] ^ 1);
            ifu_sim_poke(&r.sim, r.cfg.primary.off + TU_IMAGE_HDR_SIZE, &x, 1);
            uint32_t boff = r.cfg.secondary.off + tu_rig_stage_off(&r) + TU_IMAGE_HDR_SIZE;
            x = (uint8_t)(r.sim.mem[boff] ^ 1);
            ifu_sim_poke(&r.sim, boff, &x, 1);
        }
        if (variant == 2) {
            request(&r, IFU_BOOT_REQ_PERMANENT);
        }
        ifu_sim_reset_stats(&r.sim);
        assert_ifu(tu_rig_go(&r, &res), IFU_ENOIMAGE);
        assert_int_equal(r.recovery_calls, 1);
        assert_int_equal(r.ev_count[IFU_BOOT_EV_BOOT], 0);
        assert_int_equal(r.ev_count[IFU_BOOT_EV_NO_IMAGE], 1);
        assert_int_equal(r.sim.stats.erases, 0);
        /* XIP: a permanent request (magic + image_ok) reads like a confirmed
         * image, which a failed verification never marks: skipped, no write. */
        if (variant < 2 || mode == IFU_BOOT_MODE_XIP) {
            assert_int_equal(r.sim.stats.ops, 0);
        } else {
            assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
            assert_ifu(res.reject_err, IFU_EHASH);
        }
        tu_rig_free(&r);
    }
}

static void test_boot_ignores_secondary_with_corrupt_trailer_magic(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    (void)state;
    for (int byte = 0; byte < 16; byte += 15) {
        rig_start(&r, &tu_geom_u4k);
        stage(&r, img_b());
        uint8_t m[16];
        mcu_magic(&r, m);
        m[byte] ^= 0x01;
        ifu_sim_poke(&r.sim, r.cfg.secondary.off + r.cfg.secondary.size - 16, m, 16);
        assert_ifu(ifu_boot_state(&r.cfg, &st), 0);
        assert_state(st.pending, IFU_BOOT_STATE_NONE);
        ifu_sim_reset_stats(&r.sim);
        go_ok(&r, &res);
        assert_int_equal(res.actions, 0);
        assert_boots(&r, &res, 0, img_a());
        assert_int_equal(r.sim.stats.ops, 0);
        tu_rig_free(&r);
    }
}

/* ---- erase counts (B3) ---- */

static uint32_t *erase_counts(const struct tu_rig *r)
{
    uint32_t *c = malloc(r->sim.sector_count * sizeof *c);
    assert_non_null(c);
    memcpy(c, r->sim.sector_erases, r->sim.sector_count * sizeof *c);
    return c;
}

/* Erases since before: each sector at most once; returns the total. */
static uint32_t erases_since(const struct tu_rig *r, const uint32_t *before)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < r->sim.sector_count; i++) {
        uint32_t d = r->sim.sector_erases[i] - before[i];
        if (d > 1) {
            fail_msg("sector %u erased %u times", (unsigned)i, (unsigned)d);
        }
        total += d;
    }
    return total;
}

static void test_boot_erases_each_sector_at_most_once_per_upgrade(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    const struct tu_geom *geoms[] = {&tu_geom_u4k, &f4};
    for (size_t gi = 0; gi < 2; gi++) {
        const struct tu_geom *g = geoms[gi];
        assert_int_equal(tu_rig_init(&r, g, 1), 0);
        const struct tu_image *a = gi == 0 ? img_a() : tu_image(70000, "1.0.0");
        const struct tu_image *b = gi == 0 ? img_b() : tu_image(150000, "2.0.0");
        tu_rig_poke_image(&r, 0, 0, a);
        if (mode == IFU_BOOT_MODE_XIP) {
            poke_mcu_magic(&r, 0);
            poke_mcu_image_ok(&r, 0);
        }
        stage(&r, b);
        /* n: primary sectors under the larger image. */
        uint32_t n = 0;
        for (uint32_t off = 0; off < (a->len > b->len ? a->len : b->len);) {
            uint32_t start;
            uint32_t size;
            assert_int_equal(ifu_area_sector(&r.cfg.primary, off, &start, &size), 0);
            off = start + size;
            n++;
        }
        request(&r, mode == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST);
        uint32_t *before = erase_counts(&r);
        go_ok(&r, &res);
        assert_boots(&r, &res, new_slot(), b);
        uint32_t total = erases_since(&r, before);
        uint32_t limit = mode == IFU_BOOT_MODE_SWAP        ? 2 * n + 2
                         : mode == IFU_BOOT_MODE_OVERWRITE ? n + 2
                                                           : 0;
        if (total > limit) {
            fail_msg("%s: install erased %u sectors, limit %u", g->name, (unsigned)total,
                     (unsigned)limit);
        }
        free(before);
        if (mode != IFU_BOOT_MODE_OVERWRITE) {
            before = erase_counts(&r);
            go_ok(&r, &res); /* revert */
            assert_boots(&r, &res, 0, a);
            total = erases_since(&r, before);
            limit = mode == IFU_BOOT_MODE_SWAP ? n + 2 : 0;
            if (total > limit) {
                fail_msg("%s: revert erased %u sectors, limit %u", g->name, (unsigned)total,
                         (unsigned)limit);
            }
            free(before);
        }
        tu_rig_free(&r);
    }
}

/* ---- B1: nothing unverified is named ---- */

static void flip_byte(struct tu_rig *r, unsigned slot, uint32_t off)
{
    uint32_t abs_off = tu_rig_slot(r, slot)->off + off;
    uint8_t x = (uint8_t)(r->sim.mem[abs_off] ^ 0x40);
    ifu_sim_poke(&r->sim, abs_off, &x, 1);
}

static void test_boot_never_names_an_image_that_fails_verification(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;

    /* The running image damaged, nothing else to boot. */
    rig_start(&r, &tu_geom_u4k);
    flip_byte(&r, 0, img_a()->len - 3); /* in the signature */
    assert_ifu(tu_rig_go(&r, &res), IFU_ENOIMAGE);
    assert_int_equal(r.ev_count[IFU_BOOT_EV_BOOT], 0);
    tu_rig_free(&r);

    if (mode == IFU_BOOT_MODE_OVERWRITE) {
        return;
    }
    /* The trial image damaged after it booted: the next boot names the old
     * one (verified), never the damaged one. */
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    flip_byte(&r, new_slot(), TU_IMAGE_HDR_SIZE + 5);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_a());
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    tu_rig_free(&r);

    /* The trial image damaged and the old one too: nothing boots. */
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    flip_byte(&r, new_slot(), TU_IMAGE_HDR_SIZE + 5);
    if (mode == IFU_BOOT_MODE_SWAP) {
        flip_byte(&r, 1, TU_IMAGE_HDR_SIZE + 5); /* the saved copy of A */
    } else {
        flip_byte(&r, 0, TU_IMAGE_HDR_SIZE + 5);
    }
    assert_ifu(tu_rig_go(&r, &res), IFU_ENOIMAGE);
    assert_int_equal(r.ev_count[IFU_BOOT_EV_BOOT], 0);
    assert_int_equal(r.recovery_calls, 1);
    tu_rig_free(&r);
}

/* ---- torn trailer writes ---- */

/* A power cut that tears the revert's swap_info write (MCUboot's swap type
 * 4) leaves a byte that is "set" (not erased) but holds another value; the
 * resumed revert must still end in state REVERTED, as an uncut one does.
 * Found by the power-loss matrix (test_powerloss_swap, test-revert, torn
 * cut on that write). */
static void test_boot_swap_revert_reports_reverted_after_torn_swap_info_write(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    const struct ifu_area *p = &r.cfg.primary;
    uint32_t a = mcu_align(&r);
    uint32_t info_off = mcu_image_ok_off(&r, 0) - 2 * a; /* S - M - 3A */
    struct ifu_sim_snapshot *snap = ifu_sim_save(&r.sim);
    assert_non_null(snap);
    /* The op that programs swap_info: the first after which it reads 4 (it
     * reads 2, the install's, until the revert erases the trailer's sector). */
    uint64_t k = 0;
    for (uint64_t i = 1; k == 0 && i < 4096; i++) {
        ifu_sim_restore(&r.sim, snap);
        ifu_sim_power_on(&r.sim);
        ifu_sim_arm_cut(&r.sim, i, IFU_SIM_CUT_DONE);
        (void)tu_rig_go(&r, &res);
        assert_true(ifu_sim_cut_fired(&r.sim));
        if (tu_rig_bytes(&r, 0)[info_off] == 0x04) {
            k = i;
        }
    }
    assert_true(k != 0);
    /* Cut there, and leave what a torn program of 0x04 over 0xff can leave:
     * some of the bits that had to clear, cleared. */
    ifu_sim_restore(&r.sim, snap);
    ifu_sim_power_on(&r.sim);
    ifu_sim_arm_cut(&r.sim, k, IFU_SIM_CUT_CLEAN);
    assert_ifu(tu_rig_go(&r, &res), IFU_EIO);
    uint8_t torn = 0xac;
    ifu_sim_poke(&r.sim, p->off + info_off, &torn, 1);
    ifu_sim_power_on(&r.sim);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_a());
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    ifu_sim_snapshot_free(snap);
    tu_rig_free(&r);
}

/* The rejected field is written as one A-byte unit (0x01, then the reason):
 * a tear may land bits in the reason byte only. Any landed bit must read as
 * set, or a resumed revert would skip the write (the field is not erased)
 * and yet report CONFIRMED. Found by the power-loss matrix (swap,
 * tu_geom_u4k-w1-00, test-revert, k = 567, torn) once the journal closed without an
 * erase. */
static void test_boot_swap_rejected_field_torn_into_reason_byte_still_reads_reverted(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct tu_geom w1 =
        tu_geom_u4k; /* write size 1: the flag unit is the field's first byte only */
    (void)state;
    w1.write_size = 1;
    rig_start(&r, &w1);
    install_test(&r, &res);
    go_ok(&r, &res); /* trial not confirmed: revert */
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    const struct ifu_area *p = &r.cfg.primary;
    uint32_t a = mcu_align(&r);
    uint32_t rejected_off = mcu_image_ok_off(&r, 0) - 5 * a; /* S - M - 6A */
    uint8_t field[32];
    memset(field, p->flash->erased_val, a);
    field[1] = 0x03; /* only the reason's bits landed */
    ifu_sim_poke(&r.sim, p->off + rejected_off, field, a);
    assert_ifu(ifu_boot_state(&r.cfg, &st), 0);
    assert_state(st.running, IFU_BOOT_STATE_REVERTED);
    assert_ifu(st.staged_err, IFU_ESTATE);
    go_ok(&r, &res);
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    tu_rig_free(&r);
}

/* After a revert, the reason stays readable until the secondary is staged
 * again; a freshly staged image must not inherit it, or an application (the
 * SMP server hides a staged image that carries a refusal) could install
 * nothing until another image was confirmed. Found by the QEMU power-cut run
 * (a cut between the trial start and the confirm, then a re-upload). */
static void test_boot_swap_restaged_image_after_revert_has_no_staged_err(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_config app;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    install_test(&r, &res);
    go_ok(&r, &res); /* trial not confirmed: revert */
    assert_state(res.state, IFU_BOOT_STATE_REVERTED);
    tu_rig_app_cfg(&r, 0, &app);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_ifu(st.staged_err, IFU_ESTATE);
    /* Staged again, as the update API does: the slot is erased first. */
    assert_int_equal(tu_rig_stage(&r, 1, tu_rig_stage_off(&r), img_b()), 0);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.running, IFU_BOOT_STATE_REVERTED);
    assert_state(st.pending, IFU_BOOT_STATE_NONE);
    assert_ifu(st.staged_err, 0);
    request(&r, IFU_BOOT_REQ_TEST);
    go_ok(&r, &res);
    assert_int_equal(res.actions & IFU_BOOT_DID_INSTALL, IFU_BOOT_DID_INSTALL);
    assert_boots(&r, &res, 0, img_b());
    tu_rig_free(&r);
}

/* ---- configuration and review findings ---- */

/* An empty keyring or an impossible hash set is a configuration error found
 * before any flash is touched (it used to be found mid-run, after a resumed
 * journal had written, and in XIP it marked good images rejected). */
static void test_boot_bad_keyring_or_hashset_is_einval_before_any_flash_op(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    stage(&r, img_b());
    request(&r, mode == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST);
    const struct ifu_keyring *good = r.cfg.keys;
    const struct ifu_keyring empty = {good->keys, 0};
    ifu_sim_reset_stats(&r.sim);
    r.cfg.keys = &empty;
    assert_ifu(ifu_boot_go(&r.boot, &r.cfg, &res), IFU_EINVAL);
    r.cfg.keys = good;
    r.cfg.hashset = 1u << 7; /* no such algorithm */
    assert_ifu(ifu_boot_go(&r.boot, &r.cfg, &res), IFU_EINVAL);
    assert_int_equal(r.sim.stats.ops, 0);
    r.cfg.hashset = 0;
    go_ok(&r, &res); /* the request is intact: it installs */
    assert_boots(&r, &res, new_slot(), img_b());
    tu_rig_free(&r);
}

/* XIP: a confirmed image that fails to verify once (here: a keyring holding
 * only another key) is skipped for that boot, never marked rejected, so the
 * device boots again once the keyring is right. */
static void test_boot_xip_confirmed_image_failing_once_is_not_rejected(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    tu_rig_poke_image(&r, 0, 0, img_a());
    tu_rig_poke_image(&r, 1, 0, img_b());
    for (unsigned s = 0; s < 2; s++) {
        poke_mcu_magic(&r, s);
        poke_mcu_image_ok(&r, s);
    }
    /* A keyring whose only key signed neither image (the trusted key's
     * encoding cut short by one byte: it matches no PUBKEY/KEYHASH). */
    const struct ifu_keyring *good = r.cfg.keys;
    struct ifu_key wrong = {good->keys[0].pub, good->keys[0].pub_len - 1, NULL};
    const struct ifu_keyring bad = {&wrong, 1};
    r.cfg.keys = &bad;
    assert_ifu(tu_rig_go(&r, &res), IFU_ENOIMAGE);
    r.cfg.keys = good;
    go_ok(&r, &res);
    assert_boots(&r, &res, 1, img_b());
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
    tu_rig_free(&r);
}

/* XIP: a requested trial no newer than the other valid image (here a
 * factory v2 without a trailer in slot A, v1 requested in B) is a
 * downgrade: refused with IFU_EROLLBACK, and v2 keeps running. */
static void test_boot_xip_trial_older_than_running_factory_image_is_rollback(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_config app;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    tu_rig_poke_image(&r, 0, 0, img_b());
    tu_rig_poke_image(&r, 1, 0, img_a());
    tu_rig_app_cfg(&r, 0, &app);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.pending, IFU_BOOT_STATE_NONE); /* not newer: nothing will happen */
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_b());
    assert_ifu(res.reject_err, IFU_EROLLBACK);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_ifu(st.staged_err, IFU_EROLLBACK);
    tu_rig_free(&r);
}

/* Swap: a running image larger than max_image_size (it fits the primary,
 * not the secondary's save area) cannot be saved; an update is then a plain
 * copy instead of being refused forever with IFU_ENOSPC. */
static void test_boot_swap_running_image_too_big_to_save_is_replaced_by_copy(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    uint32_t room = r.cfg.primary.size - r.lay.primary_trailer;
    /* Payload chosen so that the image ends between the two limits. */
    const struct tu_image *big = tu_image(r.lay.max_image_size + 100 - 300, "1.0.0");
    assert_true(big->len > r.lay.max_image_size && big->len <= room);
    tu_rig_poke_image(&r, 0, 0, big);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, big);
    stage(&r, img_b());
    request(&r, IFU_BOOT_REQ_TEST);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_b());
    assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, 0);
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED); /* nothing saved: permanent */
    tu_rig_free(&r);
}

/* ---- MCUboot application compatibility ---- */

/* An application built for MCUboot writes the magic (boot_request_upgrade)
 * and image_ok (boot_set_confirmed) itself: the same bytes at the same
 * offsets must drive ifu. And ifu's own request writes those bytes. */
static void test_boot_mcuboot_magic_and_image_ok_written_by_hand_request_and_confirm(void **state)
{
    (void)state;
    const struct tu_geom *geoms[] = {&tu_geom_u4k, &u4k_w32};
    for (size_t gi = 0; gi < 2; gi++) {
        struct tu_rig r;
        struct ifu_boot_result res;
        uint8_t m[16];
        rig_start(&r, geoms[gi]);
        stage(&r, img_b());
        if (mode == IFU_BOOT_MODE_OVERWRITE) {
            poke_mcu_image_ok(&r, 1); /* boot_request_upgrade(BOOT_UPGRADE_PERMANENT) */
        }
        poke_mcu_magic(&r, 1);
        go_ok(&r, &res);
        assert_boots(&r, &res, new_slot(), img_b());
        if (mode == IFU_BOOT_MODE_OVERWRITE) {
            assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
        } else {
            assert_state(res.state, IFU_BOOT_STATE_TESTING);
            poke_mcu_image_ok(&r, new_slot()); /* boot_set_confirmed */
            go_ok(&r, &res);
            assert_int_equal(res.actions, 0);
            assert_boots(&r, &res, new_slot(), img_b());
            assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
        }
        tu_rig_free(&r);

        /* ifu_boot_request / ifu_boot_confirm write what MCUboot reads. */
        rig_start(&r, geoms[gi]);
        stage(&r, img_b());
        request(&r, IFU_BOOT_REQ_PERMANENT);
        mcu_magic(&r, m);
        const struct ifu_area *s = &r.cfg.secondary;
        assert_memory_equal(tu_rig_bytes(&r, 1) + s->size - 16, m, 16);
        assert_int_equal(tu_rig_bytes(&r, 1)[mcu_image_ok_off(&r, 1)], 0x01);
        tu_rig_free(&r);
        if (mode == IFU_BOOT_MODE_OVERWRITE) {
            continue;
        }
        rig_start(&r, geoms[gi]);
        install_test(&r, &res);
        confirm_running(&r, res.slot);
        assert_int_equal(tu_rig_bytes(&r, res.slot)[mcu_image_ok_off(&r, res.slot)], 0x01);
        tu_rig_free(&r);
    }
}

/* ---- application API ---- */

static void test_boot_overwrite_test_request_is_unsupported(void **state)
{
    struct tu_rig r;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    stage(&r, img_b());
    ifu_sim_reset_stats(&r.sim);
    assert_ifu(ifu_boot_request(&r.cfg, IFU_BOOT_REQ_TEST), IFU_EUNSUPPORTED);
    assert_int_equal(r.sim.stats.ops, 0);
    tu_rig_free(&r);
}

static void test_boot_request_twice_is_noop_and_other_kind_is_estate(void **state)
{
    struct tu_rig r;
    (void)state;
    for (int kind = IFU_BOOT_REQ_TEST; kind <= IFU_BOOT_REQ_PERMANENT; kind++) {
        rig_start(&r, &tu_geom_u4k);
        stage(&r, img_b());
        request(&r, (enum ifu_boot_request_kind)kind);
        ifu_sim_reset_stats(&r.sim);
        request(&r, (enum ifu_boot_request_kind)kind);
        assert_int_equal(r.sim.stats.ops, 0);
        int other = kind == IFU_BOOT_REQ_TEST ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST;
        assert_ifu(ifu_boot_request(&r.cfg, (enum ifu_boot_request_kind)other), IFU_ESTATE);
        assert_int_equal(r.sim.stats.ops, 0);
        tu_rig_free(&r);
    }
}

/* ---- direct-XIP ---- */

static void test_boot_xip_boots_highest_version_and_slot_a_without_trailers(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *v[2][2] = {{img_a(), img_b()}, {img_b(), img_a()}};
    for (int order = 0; order < 2; order++) {
        for (int trailers = 0; trailers < 2; trailers++) {
            assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
            tu_rig_poke_image(&r, 0, 0, v[order][0]);
            tu_rig_poke_image(&r, 1, 0, v[order][1]);
            if (trailers) { /* both confirmed by earlier updates */
                for (unsigned s = 0; s < 2; s++) {
                    poke_mcu_magic(&r, s);
                    poke_mcu_image_ok(&r, s);
                }
            }
            ifu_sim_reset_stats(&r.sim);
            go_ok(&r, &res);
            if (trailers) {
                assert_boots(&r, &res, order == 0 ? 1 : 0, img_b());
            } else {
                /* Neither requested nor confirmed: slot A, the factory slot,
                 * whatever the versions (a staged image needs a request). */
                assert_boots(&r, &res, 0, v[order][0]);
            }
            assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
            assert_int_equal(r.sim.stats.ops, 0);
            tu_rig_free(&r);
        }
    }
}

static void test_boot_xip_rom_fixed_image_must_carry_its_slot_address(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    for (int right = 0; right < 2; right++) {
        rig_start(&r, &tu_geom_u4k);
        uint32_t addr = tu_geom_u4k.map_addr + (right ? tu_geom_u4k.sec_off : tu_geom_u4k.pri_off);
        struct tu_image_spec s = {.payload = 36000, .version = "2.0.0", .rom_fixed = addr};
        const struct tu_image *b = tu_image_get(&s);
        tu_rig_poke_image(&r, 1, 0, b);
        request(&r, IFU_BOOT_REQ_TEST);
        go_ok(&r, &res);
        if (right) {
            assert_boots(&r, &res, 1, b);
            assert_state(res.state, IFU_BOOT_STATE_TESTING);
        } else {
            assert_boots(&r, &res, 0, img_a());
            assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
            assert_ifu(res.reject_err, IFU_EHEADER);
        }
        tu_rig_free(&r);
    }
}

/* The layout's max_image_size is the smaller slot's; an image larger than
 * that, staged in the larger slot B and requested, must be refused as in
 * the other modes (boot.h: "largest image"). */
static void test_boot_xip_refuses_image_larger_than_max_image_size(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    assert_true(r.cfg.secondary.size > r.cfg.primary.size);
    uint32_t overhead = tu_image(1000, "2.0.0")->len - 1000;
    const struct tu_image *big = tu_image(r.lay.max_image_size - overhead + 1, "2.0.0");
    tu_rig_poke_image(&r, 1, 0, big); /* fits slot B below its trailer */
    request(&r, IFU_BOOT_REQ_TEST);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_a());
    assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
    assert_ifu(res.reject_err, IFU_ENOSPC);
    tu_rig_free(&r);
}

/* A refused request is not a revert: the image that kept running was never
 * replaced, so it stays CONFIRMED at the boots after the refusal (boot.h:
 * REVERTED is "restored after a trial that did not confirm"). */
static void test_boot_xip_refused_request_leaves_running_image_confirmed(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    struct tu_image_spec s = {.key = TU_KEY_UNTRUSTED, .payload = 36000, .version = "2.0.0"};
    tu_rig_poke_image(&r, 1, 0, tu_image_get(&s));
    request(&r, IFU_BOOT_REQ_TEST);
    go_ok(&r, &res);
    assert_int_equal(res.actions & IFU_BOOT_DID_REJECT, IFU_BOOT_DID_REJECT);
    assert_boots(&r, &res, 0, img_a());
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, img_a());
    assert_state(res.state, IFU_BOOT_STATE_CONFIRMED);
    tu_rig_free(&r);
}

/* After a permanent update to slot B and then a test update to slot A, the
 * application running the new image on trial from A must not see slot B's
 * old trailer (magic + image_ok) as a pending permanent install. */
static void test_boot_xip_state_shows_no_pending_request_after_second_update(void **state)
{
    struct tu_rig r;
    struct ifu_boot_result res;
    struct ifu_boot_status st;
    struct ifu_boot_config app;
    (void)state;
    rig_start(&r, &tu_geom_u4k);
    stage(&r, img_b());
    request(&r, IFU_BOOT_REQ_PERMANENT);
    go_ok(&r, &res);
    assert_boots(&r, &res, 1, img_b());
    /* The application on B stages C in slot A and asks for a test boot. */
    const struct tu_image *c = tu_image(33000, "3.0.0");
    assert_int_equal(tu_rig_stage(&r, 0, 0, c), 0);
    tu_rig_app_cfg(&r, 1, &app);
    assert_ifu(ifu_boot_request(&app, IFU_BOOT_REQ_TEST), 0);
    go_ok(&r, &res);
    assert_boots(&r, &res, 0, c);
    assert_state(res.state, IFU_BOOT_STATE_TESTING);
    tu_rig_app_cfg(&r, 0, &app);
    assert_ifu(ifu_boot_state(&app, &st), 0);
    assert_state(st.running, IFU_BOOT_STATE_TESTING);
    assert_state(st.pending, IFU_BOOT_STATE_NONE);
    tu_rig_free(&r);
}

struct mode_test {
    struct CMUnitTest t;
    unsigned modes;
};

#define T(fn, m)                                                                                   \
    {                                                                                              \
        cmocka_unit_test(fn), m                                                                    \
    }

static const struct mode_test all_tests[] = {
    T(test_boot_layout_uniform_4k_has_one_sector_headroom_and_exact_max_image, M_ALL),
    T(test_boot_installs_image_of_exactly_max_size_and_refuses_one_byte_more, M_ALL),
    T(test_boot_layout_accepts_stm32f4_mixed_map_with_128k_headroom, M_ALL),
    T(test_boot_updates_on_stm32f4_mixed_map, M_ALL),
    T(test_boot_layout_of_reversed_mixed_map_is_elayout_in_swap_only, M_ALL),
    T(test_boot_layout_refuses_unaligned_or_overlapping_slots_with_einval, M_ALL),
    T(test_boot_install_test_boots_new_image_on_trial, M_SWAP | M_XIP),
    T(test_boot_unconfirmed_trial_reverts_at_next_boot, M_SWAP | M_XIP),
    T(test_boot_confirmed_image_stays_confirmed_across_boots, M_SWAP | M_XIP),
    T(test_boot_install_permanent_boots_new_image_confirmed, M_ALL),
    T(test_boot_refuses_tampered_staged_image_and_keeps_primary, M_ALL),
    T(test_boot_refuses_staged_image_signed_by_untrusted_key, M_ALL),
    T(test_boot_refuses_staged_image_larger_than_max_image_size, M_ALL),
    T(test_boot_with_no_valid_image_returns_enoimage_calls_recovery_once_erases_nothing, M_ALL),
    T(test_boot_ignores_secondary_with_corrupt_trailer_magic, M_ALL),
    T(test_boot_erases_each_sector_at_most_once_per_upgrade, M_ALL),
    T(test_boot_never_names_an_image_that_fails_verification, M_ALL),
    T(test_boot_mcuboot_magic_and_image_ok_written_by_hand_request_and_confirm, M_ALL),
    T(test_boot_swap_revert_reports_reverted_after_torn_swap_info_write, M_SWAP),
    T(test_boot_swap_rejected_field_torn_into_reason_byte_still_reads_reverted, M_SWAP),
    T(test_boot_swap_restaged_image_after_revert_has_no_staged_err, M_SWAP),
    T(test_boot_bad_keyring_or_hashset_is_einval_before_any_flash_op, M_ALL),
    T(test_boot_xip_confirmed_image_failing_once_is_not_rejected, M_XIP),
    T(test_boot_xip_trial_older_than_running_factory_image_is_rollback, M_XIP),
    T(test_boot_swap_running_image_too_big_to_save_is_replaced_by_copy, M_SWAP),
    T(test_boot_overwrite_test_request_is_unsupported, M_OVERWRITE),
    T(test_boot_request_twice_is_noop_and_other_kind_is_estate, M_SWAP | M_XIP),
    T(test_boot_xip_boots_highest_version_and_slot_a_without_trailers, M_XIP),
    T(test_boot_xip_rom_fixed_image_must_carry_its_slot_address, M_XIP),
    T(test_boot_xip_refuses_image_larger_than_max_image_size, M_XIP),
    T(test_boot_xip_state_shows_no_pending_request_after_second_update, M_XIP),
    T(test_boot_xip_refused_request_leaves_running_image_confirmed, M_XIP),
};

int main(void)
{
    static struct CMUnitTest tests[sizeof all_tests / sizeof all_tests[0]];
    size_t n = 0;
    char name[32];

    mode = ifu_boot_mode();
    for (size_t i = 0; i < sizeof all_tests / sizeof all_tests[0]; i++) {
        if (all_tests[i].modes & (1u << mode)) {
            tests[n++] = all_tests[i].t;
        }
    }
    snprintf(name, sizeof name, "boot_%s",
             mode == IFU_BOOT_MODE_SWAP        ? "swap"
             : mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
                                               : "xip");
    return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
