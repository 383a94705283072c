/* Corners of the streaming update API (src/update.c) and the PSA Firmware Update façade
 * (src/psa_fwu.c) the behaviour tests do not reach, one program per boot mode
 * (test_covm_update_<mode>, tests/covb.cmake): a policy callback's own refusals, a security
 * epoch below the policy's, a resume point past the image's end, an info header shorter than
 * itself, a flash that fails in a repeat check, in the last partial unit or while a verdict is
 * recorded; and the façade's state rebuilt at init from a staged image (CANDIDATE, STAGED,
 * WRITING with no running image, FAILED under a stricter policy), the calls made on those
 * states, and a flash that fails while a verdict is persisted. Each case checks the code
 * include/ifu/update.h or include/psa/update.h gives, and the state left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/update.h"
#include "psa/update.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_faulty.h"
#include "tu_image.h"
#include "tu_keys.h"
#include "util_priv.h"

static struct tu_rig rig;
static struct ifu_boot_config app; /* the application's, running from slot 0 */
static struct tu_faulty faulty;    /* wraps the sim; app.secondary goes through it */
static struct ifu_update up;

/* A: running (factory image). B: the update. */
static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

static int setup(void **state)
{
    (void)state;
    assert_ifu(tu_rig_init(&rig, &tu_geom_u4k, 7), 0);
    assert_ifu(rig.layout_err, 0);
    tu_rig_poke_image(&rig, 0, 0, img_a());
    tu_rig_app_cfg(&rig, 0, &app);
    tu_faulty_init(&faulty, app.secondary.flash);
    app.secondary.flash = &faulty.flash;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rig_free(&rig);
    return 0;
}

/* The next flash call through app.secondary fails once. */
static void fail_next_call(void)
{
    faulty.fired = 0;
    faulty.fail_at = faulty.calls + 1;
}

/* Write [from, to) of img with update writes of at most 4 KiB, going on after partial takes.
 * 0 or the first error. */
static int write_range(const uint8_t *img, uint32_t from, uint32_t to)
{
    for (uint32_t off = from, idle = 0; off < to;) {
        int n = ifu_update_write(&up, off, img + off, IFU_MIN(to - off, 4 * TU_KIB));
        if (n < 0) {
            return n;
        }
        idle = n == 0 ? idle + 1 : 0;
        if (idle > 64) {
            fail_msg("no progress at %u", off);
        }
        off += (uint32_t)n;
    }
    return 0;
}

/* ---- streaming update API ---- */

static int check_verdict; /* what the policy callback answers */

static int check_hdr(void *ctx, const struct ifu_image_header *hdr)
{
    (void)ctx;
    (void)hdr;
    return check_verdict;
}

/* The policy's own check speaks last on the header: its negative code becomes the sticky
 * error, a positive return fails closed as IFU_EINVAL; nothing is erased either way. */
