/* The PSA Certified Firmware Update API façade (include/psa/update.h,
 * docs/PSA-FWU.md), one program per boot mode: test_psa_fwu_overwrite,
 * test_psa_fwu_swap and test_psa_fwu_xip link the same tests against
 * ifu_boot_<mode>. The state-machine test brings a fresh device into every
 * state (including across simulated reboots: ifu_boot_go as the bootloader
 * runs it, then ifu_psa_fwu_init over the same simulator flash), applies
 * every operation, and checks the status, the next state, and that an
 * operation refused with PSA_ERROR_BAD_STATE or PSA_ERROR_DOES_NOT_EXIST
 * touched no flash (spec §4.2.4). */
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
#include "ifu/update.h"
#include "ifu_sim.h"
#include "psa/update.h"
#include "tu_boot.h"
#include "tu_image.h"

#define KIB      1024u
#define SECTOR   (4 * KIB)
#define PRI_SECS 16u
#define SEC_SECS 17u
#define MAP_ADDR 0x08000000u
#define BLOCK    1024u  /* psa_fwu_write block size the tests use */
#define PART     12000u /* bytes a partial download writes: resumable after a reset */
#define ERR_APP  ((psa_status_t)-1000) /* an application's own code for psa_fwu_reject */

static enum ifu_boot_mode mode;

static int has_trial(void)
{
    return mode != IFU_BOOT_MODE_OVERWRITE;
}

/* One device: primary (XIP: slot A) 16 sectors at 0, secondary (slot B) 17
 * sectors after it, write size 8, NOR. */
struct rig {
    struct tu_rig rig;          /* sim, cfg (the bootloader's), lay */
    struct ifu_boot_config app; /* the application's: XIP, primary = the slot it runs from */
    struct ifu_update_policy policy;
    unsigned reboot_calls;
};

static const struct tu_geom geom = {
    .name = "psa",
    .runs = {{SECTOR, 40}},
    .run_count = 1,
    .pri_off = 0,
    .pri_size = PRI_SECS * SECTOR,
    .sec_off = PRI_SECS * SECTOR,
    .sec_size = SEC_SECS * SECTOR,
    .write_size = 8,
    .erased = 0xff,
    .map_addr = MAP_ADDR,
};

static struct rig *cur_rig; /* the rig of the running test, for send()'s erase count */
static unsigned max_erases; /* most sector erases one psa_fwu_write call made */

static psa_status_t reboot_hook(void *ctx)
{
    struct rig *r = ctx;
    r->reboot_calls++;
    return PSA_SUCCESS;
}

static void init_facade(struct rig *r)
{
    struct ifu_psa_fwu_config pc = {
        .boot = &r->app, .policy = &r->policy, .reboot = reboot_hook, .reboot_ctx = r};
    int err = ifu_psa_fwu_init(&pc);
    if (err) {
        fail_msg("ifu_psa_fwu_init: %s", ifu_strerror(err));
    }
}

static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

static struct rig *rig_new(uint64_t seed)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_int_equal(tu_rig_init(&r->rig, &geom, seed), 0);
    assert_int_equal(r->rig.layout_err, 0);
    r->app = r->rig.cfg;
    ifu_sim_poke(&r->rig.sim, r->rig.cfg.primary.off, img_a()->data,
                 img_a()->len); /* factory image */
    init_facade(r);
    cur_rig = r;
    return r;
}

static void rig_free(struct rig *r)
{
    tu_rig_free(&r->rig);
    free(r);
}

/* A reset: the bootloader runs, then the application starts the façade from
 * the slot the bootloader named. Returns the booted slot. */
static unsigned reboot(struct rig *r)
{
    struct ifu_boot_result res;
    int err = ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res);
    if (err) {
        fail_msg("ifu_boot_go: %s", ifu_strerror(err));
    }
    r->app = r->rig.cfg;
    if (mode == IFU_BOOT_MODE_XIP && res.slot == 1) {
        r->app.primary = r->rig.cfg.secondary;
        r->app.secondary = r->rig.cfg.primary;
    }
    init_facade(r);
    return res.slot;
}

/* 1 if the image the bootloader names now is img (runs ifu_boot_go). */
static int boots(struct rig *r, const struct tu_image *img)
{
    struct ifu_boot_result res;
    if (ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res) != 0) {
        return 0;
    }
    return res.info.total_size == img->len &&
           memcmp(r->rig.sim.mem + res.image_off, img->data, img->len) == 0;
}

