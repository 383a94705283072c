/* Anti-rollback in the boot engine and the update API (docs/ROLLBACK.md),
 * one program per mode: test_rollback_overwrite, _swap, _xip. Images are
 * signed with a SEC_CNT by the project's CLI (tests/support/tu_image.c); the
 * counter is a flash ring or an OTP thermometer (tests/test_counter_rig.h).
 * Every downgrade below the counter, at the edge and equal is tried through
 * both paths; the revert and confirm rules; the OTP budget; power cuts at
 * every operation of a boot that raises the counter. */
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
#include "ifu/counter.h"
#include "ifu/errors.h"
#include "test_counter_rig.h"

#define M_OVERWRITE (1u << IFU_BOOT_MODE_OVERWRITE)
#define M_SWAP      (1u << IFU_BOOT_MODE_SWAP)
#define M_XIP       (1u << IFU_BOOT_MODE_XIP)
#define M_ALL       (M_OVERWRITE | M_SWAP | M_XIP)

static enum ifu_boot_mode mode;

/* The image the device runs at the start: version 2.0.0, SEC_CNT 5. */
#define CUR_CNT 5u
static const struct tu_image *cur_image(void)
{
    return crig_image("2.0.0", CUR_CNT);
}

/* A rig whose factory image has booted once, so the counter holds its SEC_CNT. */
static struct crig *start(enum crig_backend be, uint32_t otp_bytes, uint32_t flags,
                          const struct tu_image *cur)
{
    struct ifu_boot_result res;
    struct crig *c = crig_new(be, otp_bytes, flags);
    crig_factory(c, cur);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_true(crig_booted(&res, cur));
    assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
    if (cur->spec.sec_cnt > 0) {
        assert_int_equal(res.actions, IFU_BOOT_DID_COUNTER);
    }
    assert_int_equal(crig_value(c), (uint32_t)cur->spec.sec_cnt);
    return c;
}

/* Both simulators' content. */
struct snap {
    struct ifu_sim_snapshot *flash;
    struct ifu_sim_snapshot *otp;
};

static struct snap save(struct crig *c)
{
    struct snap s = {ifu_sim_save(&c->r.sim), c->be == CRIG_OTP ? ifu_sim_save(&c->otp_sim) : NULL};
    assert_non_null(s.flash);
    return s;
}

static void restore(struct crig *c, const struct snap *s)
{
    ifu_sim_restore(&c->r.sim, s->flash);
    if (s->otp != NULL) {
        ifu_sim_restore(&c->otp_sim, s->otp);
    }
}

static void snap_free(struct snap *s)
{
    ifu_sim_snapshot_free(s->flash);
    if (s->otp != NULL) {
        ifu_sim_snapshot_free(s->otp);
    }
}

static const enum ifu_boot_request_kind kinds[] = {IFU_BOOT_REQ_PERMANENT, IFU_BOOT_REQ_TEST};

static size_t kind_count(void)
{
    return mode == IFU_BOOT_MODE_OVERWRITE ? 1 : 2; /* overwrite has no test boot */
}

/* ---- every counter below, at and above the current one ---- */

