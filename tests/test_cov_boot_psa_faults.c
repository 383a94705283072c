/* The PSA Firmware Update façade (src/psa_fwu.c) over a flash part that fails: every flash
 * call of a whole PSA update (init, start, writes, finish, install, reboot, accept, clean) is
 * made to fail once, one call per case, through a driver that wraps the simulator's. One
 * program per boot mode (test_cov_boot_psa_faults_<mode>).
 *
 * Each case checks: the psa_fwu_* call that met the failure returns PSA_ERROR_STORAGE_FAILURE
 * (ifu_psa_fwu_init and the bootloader: IFU_EIO), never success nor a verdict on the image;
 * the device keeps booting an intact image (the old or the new one); and after a reset with a
 * healthy part, the same state-driven client loop the application runs brings the new image
 * into service (its version is what psa_fwu_query reports as running). */
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
#include "psa/update.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_faulty.h"
#include "tu_image.h"

struct dev {
    struct tu_rig rig;
    struct tu_faulty f;
    struct ifu_boot_config app; /* the application's configuration */
};

static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

static struct dev *dev_new(void)
{
    struct dev *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_ifu(tu_rig_init(&d->rig, &tu_geom_u4k, 11), 0);
    assert_ifu(d->rig.layout_err, 0);
    tu_faulty_init(&d->f, &d->rig.sim.flash);
    d->rig.cfg.primary.flash = &d->f.flash;
    d->rig.cfg.secondary.flash = &d->f.flash;
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    return d;
}

static void dev_free(struct dev *d)
{
    tu_rig_free(&d->rig);
    free(d);
}

/* A reset: the bootloader, then the façade over the application's configuration. 0, or the
 * error of the one that failed. */
static int reboot(struct dev *d)
{
    struct ifu_boot_result res;
    int err = tu_rig_go(&d->rig, &res);
    if (err) {
        return err;
    }
    const uint8_t *at = d->rig.sim.mem + res.image_off;
    const struct tu_image *a = img_a(), *b = img_b();
    int is_a = res.info.total_size == a->len && memcmp(at, a->data, a->len) == 0;
    int is_b = res.info.total_size == b->len && memcmp(at, b->data, b->len) == 0;
    if (!is_a && !is_b) {
        fail_msg("the bootloader names slot %u, which holds neither image intact", res.slot);
    }
    tu_rig_app_cfg(&d->rig, res.slot, &d->app);
    struct ifu_psa_fwu_config pc = {.boot = &d->app};
    return ifu_psa_fwu_init(&pc);
}

/* The application's client loop: act on the state until the new image runs. Returns 0 when
 * it does, else the first failing status (a psa_status_t, or an IFU_E* from a reset). */
static int drive(struct dev *d)
{
    const struct tu_image *b = img_b();
    for (int iter = 0; iter < 24; iter++) {
        psa_fwu_component_info_t info;
        psa_status_t st = psa_fwu_query(0, &info);
        if (st != PSA_SUCCESS) {
            return st;
        }
        int runs_b = info.version.major == 2;
        switch (info.state) {
        case PSA_FWU_READY:
            if (runs_b) {
                return 0;
            }
            st = psa_fwu_start(0, NULL, 0);
            if (st != PSA_SUCCESS) {
                return st;
            }
            break;
        case PSA_FWU_WRITING:
            for (uint32_t off = info.impl.written; off < b->len;) {
                uint32_t n = b->len - off < 1024 ? b->len - off : 1024;
                st = psa_fwu_write(0, off, b->data + off, n);
                if (st != PSA_SUCCESS) {
                    return st;
                }
                off += n;
            }
            st = psa_fwu_finish(0);
            if (st != PSA_SUCCESS) {
                return st;
            }
            break;
        case PSA_FWU_CANDIDATE:
            st = psa_fwu_install();
            if (st != PSA_SUCCESS_REBOOT) {
                return st == PSA_SUCCESS ? PSA_ERROR_GENERIC_ERROR : st;
            }
            break;
        case PSA_FWU_STAGED: {
            int err = reboot(d);
            if (err) {
                return err;
            }
            break;
        }
        case PSA_FWU_TRIAL:
            st = psa_fwu_accept();
            if (st != PSA_SUCCESS) {
                return st;
            }
            break;
        case PSA_FWU_UPDATED:
        case PSA_FWU_FAILED:
        case PSA_FWU_REJECTED:
            st = psa_fwu_clean(0);
            if (st != PSA_SUCCESS) {
                return st;
            }
            break;
        default:
            fail_msg("unknown state %u", info.state);
        }
    }
    fail_msg("the client loop did not bring the new image into service");
    return PSA_ERROR_GENERIC_ERROR;
}