static psa_fwu_component_info_t query(void)
{
    psa_fwu_component_info_t info;
    assert_int_equal(psa_fwu_query(0, &info), PSA_SUCCESS);
    return info;
}

static uint8_t cur_state(void)
{
    return query().state;
}

static const char *state_name(unsigned s)
{
    static const char *const names[] = {"READY",  "WRITING", "CANDIDATE", "STAGED",
                                        "FAILED", "TRIAL",   "REJECTED",  "UPDATED"};
    return s < 8 ? names[s] : "?";
}

#define assert_psa(got, want)                                                                      \
    do {                                                                                           \
        psa_status_t got_ = (got);                                                                 \
        psa_status_t want_ = (want);                                                               \
        if (got_ != want_) {                                                                       \
            fail_msg("%s: got %d, want %d (state %s)", #got, (int)got_, (int)want_,                \
                     state_name(cur_state()));                                                     \
        }                                                                                          \
    } while (0)

#define assert_state(want)                                                                         \
    do {                                                                                           \
        unsigned s_ = cur_state();                                                                 \
        if (s_ != (unsigned)(want)) {                                                              \
            fail_msg("state %s, want %s", state_name(s_), state_name(want));                       \
        }                                                                                          \
    } while (0)

/* Send img[from, to) in block-byte writes, noting the most erases a call made. */
static psa_status_t send_blocks(const struct tu_image *img, uint32_t from, uint32_t to,
                                uint32_t block)
{
    for (uint32_t off = from; off < to;) {
        uint32_t n = to - off < block ? to - off : block;
        uint64_t before = cur_rig->rig.sim.stats.erases;
        psa_status_t st = psa_fwu_write(0, off, img->data + off, n);
        uint64_t erases = cur_rig->rig.sim.stats.erases - before;
        if (erases > max_erases) {
            max_erases = (unsigned)erases;
        }
        if (st != PSA_SUCCESS) {
            return st;
        }
        off += n;
    }
    return PSA_SUCCESS;
}

static psa_status_t send(const struct tu_image *img, uint32_t from, uint32_t to)
{
    return send_blocks(img, from, to, BLOCK);
}

/* Starting points of the state-machine test: the eight states, WRITING
 * twice (with part of the image, and with all of it but not finished). */
enum start {
    S_READY,
    S_WRITING,
    S_WRITING_ALL,
    S_CANDIDATE,
    S_STAGED,
    S_FAILED,
    S_TRIAL,
    S_REJECTED,
    S_UPDATED,
    S_COUNT
};

static const char *const start_names[S_COUNT] = {"READY",     "WRITING",  "WRITING(all)",
                                                 "CANDIDATE", "STAGED",   "FAILED",
                                                 "TRIAL",     "REJECTED", "UPDATED"};

static const uint8_t start_state[S_COUNT] = {PSA_FWU_READY,     PSA_FWU_WRITING,  PSA_FWU_WRITING,
                                             PSA_FWU_CANDIDATE, PSA_FWU_STAGED,   PSA_FWU_FAILED,
                                             PSA_FWU_TRIAL,     PSA_FWU_REJECTED, PSA_FWU_UPDATED};

static int reachable(enum start s)
{
    return has_trial() || (s != S_TRIAL && s != S_REJECTED);
}

/* Bring a fresh device into s with legal calls only. */
static void drive(struct rig *r, enum start s)
{
    const struct tu_image *b = img_b();
    switch (s) {
    case S_READY:
        break;
    case S_WRITING:
        assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
        assert_psa(send(b, 0, PART), PSA_SUCCESS);
        break;
    case S_WRITING_ALL:
        assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
        assert_psa(send(b, 0, b->len), PSA_SUCCESS);
        break;
    case S_CANDIDATE:
        drive(r, S_WRITING_ALL);
        assert_psa(psa_fwu_finish(0), PSA_SUCCESS);
        break;
    case S_STAGED:
        drive(r, S_CANDIDATE);
        assert_psa(psa_fwu_install(), PSA_SUCCESS_REBOOT);
        break;
    case S_FAILED:
        drive(r, S_CANDIDATE);
        assert_psa(psa_fwu_cancel(0), PSA_SUCCESS);
        break;
    case S_TRIAL:
        drive(r, S_STAGED);
        assert_int_equal(reboot(r), mode == IFU_BOOT_MODE_XIP ? 1 : 0);
        break;
    case S_REJECTED:
        drive(r, S_TRIAL);
        assert_psa(psa_fwu_reject(ERR_APP), PSA_SUCCESS_REBOOT);
        break;
    case S_UPDATED:
        if (has_trial()) {
            drive(r, S_TRIAL);
            assert_psa(psa_fwu_accept(), PSA_SUCCESS);
        } else {
            drive(r, S_STAGED);
            reboot(r);
        }
        break;
    default:
        fail();
    }
    assert_state(start_state[s]);
}