static void test_rollback_refuses_every_lower_counter_accepts_equal_and_higher(void **state)
{
    (void)state;
    for (int be = CRIG_FLASH; be <= CRIG_OTP; be++) {
        struct crig *c = start((enum crig_backend)be, 8, 0, cur_image());
        struct snap s = save(c);
        for (uint32_t cnt = 0; cnt <= CUR_CNT + 1; cnt++) {
            const struct tu_image *img = crig_image("3.0.0", cnt);
            int want = cnt < CUR_CNT ? IFU_EROLLBACK : 0;
            for (size_t k = 0; k < kind_count(); k++) {
                for (int path = 0; path < 2; path++) {
                    struct ifu_boot_result res;
                    restore(c, &s);
                    int err;
                    if (path == 0) {
                        err = crig_update(c, 0, img, kinds[k]);
                        if (err != want) {
                            fail_msg("%s: update API, SEC_CNT %u: %s, want %s",
                                     crig_backend_name(c), cnt, ifu_strerror(err),
                                     ifu_strerror(want));
                        }
                    } else {
                        assert_ifu(crig_stage_request(c, 0, img, kinds[k]), 0);
                    }
                    assert_ifu(tu_rig_go(&c->r, &res), 0);
                    if (want != 0) {
                        assert_true(crig_booted(&res, cur_image()));
                        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
                        assert_int_equal(res.actions & (IFU_BOOT_DID_INSTALL | IFU_BOOT_DID_TRIAL),
                                         0);
                        if (path == 1) {
                            assert_ifu(res.reject_err, IFU_EROLLBACK);
                        }
                        assert_int_equal(crig_value(c), CUR_CNT);
                        continue;
                    }
                    if (!crig_booted(&res, img)) {
                        fail_msg("%s: SEC_CNT %u (path %d, kind %d) did not boot",
                                 crig_backend_name(c), cnt, path, (int)kinds[k]);
                    }
                    /* A test boot leaves the counter; a permanent install
                     * commits in the same boot. */
                    uint32_t after = kinds[k] == IFU_BOOT_REQ_TEST ? CUR_CNT : cnt;
                    assert_int_equal(crig_value(c), after);
                }
            }
        }
        snap_free(&s);
        crig_free(c);
    }
}

static void test_rollback_image_without_sec_cnt_boots_only_while_counter_is_zero(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *plain = crig_image("1.0.0", 0);
    struct crig *c = start(CRIG_FLASH, 0, 0, plain);
    assert_int_equal(crig_value(c), 0);
    assert_int_equal(c->r.sim.stats.prog_over, 0);
    /* Raised (say, by a provisioning step), the image is below it. */
    assert_ifu(ifu_counter_advance(&c->ctr, 1), 0);
    assert_ifu(tu_rig_go(&c->r, &res), IFU_ENOIMAGE);
    assert_int_equal(c->r.recovery_calls, 1);
    crig_free(c);
}

/* ---- when the counter moves ---- */

static void test_rollback_counter_moves_only_after_confirm(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *next = crig_image("3.0.0", 7);
    for (int be = CRIG_FLASH; be <= CRIG_OTP; be++) {
        struct crig *c = start((enum crig_backend)be, 8, 0, cur_image());
        if (mode == IFU_BOOT_MODE_OVERWRITE) {
            /* An overwrite is permanent: committed in the boot that installs it. */
            assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_PERMANENT), 0);
            assert_int_equal(crig_value(c), CUR_CNT);
            assert_ifu(tu_rig_go(&c->r, &res), 0);
            assert_true(crig_booted(&res, next));
            assert_int_equal(res.actions, IFU_BOOT_DID_INSTALL | IFU_BOOT_DID_COUNTER);
            assert_int_equal(crig_value(c), 7);
            crig_free(c);
            continue;
        }
        struct snap s = save(c);
        /* Trial, no confirm: the counter stays, and the revert succeeds. */
        assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_TEST), 0);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_true(crig_booted(&res, next));
        assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
        assert_int_equal(res.actions & IFU_BOOT_DID_COUNTER, 0);
        assert_int_equal(crig_value(c), CUR_CNT);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_true(crig_booted(&res, cur_image()));
        assert_int_equal(res.state, IFU_BOOT_STATE_REVERTED);
        assert_int_equal(crig_value(c), CUR_CNT);
        /* Trial, confirm: the counter moves at the next boot, not before. */
        restore(c, &s);
        assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_TEST), 0);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_ifu(crig_confirm(c, res.slot), 0);
        assert_int_equal(crig_value(c), CUR_CNT);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_true(crig_booted(&res, next));
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        /* Direct-XIP: slot A's image is now below the counter, refused for
         * good (marked once). */
        assert_int_equal(res.actions, IFU_BOOT_DID_COUNTER |
                                          (mode == IFU_BOOT_MODE_XIP ? IFU_BOOT_DID_REJECT : 0u));
        assert_int_equal(crig_value(c), 7);
        /* Committed once: later boots write nothing. */
        ifu_sim_reset_stats(&c->r.sim);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_int_equal(res.actions, 0);
        assert_int_equal(c->r.sim.stats.ops, 0);
        /* Permanent: committed in the boot that installs (swap) or first
         * boots (XIP) it. */
        restore(c, &s);
        assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_PERMANENT), 0);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_true(crig_booted(&res, next));
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        assert_int_equal(res.actions & IFU_BOOT_DID_COUNTER, IFU_BOOT_DID_COUNTER);
        assert_int_equal(crig_value(c), 7);
        snap_free(&s);
        crig_free(c);
    }
}