/* Where the swept sequence starts: a fresh device, or one reset in the middle of a download
 * (WRITING after the reset) or after its finish (CANDIDATE: the façade re-verifies what is
 * staged when it starts). */
enum pre { PRE_NONE, PRE_WRITING, PRE_CANDIDATE };

static void prepare(struct dev *d, enum pre pre)
{
    if (pre == PRE_NONE) {
        return;
    }
    const struct tu_image *b = img_b();
    assert_ifu(reboot(d), 0);
    assert_int_equal(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    uint32_t end = pre == PRE_WRITING ? 13000u : b->len;
    for (uint32_t off = 0; off < end;) {
        uint32_t n = end - off < 1024 ? end - off : 1024;
        assert_int_equal(psa_fwu_write(0, off, b->data + off, n), PSA_SUCCESS);
        off += n;
    }
    if (pre == PRE_CANDIDATE) {
        assert_int_equal(psa_fwu_finish(0), PSA_SUCCESS);
    }
    d->f.calls = 0;
}

/* One case: fail call k. Returns 1 if the failure fired. */
static int one_case(unsigned long k, long arg)
{
    enum pre pre = (enum pre)arg;
    struct dev *d = dev_new();
    prepare(d, pre);
    d->f.fail_at = k;
    int err = reboot(d);
    if (err) {
        assert_true(d->f.fired);
        assert_ifu(err, IFU_EIO);
    } else {
        err = drive(d);
        if (err) {
            assert_true(d->f.fired);
            if (err != PSA_ERROR_STORAGE_FAILURE && err != IFU_EIO) {
                fail_msg("case %lu: a failed flash call gave %d", k, err);
            }
        }
    }
    int fired = d->f.fired;
    /* Reset with a healthy part: the loop completes the update. */
    d->f.fail_at = 0;
    assert_ifu(reboot(d), 0);
    assert_int_equal(drive(d), 0);
    dev_free(d);
    return fired;
}

static void sweep(enum pre pre)
{
    struct dev *d = dev_new();
    prepare(d, pre);
    assert_ifu(reboot(d), 0);
    if (pre != PRE_NONE) { /* the reset found the state the download left */
        psa_fwu_component_info_t info;
        unsigned long calls = d->f.calls;
        assert_int_equal(psa_fwu_query(0, &info), PSA_SUCCESS);
        d->f.calls = calls; /* not part of the swept sequence */
        assert_int_equal(info.state, pre == PRE_WRITING ? PSA_FWU_WRITING : PSA_FWU_CANDIDATE);
    }
    assert_int_equal(drive(d), 0);
    unsigned long total = d->f.calls;
    dev_free(d);
    tu_faulty_sweep(total, one_case, (long)pre);
}

static void test_psa_every_call_fails_once(void **state)
{
    (void)state;
    sweep(PRE_NONE);
}

static void test_psa_reset_while_writing_every_call_fails_once(void **state)
{
    (void)state;
    sweep(PRE_WRITING);
}

static void test_psa_reset_with_candidate_every_call_fails_once(void **state)
{
    (void)state;
    sweep(PRE_CANDIDATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psa_every_call_fails_once),
        cmocka_unit_test(test_psa_reset_while_writing_every_call_fails_once),
        cmocka_unit_test(test_psa_reset_with_candidate_every_call_fails_once),
    };
    enum ifu_boot_mode m = ifu_boot_mode();
    const char *name = m == IFU_BOOT_MODE_SWAP        ? "cov_boot_psa_faults_swap"
                       : m == IFU_BOOT_MODE_OVERWRITE ? "cov_boot_psa_faults_overwrite"
                                                      : "cov_boot_psa_faults_xip";
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