enum op {
    OP_QUERY,
    OP_START,
    OP_WRITE,
    OP_FINISH,
    OP_CANCEL,
    OP_CLEAN,
    OP_INSTALL,
    OP_REQUEST_REBOOT,
    OP_ACCEPT,
    OP_REJECT,
    OP_REBOOT, /* reset: ifu_boot_go, then ifu_psa_fwu_init */
    OP_COUNT
};

static const char *const op_names[OP_COUNT] = {"query",  "start",  "write",   "finish",
                                               "cancel", "clean",  "install", "request_reboot",
                                               "accept", "reject", "reboot"};

/* The specification's answer (spec §5.6, figures of §4.2.3 and appendix C:
 * the complete model in swap and XIP, "reboot but no trial" in overwrite). */
static void expect(enum start s, enum op op, psa_status_t *st, uint8_t *next)
{
    uint8_t cur = start_state[s];
    *st = PSA_ERROR_BAD_STATE;
    *next = cur;
    if (op == OP_QUERY || op == OP_REQUEST_REBOOT) {
        *st = PSA_SUCCESS;
        return;
    }
    if (op == OP_REBOOT) {
        *st = PSA_SUCCESS;
        switch (s) {
        case S_WRITING_ALL:
            *next = PSA_FWU_CANDIDATE; /* departure: docs/PSA-FWU.md §4 */
            break;
        case S_STAGED:
            *next = has_trial() ? PSA_FWU_TRIAL : PSA_FWU_UPDATED;
            break;
        case S_TRIAL:
        case S_REJECTED:
            *next = PSA_FWU_FAILED; /* rolled back by the bootloader */
            break;
        default:
            break; /* READY, WRITING, CANDIDATE, FAILED, UPDATED persist */
        }
        return;
    }
    switch (cur) {
    case PSA_FWU_READY:
        if (op == OP_START) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_WRITING;
        }
        break;
    case PSA_FWU_WRITING:
        if (op == OP_WRITE) {
            *st = PSA_SUCCESS;
        } else if (op == OP_FINISH) {
            *st = s == S_WRITING_ALL ? PSA_SUCCESS : PSA_ERROR_INVALID_ARGUMENT;
            *next = s == S_WRITING_ALL ? PSA_FWU_CANDIDATE : PSA_FWU_FAILED;
        } else if (op == OP_CANCEL) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_FAILED;
        }
        break;
    case PSA_FWU_CANDIDATE:
        if (op == OP_CANCEL) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_FAILED;
        } else if (op == OP_INSTALL) {
            *st = PSA_SUCCESS_REBOOT;
            *next = PSA_FWU_STAGED;
        }
        break;
    case PSA_FWU_STAGED:
        if (op == OP_REJECT) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_FAILED;
        }
        break;
    case PSA_FWU_TRIAL:
        if (op == OP_ACCEPT) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_UPDATED;
        } else if (op == OP_REJECT) {
            *st = PSA_SUCCESS_REBOOT;
            *next = PSA_FWU_REJECTED;
        }
        break;
    case PSA_FWU_FAILED:
    case PSA_FWU_UPDATED:
        if (op == OP_CLEAN) {
            *st = PSA_SUCCESS;
            *next = PSA_FWU_READY;
        }
        break;
    default:
        break; /* REJECTED: only a reboot moves it */
    }
}

