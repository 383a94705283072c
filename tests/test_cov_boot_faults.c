/* A flash part that fails: every read, prog, erase and sync of a whole update (download,
 * finish, install, boot) is made to fail once with IFU_EIO, one call per case, through a
 * driver that wraps the simulator's. One program per boot mode (test_cov_boot_faults_<mode>).
 *
 * Each case checks what include/ifu/update.h and include/ifu/boot.h promise for a failing part:
 * - the call that met the failure returns IFU_EIO itself (not another code, not success);
 * - a failure before the install request leaves the primary (XIP: slot A) byte for byte as it
 *   was, and the next healthy session resumes or restarts the download, installs, and the
 *   healthy boot runs the new image;
 * - a failure during the boot stops that boot with IFU_EIO, and the next healthy boot runs the
 *   new image (the request was PERMANENT), never a half-copied one.
 * So a path that swallowed a flash error, reported it as a verdict on the image, or lost the
 * installed image on an I/O error fails here. */
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
#include "ifu/update.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_faulty.h"
#include "tu_image.h"

struct dev {
    struct tu_rig rig;
    struct tu_faulty f;
    struct ifu_update up;
};

static struct dev *dev_new(void)
{
    struct dev *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_ifu(tu_rig_init(&d->rig, &tu_geom_u4k, 7), 0);
    assert_ifu(d->rig.layout_err, 0);
    tu_faulty_init(&d->f, &d->rig.sim.flash);
    d->rig.cfg.primary.flash = &d->f.flash;
    d->rig.cfg.secondary.flash = &d->f.flash;
    return d;
}

static void dev_free(struct dev *d)
{
    tu_rig_free(&d->rig);
    free(d);
}

static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

/* Send [from, len) in chunks of 700 bytes; 0 or the first error. */
static int send(struct dev *d, const struct tu_image *img, uint32_t from)
{
    unsigned zeros = 0;
    for (uint32_t off = from; off < img->len;) {
        uint32_t n = img->len - off < 700 ? img->len - off : 700;
        int got = ifu_update_write(&d->up, off, img->data + off, n);
        if (got < 0) {
            return got;
        }
        assert_true((uint32_t)got <= n);
        zeros = got == 0 ? zeros + 1 : 0;
        assert_true(zeros < 64);
        off += (uint32_t)got;
    }
    return 0;
}

/* Download img, finish and request a permanent install; 0 or the first error (and *step,
 * 1..4, the call that returned it). */
static int download(struct dev *d, const struct tu_image *img, int *step)
{
    struct ifu_image_info info;
    uint32_t resume = 0;
    *step = 1;
    int err = ifu_update_begin(&d->up, &d->rig.cfg, NULL, img->data, &resume);
    if (err) {
        return err;
    }
    *step = 2;
    err = send(d, img, resume);
    if (err) {
        return err;
    }
    *step = 3;
    err = ifu_update_finish(&d->up, &info);
    if (err) {
        return err;
    }
    assert_int_equal(info.total_size, img->len);
    *step = 4;
    return ifu_update_install(&d->up, IFU_BOOT_REQ_PERMANENT);
}

/* Healthy boot: must succeed and run img. */
static void assert_boots(struct dev *d, const struct tu_image *img)
{
    struct ifu_boot_result res;
    d->f.fail_at = 0;
    assert_ifu(tu_rig_go(&d->rig, &res), 0);
    const uint8_t *at = d->rig.sim.mem + res.image_off;
    if (res.info.total_size != img->len || memcmp(at, img->data, img->len) != 0) {
        fail_msg("booted slot %u (version %u.%u.%u), not the expected image", res.slot,
                 res.info.hdr.version.major, res.info.hdr.version.minor,
                 res.info.hdr.version.revision);
    }
}

/* A download of img's first part bytes, in a session then dropped as a reset drops it. */
static void partial(struct dev *d, const struct tu_image *img, uint32_t part)
{
    uint32_t resume = 1;
    assert_ifu(ifu_update_begin(&d->up, &d->rig.cfg, NULL, img->data, &resume), 0);
    assert_int_equal(resume, 0);
    unsigned calls = 0;
    for (uint32_t off = 0; off < part; calls++) {
        int got = ifu_update_write(&d->up, off, img->data + off, part - off);
        assert_true(got >= 0 && calls < 64); /* a call may only erase; it makes progress */
        off += (uint32_t)got;
    }
}

