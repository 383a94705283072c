/* Boots that revert, refuse, raise the anti-rollback counter or retire a key, on a flash part
 * that fails: each scenario is set up on a healthy part, then every read, prog, erase and sync of
 * the boot that acts is made to fail once (IFU_EIO, support/tu_faulty), one call per case, and so
 * is every call of ifu_boot_state() and ifu_boot_inspect() before and after it. One program per
 * boot mode (test_cov_boot_sweeps_<mode>); the counter and the keystore are on the same failing
 * part. IFU_PL_SAMPLE=N (sanitizer builds) fails every N-th call only.
 *
 * What include/ifu/boot.h promises and each case checks:
 * - the boot that met the failure returns IFU_EIO (or, having repeated what failed, the healthy
 *   result); it never names another image and never refuses the staged one for a flash error;
 * - the next healthy boot ends exactly as the scenario's healthy boot does: the same slot, the
 *   same image byte for byte, the same state, the same counter value;
 * - ifu_boot_state() and ifu_boot_inspect() return IFU_EIO for a failing call and write
 *   nothing. */
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
#include "ifu/keys.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_faulty.h"
#include "tu_image.h"
#include "tu_keys.h"

/* Small images (one sector each) and a small counter ring in the two 256-byte sectors, so that
 * a sweep of every call stays short. */
static const struct tu_geom *const geom = &tu_geom_small;
#define CTR_OFF    TU_GEOM_SMALL_SPARE
#define CTR_SECTOR 256u
#define KS_OFF     (17u * 4u * TU_KIB) /* a spare 4 KiB sector for the keystore */
#define KS_SLOTS   4u

static enum ifu_boot_mode mode;

struct dev {
    struct tu_rig rig;
    struct tu_faulty f;
    struct ifu_area ctr_area;
    struct ifu_counter ctr;
    struct ifu_area ks_page;
    struct ifu_keystore ks;
};

static const struct tu_image *img(uint32_t payload, const char *version, uint32_t sec_cnt,
                                  enum tu_key key)
{
    struct tu_image_spec s = {0};
    s.key = key;
    s.payload = payload;
    s.version = version;
    s.sec_cnt = sec_cnt;
    return tu_image_get(&s);
}

static const struct tu_image *img_a(void)
{
    return img(1500, "1.0.0", 1, TU_KEY_TRUSTED);
}

static const struct tu_image *img_b(void)
{
    return img(2500, "2.0.0", 2, TU_KEY_TRUSTED);
}

static const struct tu_image *img_c(void)
{
    return img(3000, "3.0.0", 3, TU_KEY_TRUSTED);
}

/* Images that carry their whole key (PUBKEY TLV), for the keystore. */
static const struct tu_image *img_full(enum tu_key key, uint32_t payload, const char *version)
{
    struct tu_image_spec s = {.key = key, .payload = payload, .version = version, .pubkey_full = 1};
    return tu_image_get(&s);
}

static const struct tu_image *img_ka(void)
{
    return img_full(TU_KEY_TRUSTED, 1500, "1.0.0");
}

static const struct tu_image *img_kb(void)
{
    return img_full(TU_KEY_NEXT, 2500, "2.0.0");
}

/* The application's configuration while it runs from slot 0. */
static struct ifu_boot_config app_cfg(const struct dev *d)
{
    struct ifu_boot_config app;
    tu_rig_app_cfg(&d->rig, 0, &app);
    return app;
}

/* Stage im as the application running from slot `running` does (XIP: into the other slot;
 * else the secondary), and request it. */
static void stage_from(struct dev *d, unsigned running, const struct tu_image *im,
                       enum ifu_boot_request_kind kind)
{
    struct ifu_boot_config app;
    tu_rig_app_cfg(&d->rig, running, &app);
    unsigned slot = mode == IFU_BOOT_MODE_XIP ? 1 - running : 1;
    assert_ifu(tu_rig_stage(&d->rig, slot, tu_rig_stage_off(&d->rig), im), 0);
    assert_ifu(ifu_boot_request(&app, kind), 0);
}

