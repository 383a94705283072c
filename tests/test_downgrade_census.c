/* Downgrade census (issue 9, docs/ROLLBACK.md), one program per boot mode:
 * test_downgrade_census_overwrite, _swap, _xip.
 *
 * The device runs version 3.3.3 with SEC_CNT 8, committed to a flash counter
 * with IFU_COUNTER_F_VERSION. Offered: every lower security counter (0 = no
 * SEC_CNT TLV, 1..7) with a newer version, and every lower version with
 * components in 0..3 with the same counter; each through the streaming
 * update API and, staged by hand, through ifu_boot_go, with every request
 * kind the mode has. An attempt is accepted if the update API finishes and
 * requests it, or a boot installs or names it. Prints
 *   downgrade <mode>: <attempts> attempts, <accepted> accepted
 * and fails unless accepted is 0 and a control image (newer in both) is
 * accepted through both paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/boot.h"
#include "ifu/counter.h"
#include "ifu/errors.h"
#include "test_counter_rig.h"

#define CUR_MAJOR 3u
#define CUR_MINOR 3u
#define CUR_REV   3u
#define CUR_CNT   8u

static const char *mode_name(void)
{
    enum ifu_boot_mode m = ifu_boot_mode();
    return m == IFU_BOOT_MODE_SWAP ? "swap" : m == IFU_BOOT_MODE_XIP ? "xip" : "overwrite";
}

struct census {
    struct crig *c;
    struct ifu_sim_snapshot *start;
    unsigned attempts;
    unsigned accepted;
    int control; /* 1 while the control image is offered: its acceptance is wanted */
};

/* One attempt: from the start state, offer img by path (0: update API, 1:
 * staged + request) with kind; return 1 if it was accepted anywhere. */
static int attempt(struct census *cs, const struct tu_image *img, int path,
                   enum ifu_boot_request_kind kind)
{
    struct crig *c = cs->c;
    struct ifu_boot_result res;
    int accepted = 0;

    ifu_sim_restore(&c->r.sim, cs->start);
    int err = path == 0 ? crig_update(c, 0, img, kind) : crig_stage_request(c, 0, img, kind);
    if (path == 0 && err == 0) {
        accepted = 1; /* the update API requested its install */
    }
    if (path == 1 && err != 0) {
        fail_msg("staging by hand failed: %s", ifu_strerror(err));
    }
    /* Two boots: the install (or refusal), then whatever follows it. */
    for (int i = 0; i < 2; i++) {
        err = tu_rig_go(&c->r, &res);
        if (err != 0) {
            fail_msg("boot %d after %s: %s", i, img->spec.version, ifu_strerror(err));
        }
        if ((res.actions & IFU_BOOT_DID_INSTALL) != 0 || crig_booted(&res, img)) {
            accepted = 1;
        }
    }
    cs->attempts++;
    cs->accepted += (unsigned)accepted;
    if (accepted && !cs->control) {
        print_error("downgrade accepted: version %s SEC_CNT %lld, path %s, kind %d\n",
                    img->spec.version, (long long)img->spec.sec_cnt,
                    path == 0 ? "update API" : "boot engine", (int)kind);
    }
    return accepted;
}

static void offer(struct census *cs, const struct tu_image *img)
{
    static const enum ifu_boot_request_kind kinds[] = {IFU_BOOT_REQ_PERMANENT, IFU_BOOT_REQ_TEST};
    size_t nk = ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE ? 1 : 2;
    for (int path = 0; path < 2; path++) {
        for (size_t k = 0; k < nk; k++) {
            attempt(cs, img, path, kinds[k]);
        }
    }
}

static void test_downgrade_census_accepts_no_lower_counter_or_version(void **state)
{
    struct census cs = {0};
    struct ifu_boot_result res;
    char v[32];
    (void)state;

    cs.c = crig_new(CRIG_FLASH, 0, IFU_COUNTER_F_VERSION);
    snprintf(v, sizeof v, "%u.%u.%u", CUR_MAJOR, CUR_MINOR, CUR_REV);
    const struct tu_image *cur = crig_image(v, CUR_CNT);
    crig_factory(cs.c, cur);
    assert_int_equal(tu_rig_go(&cs.c->r, &res), 0);
    assert_true(crig_booted(&res, cur));
    assert_int_equal(crig_value(cs.c), CUR_CNT);
    cs.start = ifu_sim_save(&cs.c->r.sim);
    assert_non_null(cs.start);

    /* Control: newer in both is accepted by both paths, so the census
     * measures refusals, not a rig that refuses everything. */
    const struct tu_image *newer = crig_image("4.0.0", CUR_CNT + 1);
    cs.control = 1;
    for (int path = 0; path < 2; path++) {
        unsigned before = cs.accepted;
        if (!attempt(&cs, newer, path, IFU_BOOT_REQ_PERMANENT)) {
            fail_msg("control image refused through path %d", path);
        }
        cs.attempts--;
        cs.accepted = before;
    }
    cs.control = 0;

    /* Every lower security counter, newer version. */
    for (uint32_t cnt = 0; cnt < CUR_CNT; cnt++) {
        offer(&cs, crig_image("4.0.0", cnt));
    }
    /* Every lower version (components 0..3), the same counter. */
    for (unsigned ma = 0; ma <= 3; ma++) {
        for (unsigned mi = 0; mi <= 3; mi++) {
            for (unsigned re = 0; re <= 3; re++) {
                struct ifu_image_version a = {(uint8_t)ma, (uint8_t)mi, (uint16_t)re, 0};
                struct ifu_image_version b = {CUR_MAJOR, CUR_MINOR, CUR_REV, 0};
                if (ifu_image_version_cmp(&a, &b) >= 0) {
                    continue;
                }
                snprintf(v, sizeof v, "%u.%u.%u", ma, mi, re);
                offer(&cs, crig_image(v, CUR_CNT));
            }
        }
    }
    printf("downgrade %s: %u attempts, %u accepted\n", mode_name(), cs.attempts, cs.accepted);
    fflush(stdout);
    ifu_sim_snapshot_free(cs.start);
    crig_free(cs.c);
    assert_int_equal(cs.accepted, 0);
    assert_true(cs.attempts > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_downgrade_census_accepts_no_lower_counter_or_version),
    };
    return cmocka_run_group_tests_name("downgrade_census", tests, NULL, NULL);
}