static psa_status_t apply(struct rig *r, enum op op)
{
    const struct tu_image *b = img_b();
    psa_fwu_component_info_t info;
    switch (op) {
    case OP_QUERY:
        return psa_fwu_query(0, &info);
    case OP_START:
        return psa_fwu_start(0, NULL, 0);
    case OP_WRITE: {
        /* The next block, or (everything sent) the last block again. */
        uint32_t off = query().impl.written;
        if (off >= b->len) {
            off = b->len - BLOCK;
        }
        uint32_t n = b->len - off < BLOCK ? b->len - off : BLOCK;
        return psa_fwu_write(0, off, b->data + off, n);
    }
    case OP_FINISH:
        return psa_fwu_finish(0);
    case OP_CANCEL:
        return psa_fwu_cancel(0);
    case OP_CLEAN:
        return psa_fwu_clean(0);
    case OP_INSTALL:
        return psa_fwu_install();
    case OP_REQUEST_REBOOT:
        return psa_fwu_request_reboot();
    case OP_ACCEPT:
        return psa_fwu_accept();
    case OP_REJECT:
        return psa_fwu_reject(ERR_APP);
    case OP_REBOOT:
        reboot(r);
        return PSA_SUCCESS;
    default:
        fail();
        return PSA_ERROR_GENERIC_ERROR;
    }
}

/* What info.error must say after the operation (0 outside FAILED/REJECTED). */
static psa_status_t expect_error(enum start s, enum op op, psa_status_t st, uint8_t next)
{
    if (st == PSA_ERROR_BAD_STATE || op == OP_QUERY || op == OP_REQUEST_REBOOT) {
        op = OP_COUNT; /* nothing happened: the starting state's error */
    }
    if (next == PSA_FWU_REJECTED) {
        return ERR_APP;
    }
    if (next != PSA_FWU_FAILED) {
        return PSA_SUCCESS;
    }
    if (op == OP_FINISH) {
        return PSA_ERROR_INVALID_ARGUMENT; /* incomplete image */
    }
    if (op == OP_REJECT) {
        return ERR_APP; /* STAGED -> FAILED keeps the client's code until the reset */
    }
    if (op == OP_REBOOT && (s == S_TRIAL || s == S_REJECTED)) {
        return PSA_ERROR_BAD_STATE; /* ifu's reason: the trial ended unconfirmed */
    }
    return PSA_SUCCESS; /* cancelled (S_FAILED is reached by cancel) */
}

static unsigned checked_legal;
static unsigned checked_illegal;

/* Every operation from every state: status, next state, error field, and
 * no flash touched by a refused call. */
static void test_psa_every_transition_from_every_state(void **state)
{
    (void)state;
    unsigned seed = 100;
    for (int s = 0; s < S_COUNT; s++) {
        if (!reachable((enum start)s)) {
            continue;
        }
        for (int op = 0; op < OP_COUNT; op++) {
            struct rig *r = rig_new(seed++);
            drive(r, (enum start)s);
            psa_status_t want;
            uint8_t next;
            expect((enum start)s, (enum op)op, &want, &next);
            ifu_sim_reset_stats(&r->rig.sim);
            unsigned calls = r->reboot_calls;
            psa_status_t got = apply(r, (enum op)op);
            if (got != want) {
                fail_msg("%s from %s: got %d, want %d", op_names[op], start_names[s], (int)got,
                         (int)want);
            }
            psa_fwu_component_info_t info = query();
            if (info.state != next) {
                fail_msg("%s from %s: state %s, want %s", op_names[op], start_names[s],
                         state_name(info.state), state_name(next));
            }
            psa_status_t want_err = expect_error((enum start)s, (enum op)op, want, next);
            if (info.error != want_err) {
                fail_msg("%s from %s: error %d, want %d", op_names[op], start_names[s],
                         (int)info.error, (int)want_err);
            }
            if (want == PSA_ERROR_BAD_STATE) {
                /* §4.2.4: BAD_STATE means nothing happened. */
                if (r->rig.sim.stats.erases != 0 || r->rig.sim.stats.progs != 0) {
                    fail_msg("%s from %s: refused, but %u erases, %u progs", op_names[op],
                             start_names[s], (unsigned)r->rig.sim.stats.erases,
                             (unsigned)r->rig.sim.stats.progs);
                }
                checked_illegal++;
            } else {
                checked_legal++;
            }
            if (op == OP_REQUEST_REBOOT) {
                assert_int_equal(r->reboot_calls, calls + 1);
            }
            /* A component that does not exist, from every state. */
            ifu_sim_reset_stats(&r->rig.sim);
            uint8_t now = info.state;
            assert_psa(psa_fwu_query(1, &info), PSA_ERROR_DOES_NOT_EXIST);
            assert_psa(psa_fwu_start(1, NULL, 0), PSA_ERROR_DOES_NOT_EXIST);
            assert_psa(psa_fwu_write(1, 0, img_b()->data, 16), PSA_ERROR_DOES_NOT_EXIST);
            assert_psa(psa_fwu_finish(1), PSA_ERROR_DOES_NOT_EXIST);
            assert_psa(psa_fwu_cancel(1), PSA_ERROR_DOES_NOT_EXIST);
            assert_psa(psa_fwu_clean(1), PSA_ERROR_DOES_NOT_EXIST);
            assert_state(now);
            assert_int_equal(r->rig.sim.stats.erases + r->rig.sim.stats.progs, 0);
            assert_int_equal(r->rig.sim.stats.prog_over + r->rig.sim.stats.misuse, 0);
            rig_free(r);
        }
    }
    print_message("psa %s: %u legal and %u illegal transitions checked\n",
                  mode == IFU_BOOT_MODE_SWAP  ? "swap"
                  : mode == IFU_BOOT_MODE_XIP ? "xip"
                                              : "overwrite",
                  checked_legal, checked_illegal);
}