static void stage(struct dev *d, const struct tu_image *im, enum ifu_boot_request_kind kind)
{
    stage_from(d, 0, im, kind);
}

/* ---- scenarios ---- */

struct scenario {
    const char *name;
    unsigned modes; /* bit per enum ifu_boot_mode it applies to */
    unsigned store; /* STORE_COUNTER, STORE_KEYS: on the failing part too */
    void (*setup)(struct dev *d);
    int want_err;      /* the healthy boot's return */
    unsigned xip_slot; /* the slot booted in direct-XIP (the other modes boot the primary) */
    const struct tu_image *(*want_img)(void);
    enum ifu_boot_state state;
    uint32_t ctr_value;
};

/* A flash counter with IFU_COUNTER_F_VERSION; a keystore holding the trusted key in slot 0 and
 * the next one in slot 1, with IFU_KEYS_F_REVOKE_BELOW (the only keys then trusted). */
#define STORE_COUNTER 1u
#define STORE_KEYS    2u

#define M(m)      (1u << (m))
#define ALL_MODES (M(IFU_BOOT_MODE_OVERWRITE) | M(IFU_BOOT_MODE_SWAP) | M(IFU_BOOT_MODE_XIP))
#define TRIALS    (M(IFU_BOOT_MODE_SWAP) | M(IFU_BOOT_MODE_XIP))

static void boot_ok(struct dev *d)
{
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(&d->rig, &res), 0);
}

/* B on trial, unconfirmed, one boot done: the next boot ends the trial. */
static void setup_trial_over(struct dev *d)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    stage(d, img_b(), IFU_BOOT_REQ_TEST);
    boot_ok(d);
}

/* A trial image whose first boot was cut right after the install (its trial flag not yet
 * written), then a bit of it flipped: it does not verify, and goes back at once. With
 * saved_too, the saved image at secondary offset 0 is damaged as well: nothing boots. */
static void trial_bad(struct dev *d, int saved_too)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    stage(d, img_b(), IFU_BOOT_REQ_TEST);
    struct ifu_sim_snapshot *snap = ifu_sim_save(&d->rig.sim);
    assert_non_null(snap);
    ifu_sim_reset_stats(&d->rig.sim);
    boot_ok(d);
    uint64_t ops = d->rig.sim.stats.ops; /* the last one programs the trial flag */
    ifu_sim_restore(&d->rig.sim, snap);
    ifu_sim_snapshot_free(snap);
    ifu_sim_arm_cut(&d->rig.sim, ops, IFU_SIM_CUT_CLEAN);
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(&d->rig, &res), IFU_EIO);
    ifu_sim_power_on(&d->rig.sim);
    struct ifu_boot_trailer_info tr[2];
    assert_ifu(ifu_boot_inspect(&d->rig.cfg, tr, NULL), 0);
    assert_int_equal(tr[0].copy_done, 1);
    assert_int_equal(tr[0].trial, 0);
    assert_true(tu_rig_holds(&d->rig, 0, 0, img_b()));
    uint8_t x = (uint8_t)(d->rig.sim.mem[geom->pri_off + TU_IMAGE_HDR_SIZE + 100] ^ 0x10u);
    ifu_sim_poke(&d->rig.sim, geom->pri_off + TU_IMAGE_HDR_SIZE + 100, &x, 1);
    if (saved_too) {
        assert_true(tu_rig_holds(&d->rig, 1, 0, img_a()));
        x = (uint8_t)(d->rig.sim.mem[geom->sec_off + TU_IMAGE_HDR_SIZE + 100] ^ 0x10u);
        ifu_sim_poke(&d->rig.sim, geom->sec_off + TU_IMAGE_HDR_SIZE + 100, &x, 1);
    }
}

static void setup_trial_bad(struct dev *d)
{
    trial_bad(d, 0);
}

static void setup_trial_and_saved_bad(struct dev *d)
{
    trial_bad(d, 1);
}