/* One case: fail call k of the sequence download-install-boot (after a healthy partial
 * download of part bytes when part > 0, so that begin resumes it). Returns 1 if call k was
 * reached (the failure fired), 0 if the whole sequence took fewer calls. */
static int one_case(unsigned long k, long arg)
{
    uint32_t part = (uint32_t)arg;
    struct dev *d = dev_new();
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    if (part > 0) {
        partial(d, img_b(), part);
        d->f.calls = 0;
    }
    uint8_t *before = malloc(tu_geom_u4k.pri_size);
    assert_non_null(before);
    memcpy(before, tu_rig_bytes(&d->rig, 0), tu_geom_u4k.pri_size);

    d->f.fail_at = k;
    int step = 0;
    int err = download(d, img_b(), &step);
    if (err) {
        if (!d->f.fired) {
            fail_msg("case %lu: step %d failed with %d without an injected failure", k, step, err);
        }
        if (err != IFU_EIO) {
            fail_msg("case %lu: step %d returned %d (%s), not IFU_EIO", k, step, err,
                     ifu_strerror(err));
        }
        /* Nothing installed moved: the primary is as it was. */
        assert_memory_equal(before, tu_rig_bytes(&d->rig, 0), tu_geom_u4k.pri_size);
        /* A new healthy session gets the image in and the device boots it. */
        d->f.fail_at = 0;
        assert_ifu(download(d, img_b(), &step), 0);
        assert_boots(d, img_b());
        int fired = d->f.fired;
        free(before);
        dev_free(d);
        return fired;
    }
    assert_memory_equal(before, tu_rig_bytes(&d->rig, 0), tu_geom_u4k.pri_size);
    struct ifu_boot_result res;
    err = tu_rig_go(&d->rig, &res);
    int fired = d->f.fired;
    if (fired && err != IFU_EIO) {
        /* A boot may also get past a failed read it can repeat, but it must then run a
         * correct image; only a boot that returned 0 can have done so. */
        if (err != 0) {
            fail_msg("case %lu: boot returned %d (%s), not IFU_EIO", k, err, ifu_strerror(err));
        }
    }
    if (!fired) {
        assert_ifu(err, 0);
    }
    /* Whatever the failure interrupted, the next healthy boot runs the new image. */
    assert_boots(d, img_b());
    free(before);
    dev_free(d);
    return fired;
}

static void sweep(uint32_t part)
{
    /* The clean run's number of flash calls bounds the sweep. */
    struct dev *d = dev_new();
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    if (part > 0) {
        partial(d, img_b(), part);
        d->f.calls = 0;
    }
    int step;
    assert_ifu(download(d, img_b(), &step), 0);
    struct ifu_update_status st;
    unsigned long calls = d->f.calls;
    assert_ifu(ifu_update_status(&d->up, NULL, &st), 0);
    d->f.calls = calls; /* the status's reads are not part of the sequence */
    if (part > 0) {     /* the session went on from the kept bytes, not from 0 */
        assert_true(st.resumed > 0 && st.resumed <= part);
    }
    struct ifu_boot_result res;
    assert_ifu(tu_rig_go(&d->rig, &res), 0);
    unsigned long total = d->f.calls;
    dev_free(d);
    tu_faulty_sweep(total, one_case, (long)part);
}

static void test_every_call_fails_once(void **state)
{
    (void)state;
    sweep(0);
}

/* The same after a reset cut a download at 13000 bytes: begin looks for where to go on
 * (reads of the staged sectors) and re-hashes the kept bytes, each read of which fails once. */
static void test_every_call_of_a_resume_fails_once(void **state)
{
    (void)state;
    sweep(13000);
}

/* The refusals include/ifu/update.h promises for absent arguments, and the answers of a
 * session in each state to the calls that state does not take. */
