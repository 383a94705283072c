/* The keystore in the boot engine and the streaming update API, one program
 * per mode (test_keys_boot_overwrite, _swap, _xip), for the flash-page and
 * OTP backends: an image signed with a revoked key is refused by both, the
 * rotation flow of docs/KEYS.md §5 works end to end, and the revoke-below
 * policy acts only on a confirmed image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/keys.h"
#include "ifu/update.h"
#include "tu_boot.h"
#include "tu_image.h"
#include "tu_keys.h"

#define SECTOR   (4 * TU_KIB)
#define PRI_SECS 16u
#define SEC_SECS 17u
#define KS_OFF   ((PRI_SECS + SEC_SECS) * SECTOR)
#define SLOTS    4u

#define assert_ifu(got, want)                                                                      \
    do {                                                                                           \
        int got_ = (got);                                                                          \
        int want_ = (want);                                                                        \
        if (got_ != want_) {                                                                       \
            fail_msg("%s: %s: got %d (%s), want %d (%s)", mode_name(), backend_name[bk], got_,     \
                     ifu_strerror(got_), want_, ifu_strerror(want_));                              \
        }                                                                                          \
    } while (0)

enum backend { BK_FLASH = 0, BK_OTP, BK_COUNT };
static const char *const backend_name[BK_COUNT] = {"flash page", "otp"};
static int bk; /* the backend of the running case, for messages */

static const char *mode_name(void)
{
    switch (ifu_boot_mode()) {
    case IFU_BOOT_MODE_OVERWRITE:
        return "overwrite";
    case IFU_BOOT_MODE_SWAP:
        return "swap";
    default:
        return "xip";
    }
}

static const struct tu_geom geom = {
    .name = "keys",
    .runs = {{SECTOR, PRI_SECS + SEC_SECS + 1}},
    .run_count = 1,
    .pri_off = 0,
    .pri_size = PRI_SECS * SECTOR,
    .sec_off = PRI_SECS * SECTOR,
    .sec_size = SEC_SECS * SECTOR,
    .write_size = 8,
    .erased = 0xff,
    .map_addr = 0x08000000u,
    .otp_size = 256,
};

struct rig {
    struct tu_rig rig;
    struct ifu_area page;
    struct ifu_keystore ks;
    struct ifu_update up;
    struct ifu_boot_config app; /* the application's, alive as long as up */
    unsigned locks;
};

static struct rig *rig_new(enum backend b)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    bk = (int)b;
    assert_int_equal(tu_rig_init(&r->rig, &geom, 11), 0);
    r->page = (struct ifu_area){&r->rig.sim.flash, KS_OFF, SECTOR};
    if (b == BK_OTP) {
        assert_int_equal(tu_keys_otp(&r->ks, &r->rig.sim, SLOTS), 0);
    } else {
        assert_int_equal(ifu_keys_init_area(&r->ks, &r->page, SLOTS), 0);
    }
    r->rig.cfg.keys = NULL; /* only the keystore is trusted */
    r->rig.cfg.keystore = &r->ks;
    assert_int_equal(ifu_boot_layout(&r->rig.cfg, &r->rig.lay), 0);
    return r;
}

static void rig_free(struct rig *r)
{
    tu_rig_free(&r->rig);
    free(r);
}

/* The lock hook counts through a wrapper: ctx is the backend's, so the
 * count lives in a file-level variable set per rig. */
static struct rig *lock_rig;
static int lock_hook(void *ctx)
{
    (void)ctx;
    lock_rig->locks++;
    return 0;
}

static void use_lock_counter(struct rig *r)
{
    lock_rig = r;
    r->ks.lock = lock_hook;
}

static void provision(struct rig *r, enum tu_key k, int want_slot)
{
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    tu_keys_anchor(k, h);
    assert_ifu(ifu_keys_provision(&r->ks, h), want_slot);
}

static const struct tu_image *img(enum tu_key k, const char *version, uint32_t payload)
{
    struct tu_image_spec s = {.key = k, .payload = payload, .version = version, .pubkey_full = 1};
    return tu_image_get(&s);
}

/* v1 signed with key 1, v2 with key 2, v3 (newest) with key 1 again. */
static const struct tu_image *img_v1(void)
{
    return img(TU_KEY_TRUSTED, "1.0.0", 9000);
}
static const struct tu_image *img_v2(void)
{
    return img(TU_KEY_NEXT, "2.0.0", 11000);
}
static const struct tu_image *img_v3_old_key(void)
{
    return img(TU_KEY_TRUSTED, "3.0.0", 10000);
}

static enum ifu_boot_request_kind install_kind(void)
{
    return ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST;
}

/* Stream image through the update API of the application running from
 * slot `running`; returns finish's verdict (or the first error). */