/* A staged image signed by a key the keyring does not hold: refused, A kept. */
static void setup_untrusted(struct dev *d)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    stage(d, img(2500, "2.0.0", 2, TU_KEY_UNTRUSTED), IFU_BOOT_REQ_PERMANENT);
}

/* A with SEC_CNT 1 running (counter still 0), B with SEC_CNT 2 requested for good. */
static void setup_counter_up(struct dev *d)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    stage(d, img_b(), IFU_BOOT_REQ_PERMANENT);
}

/* Nothing in the primary, B with SEC_CNT 2 requested for good: no running image to commit or
 * compare with. */
static void setup_counter_first(struct dev *d)
{
    stage(d, img_b(), IFU_BOOT_REQ_PERMANENT);
}

/* B on trial (A committed when B installed), then C with SEC_CNT 3 staged and requested for
 * good: the running image is not confirmed, so it is not committed. */
static void setup_over_a_trial(struct dev *d)
{
    setup_trial_over(d);
    stage(d, img_c(), IFU_BOOT_REQ_PERMANENT);
}

/* Direct-XIP: B installed for good from slot B (counter 2), then C (SEC_CNT 3) requested for
 * good into slot A by the application running B. */
static void setup_second_update(struct dev *d)
{
    setup_counter_up(d);
    boot_ok(d);
    stage_from(d, 1, img_c(), IFU_BOOT_REQ_PERMANENT);
}

/* A signed by the key of slot 0 running, B signed by the key of slot 1 requested for good:
 * booting B confirmed retires slot 0. */
static void setup_rotation(struct dev *d)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_ka());
    stage(d, img_kb(), IFU_BOOT_REQ_PERMANENT);
}

/* B running, A (older version and SEC_CNT) requested: a downgrade, refused. */
static void downgrade(struct dev *d, enum ifu_boot_request_kind kind)
{
    tu_rig_poke_image(&d->rig, 0, 0, img_b());
    stage(d, img_a(), kind);
}

static void setup_downgrade_perm(struct dev *d)
{
    downgrade(d, IFU_BOOT_REQ_PERMANENT);
}

static void setup_downgrade_test(struct dev *d)
{
    downgrade(d, IFU_BOOT_REQ_TEST);
}

static const struct scenario scenarios[] = {
    {"trial over", TRIALS, 0, setup_trial_over, 0, 0, img_a, IFU_BOOT_STATE_REVERTED, 0},
    {"trial over, counter", TRIALS, 1, setup_trial_over, 0, 0, img_a, IFU_BOOT_STATE_REVERTED, 1},
    {"trial image bad", M(IFU_BOOT_MODE_SWAP), 0, setup_trial_bad, 0, 0, img_a,
     IFU_BOOT_STATE_REVERTED, 0},
    {"trial and saved image bad", M(IFU_BOOT_MODE_SWAP), 0, setup_trial_and_saved_bad, IFU_ENOIMAGE,
     0, NULL, 0, 0},
    {"untrusted staged image", ALL_MODES, 0, setup_untrusted, 0, 0, img_a, IFU_BOOT_STATE_CONFIRMED,
     0},
    {"counter raised by install", ALL_MODES, 1, setup_counter_up, 0, 1, img_b,
     IFU_BOOT_STATE_CONFIRMED, 2},
    {"counter, nothing running", M(IFU_BOOT_MODE_OVERWRITE) | M(IFU_BOOT_MODE_SWAP), 1,
     setup_counter_first, 0, 0, img_b, IFU_BOOT_STATE_CONFIRMED, 2},
    {"install over a trial, counter", M(IFU_BOOT_MODE_SWAP), 1, setup_over_a_trial, 0, 0, img_c,
     IFU_BOOT_STATE_CONFIRMED, 3},
    {"second update, counter", M(IFU_BOOT_MODE_XIP), STORE_COUNTER, setup_second_update, 0, 0,
     img_c, IFU_BOOT_STATE_CONFIRMED, 3},
    {"key rotation", ALL_MODES, STORE_KEYS, setup_rotation, 0, 1, img_kb, IFU_BOOT_STATE_CONFIRMED,
     0},
    {"downgrade for good, counter", ALL_MODES, 1, setup_downgrade_perm, 0, 0, img_b,
     IFU_BOOT_STATE_CONFIRMED, 2},
    {"downgrade on trial", M(IFU_BOOT_MODE_XIP), 0, setup_downgrade_test, 0, 0, img_b,
     IFU_BOOT_STATE_CONFIRMED, 0},
};