/* The whole life of an update, with a reset wherever one is allowed, and the
 * running image checked at the end. */
static void test_psa_full_update_with_reboots_in_every_state(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct rig *r = rig_new(1);
    assert_state(PSA_FWU_READY);
    reboot(r);
    assert_state(PSA_FWU_READY);
    assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_psa(send(b, 0, PART), PSA_SUCCESS);
    reboot(r);
    assert_state(PSA_FWU_WRITING);
    uint32_t resume = query().impl.written;
    assert_true(resume > 0 && resume <= PART);
    assert_psa(send(b, resume, b->len), PSA_SUCCESS);
    assert_psa(psa_fwu_finish(0), PSA_SUCCESS);
    reboot(r);
    assert_state(PSA_FWU_CANDIDATE);
    assert_psa(psa_fwu_install(), PSA_SUCCESS_REBOOT);
    assert_psa(psa_fwu_request_reboot(), PSA_SUCCESS);
    reboot(r);
    if (has_trial()) {
        assert_state(PSA_FWU_TRIAL);
        assert_int_equal(query().version.major, 2);
        assert_psa(psa_fwu_accept(), PSA_SUCCESS);
        assert_state(PSA_FWU_UPDATED);
        reboot(r);
    }
    assert_state(PSA_FWU_UPDATED);
    assert_int_equal(query().version.major, 2);
    assert_psa(psa_fwu_clean(0), PSA_SUCCESS);
    assert_state(PSA_FWU_READY);
    reboot(r);
    assert_state(PSA_FWU_READY);
    assert_true(boots(r, b));
    rig_free(r);
}

/* A rejected trial, and a trial that reached a reset without accept: the
 * old image runs again, FAILED reports why, clean makes the store READY,
 * and the next update goes through. */
static void test_psa_rejected_trial_rolls_back_then_next_update_installs(void **state)
{
    (void)state;
    if (!has_trial()) {
        skip();
    }
    for (int explicit_reject = 0; explicit_reject < 2; explicit_reject++) {
        struct rig *r = rig_new(2 + (uint64_t)explicit_reject);
        drive(r, S_TRIAL);
        if (explicit_reject) {
            assert_psa(psa_fwu_reject(ERR_APP), PSA_SUCCESS_REBOOT);
            assert_psa(query().error, ERR_APP);
        }
        assert_int_equal(reboot(r), 0);
        psa_fwu_component_info_t info = query();
        assert_int_equal(info.state, PSA_FWU_FAILED);
        assert_int_equal(info.impl.ifu_error, IFU_ESTATE);
        assert_int_equal(info.version.major, 1);
        reboot(r);
        assert_state(PSA_FWU_FAILED); /* persists */
        assert_psa(psa_fwu_clean(0), PSA_SUCCESS);
        reboot(r);
        assert_state(PSA_FWU_READY);
        assert_true(boots(r, img_a()));
        drive(r, S_UPDATED);
        assert_int_equal(query().version.major, 2);
        rig_free(r);
    }
}

/* psa_fwu_write's rules (spec §5.6.1): size 1..PSA_FWU_MAX_WRITE_SIZE, the
 * region inside the staging area, and ifu's order: no gap, identical
 * repeats only. Each refusal leaves the component WRITING. */