static int send_update(struct rig *r, unsigned running, const struct tu_image *im)
{
    struct ifu_image_info info;
    tu_rig_app_cfg(&r->rig, running, &r->app);
    int err = ifu_update_begin(&r->up, &r->app, NULL, NULL, NULL);
    for (uint32_t off = 0; !err && off < im->len;) {
        int n = ifu_update_write(&r->up, off, im->data + off, im->len - off);
        if (n < 0) {
            err = n;
        } else {
            off += (uint32_t)n;
        }
    }
    if (!err) {
        err = ifu_update_finish(&r->up, &info);
    }
    if (err) {
        ifu_update_abort(&r->up);
    }
    return err;
}

static int send_and_install(struct rig *r, unsigned running, const struct tu_image *im)
{
    int err = send_update(r, running, im);
    return err ? err : ifu_update_install(&r->up, install_kind());
}

/* Boot; assert the engine names im, and return the result. */
static struct ifu_boot_result boot_expect(struct rig *r, const struct tu_image *im)
{
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(&r->rig, &res), 0);
    const uint8_t *at = r->rig.sim.mem + res.image_off;
    if (res.info.total_size != im->len || memcmp(at, im->data, im->len) != 0) {
        fail_msg("%s: %s: booted slot %u version %u.%u.%u, not %s", mode_name(), backend_name[bk],
                 res.slot, res.info.hdr.version.major, res.info.hdr.version.minor,
                 res.info.hdr.version.revision, im->spec.version);
    }
    return res;
}

static enum ifu_key_state slot_state(struct rig *r, uint32_t slot)
{
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(&r->ks, slot, &s), 0);
    return s.state;
}

/* Confirm the image running from slot `running`, as its application does. */
static void confirm(struct rig *r, unsigned running)
{
    struct ifu_boot_config app;
    tu_rig_app_cfg(&r->rig, running, &app);
    assert_ifu(ifu_boot_confirm(&app), 0);
}

static void test_keys_boot_revoked_key_refused_by_update_and_boot(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct rig *r = rig_new((enum backend)b);
        provision(r, TU_KEY_TRUSTED, 0);
        provision(r, TU_KEY_NEXT, 1);
        tu_rig_poke_image(&r->rig, 0, 0, img_v2()); /* factory image, key 2 */
        assert_ifu(ifu_keys_revoke(&r->ks, 0), 0);

        /* The update API refuses at finish, with a reason of its own. */
        assert_ifu(send_update(r, 0, img_v3_old_key()), IFU_EREVOKED);
        assert_ifu(send_update(r, 0, img(TU_KEY_UNTRUSTED, "3.0.0", 10000)), IFU_ENOKEY);

        /* Staged past the update API, the bootloader refuses it too and
         * keeps booting the key-2 image. */
        assert_ifu(tu_rig_stage(&r->rig, 1, tu_rig_stage_off(&r->rig), img_v3_old_key()), 0);
        struct ifu_boot_config app;
        tu_rig_app_cfg(&r->rig, 0, &app);
        assert_ifu(ifu_boot_request(&app, install_kind()), 0);
        struct ifu_boot_result res = boot_expect(r, img_v2());
        assert_ifu(res.reject_err, IFU_EREVOKED);
        assert_true(res.actions & IFU_BOOT_DID_REJECT);
        assert_int_equal(res.info.key_index, 1);
        struct ifu_boot_status st;
        assert_ifu(ifu_boot_state(&app, &st), 0);
        assert_ifu(st.staged_err, IFU_EREVOKED);
        rig_free(r);
    }
}

static void test_keys_boot_revoked_running_image_is_not_booted(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct rig *r = rig_new((enum backend)b);
        provision(r, TU_KEY_TRUSTED, 0);
        provision(r, TU_KEY_NEXT, 1);
        tu_rig_poke_image(&r->rig, 0, 0, img_v1());
        boot_expect(r, img_v1());
        assert_ifu(ifu_keys_revoke(&r->ks, 0), 0);
        struct ifu_boot_result res;
        assert_ifu(tu_rig_go(&r->rig, &res), IFU_ENOIMAGE);
        assert_int_equal(r->rig.recovery_calls, 1);
        rig_free(r);
    }
}

/* docs/KEYS.md §5: provision key 2 beside key 1, ship an image signed with
 * key 2, confirm it, then revoke key 1. */