/* ---- the sweep ---- */

static struct dev *dev_new(unsigned store)
{
    struct dev *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_ifu(tu_rig_init(&d->rig, geom, 5), 0);
    assert_ifu(d->rig.layout_err, 0);
    tu_faulty_init(&d->f, &d->rig.sim.flash);
    d->rig.cfg.primary.flash = &d->f.flash;
    d->rig.cfg.secondary.flash = &d->f.flash;
    if (store & STORE_KEYS) {
        d->ks_page = (struct ifu_area){&d->f.flash, KS_OFF, 4 * TU_KIB};
        assert_ifu(ifu_keys_init_area(&d->ks, &d->ks_page, KS_SLOTS), 0);
        uint8_t h[IFU_KEYS_ANCHOR_SIZE];
        tu_keys_anchor(TU_KEY_TRUSTED, h);
        assert_ifu(ifu_keys_provision(&d->ks, h), 0);
        tu_keys_anchor(TU_KEY_NEXT, h);
        assert_ifu(ifu_keys_provision(&d->ks, h), 1);
        d->ks.flags |= IFU_KEYS_F_REVOKE_BELOW;
        d->rig.cfg.keys = NULL;
        d->rig.cfg.keystore = &d->ks;
    }
    if (store & STORE_COUNTER) {
        d->ctr_area = (struct ifu_area){&d->f.flash, CTR_OFF, 2 * CTR_SECTOR};
        assert_ifu(ifu_counter_flash_init(&d->ctr, &d->ctr_area), 0);
        d->ctr.flags |= IFU_COUNTER_F_VERSION;
        d->rig.cfg.counter = &d->ctr;
    }
    return d;
}

static void dev_free(struct dev *d)
{
    tu_rig_free(&d->rig);
    free(d);
}

/* The healthy boot's outcome, as the scenario says. */
static void assert_outcome(struct dev *d, const struct scenario *sc, int err,
                           const struct ifu_boot_result *res)
{
    assert_ifu(err, sc->want_err);
    if (sc->want_err == 0) {
        const struct tu_image *want = sc->want_img();
        unsigned slot = mode == IFU_BOOT_MODE_XIP ? sc->xip_slot : 0;
        if (res->slot != slot || !tu_rig_holds(&d->rig, slot, 0, want) ||
            res->info.total_size != want->len) {
            fail_msg("%s: booted slot %u, not the expected image in slot %u", sc->name, res->slot,
                     slot);
        }
        assert_int_equal(res->state, sc->state);
    }
    unsigned long fail_at = d->f.fail_at;
    d->f.fail_at = 0; /* the checks below read the part as it is */
    if (sc->store & STORE_COUNTER) {
        struct ifu_counter_state cs;
        assert_ifu(ifu_counter_get(&d->ctr, &cs), 0);
        assert_int_equal(cs.value, sc->ctr_value);
    }
    if ((sc->store & STORE_KEYS) && sc->want_err == 0) {
        /* The booted image's key is trusted, the slots below it are retired. */
        struct ifu_key_slot ks;
        assert_ifu(ifu_keys_get(&d->ks, 0, &ks), 0);
        assert_int_equal(ks.state, IFU_KEY_REVOKED);
        assert_ifu(ifu_keys_get(&d->ks, 1, &ks), 0);
        assert_int_equal(ks.state, IFU_KEY_VALID);
    }
    d->f.fail_at = fail_at;
}

/* Every call of ifu_boot_state() and of ifu_boot_inspect() fails once: IFU_EIO, nothing
 * written. Returns the number of calls swept. */
