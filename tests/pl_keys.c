/* The keystore's power-loss matrix (docs/KEYS.md §4), one program per boot
 * mode: test_pl_keys_overwrite, _swap, _xip.
 *
 * Start: key 1 in slot 0, key 2 in slot 1, the primary holding a confirmed
 * image signed with key 2. Each scenario (provision, revoke, provision then
 * revoke, a boot whose revoke-below policy fires, and a boot that first
 * installs a newer key-2 image requested for good, then revokes) runs once
 * uncut to count its operations N (flash programs and erases, OTP programs,
 * the install's included); then for every
 * cut k in 1..N and every cut mode (clean, done, torn) the start is
 * restored, power is cut at operation k, and after power-on:
 *   K1  every slot is in a state the scenario allows at that point: the
 *       slot being revoked is VALID or REVOKED, the slot being provisioned
 *       EMPTY, INVALID (not trusted, not reused) or VALID with exactly the
 *       new anchor; every other slot is exactly as before;
 *   K2  a key-2 image boots (ifu_boot_go names the old or, after an install,
 *       the new one, byte for byte);
 *   K3  running the scenario again, uncut, reaches its end state, and the
 *       key-2 image still boots;
 *   and the simulator saw no program over programmed flash and no misuse.
 * Flash-page and OTP backends, on two flash geometries. A failure prints
 * the case; the last line is
 *   powerloss keys: <cuts> cuts, <failures> failures */
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
#include "tu_boot.h"
#include "tu_image.h"
#include "tu_keys.h"

#define SECTOR   (4 * TU_KIB)
#define PRI_SECS 16u
#define SEC_SECS 17u
#define KS_OFF   ((PRI_SECS + SEC_SECS) * SECTOR)
#define SLOTS    4u

enum backend { BK_FLASH = 0, BK_OTP, BK_COUNT };
static const char *const backend_name[BK_COUNT] = {"flash", "otp"};

enum scenario {
    SC_PROVISION = 0,
    SC_REVOKE,
    SC_PROVISION_REVOKE,
    SC_POLICY_BOOT,    /* the running key-2 image is confirmed: the boot revokes key 1 */
    SC_INSTALL_POLICY, /* a newer key-2 image is requested for good: install, then revoke */
    SC_COUNT
};
static const char *const scenario_name[SC_COUNT] = {"provision", "revoke", "provision+revoke",
                                                    "policy-boot", "install+policy"};
static const char *const cut_name[IFU_SIM_CUT_MODES] = {"clean", "done", "torn"};

static const struct tu_geom geoms[] = {
    {
        .name = "ws8-ff",
        .runs = {{SECTOR, PRI_SECS + SEC_SECS + 1}},
        .run_count = 1,
        .pri_size = PRI_SECS * SECTOR,
        .sec_off = PRI_SECS * SECTOR,
        .sec_size = SEC_SECS * SECTOR,
        .write_size = 8,
        .erased = 0xff,
        .map_addr = 0x08000000u,
        .otp_size = 256,
    },
    {
        .name = "ws1-00",
        .runs = {{SECTOR, PRI_SECS + SEC_SECS + 1}},
        .run_count = 1,
        .pri_size = PRI_SECS * SECTOR,
        .sec_off = PRI_SECS * SECTOR,
        .sec_size = SEC_SECS * SECTOR,
        .write_size = 1,
        .erased = 0x00,
        .map_addr = 0x08000000u,
        .otp_size = 256,
    },
};
#define GEOMS (sizeof geoms / sizeof geoms[0])

struct rig {
    struct tu_rig rig;
    struct ifu_area page;
    struct ifu_keystore ks;
    uint8_t anchor[3][IFU_KEYS_ANCHOR_SIZE]; /* key 1, key 2, key 3 */
};

static const struct tu_image *img_key2(void)
{
    struct tu_image_spec s = {
        .key = TU_KEY_NEXT, .payload = 7000, .version = "2.0.0", .pubkey_full = 1};
    return tu_image_get(&s);
}

static const struct tu_image *img_key2_new(void)
{
    struct tu_image_spec s = {
        .key = TU_KEY_NEXT, .payload = 8000, .version = "3.0.0", .pubkey_full = 1};
    return tu_image_get(&s);
}