static void test_psa_write_checks_size_offset_and_order(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    static uint8_t big[PSA_FWU_MAX_WRITE_SIZE + 1];
    struct rig *r = rig_new(4);
    assert_psa(psa_fwu_write(0, 0, b->data, 16), PSA_ERROR_BAD_STATE); /* READY */
    assert_psa(psa_fwu_start(0, b->data, 32), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_start(0, NULL, 4), PSA_ERROR_INVALID_ARGUMENT);
    assert_state(PSA_FWU_READY);
    assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_psa(psa_fwu_write(0, 0, b->data, 0), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, 0, NULL, 16), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, 0, big, sizeof big), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, r->rig.lay.max_image_size, b->data, 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, r->rig.lay.max_image_size - 8, b->data, 9),
               PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, (size_t)UINT32_MAX + 1u, b->data, 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_psa(psa_fwu_write(0, 100, b->data + 100, 16), PSA_ERROR_INVALID_ARGUMENT); /* gap */
    assert_state(PSA_FWU_WRITING);
    assert_int_equal(query().impl.written, 0);
    /* One byte, then the largest block, then a repeat. */
    assert_psa(psa_fwu_write(0, 0, b->data, 1), PSA_SUCCESS);
    assert_psa(psa_fwu_write(0, 1, b->data + 1, PSA_FWU_MAX_WRITE_SIZE), PSA_SUCCESS);
    uint32_t at = 1 + PSA_FWU_MAX_WRITE_SIZE;
    assert_int_equal(query().impl.written, at);
    assert_psa(psa_fwu_write(0, 500, b->data + 500, 700), PSA_SUCCESS);
    memcpy(big, b->data + 500, 700);
    big[350] ^= 1;
    assert_psa(psa_fwu_write(0, 500, big, 700), PSA_ERROR_INVALID_ARGUMENT); /* differs */
    assert_state(PSA_FWU_WRITING);
    assert_int_equal(query().impl.written, at);
    /* The image's end is known once its TLV info arrived: past it is refused. */
    assert_psa(send_blocks(b, at, b->len, PSA_FWU_MAX_WRITE_SIZE), PSA_SUCCESS);
    assert_psa(psa_fwu_write(0, b->len, b->data, 1), PSA_ERROR_INVALID_ARGUMENT);
    assert_state(PSA_FWU_WRITING);
    assert_psa(psa_fwu_finish(0), PSA_SUCCESS);
    assert_psa(psa_fwu_install(), PSA_SUCCESS_REBOOT);
    reboot(r);
    if (has_trial()) {
        assert_psa(psa_fwu_accept(), PSA_SUCCESS);
    }
    assert_true(boots(r, b));
    assert_int_equal(r->rig.sim.stats.prog_over + r->rig.sim.stats.misuse, 0);
    rig_free(r);
}

/* Images ifu refuses: each ends FAILED with its code (spec §5.4: integrity
 * INVALID_SIGNATURE, policy NOT_PERMITTED, malformed INVALID_ARGUMENT), the
 * verdict persists over a reset, clean makes the store READY, the old
 * image still boots. */