static void test_update_arguments_and_states(void **state)
{
    (void)state;
    struct dev *d = dev_new();
    tu_rig_poke_image(&d->rig, 0, 0, img_a());
    const struct tu_image *b = img_b();
    struct ifu_image_info info;
    struct ifu_update_status st;
    uint32_t resume = 7;
    uint64_t ops = d->rig.sim.stats.ops;

    assert_ifu(ifu_update_begin(NULL, &d->rig.cfg, NULL, b->data, &resume), IFU_EINVAL);
    assert_int_equal(resume, 0);
    assert_ifu(ifu_update_begin(&d->up, NULL, NULL, b->data, NULL), IFU_EINVAL);
    struct ifu_boot_config nokeys = d->rig.cfg;
    nokeys.keys = NULL;
    nokeys.keystore = NULL;
    assert_ifu(ifu_update_begin(&d->up, &nokeys, NULL, b->data, NULL), IFU_EINVAL);
    assert_ifu(ifu_update_write(NULL, 0, b->data, 1), IFU_EINVAL);
    memset(&info, 0xa5, sizeof info);
    assert_ifu(ifu_update_finish(NULL, &info), IFU_EINVAL);
    assert_int_equal(info.total_size, 0); /* cleared even when refused */
    assert_ifu(ifu_update_install(NULL, IFU_BOOT_REQ_PERMANENT), IFU_EINVAL);
    assert_ifu(ifu_update_abort(NULL), IFU_EINVAL);
    assert_ifu(ifu_update_status(NULL, &d->rig.cfg, NULL), IFU_EINVAL);
    assert_ifu(ifu_update_status(NULL, NULL, &st), IFU_EINVAL);
    /* A session that never began (zeroed: IDLE) takes no bytes, no finish, no install. */
    memset(&d->up, 0, sizeof d->up);
    assert_ifu(ifu_update_write(&d->up, 0, b->data, 1), IFU_ESTATE);
    assert_ifu(ifu_update_finish(&d->up, NULL), IFU_ESTATE);
    assert_ifu(ifu_update_install(&d->up, IFU_BOOT_REQ_PERMANENT), IFU_ESTATE);
    assert_int_equal(d->rig.sim.stats.ops, ops); /* none of it touched the flash */

    /* Bytes without data are refused, and the session goes on. */
    assert_ifu(ifu_update_begin(&d->up, &d->rig.cfg, NULL, b->data, &resume), 0);
    assert_ifu(ifu_update_write(&d->up, 0, NULL, 5), IFU_EINVAL);
    int step;
    assert_ifu(download(d, b, &step), 0);
    /* A second finish of a complete session repeats the verdict, and a second install the
     * request; the status tells the session's figures. */
    memset(&info, 0, sizeof info);
    assert_ifu(ifu_update_finish(&d->up, &info), 0);
    assert_int_equal(info.total_size, b->len);
    assert_ifu(ifu_update_finish(&d->up, NULL), 0);
    assert_ifu(ifu_update_install(&d->up, IFU_BOOT_REQ_PERMANENT), 0);
    assert_ifu(ifu_update_status(&d->up, NULL, &st), 0);
    assert_int_equal(st.state, IFU_UPDATE_INSTALLED);
    assert_int_equal(st.offset, b->len);
    assert_int_equal(st.image_size, b->len);
    assert_int_equal(st.running_valid, 1);
    assert_int_equal(st.running_version.major, 1);
    /* No more bytes once complete. */
    assert_ifu(ifu_update_write(&d->up, 0, b->data, 1), IFU_ESTATE);
    /* A failing part is the status's error too. */
    d->f.fail_at = d->f.calls + 1;
    assert_ifu(ifu_update_status(&d->up, NULL, &st), IFU_EIO);
    assert_boots(d, b);
    dev_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_call_fails_once),
        cmocka_unit_test(test_every_call_of_a_resume_fails_once),
        cmocka_unit_test(test_update_arguments_and_states),
    };
    enum ifu_boot_mode m = ifu_boot_mode();
    const char *name = m == IFU_BOOT_MODE_SWAP        ? "cov_boot_faults_swap"
                       : m == IFU_BOOT_MODE_OVERWRITE ? "cov_boot_faults_overwrite"
                                                      : "cov_boot_faults_xip";
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