static void rig_init(struct rig *r, const struct tu_geom *g, enum backend b, enum scenario sc,
                     uint64_t seed)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(tu_rig_init(&r->rig, g, seed), 0);
    r->page = (struct ifu_area){&r->rig.sim.flash, KS_OFF, SECTOR};
    if (b == BK_OTP) {
        assert_int_equal(tu_keys_otp(&r->ks, &r->rig.sim, SLOTS), 0);
    } else {
        assert_int_equal(ifu_keys_init_area(&r->ks, &r->page, SLOTS), 0);
    }
    r->rig.cfg.keys = NULL;
    r->rig.cfg.keystore = &r->ks;
    tu_keys_anchor(TU_KEY_TRUSTED, r->anchor[0]);
    tu_keys_anchor(TU_KEY_NEXT, r->anchor[1]);
    tu_keys_anchor(TU_KEY_UNTRUSTED, r->anchor[2]);
    assert_int_equal(ifu_keys_provision(&r->ks, r->anchor[0]), 0);
    assert_int_equal(ifu_keys_provision(&r->ks, r->anchor[1]), 1);
    tu_rig_poke_image(&r->rig, 0, 0, img_key2());
    if (sc == SC_INSTALL_POLICY) {
        struct ifu_boot_config app;
        assert_int_equal(tu_rig_stage(&r->rig, 1, tu_rig_stage_off(&r->rig), img_key2_new()), 0);
        tu_rig_app_cfg(&r->rig, 0, &app);
        assert_int_equal(ifu_boot_request(&app, IFU_BOOT_REQ_PERMANENT), 0);
    }
}

/* Run the scenario; stops at the first error (a cut). */
static int run(struct rig *r, enum scenario sc)
{
    struct ifu_boot_result res;
    int err = 0;
    switch (sc) {
    case SC_PROVISION:
        err = ifu_keys_provision(&r->ks, r->anchor[2]);
        break;
    case SC_REVOKE:
        err = ifu_keys_revoke(&r->ks, 0);
        break;
    case SC_PROVISION_REVOKE:
        err = ifu_keys_provision(&r->ks, r->anchor[2]);
        if (err >= 0) {
            err = ifu_keys_revoke(&r->ks, 0);
        }
        break;
    default:
        r->ks.flags = IFU_KEYS_F_REVOKE_BELOW;
        err = ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res);
        r->ks.flags = 0;
        break;
    }
    return err < 0 ? err : 0;
}

static int revokes(enum scenario sc)
{
    return sc != SC_PROVISION;
}

static int provisions(enum scenario sc)
{
    return sc == SC_PROVISION || sc == SC_PROVISION_REVOKE;
}

static unsigned failures;

static void report(const char *what, const char *geom, enum backend b, enum scenario sc, uint64_t k,
                   int mode)
{
    failures++;
    fprintf(stderr, "FAIL %s: geom %s backend %s scenario %s cut %llu mode %s\n", what, geom,
            backend_name[b], scenario_name[sc], (unsigned long long)k, cut_name[mode]);
}

/* K1 (final = 0) or the end state (final = 1). Returns 0 if it holds. */
static int booted_is(struct rig *r, const struct ifu_boot_result *res, const struct tu_image *im)
{
    return res->info.total_size == im->len &&
           memcmp(r->rig.sim.mem + res->image_off, im->data, im->len) == 0;
}

static int check_slots(struct rig *r, enum scenario sc, int final)
{
    struct ifu_key_slot s[SLOTS];
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (ifu_keys_get(&r->ks, i, &s[i]) != 0) {
            return -1;
        }
    }
    /* Slot 0: key 1, VALID, or REVOKED where the scenario revokes. */
    if (memcmp(s[0].hash, r->anchor[0], IFU_KEYS_ANCHOR_SIZE) != 0) {
        return -1;
    }
    if (s[0].state != IFU_KEY_VALID && !(revokes(sc) && s[0].state == IFU_KEY_REVOKED)) {
        return -1;
    }
    if (final && revokes(sc) && s[0].state != IFU_KEY_REVOKED) {
        return -1;
    }
    /* Slot 1: key 2, never touched. */
    if (s[1].state != IFU_KEY_VALID || memcmp(s[1].hash, r->anchor[1], 32) != 0) {
        return -1;
    }
    /* Slots 2 and 3: empty, or key 3 being provisioned (slot 3 only if a
     * cut provisioning left slot 2 INVALID). */
    int have3 = 0;
    for (uint32_t i = 2; i < SLOTS; i++) {
        if (s[i].state == IFU_KEY_EMPTY) {
            continue;
        }
        if (!provisions(sc) || s[i].state == IFU_KEY_REVOKED) {
            return -1;
        }
        if (s[i].state == IFU_KEY_VALID) {
            if (memcmp(s[i].hash, r->anchor[2], 32) != 0 || have3) {
                return -1;
            }
            have3 = 1;
        } else if (i != 2) {
            return -1; /* INVALID: only the slot a cut provisioning used */
        }
    }
    if (final && provisions(sc) && !have3) {
        return -1;
    }
    return 0;
}