/* The revert case: while B is on trial, the counter is raised past A (an
 * explicit revocation). A cannot come back; B keeps booting on trial. */
static void test_rollback_trial_is_kept_when_revert_target_fell_below_counter(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *next = crig_image("3.0.0", 7);
    struct crig *c = start(CRIG_FLASH, 0, 0, cur_image());
    struct snap s = save(c);
    assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
    struct snap trial = save(c);
    assert_ifu(ifu_counter_advance(&c->ctr, 6), 0);
    for (int i = 0; i < 2; i++) {
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_true(crig_booted(&res, next));
        assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
        assert_int_equal(res.actions & IFU_BOOT_DID_REVERT, 0);
        assert_int_equal(crig_value(c), 6);
    }
    /* Its confirm still commits it. */
    assert_ifu(crig_confirm(c, res.slot), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_true(crig_booted(&res, next));
    assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
    assert_int_equal(crig_value(c), 7);
    /* Raised past the trial image too: nothing may boot; recovery runs and
     * nothing is erased. */
    restore(c, &trial);
    assert_ifu(ifu_counter_advance(&c->ctr, 8), 0);
    ifu_sim_reset_stats(&c->r.sim);
    assert_ifu(tu_rig_go(&c->r, &res), IFU_ENOIMAGE);
    assert_int_equal(c->r.recovery_calls, 1);
    assert_int_equal(c->r.sim.stats.erases, 0);
    snap_free(&trial);
    snap_free(&s);
    crig_free(c);
}

/* A confirmed image not yet committed (no reset since the confirm) is the
 * floor: a staged image between the stored counter and it is refused, and
 * the running one is committed in that boot. */
static void test_rollback_confirmed_uncommitted_image_is_the_floor(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *next = crig_image("3.0.0", 7);
    const struct tu_image *between = crig_image("4.0.0", 6);
    struct crig *c = start(CRIG_FLASH, 0, 0, cur_image());
    assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    unsigned running = res.slot;
    assert_ifu(crig_confirm(c, running), 0);
    assert_int_equal(crig_value(c), CUR_CNT);
    assert_ifu(crig_stage_request(c, running, between, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_ifu(res.reject_err, IFU_EROLLBACK);
    assert_true(crig_booted(&res, next));
    assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
    assert_int_equal(crig_value(c), 7);
    crig_free(c);
}

/* ---- the OTP budget ---- */

static void test_rollback_otp_budget_refuses_image_beyond_remaining_bits(void **state)
{
    struct ifu_boot_result res;
    struct ifu_counter_state st;
    (void)state;
    /* One OTP byte: values 0..8. */
    struct crig *c = start(CRIG_OTP, 1, 0, cur_image());
    assert_ifu(ifu_counter_get(&c->ctr, &st), 0);
    assert_int_equal(st.remaining, 8 - CUR_CNT);
    struct snap s = save(c);
    const struct tu_image *too_far = crig_image("3.0.0", 9);
    const struct tu_image *last = crig_image("3.0.0", 8);
    for (size_t k = 0; k < kind_count(); k++) {
        restore(c, &s);
        assert_ifu(crig_update(c, 0, too_far, kinds[k]), IFU_ECOUNTER);
        restore(c, &s);
        assert_ifu(crig_stage_request(c, 0, too_far, kinds[k]), 0);
        assert_ifu(tu_rig_go(&c->r, &res), 0);
        assert_ifu(res.reject_err, IFU_ECOUNTER);
        assert_true(crig_booted(&res, cur_image()));
        assert_int_equal(crig_value(c), CUR_CNT);
    }
    /* The edge: exactly the last bit. */
    restore(c, &s);
    assert_ifu(crig_update(c, 0, last, IFU_BOOT_REQ_PERMANENT), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_true(crig_booted(&res, last));
    assert_ifu(ifu_counter_get(&c->ctr, &st), 0);
    assert_int_equal(st.value, 8);
    assert_int_equal(st.remaining, 0);
    snap_free(&s);
    crig_free(c);
}

/* ---- versions ---- */

static void test_rollback_version_flag_refuses_older_versions(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    const struct tu_image *cur = crig_image("2.1.0", 5);
    static const struct {
        const char *version;
        uint32_t sec_cnt;
        int want;      /* with IFU_COUNTER_F_VERSION, overwrite and swap */
        int want_xip;  /* direct-XIP with the flag: must be newer */
        int want_none; /* without the flag, overwrite and swap */
    } cases[] = {
        {"2.0.9", 5, IFU_EROLLBACK, IFU_EROLLBACK, 0},
        {"1.9.9", 6, IFU_EROLLBACK, IFU_EROLLBACK, 0},
        {"2.1.0+7", 6, 0, IFU_EROLLBACK, 0}, /* equal version (the build is not compared) */
        {"2.1.1", 5, 0, 0, 0},
    };
    for (int flag = 0; flag < 2; flag++) {
        struct crig *c = start(CRIG_FLASH, 0, flag ? IFU_COUNTER_F_VERSION : 0, cur);
        struct snap s = save(c);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const struct tu_image *img = crig_image(cases[i].version, cases[i].sec_cnt);
            /* Direct-XIP without the flag: only a test request must be
             * newer; these are permanent requests. */
            int want = mode == IFU_BOOT_MODE_XIP ? (flag ? cases[i].want_xip : 0)
                       : flag                    ? cases[i].want
                                                 : cases[i].want_none;
            for (int path = 0; path < 2; path++) {
                restore(c, &s);
                enum ifu_boot_request_kind kind = IFU_BOOT_REQ_PERMANENT;
                int err =
                    path == 0 ? crig_update(c, 0, img, kind) : crig_stage_request(c, 0, img, kind);
                /* The update API applies the version rule with the flag
                 * only; the engine path stages without the API's checks. */
                int api_want = path == 0 && flag ? want : 0;
                if (err != api_want) {
                    fail_msg("flag %d, %s, path %d: %s", flag, cases[i].version, path,
                             ifu_strerror(err));
                }
                assert_ifu(tu_rig_go(&c->r, &res), 0);
                int booted_new = crig_booted(&res, img);
                if (booted_new != (want == 0)) {
                    fail_msg("flag %d, %s, path %d: new image %s", flag, cases[i].version, path,
                             booted_new ? "booted" : "refused");
                }
                if (want != 0 && err == 0) {
                    assert_ifu(res.reject_err, want);
                }
            }
        }
        snap_free(&s);
        crig_free(c);
    }
}

/* ---- no counter: today's behaviour ---- */

static void test_rollback_without_counter_lower_sec_cnt_installs(void **state)
{
    struct ifu_boot_result res;
    (void)state;
    struct crig *c = start(CRIG_FLASH, 0, 0, cur_image());
    c->r.cfg.counter = NULL;
    const struct tu_image *lower = crig_image("3.0.0", 1);
    assert_ifu(crig_update(c, 0, lower, IFU_BOOT_REQ_PERMANENT), 0);
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_true(crig_booted(&res, lower));
    assert_int_equal(res.actions & IFU_BOOT_DID_COUNTER, 0);
    crig_free(c);
}

/* ---- power loss ---- */

static unsigned pl_cuts;
static unsigned pl_failures;

/* From the state in s, run one ifu_boot_go that must end booting want with
 * the counter at want's SEC_CNT; cut it at every operation of either
 * simulator, in every mode; after each cut: old <= counter <= new, then the
 * next boot (uncut) boots want and finishes the commit. */
static void pl_boot(struct crig *c, const struct snap *s, const struct tu_image *want, uint32_t old,
                    const char *what)
{
    struct ifu_boot_result res;
    uint32_t new_value = (uint32_t)want->spec.sec_cnt;
    restore(c, s);
    ifu_sim_reset_stats(&c->r.sim);
    if (c->be == CRIG_OTP) {
        ifu_sim_reset_stats(&c->otp_sim);
    }
    assert_ifu(tu_rig_go(&c->r, &res), 0);
    assert_true(crig_booted(&res, want));
    assert_int_equal(crig_value(c), new_value);
    uint64_t n_flash = c->r.sim.stats.ops;
    uint64_t n_otp = c->be == CRIG_OTP ? c->otp_sim.stats.ops : 0;
    assert_true(n_flash + n_otp > 0);
    for (int which = 0; which < 2; which++) {
        struct ifu_sim *sim = which == 0 ? &c->r.sim : &c->otp_sim;
        uint64_t n = which == 0 ? n_flash : n_otp;
        for (uint64_t k = 1; k <= n; k++) {
            for (int cm = 0; cm < IFU_SIM_CUT_MODES; cm++) {
                restore(c, s);
                ifu_sim_arm_cut(sim, k, (enum ifu_sim_cut)cm);
                int err = tu_rig_go(&c->r, &res);
                ifu_sim_power_on(sim);
                pl_cuts++;
                struct ifu_counter_state st;
                int bad = err != IFU_EIO;
                int gerr = ifu_counter_get(&c->ctr, &st);
                bad |= gerr != 0 || st.value < old || st.value > new_value;
                int err2 = tu_rig_go(&c->r, &res);
                bad |=
                    err2 != 0 || !crig_booted(&res, want) || res.state != IFU_BOOT_STATE_CONFIRMED;
                bad |= crig_value(c) != new_value;
                bad |= c->r.sim.stats.prog_over != 0 || c->r.sim.stats.misuse != 0;
                if (bad) {
                    pl_failures++;
                    print_error("%s %s: cut %s op %u mode %d: first %s, counter %u, then %s\n",
                                what, crig_backend_name(c), which ? "otp" : "flash", (unsigned)k,
                                cm, ifu_strerror(err), st.value, ifu_strerror(err2));
                }
            }
        }
    }
}

static void test_rollback_survives_cut_at_every_op_of_a_counter_bump(void **state)
{
    (void)state;
    pl_cuts = 0;
    pl_failures = 0;
    const struct tu_image *factory = crig_image("2.0.0", 5);
    const struct tu_image *next = crig_image("3.0.0", 9);
    for (int be = CRIG_FLASH; be <= CRIG_OTP; be++) {
        /* A factory image whose SEC_CNT is above the counter (2): the
         * commit is the boot's only write. */
        struct crig *c = crig_new((enum crig_backend)be, 8, 0);
        crig_factory(c, factory);
        assert_ifu(ifu_counter_advance(&c->ctr, 2), 0);
        struct snap s = save(c);
        pl_boot(c, &s, factory, 2, "commit");
        snap_free(&s);
        /* A permanent install and its commit in one boot. */
        crig_free(c);
        c = start((enum crig_backend)be, 8, 0, factory);
        assert_ifu(crig_update(c, 0, next, IFU_BOOT_REQ_PERMANENT), 0);
        s = save(c);
        pl_boot(c, &s, next, 5, "install");
        snap_free(&s);
        crig_free(c);
    }
    printf("powerloss counter: %u cuts, %u failures\n", pl_cuts, pl_failures);
    fflush(stdout);
    assert_int_equal(pl_failures, 0);
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
    T(test_rollback_refuses_every_lower_counter_accepts_equal_and_higher, M_ALL),
    T(test_rollback_image_without_sec_cnt_boots_only_while_counter_is_zero, M_ALL),
    T(test_rollback_counter_moves_only_after_confirm, M_ALL),
    T(test_rollback_trial_is_kept_when_revert_target_fell_below_counter, M_SWAP | M_XIP),
    T(test_rollback_confirmed_uncommitted_image_is_the_floor, M_SWAP | M_XIP),
    T(test_rollback_otp_budget_refuses_image_beyond_remaining_bits, M_ALL),
    T(test_rollback_version_flag_refuses_older_versions, M_ALL),
    T(test_rollback_without_counter_lower_sec_cnt_installs, M_ALL),
    T(test_rollback_survives_cut_at_every_op_of_a_counter_bump, M_ALL),
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
    snprintf(name, sizeof name, "rollback_%s",
             mode == IFU_BOOT_MODE_SWAP        ? "swap"
             : mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
                                               : "xip");
    return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