static unsigned long sweep_queries(struct dev *d)
{
    struct ifu_boot_config app = app_cfg(d);
    struct ifu_boot_status st;
    struct ifu_boot_trailer_info tr[2];
    struct ifu_boot_journal_info jn;
    unsigned long swept = 0;
    for (int q = 0; q < 2; q++) {
        d->f.fail_at = 0;
        d->f.calls = 0;
        int err = q == 0 ? ifu_boot_state(&app, &st) : ifu_boot_inspect(&d->rig.cfg, tr, &jn);
        assert_ifu(err, 0);
        unsigned long total = d->f.calls;
        for (unsigned long k = 1; k <= total; k += tu_faulty_sample_step()) {
            uint64_t ops = d->rig.sim.stats.ops;
            d->f.calls = 0;
            d->f.fired = 0;
            d->f.fail_at = k;
            err = q == 0 ? ifu_boot_state(&app, &st) : ifu_boot_inspect(&d->rig.cfg, tr, &jn);
            assert_true(d->f.fired);
            if (err != IFU_EIO) {
                fail_msg("%s: call %lu of %lu failed, got %d (%s)", q == 0 ? "state" : "inspect", k,
                         total, err, ifu_strerror(err));
            }
            assert_int_equal(d->rig.sim.stats.ops, ops);
        }
        swept += total;
    }
    d->f.fail_at = 0;
    return swept;
}

static void sweep(const struct scenario *sc)
{
    if ((sc->modes & M(mode)) == 0) {
        return;
    }
    struct dev *d = dev_new(sc->store);
    sc->setup(d);
    struct ifu_sim_snapshot *snap = ifu_sim_save(&d->rig.sim);
    assert_non_null(snap);
    unsigned long queries = sweep_queries(d);

    /* The healthy boot, then the same with each of its calls failing once. */
    struct ifu_boot_result res;
    d->f.calls = 0;
    int err = tu_rig_go(&d->rig, &res);
    unsigned long total = d->f.calls;
    assert_outcome(d, sc, err, &res);
    queries += sweep_queries(d);
    for (unsigned long k = 1; k <= total; k += tu_faulty_sample_step()) {
        ifu_sim_restore(&d->rig.sim, snap);
        d->f.calls = 0;
        d->f.fired = 0;
        d->f.fail_at = k;
        err = tu_rig_go(&d->rig, &res);
        assert_true(d->f.fired);
        if (err != IFU_EIO) {
            /* Only a boot that repeated what failed may go on, to the healthy outcome. */
            assert_outcome(d, sc, err, &res);
        }
        d->f.fail_at = 0;
        err = tu_rig_go(&d->rig, &res);
        assert_outcome(d, sc, err, &res);
    }
    print_message("%s: %lu boot calls and %lu query calls, each failed once\n", sc->name, total,
                  queries);
    ifu_sim_snapshot_free(snap);
    dev_free(d);
}

static void test_every_call_fails_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        sweep(&scenarios[i]);
    }
}

static int lock_fails(void *ctx)
{
    (void)ctx;
    return IFU_EIO;
}

/* The keystore's lock hook (write protection before the jump) fails: the boot stops with its
 * error and names no image; with the lock working again the boot goes on where it stopped. */
static void test_keystore_lock_failure_stops_the_boot(void **state)
{
    (void)state;
    struct dev *d = dev_new(STORE_KEYS);
    setup_rotation(d);
    d->ks.lock = lock_fails;
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(&d->rig, &res), IFU_EIO);
    assert_ifu(ifu_boot_check(&res), IFU_EFAULT);
    d->ks.lock = NULL;
    assert_ifu(tu_rig_go(&d->rig, &res), 0);
    assert_ifu(ifu_boot_check(&res), 0);
    assert_true(tu_rig_holds(&d->rig, res.slot, 0, img_kb()));
    dev_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_call_fails_once),
        cmocka_unit_test(test_keystore_lock_failure_stops_the_boot),
    };
    mode = ifu_boot_mode();
    char name[32];
    snprintf(name, sizeof name, "cov_boot_sweeps_%s", tu_boot_mode_name());
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