/* K2: a key-2 image boots (final: the one the scenario ends with). */
static int boots_key2(struct rig *r, enum scenario sc, int final)
{
    struct ifu_boot_result res;
    if (tu_rig_go(&r->rig, &res) != 0 || res.info.key_index != 1) {
        return -1;
    }
    if (booted_is(r, &res, img_key2_new())) {
        return sc == SC_INSTALL_POLICY ? 0 : -1;
    }
    if (booted_is(r, &res, img_key2())) {
        return final && sc == SC_INSTALL_POLICY ? -1 : 0;
    }
    return -1;
}

static void test_keys_survive_cut_at_every_operation(void **state)
{
    uint64_t cuts = 0;
    (void)state;
    failures = 0;
    for (uint32_t gi = 0; gi < GEOMS; gi++) {
        for (int b = 0; b < BK_COUNT; b++) {
            for (int sc = 0; sc < SC_COUNT; sc++) {
                static struct rig r;
                rig_init(&r, &geoms[gi], (enum backend)b, (enum scenario)sc,
                         1000 + gi * 10 + (uint64_t)b);
                struct ifu_sim_snapshot *start = ifu_sim_save(&r.rig.sim);
                assert_non_null(start);
                ifu_sim_reset_stats(&r.rig.sim);
                assert_int_equal(run(&r, (enum scenario)sc), 0);
                uint64_t n = r.rig.sim.stats.ops;
                if (n == 0 || check_slots(&r, (enum scenario)sc, 1) != 0) {
                    report("uncut run", geoms[gi].name, (enum backend)b, (enum scenario)sc, 0, 0);
                }
                for (uint64_t k = 1; k <= n; k++) {
                    for (int mode = 0; mode < IFU_SIM_CUT_MODES; mode++) {
                        cuts++;
                        ifu_sim_restore(&r.rig.sim, start);
                        ifu_sim_reset_stats(&r.rig.sim);
                        ifu_sim_arm_cut(&r.rig.sim, k, (enum ifu_sim_cut)mode);
                        int err = run(&r, (enum scenario)sc);
                        if (!ifu_sim_cut_fired(&r.rig.sim) || err == 0) {
                            report("cut did not fire", geoms[gi].name, (enum backend)b,
                                   (enum scenario)sc, k, mode);
                        }
                        ifu_sim_power_on(&r.rig.sim);
                        if (check_slots(&r, (enum scenario)sc, 0) != 0) {
                            report("K1 slot state", geoms[gi].name, (enum backend)b,
                                   (enum scenario)sc, k, mode);
                        } else if (boots_key2(&r, (enum scenario)sc, 0) != 0) {
                            report("K2 boot after cut", geoms[gi].name, (enum backend)b,
                                   (enum scenario)sc, k, mode);
                        } else if (run(&r, (enum scenario)sc) != 0 ||
                                   check_slots(&r, (enum scenario)sc, 1) != 0 ||
                                   boots_key2(&r, (enum scenario)sc, 1) != 0) {
                            report("K3 resume", geoms[gi].name, (enum backend)b, (enum scenario)sc,
                                   k, mode);
                        }
                        if (r.rig.sim.stats.prog_over != 0 || r.rig.sim.stats.misuse != 0) {
                            report("NOR rules", geoms[gi].name, (enum backend)b, (enum scenario)sc,
                                   k, mode);
                        }
                    }
                }
                ifu_sim_snapshot_free(start);
                tu_rig_free(&r.rig);
            }
        }
    }
    printf("powerloss keys: %llu cuts, %u failures\n", (unsigned long long)cuts, failures);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_survive_cut_at_every_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