static void test_psa_refused_images_fail_with_their_codes_and_persist(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct tu_image_spec untrusted = {
        .key = TU_KEY_UNTRUSTED, .payload = 20000, .version = "2.0.0"};
    const struct tu_image *old = tu_image(9000, "0.9.0");
    uint8_t *buf = malloc(b->len);
    assert_non_null(buf);
    struct {
        const char *name;
        int kind; /* 0 tampered, 1 untrusted key, 2 downgrade, 3 truncated, 4 bad magic */
        psa_status_t want;
        int ifu;
        int at_write; /* refused by write (header first), else by finish */
    } cases[] = {
        {"tampered payload", 0, PSA_ERROR_INVALID_SIGNATURE, IFU_EHASH, 0},
        {"untrusted key", 1, PSA_ERROR_INVALID_SIGNATURE, IFU_ENOKEY, 0},
        {"downgrade", 2, PSA_ERROR_NOT_PERMITTED, IFU_EROLLBACK, 1},
        {"truncated", 3, PSA_ERROR_INVALID_ARGUMENT, IFU_ETRUNC, 0},
        {"bad magic", 4, PSA_ERROR_INVALID_ARGUMENT, IFU_EMAGIC, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rig *r = rig_new(10 + i);
        r->policy.flags = IFU_UPDATE_P_NO_DOWNGRADE;
        init_facade(r);
        const struct tu_image *img = cases[i].kind == 1   ? tu_image_get(&untrusted)
                                     : cases[i].kind == 2 ? old
                                                          : b;
        uint32_t len = img->len;
        memcpy(buf, img->data, len);
        if (cases[i].kind == 0) {
            buf[TU_IMAGE_HDR_SIZE + 5000] ^= 0x01;
        } else if (cases[i].kind == 3) {
            len -= 10;
        } else if (cases[i].kind == 4) {
            buf[0] ^= 0xff;
        }
        assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
        psa_status_t got = PSA_SUCCESS;
        for (uint32_t off = 0; off < len && got == PSA_SUCCESS; off += BLOCK) {
            uint32_t n = len - off < BLOCK ? len - off : BLOCK;
            got = psa_fwu_write(0, off, buf + off, n);
        }
        if (!cases[i].at_write) {
            assert_psa(got, PSA_SUCCESS);
            got = psa_fwu_finish(0);
        }
        if (got != cases[i].want) {
            fail_msg("%s: got %d, want %d", cases[i].name, (int)got, (int)cases[i].want);
        }
        for (int boot = 0; boot < 2; boot++) {
            psa_fwu_component_info_t info = query();
            if (info.state != PSA_FWU_FAILED || info.error != cases[i].want ||
                info.impl.ifu_error != cases[i].ifu) {
                fail_msg("%s (%s): state %s, error %d, ifu %d", cases[i].name,
                         boot ? "after reset" : "before reset", state_name(info.state),
                         (int)info.error, (int)info.impl.ifu_error);
            }
            assert_psa(psa_fwu_install(), PSA_ERROR_BAD_STATE);
            reboot(r);
        }
        assert_psa(psa_fwu_clean(0), PSA_SUCCESS);
        reboot(r);
        assert_state(PSA_FWU_READY);
        assert_true(boots(r, img_a()));
        rig_free(r);
    }
    free(buf);
}

/* STAGED -> reboot with an image the bootloader refuses (a byte changed on
 * flash after install): FAILED with the bootloader's reason (spec §4.6.2). */
static void test_psa_bootloader_refusal_reads_failed_after_reset(void **state)
{
    (void)state;
    struct rig *r = rig_new(30);
    drive(r, S_STAGED);
    uint32_t at = r->rig.cfg.secondary.off + r->rig.lay.headroom + TU_IMAGE_HDR_SIZE + 100;
    uint8_t byte = (uint8_t)(r->rig.sim.mem[at] ^ 0x40);
    ifu_sim_poke(&r->rig.sim, at, &byte, 1);
    assert_int_equal(reboot(r), 0);
    psa_fwu_component_info_t info = query();
    assert_int_equal(info.state, PSA_FWU_FAILED);
    assert_psa(info.error, PSA_ERROR_INVALID_SIGNATURE);
    assert_int_equal(info.impl.ifu_error, IFU_EHASH);
    assert_int_equal(info.version.major, 1);
    assert_psa(psa_fwu_clean(0), PSA_SUCCESS);
    reboot(r);
    assert_state(PSA_FWU_READY);
    assert_true(boots(r, img_a()));
    rig_free(r);
}

/* STAGED -> reject -> FAILED voids the request: the reset installs nothing. */
static void test_psa_reject_while_staged_installs_nothing(void **state)
{
    (void)state;
    struct rig *r = rig_new(31);
    drive(r, S_STAGED);
    assert_psa(psa_fwu_reject(ERR_APP), PSA_SUCCESS);
    assert_psa(query().error, ERR_APP);
    reboot(r);
    psa_fwu_component_info_t info = query();
    assert_int_equal(info.state, PSA_FWU_FAILED);
    assert_int_equal(info.impl.ifu_error, IFU_ECANCELED);
    assert_int_equal(info.version.major, 1);
    assert_true(boots(r, img_a()));
    rig_free(r);
}

/* Bounded work: the most sector erases one psa_fwu_write call makes, for
 * three block sizes, stays within block_size / sector + 5 (the spare erases
 * of earlier calls leave the image's last block little to erase). */
static void test_psa_write_erases_per_call_are_bounded(void **state)
{
    (void)state;
    static const uint32_t blocks[] = {256, BLOCK, PSA_FWU_MAX_WRITE_SIZE};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        struct rig *r = rig_new(50 + i);
        max_erases = 0;
        assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
        assert_psa(send_blocks(img_b(), 0, img_b()->len, blocks[i]), PSA_SUCCESS);
        assert_psa(psa_fwu_finish(0), PSA_SUCCESS);
        print_message("psa: %u-byte blocks: at most %u erases per psa_fwu_write\n",
                      (unsigned)blocks[i], max_erases);
        assert_true(max_erases <= blocks[i] / SECTOR + 3 + 2);
        rig_free(r);
    }
}