static void test_policy_check_refuses(void **state)
{
    (void)state;
    const struct ifu_update_policy pol = {.check = check_hdr};
    const int verdicts[] = {IFU_EUNSUPPORTED, 1};
    const int want[] = {IFU_EUNSUPPORTED, IFU_EINVAL};

    for (size_t i = 0; i < 2; i++) {
        check_verdict = verdicts[i];
        uint64_t erases = rig.sim.stats.erases;
        assert_ifu(ifu_update_begin(&up, &app, &pol, img_b()->data, NULL), want[i]);
        assert_ifu(ifu_update_write(&up, 0, img_b()->data, 64), want[i]);
        assert_ifu(ifu_update_begin(&up, &app, &pol, NULL, NULL), 0);
        assert_ifu(write_range(img_b()->data, 0, 64), want[i]);
        assert_ifu(ifu_update_finish(&up, NULL), want[i]);
        assert_int_equal(rig.sim.stats.erases, erases);
    }
    check_verdict = 0;
    assert_ifu(ifu_update_begin(&up, &app, &pol, img_b()->data, NULL), 0);
    assert_ifu(write_range(img_b()->data, 0, img_b()->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    assert_ifu(ifu_update_abort(&up), 0);
}

/* begin with the header and no resume_off; finish after install gives the same result again. */
static void test_finish_again_after_install(void **state)
{
    (void)state;
    struct ifu_image_info info;
    assert_ifu(ifu_update_begin(&up, &app, NULL, img_b()->data, NULL), 0);
    assert_ifu(write_range(img_b()->data, 0, img_b()->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    assert_ifu(ifu_update_install(&up, IFU_BOOT_REQ_PERMANENT), 0);
    memset(&info, 0x5a, sizeof info);
    assert_ifu(ifu_update_finish(&up, &info), 0);
    assert_int_equal(info.hdr.version.major, 2);
    assert_int_equal(info.total_size, img_b()->len);
    struct ifu_update_status st;
    assert_ifu(ifu_update_status(&up, NULL, &st), 0);
    assert_int_equal(st.state, IFU_UPDATE_INSTALLED);
    assert_ifu(ifu_update_abort(&up), 0); /* voids the request */
}

/* An image of an older security epoch than the policy's floor is refused at finish and
 * cannot be installed. */
static void test_security_epoch_below_the_policy(void **state)
{
    (void)state;
    const struct tu_image_spec spec = {.payload = 9000, .version = "3.0.0", .sec_cnt = 3};
    const struct tu_image *img = tu_image_get(&spec);
    const struct ifu_update_policy pol = {.min_sec_cnt = 4};
    assert_ifu(ifu_update_begin(&up, &app, &pol, img->data, NULL), 0);
    assert_ifu(write_range(img->data, 0, img->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), IFU_EROLLBACK);
    assert_ifu(ifu_update_install(&up, IFU_BOOT_REQ_TEST), IFU_EROLLBACK);
    struct ifu_boot_status bs;
    assert_ifu(ifu_boot_state(&app, &bs), 0);
    assert_int_equal(bs.pending, IFU_BOOT_STATE_NONE);
    /* At the floor it passes. */
    const struct ifu_update_policy at = {.min_sec_cnt = 3};
    assert_ifu(ifu_update_begin(&up, &app, &at, img->data, NULL), 0);
    assert_ifu(write_range(img->data, 0, img->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    assert_ifu(ifu_update_abort(&up), 0);
}

/* Configurations that cannot be: no keys at all, and (status) a layout that cannot be. */
static void test_configurations_refused(void **state)
{
    (void)state;
    struct ifu_boot_config bad = app;
    struct ifu_boot_layout lay;
    struct ifu_update_status st;
    bad.keys = NULL;
    bad.keystore = NULL;
    assert_ifu(ifu_update_begin(&up, &bad, NULL, NULL, NULL), IFU_EINVAL);
    bad = app;
    bad.secondary.size = 3 * 4 * TU_KIB + 1; /* ends inside a sector */
    int err = ifu_boot_layout(&bad, &lay);
    assert_true(err < 0);
    assert_ifu(ifu_update_status(NULL, &bad, &st), err);
}

/* The bytes kept from an earlier transfer go past the image's end (a sector of other data
 * after it): they are no valid start, and the transfer begins from scratch, then succeeds. */
static void test_resume_point_past_the_image_end(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    uint32_t base = tu_rig_stage_off(&rig);
    uint8_t junk[4 * TU_KIB];
    uint32_t resume = 1;

    assert_ifu(tu_rig_stage(&rig, 1, base, b), 0);
    /* The sectors after the one that holds the image's end: other data, then erased. */
    uint32_t after = (base + b->len + 4 * TU_KIB - 1) / (4 * TU_KIB) * (4 * TU_KIB);
    memset(junk, 0x3c, sizeof junk);
    ifu_sim_poke(&rig.sim, rig.cfg.secondary.off + after, junk, sizeof junk);
    ifu_sim_poke(&rig.sim, rig.cfg.secondary.off + after + sizeof junk, junk, sizeof junk);

    assert_ifu(ifu_update_begin(&up, &app, NULL, b->data, &resume), 0);
    assert_int_equal(resume, 0);
    assert_ifu(write_range(b->data, 0, b->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    assert_ifu(ifu_update_abort(&up), 0);
}

/* A transfer cut inside the image's last sector, after its unprotected info header was
 * written: begin finds the image's end in the kept bytes, resumes from that sector, and the
 * rest completes it. */
static void test_resume_after_the_info_header(void **state)
{
    (void)state;
    /* The info 20 bytes before a sector boundary, the image's end 124 bytes after it. */
    const uint32_t boundary = 5 * 4 * TU_KIB;
    const struct tu_image *img = tu_image(boundary - 20 - TU_IMAGE_HDR_SIZE, "2.0.2");
    struct ifu_image_header h;
    assert_ifu(ifu_image_parse_header(&h, img->data), 0);
    assert_int_equal(ifu_image_tlv_off(&h), boundary - 20);
    assert_true(img->len > boundary + 16);
    assert_int_equal(tu_rig_stage_off(&rig) % (4 * TU_KIB), 0);

    assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
    assert_ifu(write_range(img->data, 0, img->len - 8), 0); /* then a reset */
    uint32_t resume = 0;
    assert_ifu(ifu_update_begin(&up, &app, NULL, img->data, &resume), 0);
    assert_int_equal(resume, boundary);
    struct ifu_update_status st;
    assert_ifu(ifu_update_status(&up, NULL, &st), 0);
    assert_int_equal(st.image_size, img->len); /* known from the kept info header */
    assert_ifu(write_range(img->data, resume, img->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0); /* again: the same verdict */
    assert_ifu(ifu_update_abort(&up), 0);
}

/* While the running image is on trial, a revert may still need the staging slot (swap,
 * direct-XIP): no transfer may begin there. Overwrite has no trial. */
static void test_begin_while_the_running_image_is_on_trial(void **state)
{
    (void)state;
    struct ifu_boot_result res;
    struct ifu_boot_config running;
    assert_ifu(ifu_update_begin(&up, &app, NULL, img_b()->data, NULL), 0);
    assert_ifu(write_range(img_b()->data, 0, img_b()->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
    int overwrite = ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE;
    assert_ifu(ifu_update_install(&up, overwrite ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST), 0);
    assert_ifu(tu_rig_go(&rig, &res), 0);
    assert_int_equal(res.info.hdr.version.major, 2);
    tu_rig_app_cfg(&rig, res.slot, &running);
    int want = overwrite ? 0 : IFU_ESTATE;
    assert_ifu(ifu_update_begin(&up, &running, NULL, NULL, NULL), want);
    if (want == IFU_ESTATE) {
        /* Once confirmed, the slot is free again. */
        assert_ifu(ifu_boot_confirm(&running), 0);
        assert_ifu(ifu_update_begin(&up, &running, NULL, NULL, NULL), 0);
    }
}

/* An unprotected info header whose length is less than its own 4 bytes: the image's end is
 * not taken from it, and the verifier refuses it when it arrives; the verdict is what the
 * caller gets, even when recording it on the slot meets a flash error. */
static void test_info_shorter_than_itself(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct ifu_image_header h;
    static uint8_t bad[64 * TU_KIB];
    memcpy(bad, b->data, b->len);
    assert_ifu(ifu_image_parse_header(&h, bad), 0);
    uint32_t info = ifu_image_tlv_off(&h);
    ifu_put_le16(bad + info + 2, 2);

    assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
    assert_ifu(write_range(bad, 0, b->len), IFU_ETLVINFO);
    assert_ifu(ifu_update_finish(&up, NULL), IFU_ETLVINFO);

    /* Again, with the slot's rejected mark failing to program. */
    assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
    assert_ifu(write_range(bad, 0, info), 0);
    for (int i = 0; i < 20; i++) {
        assert_ifu(ifu_update_write(&up, info, NULL, 0), 0); /* one erase each, to the slot end */
    }
    fail_next_call(); /* the slot is erased: the first flash call below is the verdict's mark */
    assert_ifu(ifu_update_write(&up, info, bad + info, 4), IFU_ETLVINFO);
    assert_true(faulty.fired);
    faulty.fail_at = 0;
    struct ifu_update_status st;
    assert_ifu(ifu_update_status(&up, NULL, &st), 0);
    assert_int_equal(st.state, IFU_UPDATE_FAILED);
    assert_ifu(st.err, IFU_ETLVINFO);
}

/* A repeat is compared with the bytes on flash: a read error there fails the transfer with
 * that error. */
static void test_repeat_check_meets_a_read_error(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
    assert_ifu(write_range(b->data, 0, 3 * 4 * TU_KIB), 0);
    assert_true(up.prog >= 128); /* the first bytes are on flash, not pending */
    assert_int_equal(ifu_update_write(&up, 0, b->data, 128), 128); /* a clean repeat */
    fail_next_call();
    assert_ifu(ifu_update_write(&up, 0, b->data, 128), IFU_EIO);
    faulty.fail_at = 0;
    assert_ifu(ifu_update_write(&up, 3 * 4 * TU_KIB, b->data + 3 * 4 * TU_KIB, 8), IFU_EIO);
    assert_ifu(ifu_update_abort(&up), 0);
}

/* The last, partial write unit of an image whose length is not a multiple of the write size
 * is programmed padded in the call that brings the last byte; its flash error fails the
 * transfer, and an abort that cannot record its verdict says so. */
static void test_flash_errors_at_the_end_and_in_abort(void **state)
{
    (void)state;
    const struct tu_image *odd = tu_image(20001, "2.0.1");
    assert_int_not_equal(odd->len % 8, 0);
    /* Count the flash calls of the call that takes the last 5 bytes, on a healthy part. */
    assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
    assert_ifu(write_range(odd->data, 0, odd->len - 5), 0);
    unsigned long c0 = faulty.calls;
    assert_int_equal(ifu_update_write(&up, odd->len - 5, odd->data + odd->len - 5, 5), 5);
    unsigned long n = faulty.calls - c0;
    assert_true(n >= 1);
    assert_ifu(ifu_update_finish(&up, NULL), 0);

    for (unsigned long k = 1; k <= n; k++) {
        assert_ifu(ifu_update_begin(&up, &app, NULL, NULL, NULL), 0);
        assert_ifu(write_range(odd->data, 0, odd->len - 5), 0);
        faulty.fail_at = faulty.calls + k;
        assert_ifu(ifu_update_write(&up, odd->len - 5, odd->data + odd->len - 5, 5), IFU_EIO);
        faulty.fail_at = 0;
        assert_ifu(ifu_update_finish(&up, NULL), IFU_EIO);
        /* The abort's mark fails too: it says so. */
        fail_next_call();
        assert_ifu(ifu_update_abort(&up), IFU_EIO);
        faulty.fail_at = 0;
    }
}

/* begin with a header reads the slot to find a resume point: each of its flash reads that
 * fails fails the begin with that error, and nothing is written. */
static void test_begin_scan_meets_read_errors(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    uint32_t base = tu_rig_stage_off(&rig);
    /* A transfer cut at 9 KiB: the header and two sectors, then erased. */
    assert_ifu(ifu_update_begin(&up, &app, NULL, b->data, NULL), 0);
    assert_ifu(write_range(b->data, 0, 9 * TU_KIB), 0);
    uint32_t resume = 0;
    unsigned long c0 = faulty.calls;
    assert_ifu(ifu_update_begin(&up, &app, NULL, b->data, &resume), 0);
    assert_true(resume > 0);
    unsigned long n = faulty.calls - c0;
    (void)base;
    for (unsigned long k = 1; k <= n; k++) {
        uint64_t ops = rig.sim.stats.ops;
        faulty.fail_at = faulty.calls + k;
        int err = ifu_update_begin(&up, &app, NULL, b->data, &resume);
        faulty.fail_at = 0;
        assert_ifu(err, IFU_EIO);
        assert_int_equal(resume, 0);
        assert_int_equal(rig.sim.stats.ops, ops);
    }
    assert_ifu(ifu_update_begin(&up, &app, NULL, b->data, &resume), 0);
    assert_true(resume > 0);
    assert_ifu(write_range(b->data, resume, b->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), 0);
}

/* A device that trusts keys by their keystore anchors alone (no keyring): the update API
 * takes an image that carries its key in full, and refuses one that names its key by hash
 * only, which an anchor cannot match (IFU_ENOKEY). */
static struct ifu_keystore ks;
static uint8_t ks_mem[512];

static void keystore_only(void)
{
    static struct tu_keys_ram ram = {ks_mem, sizeof ks_mem, 8, 0xff, 0};
    uint8_t anchor[IFU_KEYS_ANCHOR_SIZE];
    memset(ks_mem, 0xff, sizeof ks_mem);
    assert_ifu(tu_keys_ram(&ks, &ram, 2), 0);
    tu_keys_anchor(TU_KEY_TRUSTED, anchor);
    assert_int_equal(ifu_keys_provision(&ks, anchor), 0);
    app.keys = NULL;
    app.keystore = &ks;
}

static const struct tu_image *img_full_key(void)
{
    const struct tu_image_spec spec = {.payload = 9000, .version = "2.1.0", .pubkey_full = 1};
    return tu_image_get(&spec);
}

static void test_keystore_only_device(void **state)
{
    (void)state;
    struct ifu_image_info info;
    keystore_only();
    assert_ifu(ifu_update_begin(&up, &app, NULL, img_b()->data, NULL), 0);
    assert_ifu(write_range(img_b()->data, 0, img_b()->len), 0);
    assert_ifu(ifu_update_finish(&up, NULL), IFU_ENOKEY);
    const struct tu_image *full = img_full_key();
    assert_ifu(ifu_update_begin(&up, &app, NULL, full->data, NULL), 0);
    assert_ifu(write_range(full->data, 0, full->len), 0);
    assert_ifu(ifu_update_finish(&up, &info), 0);
    assert_int_equal(info.key_index, 0);
    assert_ifu(ifu_update_abort(&up), 0);
}

/* ---- PSA Firmware Update façade ---- */

static struct ifu_update_policy psa_policy;

static void psa_init(void)
{
    const struct ifu_psa_fwu_config pc = {.boot = &app, .policy = &psa_policy};
    assert_ifu(ifu_psa_fwu_init(&pc), 0);
}

static uint8_t psa_state(psa_fwu_component_info_t *info)
{
    assert_int_equal(psa_fwu_query(0, info), PSA_SUCCESS);
    return info->state;
}

/* psa_fwu_write of img [from, to) in 1 KiB blocks. */
static psa_status_t psa_send(const struct tu_image *img, uint32_t from, uint32_t to)
{
    for (uint32_t off = from; off < to; off += 1024) {
        psa_status_t s = psa_fwu_write(0, off, img->data + off, IFU_MIN(1024u, to - off));
        if (s != PSA_SUCCESS) {
            return s;
        }
    }
    return PSA_SUCCESS;
}

/* A complete image staged through the façade, left as CANDIDATE. */
static void psa_stage(const struct tu_image *img)
{
    psa_init();
    assert_int_equal(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(psa_send(img, 0, img->len), PSA_SUCCESS);
    assert_int_equal(psa_fwu_finish(0), PSA_SUCCESS);
}

static void test_psa_init_refuses_bad_configs(void **state)
{
    (void)state;
    struct ifu_boot_config no_keys = app;
    no_keys.keys = NULL;
    no_keys.keystore = NULL;
    const struct ifu_psa_fwu_config no_boot = {.boot = NULL};
    const struct ifu_psa_fwu_config keyless = {.boot = &no_keys};
    assert_ifu(ifu_psa_fwu_init(NULL), IFU_EINVAL);
    assert_ifu(ifu_psa_fwu_init(&no_boot), IFU_EINVAL);
    assert_ifu(ifu_psa_fwu_init(&keyless), IFU_EINVAL);
    /* A layout that cannot be: init gives ifu_boot_layout's error. */
    struct ifu_boot_config bad = app;
    struct ifu_boot_layout lay;
    bad.secondary.size = 3 * 4 * TU_KIB + 1;
    const struct ifu_psa_fwu_config bad_layout = {.boot = &bad};
    int err = ifu_boot_layout(&bad, &lay);
    assert_true(err < 0);
    assert_ifu(ifu_psa_fwu_init(&bad_layout), err);
    psa_fwu_component_info_t info;
    assert_int_equal(psa_fwu_query(0, &info), PSA_ERROR_DOES_NOT_EXIST);
}

/* A header that says the image cannot fit: INSUFFICIENT_STORAGE, and FAILED. */
static void test_psa_image_too_big_for_the_slot(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    uint8_t hdr[IFU_IMAGE_HEADER_SIZE];
    memcpy(hdr, img_b()->data, sizeof hdr);
    ifu_put_le32(hdr + 12, 17 * 4 * TU_KIB); /* img_size: the whole slot */
    psa_init();
    assert_int_equal(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(psa_fwu_write(0, 0, hdr, sizeof hdr), PSA_ERROR_INSUFFICIENT_STORAGE);
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_int_equal(info.error, PSA_ERROR_INSUFFICIENT_STORAGE);
    assert_ifu(info.impl.ifu_error, IFU_ENOSPC);
}

/* A CANDIDATE found at init (explicit hash set in the config) is cancelled without a
 * session; the verdict persists over the next init. */
static void test_psa_cancel_candidate_found_at_init(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    psa_stage(img_b());
    app.hashset = IFU_HASHSET(IFU_HASH_SHA256);
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
    assert_int_equal(psa_fwu_cancel(0), PSA_SUCCESS);
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_ifu(info.impl.ifu_error, IFU_ECANCELED);
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_ifu(info.impl.ifu_error, IFU_ECANCELED);
    assert_int_equal(psa_fwu_install(), PSA_ERROR_BAD_STATE);
}

/* An install request the bootloader has not seen reads STAGED at init; rejecting it there
 * voids the request: the next boot keeps the running image. A failing flash leaves it STAGED. */
static void test_psa_reject_staged_found_at_init(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    struct ifu_boot_result res;
    psa_stage(img_b());
    assert_int_equal(psa_fwu_install(), PSA_SUCCESS_REBOOT);
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_STAGED);
    fail_next_call();
    assert_int_equal(psa_fwu_reject(PSA_ERROR_NOT_PERMITTED), PSA_ERROR_STORAGE_FAILURE);
    faulty.fail_at = 0;
    assert_int_equal(psa_state(&info), PSA_FWU_STAGED);
    assert_int_equal(psa_fwu_reject(PSA_ERROR_NOT_PERMITTED), PSA_SUCCESS);
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_int_equal(info.error, PSA_ERROR_NOT_PERMITTED);
    assert_ifu(tu_rig_go(&rig, &res), 0);
    assert_int_equal(res.info.hdr.version.major, 1);
}

/* A download cut short on a device with no running image (a first install) reads WRITING at
 * init, and goes on from where it stopped. */
static void test_psa_resume_with_no_running_image(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    static const uint8_t erased[IFU_IMAGE_HEADER_SIZE] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ifu_sim_poke(&rig.sim, rig.cfg.primary.off, erased, sizeof erased);
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_READY);
    assert_int_equal(info.version.major, 0);
    assert_int_equal(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(psa_send(img_b(), 0, 12 * 1024), PSA_SUCCESS);
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_WRITING);
    assert_true(info.impl.written > 0 && info.impl.written <= 12 * 1024);
    assert_int_equal(psa_send(img_b(), info.impl.written, img_b()->len), PSA_SUCCESS);
    assert_int_equal(psa_fwu_finish(0), PSA_SUCCESS);
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
}

/* A complete staged image that verifies but that a stricter policy, given at the next init,
 * refuses (an older security epoch, an older version) reads FAILED with that reason. */
static void test_psa_staged_image_under_a_stricter_policy(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    const struct tu_image_spec spec = {.payload = 9000, .version = "3.0.0", .sec_cnt = 2};
    psa_stage(tu_image_get(&spec));

    psa_policy.min_sec_cnt = 2; /* at the floor: still a candidate */
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
    psa_policy.min_sec_cnt = 5;
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_ifu(info.impl.ifu_error, IFU_EROLLBACK);
    assert_int_equal(info.error, PSA_ERROR_NOT_PERMITTED);

    psa_policy.min_sec_cnt = 0;
    psa_policy.min_version.major = 4;
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_ifu(info.impl.ifu_error, IFU_EROLLBACK);
    memset(&psa_policy, 0, sizeof psa_policy);
}

/* A session's cancel or a live reject whose mark cannot be written reports the storage
 * failure: cancel still ends the session (FAILED), reject leaves the image STAGED. */
static void test_psa_live_cancel_and_reject_meet_flash_errors(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    psa_init();
    assert_int_equal(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_int_equal(psa_send(img_b(), 0, 8 * 1024), PSA_SUCCESS);
    fail_next_call();
    assert_int_equal(psa_fwu_cancel(0), PSA_ERROR_STORAGE_FAILURE);
    faulty.fail_at = 0;
    assert_int_equal(psa_state(&info), PSA_FWU_FAILED);
    assert_int_equal(psa_fwu_clean(0), PSA_SUCCESS);

    psa_stage(img_b());
    assert_int_equal(psa_fwu_install(), PSA_SUCCESS_REBOOT);
    fail_next_call();
    assert_int_equal(psa_fwu_reject(PSA_ERROR_GENERIC_ERROR), PSA_ERROR_STORAGE_FAILURE);
    faulty.fail_at = 0;
    assert_int_equal(psa_state(&info), PSA_FWU_STAGED);
}

/* Each flash read init makes with a CANDIDATE staged fails init with that error, and leaves
 * the façade uninitialised; a healthy init then finds the CANDIDATE. */
static void test_psa_init_meets_read_errors(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    psa_stage(img_b());
    unsigned long c0 = faulty.calls;
    psa_init();
    unsigned long n = faulty.calls - c0;
    const struct ifu_psa_fwu_config pc = {.boot = &app};
    for (unsigned long k = 1; k <= n; k++) {
        faulty.fail_at = faulty.calls + k;
        assert_ifu(ifu_psa_fwu_init(&pc), IFU_EIO);
        faulty.fail_at = 0;
        assert_int_equal(psa_fwu_query(0, &info), PSA_ERROR_DOES_NOT_EXIST);
    }
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
}

/* The façade on a keystore-only device: a staged image that carries its key is a CANDIDATE
 * after a reset too. */
static void test_psa_keystore_only_device(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    keystore_only();
    psa_stage(img_full_key());
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
    assert_int_equal(psa_fwu_install(), PSA_SUCCESS_REBOOT);
}

/* cancel whose verdict cannot be written reports the storage failure. */
static void test_psa_cancel_meets_a_flash_error(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    psa_stage(img_b());
    psa_init(); /* CANDIDATE, no session */
    fail_next_call();
    assert_int_equal(psa_fwu_cancel(0), PSA_ERROR_STORAGE_FAILURE);
    assert_true(faulty.fired);
    faulty.fail_at = 0;
    /* The mark did not reach flash: after a reset the candidate is still there. */
    psa_init();
    assert_int_equal(psa_state(&info), PSA_FWU_CANDIDATE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_policy_check_refuses),
        T(test_finish_again_after_install),
        T(test_security_epoch_below_the_policy),
        T(test_configurations_refused),
        T(test_resume_point_past_the_image_end),
        T(test_resume_after_the_info_header),
        T(test_begin_while_the_running_image_is_on_trial),
        T(test_info_shorter_than_itself),
        T(test_repeat_check_meets_a_read_error),
        T(test_flash_errors_at_the_end_and_in_abort),
        T(test_begin_scan_meets_read_errors),
        T(test_keystore_only_device),
        T(test_psa_init_refuses_bad_configs),
        T(test_psa_image_too_big_for_the_slot),
        T(test_psa_cancel_candidate_found_at_init),
        T(test_psa_reject_staged_found_at_init),
        T(test_psa_resume_with_no_running_image),
        T(test_psa_staged_image_under_a_stricter_policy),
        T(test_psa_cancel_meets_a_flash_error),
        T(test_psa_live_cancel_and_reject_meet_flash_errors),
        T(test_psa_init_meets_read_errors),
        T(test_psa_keystore_only_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