static void test_keys_boot_rotation_flow(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct rig *r = rig_new((enum backend)b);
        use_lock_counter(r);
        provision(r, TU_KEY_TRUSTED, 0);
        tu_rig_poke_image(&r->rig, 0, 0, img_v1());
        struct ifu_boot_result res = boot_expect(r, img_v1());
        assert_int_equal(res.info.key_index, 0);
        assert_int_equal(r->locks, 1); /* locked before the jump */

        /* 1. the bootloader provisions key 2 beside key 1 */
        provision(r, TU_KEY_NEXT, 1);
        /* 2. the application receives an image signed with key 2 */
        assert_ifu(send_and_install(r, res.slot, img_v2()), 0);
        res = boot_expect(r, img_v2());
        assert_int_equal(res.info.key_index, 1);
        /* 3. it confirms itself */
        if (res.state == IFU_BOOT_STATE_TESTING) {
            confirm(r, res.slot);
        }
        res = boot_expect(r, img_v2());
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        /* 4. only then is key 1 revoked */
        assert_ifu(ifu_keys_revoke(&r->ks, 0), 0);
        res = boot_expect(r, img_v2());
        assert_int_equal(slot_state(r, 0), IFU_KEY_REVOKED);
        assert_int_equal(slot_state(r, 1), IFU_KEY_VALID);
        /* Key 1 is gone for good: a newer image signed with it is refused. */
        assert_ifu(send_update(r, res.slot, img_v3_old_key()), IFU_EREVOKED);
        /* The application sees the same, read-only, by slot. */
        struct ifu_keystore view = r->ks;
        view.prog = NULL;
        assert_ifu(ifu_keys_count(&view), (int)SLOTS);
        struct ifu_key_slot s;
        assert_ifu(ifu_keys_get(&view, 0, &s), 0);
        assert_int_equal(s.state, IFU_KEY_REVOKED);
        uint8_t h[IFU_KEYS_ANCHOR_SIZE];
        tu_keys_anchor(TU_KEY_TRUSTED, h);
        assert_memory_equal(s.hash, h, sizeof h);
        rig_free(r);
    }
}

/* The Nordic-style policy: key N revokes keys below N, but only once the
 * image signed with key N is confirmed. */
static void test_keys_boot_policy_revokes_below_only_after_confirm(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct rig *r = rig_new((enum backend)b);
        r->ks.flags = IFU_KEYS_F_REVOKE_BELOW;
        provision(r, TU_KEY_TRUSTED, 0);
        provision(r, TU_KEY_NEXT, 1);
        tu_rig_poke_image(&r->rig, 0, 0, img_v1());
        struct ifu_boot_result res = boot_expect(r, img_v1());
        assert_int_equal(slot_state(r, 0), IFU_KEY_VALID);

        assert_ifu(send_and_install(r, res.slot, img_v2()), 0);
        res = boot_expect(r, img_v2());
        if (ifu_boot_mode() != IFU_BOOT_MODE_OVERWRITE) {
            /* On trial: key 1 must survive, the trial may still revert. */
            assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
            assert_int_equal(slot_state(r, 0), IFU_KEY_VALID);
            /* Not confirmed: the next boot goes back to the key-1 image. */
            res = boot_expect(r, img_v1());
            assert_int_equal(slot_state(r, 0), IFU_KEY_VALID);
            /* Ship it again and confirm this time. */
            assert_ifu(send_and_install(r, res.slot, img_v2()), 0);
            res = boot_expect(r, img_v2());
            assert_int_equal(slot_state(r, 0), IFU_KEY_VALID);
            confirm(r, res.slot);
            res = boot_expect(r, img_v2());
        }
        assert_int_equal(res.state, IFU_BOOT_STATE_CONFIRMED);
        assert_int_equal(slot_state(r, 0), IFU_KEY_REVOKED);
        assert_int_equal(slot_state(r, 1), IFU_KEY_VALID);
        uint64_t ops = r->rig.sim.stats.ops;
        boot_expect(r, img_v2());
        assert_int_equal(r->rig.sim.stats.ops, ops); /* nothing left to revoke */
        rig_free(r);
    }
}

static void test_keys_boot_unprovisioned_keystore_touches_nothing(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct rig *r = rig_new((enum backend)b);
        tu_rig_poke_image(&r->rig, 0, 0, img_v1());
        struct ifu_boot_result res;
        assert_ifu(tu_rig_go(&r->rig, &res), IFU_EINVAL);
        assert_int_equal(r->rig.sim.stats.ops, 0);
        struct ifu_boot_config app;
        tu_rig_app_cfg(&r->rig, 0, &app);
        assert_ifu(ifu_update_begin(&r->up, &app, NULL, NULL, NULL), IFU_EINVAL);
        /* Every key revoked is provisioned, and boots nothing. */
        provision(r, TU_KEY_TRUSTED, 0);
        assert_ifu(ifu_keys_revoke(&r->ks, 0), 0);
        assert_ifu(tu_rig_go(&r->rig, &res), IFU_ENOIMAGE);
        rig_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_boot_revoked_key_refused_by_update_and_boot),
        cmocka_unit_test(test_keys_boot_revoked_running_image_is_not_booted),
        cmocka_unit_test(test_keys_boot_rotation_flow),
        cmocka_unit_test(test_keys_boot_policy_revokes_below_only_after_confirm),
        cmocka_unit_test(test_keys_boot_unprovisioned_keystore_touches_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