/* psa_fwu_query's fields, the façade before init, and the reboot hook. */
static void test_psa_query_fields_and_init(void **state)
{
    (void)state;
    psa_fwu_component_info_t info;
    struct rig *r = rig_new(40);
    info = query();
    assert_int_equal(info.state, PSA_FWU_READY);
    assert_int_equal(info.error, 0);
    assert_int_equal(info.version.major, 1);
    assert_int_equal(info.version.minor, 0);
    assert_int_equal(info.version.patch, 0);
    assert_int_equal(info.max_size, r->rig.lay.max_image_size);
    assert_int_equal(info.flags, 0);
    assert_int_equal(info.location, r->rig.cfg.primary.off);
    assert_int_equal(info.impl.written, 0);
    assert_psa(psa_fwu_query(0, NULL), PSA_ERROR_INVALID_ARGUMENT);
    assert_int_equal(PSA_FWU_MAX_WRITE_SIZE & ((1u << PSA_FWU_LOG2_WRITE_ALIGN) - 1u), 0);

    /* A failed init leaves no component. */
    assert_int_equal(ifu_psa_fwu_init(NULL), IFU_EINVAL);
    assert_psa(psa_fwu_query(0, &info), PSA_ERROR_DOES_NOT_EXIST);
    assert_psa(psa_fwu_start(0, NULL, 0), PSA_ERROR_DOES_NOT_EXIST);
    assert_psa(psa_fwu_install(), PSA_ERROR_BAD_STATE);
    assert_psa(psa_fwu_accept(), PSA_ERROR_BAD_STATE);
    assert_psa(psa_fwu_reject(0), PSA_ERROR_BAD_STATE);
    assert_psa(psa_fwu_request_reboot(), PSA_ERROR_NOT_SUPPORTED);

    /* No reboot hook: request_reboot is not supported. */
    struct ifu_psa_fwu_config pc = {.boot = &r->app};
    assert_int_equal(ifu_psa_fwu_init(&pc), 0);
    assert_psa(psa_fwu_request_reboot(), PSA_ERROR_NOT_SUPPORTED);
    struct ifu_boot_config nokeys = r->app;
    nokeys.keys = NULL;
    pc.boot = &nokeys;
    assert_int_equal(ifu_psa_fwu_init(&pc), IFU_EINVAL);

    /* WRITING reports the bytes taken. */
    init_facade(r);
    assert_psa(psa_fwu_start(0, NULL, 0), PSA_SUCCESS);
    assert_psa(send(img_b(), 0, 3000), PSA_SUCCESS);
    info = query();
    assert_int_equal(info.state, PSA_FWU_WRITING);
    assert_int_equal(info.impl.written, 3000);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psa_query_fields_and_init),
        cmocka_unit_test(test_psa_every_transition_from_every_state),
        cmocka_unit_test(test_psa_full_update_with_reboots_in_every_state),
        cmocka_unit_test(test_psa_rejected_trial_rolls_back_then_next_update_installs),
        cmocka_unit_test(test_psa_write_checks_size_offset_and_order),
        cmocka_unit_test(test_psa_write_erases_per_call_are_bounded),
        cmocka_unit_test(test_psa_refused_images_fail_with_their_codes_and_persist),
        cmocka_unit_test(test_psa_bootloader_refusal_reads_failed_after_reset),
        cmocka_unit_test(test_psa_reject_while_staged_installs_nothing),
    };
    char name[32];
    mode = ifu_boot_mode();
    snprintf(name, sizeof name, "psa_fwu_%s",
             mode == IFU_BOOT_MODE_SWAP        ? "swap"
             : mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
                                               : "xip");
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
