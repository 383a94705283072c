/* The streaming update API (include/ifu/update.h, docs/DESIGN.md §8), one
 * program per boot mode: test_update_overwrite, test_update_swap and
 * test_update_xip link the same tests against ifu_boot_<mode>. Images are
 * signed by the project's CLI (tests/support/tu_image.c); the flash is the
 * simulator (port/sim), whose counters prove "nothing erased" and "one erase
 * per call". The power-loss test cuts every flash operation of a download in
 * every tear mode, then resumes, installs and boots.
 *
 * Rerun one power-loss case: IFU_UPDATE_CUT=<cut>:<tear>[:<cut2>:<tear2>]
 * test_update_<mode> (tear 0 clean, 1 done, 2 torn; cut2 cuts the resumed
 * session). */
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
#include "tu_image.h"

#define KIB       1024u
#define SECTOR    (4 * KIB)
#define PRI_SECS  16u
#define SEC_SECS  17u
#define MAP_ADDR  0x08000000u
#define MAX_ZEROS 64 /* consecutive 0-byte write returns before a test gives up */

static enum ifu_boot_mode mode;

static const char *mode_name(void)
{
    return mode == IFU_BOOT_MODE_SWAP ? "swap" : mode == IFU_BOOT_MODE_XIP ? "xip" : "overwrite";
}

/* One device: primary (XIP: slot A) 16 sectors at 0, secondary (slot B) 17
 * sectors after it, write size 8, NOR (0xff). */
struct rig {
    struct tu_rig rig; /* sim, cfg (the bootloader's and, running from slot A, the app's), lay */
    struct ifu_update up;
};

static const struct tu_geom geom = {
    .name = "update",
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

static struct rig *rig_new(uint64_t seed)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_ifu(tu_rig_init(&r->rig, &geom, seed), 0);
    assert_ifu(r->rig.layout_err, 0);
    return r;
}

static void rig_free(struct rig *r)
{
    tu_rig_free(&r->rig);
    free(r);
}

/* A runs, B is the update, OLD is older than A. */
static const struct tu_image *img_a(void)
{
    return tu_image(12000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(20000, "2.0.0");
}

static const struct tu_image *img_old(void)
{
    return tu_image(9000, "0.9.0");
}

/* A factory-programmed running image. */
static void plant_running(struct rig *r)
{
    ifu_sim_poke(&r->rig.sim, r->rig.cfg.primary.off, img_a()->data, img_a()->len);
}

static const uint8_t *slot_bytes(const struct rig *r, unsigned slot)
{
    return r->rig.sim.mem + (slot == 0 ? r->rig.cfg.primary.off : r->rig.cfg.secondary.off);
}

static uint32_t stage_off(const struct rig *r)
{
    return r->rig.lay.headroom;
}

/* Send [from, to) of buf in chunks of chunk(i) bytes, continuing after
 * partial takes; asserts that no call erases more than one sector.
 * Returns 0 or the first error. */
static int send(struct rig *r, const uint8_t *buf, uint32_t from, uint32_t to,
                uint32_t (*chunk)(uint32_t i))
{
    unsigned zeros = 0;
    for (uint32_t off = from, i = 0; off < to; i++) {
        uint32_t n = chunk(i);
        n = n < to - off ? n : to - off;
        uint64_t before = r->rig.sim.stats.erases;
        int got = ifu_update_write(&r->up, off, buf + off, n);
        if (r->rig.sim.stats.erases - before > 1) {
            fail_msg("write(%u, %u) erased %u sectors", off, n,
                     (unsigned)(r->rig.sim.stats.erases - before));
        }
        if (got < 0) {
            return got;
        }
        if ((uint32_t)got > n) {
            fail_msg("write took %d of %u bytes", got, n);
        }
        zeros = got == 0 ? zeros + 1 : 0;
        if (zeros > MAX_ZEROS) {
            fail_msg("write makes no progress at %u", off);
        }
        off += (uint32_t)got;
    }
    return 0;
}

static uint32_t chunk_1(uint32_t i)
{
    (void)i;
    return 1;
}

static uint32_t chunk_700(uint32_t i)
{
    (void)i;
    return 700;
}

static uint32_t chunk_big(uint32_t i)
{
    (void)i;
    return 3 * SECTOR + 5;
}

static uint32_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static uint32_t chunk_random(uint32_t i)
{
    (void)i;
    uint32_t k = rnd() % 8;
    return k < 4 ? 1 + rnd() % 16 : k < 7 ? 1 + rnd() % 600 : 1 + rnd() % 9000;
}

/* Boot and return the slot holding img, asserting the engine names it. */
static void assert_boots(struct rig *r, const struct tu_image *img)
{
    struct ifu_boot_result res;
    assert_ifu(ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res), 0);
    const uint8_t *at = r->rig.sim.mem + res.image_off;
    if (res.info.total_size != img->len || memcmp(at, img->data, img->len) != 0) {
        fail_msg("booted slot %u (version %u.%u.%u), not the expected image", res.slot,
                 res.info.hdr.version.major, res.info.hdr.version.minor,
                 res.info.hdr.version.revision);
    }
}

/* The whole happy path with a given chunking; installs PERMANENT. */
static void download_and_install(struct rig *r, const struct tu_image *img,
                                 uint32_t (*chunk)(uint32_t))
{
    struct ifu_image_info info;
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
    assert_ifu(send(r, img->data, 0, img->len, chunk), 0);
    assert_ifu(ifu_update_finish(&r->up, &info), 0);
    assert_int_equal(info.total_size, img->len);
    assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT), 0);
}

static void test_update_streams_one_byte_chunks_and_installs(void **state)
{
    (void)state;
    struct rig *r = rig_new(1);
    plant_running(r);
    download_and_install(r, img_b(), chunk_1);
    assert_memory_equal(slot_bytes(r, 1) + stage_off(r), img_b()->data, img_b()->len);
    assert_boots(r, img_b());
    rig_free(r);
}

static void test_update_streams_multi_sector_chunks_and_installs(void **state)
{
    (void)state;
    struct rig *r = rig_new(2);
    plant_running(r);
    download_and_install(r, img_b(), chunk_big);
    assert_boots(r, img_b());
    rig_free(r);
}

/* An empty write (data NULL, len 0) is legal between chunks and takes
 * nothing; it must not compute a pointer from NULL (UBSan caught that
 * through the PSA façade, which polls with empty writes). */
static void test_update_empty_write_with_null_data_takes_nothing(void **state)
{
    struct ifu_image_info info;
    (void)state;
    struct rig *r = rig_new(3);
    plant_running(r);
    const struct tu_image *img = img_b();
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
    assert_int_equal(ifu_update_write(&r->up, 0, NULL, 0), 0);
    assert_ifu(send(r, img->data, 0, 100, chunk_700), 0);
    assert_int_equal(ifu_update_write(&r->up, 100, NULL, 0), 0);
    assert_int_equal(ifu_update_write(&r->up, 50, NULL, 0), 0); /* inside the written range */
    assert_ifu(ifu_update_write(&r->up, 101, NULL, 0), IFU_EGAP);
    assert_ifu(send(r, img->data, 100, img->len, chunk_700), 0);
    assert_ifu(ifu_update_finish(&r->up, &info), 0);
    rig_free(r);
}

/* Random chunk sizes; now and then a repeat of accepted bytes (accepted), a
 * repeat with a changed byte (IFU_EMISMATCH), a gap (IFU_EGAP) and a chunk
 * past the image's end (IFU_ERANGE), none of which disturbs the transfer. */
static void test_update_random_chunks_with_repeats_gaps_and_overruns(void **state)
{
    (void)state;
    const struct tu_image *img = img_b();
    uint8_t *bad = malloc(img->len + 16);
    assert_non_null(bad);
    unsigned counts[4] = {0, 0, 0, 0};
    for (uint32_t seed = 1; seed <= 6; seed++) {
        struct rig *r = rig_new(seed);
        plant_running(r);
        rng_state = seed;
        assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
        uint32_t off = 0;
        while (off < img->len) {
            uint32_t n = chunk_random(0);
            n = n < img->len - off ? n : img->len - off;
            uint32_t what = rnd() % 10;
            if (what == 0 && off > 0) {
                uint32_t back = 1 + rnd() % (off < 5000 ? off : 5000);
                assert_ifu(ifu_update_write(&r->up, off - back, img->data + off - back, back),
                           (int)back);
                counts[0]++;
            } else if (what == 1 && off > 0) {
                uint32_t back = 1 + rnd() % (off < 5000 ? off : 5000);
                memcpy(bad, img->data + off - back, back + n);
                bad[rnd() % back] ^= 0x20;
                assert_ifu(ifu_update_write(&r->up, off - back, bad, back + n), IFU_EMISMATCH);
                counts[1]++;
            } else if (what == 2) {
                assert_ifu(ifu_update_write(&r->up, off + 1 + rnd() % 100, img->data, 1), IFU_EGAP);
                counts[2]++;
            } else if (what == 3) {
                assert_ifu(
                    ifu_update_write(&r->up, off, img->data, r->rig.lay.max_image_size - off + 1),
                    IFU_ERANGE);
                counts[3]++;
            }
            uint64_t before = r->rig.sim.stats.erases;
            int got = ifu_update_write(&r->up, off, img->data + off, n);
            assert_true(got >= 0);
            assert_true(r->rig.sim.stats.erases - before <= 1);
            off += (uint32_t)got;
        }
        /* The image's end is known now: one byte more is past the window. */
        memcpy(bad, img->data, img->len);
        bad[img->len] = 0;
        assert_ifu(ifu_update_write(&r->up, img->len - 4, bad + img->len - 4, 5), IFU_ERANGE);
        assert_ifu(ifu_update_write(&r->up, img->len, bad, 1), IFU_ERANGE);
        assert_ifu(ifu_update_finish(&r->up, NULL), 0);
        assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT), 0);
        assert_boots(r, img);
        rig_free(r);
    }
    assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] > 0);
    free(bad);
}

/* Header field offsets (docs/FORMAT.md). */
#define H_MAGIC    0
#define H_HDR_SIZE 8
#define H_IMG_SIZE 12
#define H_FLAGS    16

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int veto_calls;

static int veto(void *ctx, const struct ifu_image_header *hdr)
{
    (void)ctx;
    (void)hdr;
    veto_calls++;
    return IFU_EUNSUPPORTED;
}

/* Every header-first rejection happens on the 32nd byte with nothing erased
 * or programmed, is sticky, and is also returned by begin for an announced
 * header. */
static void test_update_rejects_bad_headers_before_any_erase(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    uint8_t *buf = malloc(b->len);
    assert_non_null(buf);
    struct ifu_update_policy no_down = {.flags = IFU_UPDATE_P_NO_DOWNGRADE};
    struct ifu_update_policy newer = {.flags = IFU_UPDATE_P_NEWER_ONLY};
    struct ifu_update_policy min3 = {.min_version = {3, 0, 0, 0}};
    struct ifu_update_policy hook = {.check = veto};
    struct rig *probe = rig_new(9);
    uint32_t max = probe->rig.lay.max_image_size;
    rig_free(probe);
    struct {
        const char *name;
        const struct tu_image *img;
        uint32_t field, value, width;
        const struct ifu_update_policy *policy;
        int want;
    } cases[] = {
        {"bad magic", b, H_MAGIC, 0x12345678u, 4, NULL, IFU_EMAGIC},
        {"image larger than the slot", b, H_IMG_SIZE, max, 4, NULL, IFU_ENOSPC},
        {"header size below 32", b, H_HDR_SIZE, 16, 2, NULL, IFU_EHEADER},
        {"encrypted flag", b, H_FLAGS, 0x4, 4, NULL, IFU_EUNSUPPORTED},
        {"RAM-load flag", b, H_FLAGS, 0x20, 4, NULL, IFU_EUNSUPPORTED},
        {"ROM_FIXED at another address", b, H_FLAGS, 0x100, 4, NULL, IFU_EHEADER},
        {"downgrade below the running image", img_old(), 0, 0, 0, &no_down, IFU_EROLLBACK},
        {"same version with NEWER_ONLY", img_a(), 0, 0, 0, &newer, IFU_EROLLBACK},
        {"below min_version", b, 0, 0, 0, &min3, IFU_EROLLBACK},
        {"policy hook", b, 0, 0, 0, &hook, IFU_EUNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int announced = 0; announced < 2; announced++) {
            struct rig *r = rig_new(i);
            plant_running(r);
            memcpy(buf, cases[i].img->data, cases[i].img->len);
            if (cases[i].width == 4) {
                put32(buf + cases[i].field, cases[i].value);
            } else if (cases[i].width == 2) {
                buf[cases[i].field] = (uint8_t)cases[i].value;
                buf[cases[i].field + 1] = (uint8_t)(cases[i].value >> 8);
            }
            ifu_sim_reset_stats(&r->rig.sim);
            int got;
            if (announced) {
                got = ifu_update_begin(&r->up, &r->rig.cfg, cases[i].policy, buf, NULL);
            } else {
                assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, cases[i].policy, NULL, NULL), 0);
                /* Header in two pieces, the rest in one call. */
                got = ifu_update_write(&r->up, 0, buf, 20);
                if (got == 20) {
                    got = ifu_update_write(&r->up, 20, buf + 20, cases[i].img->len - 20);
                }
            }
            if (got != cases[i].want) {
                fail_msg("%s (%s): got %d (%s), want %s", cases[i].name,
                         announced ? "announced" : "written", got, ifu_strerror(got),
                         ifu_strerror(cases[i].want));
            }
            /* Sticky, and nothing touched the flash. */
            assert_ifu(ifu_update_write(&r->up, 32, buf + 32, 8), cases[i].want);
            assert_ifu(ifu_update_finish(&r->up, NULL), cases[i].want);
            if (r->rig.sim.stats.erases != 0 || r->rig.sim.stats.progs != 0) {
                fail_msg("%s: %u erases, %u progs", cases[i].name,
                         (unsigned)r->rig.sim.stats.erases, (unsigned)r->rig.sim.stats.progs);
            }
            rig_free(r);
        }
    }
    assert_true(veto_calls >= 2);
    free(buf);
}

/* A primary checksum, to prove the running image is never touched. */
static uint64_t primary_sum(const struct rig *r)
{
    uint64_t h = 1469598103934665603u;
    const uint8_t *p = slot_bytes(r, 0);
    for (uint32_t i = 0; i < r->rig.cfg.primary.size; i++) {
        h = (h ^ p[i]) * 1099511628211u;
    }
    return h;
}

/* Wrong key, tampered payload, truncated transfer: distinct codes from
 * finish, the slot marked rejected with that reason, no request possible,
 * and the old image still boots, byte for byte. */
static void test_update_finish_failures_leave_slot_rejected(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct tu_image_spec untrusted = {
        .key = TU_KEY_UNTRUSTED, .payload = 20000, .version = "2.0.0"};
    const struct tu_image *wrong = tu_image_get(&untrusted);
    uint8_t *buf = malloc(b->len);
    assert_non_null(buf);
    for (int c = 0; c < 3; c++) {
        struct rig *r = rig_new(c + 20);
        plant_running(r);
        uint64_t sum = primary_sum(r);
        const struct tu_image *img = c == 0 ? wrong : b;
        memcpy(buf, img->data, img->len);
        uint32_t len = img->len;
        int want = IFU_ENOKEY;
        if (c == 1) {
            buf[TU_IMAGE_HDR_SIZE + 5000] ^= 0x01;
            want = IFU_EHASH;
        } else if (c == 2) {
            len -= 10;
            want = IFU_ETRUNC;
        }
        assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
        assert_ifu(send(r, buf, 0, len, chunk_700), 0);
        assert_ifu(ifu_update_finish(&r->up, NULL), want);
        assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT), want);
        assert_ifu(ifu_boot_request(&r->rig.cfg, IFU_BOOT_REQ_PERMANENT), IFU_ESTATE);
        struct ifu_update_status st;
        assert_ifu(ifu_update_status(NULL, &r->rig.cfg, &st), 0);
        assert_ifu(st.boot.staged_err, want);
        assert_int_equal(st.boot.pending, IFU_BOOT_STATE_NONE);
        /* A new begin with the same header does not resume a refused slot. */
        uint32_t resume = 1;
        assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, buf, &resume), 0);
        assert_int_equal(resume, 0);
        assert_boots(r, img_a());
        assert_true(primary_sum(r) == sum);
        rig_free(r);
    }
    free(buf);
}

/* A reset mid-transfer: begin with the header reports where to go on, the
 * rest is sent, the image installs and boots. */
static void test_update_resumes_after_reset(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    static const uint32_t stops[] = {40, 4000, 4096 - 256 + 7, 9000, 15000, 20100};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        struct rig *r = rig_new(30 + i);
        plant_running(r);
        uint32_t resume = 99;
        assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, b->data, &resume), 0);
        assert_int_equal(resume, 0);
        assert_ifu(send(r, b->data, 0, stops[i], chunk_700), 0);
        memset(&r->up, 0, sizeof r->up); /* the reset */
        assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, b->data, &resume), 0);
        assert_true(resume <= stops[i]);
        if (stops[i] >= 3 * SECTOR && resume == 0) {
            fail_msg("stopped at %u, resumed from 0", stops[i]);
        }
        struct ifu_update_status st;
        assert_ifu(ifu_update_status(&r->up, NULL, &st), 0);
        assert_int_equal(st.offset, resume);
        assert_int_equal(st.resumed, resume);
        assert_ifu(send(r, b->data, resume, b->len, chunk_700), 0);
        assert_ifu(ifu_update_finish(&r->up, NULL), 0);
        assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT), 0);
        assert_boots(r, b);
        rig_free(r);
    }
}

/* Abort marks the slot cancelled: no resume, no install. */
static void test_update_abort_cancels_and_voids_request(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct rig *r = rig_new(40);
    plant_running(r);
    download_and_install(r, b, chunk_700);
    assert_ifu(ifu_update_abort(&r->up), 0);
    struct ifu_update_status st;
    assert_ifu(ifu_update_status(NULL, &r->rig.cfg, &st), 0);
    assert_ifu(st.boot.staged_err, IFU_ECANCELED);
    assert_int_equal(st.boot.pending, IFU_BOOT_STATE_NONE);
    assert_int_equal(st.state, IFU_UPDATE_IDLE);
    uint32_t resume = 1;
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, b->data, &resume), 0);
    assert_int_equal(resume, 0);
    assert_ifu(ifu_update_abort(&r->up), 0); /* untouched session: nothing written */
    assert_boots(r, img_a());
    rig_free(r);
}

/* Status: progress, the running image's version, and after a test install
 * and a boot, the trial state; a trial refuses a new transfer (swap, XIP). */
static void test_update_status_and_trial(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct rig *r = rig_new(50);
    plant_running(r);
    struct ifu_update_status st;
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
    assert_ifu(send(r, b->data, 0, 5000, chunk_700), 0);
    assert_ifu(ifu_update_status(&r->up, NULL, &st), 0);
    assert_int_equal(st.state, IFU_UPDATE_RECEIVING);
    assert_int_equal(st.offset, 5000);
    assert_int_equal(st.max_image_size, r->rig.lay.max_image_size);
    assert_true(st.running_valid);
    assert_int_equal(st.running_version.major, 1);
    assert_ifu(send(r, b->data, 5000, b->len, chunk_700), 0);
    assert_ifu(ifu_update_status(&r->up, NULL, &st), 0);
    assert_int_equal(st.image_size, b->len);
    assert_ifu(ifu_update_finish(&r->up, NULL), 0);
    if (mode == IFU_BOOT_MODE_OVERWRITE) {
        assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_TEST), IFU_EUNSUPPORTED);
        rig_free(r);
        return;
    }
    assert_ifu(ifu_update_install(&r->up, IFU_BOOT_REQ_TEST), 0);
    assert_ifu(ifu_update_status(&r->up, NULL, &st), 0);
    assert_int_equal(st.state, IFU_UPDATE_INSTALLED);
    assert_int_equal(st.boot.pending, IFU_BOOT_STATE_INSTALL_TEST);
    assert_boots(r, b);
    struct ifu_boot_config app = r->rig.cfg;
    if (mode == IFU_BOOT_MODE_XIP) {
        app.primary = r->rig.cfg.secondary;
        app.secondary = r->rig.cfg.primary;
    }
    assert_ifu(ifu_update_status(NULL, &app, &st), 0);
    assert_int_equal(st.boot.running, IFU_BOOT_STATE_TESTING);
    assert_int_equal(st.running_version.major, 2);
    assert_ifu(ifu_update_begin(&r->up, &app, NULL, NULL, NULL), IFU_ESTATE);
    assert_ifu(ifu_boot_confirm(&app), 0);
    assert_ifu(ifu_update_begin(&r->up, &app, NULL, NULL, NULL), 0);
    rig_free(r);
}

/* Bounded work: one erase per call at most (checked in send() for every
 * test), and a chunk that needs more is taken in part. */
static void test_update_write_erases_at_most_one_sector_per_call(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct rig *r = rig_new(60);
    plant_running(r);
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
    unsigned calls = 0;
    unsigned partial = 0;
    for (uint32_t off = 0; off < b->len; calls++) {
        uint64_t before = r->rig.sim.stats.erases;
        int got = ifu_update_write(&r->up, off, b->data + off, b->len - off);
        assert_true(got >= 0);
        assert_true(r->rig.sim.stats.erases - before <= 1);
        partial += (uint32_t)got < b->len - off;
        off += (uint32_t)got;
        assert_true(calls < 64);
    }
    assert_ifu(ifu_update_finish(&r->up, NULL), 0);
    /* Every staging sector from the image start to the slot end, once. */
    uint32_t want = (r->rig.cfg.secondary.size - stage_off(r)) / SECTOR;
    assert_int_equal(r->rig.sim.stats.erases, want);
    assert_true(partial > 0);
    print_message("update %s: whole-image write took %u calls, %u erases\n", mode_name(), calls,
                  (unsigned)r->rig.sim.stats.erases);
    rig_free(r);
}

/* The first session of the power-loss test: a fresh download, finish and a
 * permanent request. Returns 0 or the error at the cut. */
static int first_session(struct rig *r, const struct tu_image *img)
{
    int err = ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL);
    if (!err) {
        err = send(r, img->data, 0, img->len, chunk_700);
    }
    if (!err) {
        err = ifu_update_finish(&r->up, NULL);
    }
    if (!err) {
        err = ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT);
    }
    return err;
}

static const char *const tear_names[] = {"clean", "done", "torn"};

/* After a power-on: begin with the header, send the rest, finish, request. */
static int resume_session(struct rig *r, const struct tu_image *img, uint32_t *resume)
{
    memset(&r->up, 0, sizeof r->up); /* the context died with the power */
    *resume = 0;
    int err = ifu_update_begin(&r->up, &r->rig.cfg, NULL, img->data, resume);
    if (!err) {
        err = send(r, img->data, *resume, img->len, chunk_700);
    }
    if (!err) {
        err = ifu_update_finish(&r->up, NULL);
    }
    if (!err) {
        err = ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT);
    }
    return err;
}

static unsigned resumed_cases; /* cases whose first resume kept bytes */

/* One case: a cut in the first session, and optionally (cut2 > 0) a second
 * one in the resumed session. Returns 1 if the case failed (message
 * printed). */
static int power_cut_case(struct rig *r, const struct ifu_sim_snapshot *start, uint64_t sum,
                          uint32_t cut, int tear, uint32_t cut2, int tear2)
{
    const struct tu_image *b = img_b();
    uint32_t resume = 0;
    char why[160] = "";

    ifu_sim_restore(&r->rig.sim, start);
    ifu_sim_arm_cut(&r->rig.sim, cut, (enum ifu_sim_cut)tear);
    (void)first_session(r, b);
    if (!ifu_sim_cut_fired(&r->rig.sim)) {
        snprintf(why, sizeof why, "the cut did not fire");
    }
    ifu_sim_power_on(&r->rig.sim);
    if (!why[0] && primary_sum(r) != sum) {
        snprintf(why, sizeof why, "the running image changed during the download");
    }
    int err = 0;
    if (!why[0] && cut2 != 0) {
        ifu_sim_arm_cut(&r->rig.sim, cut2, (enum ifu_sim_cut)tear2);
        (void)resume_session(r, b, &resume);
        int fired = ifu_sim_cut_fired(&r->rig.sim);
        ifu_sim_power_on(&r->rig.sim);
        if (!fired) {
            return 0; /* the resumed session had fewer operations */
        }
        if (primary_sum(r) != sum) {
            snprintf(why, sizeof why, "the running image changed during the resumed download");
        }
    }
    if (!why[0]) {
        err = resume_session(r, b, &resume);
        resumed_cases += cut2 == 0 && resume > 0;
        if (err) {
            snprintf(why, sizeof why, "resume from %u: %s", resume, ifu_strerror(err));
        }
    }
    if (!why[0] && primary_sum(r) != sum) {
        snprintf(why, sizeof why, "the running image changed before the install");
    }
    struct ifu_boot_result res;
    if (!why[0]) {
        err = ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res);
        if (err) {
            snprintf(why, sizeof why, "boot: %s", ifu_strerror(err));
        } else if (res.info.total_size != b->len ||
                   memcmp(r->rig.sim.mem + res.image_off, b->data, b->len) != 0) {
            snprintf(why, sizeof why, "boot named slot %u, not the new image", res.slot);
        }
    }
    if (!why[0] && (r->rig.sim.stats.prog_over != 0 || r->rig.sim.stats.misuse != 0)) {
        snprintf(why, sizeof why, "flash misuse: %u progs over data, %u misaligned",
                 (unsigned)r->rig.sim.stats.prog_over, (unsigned)r->rig.sim.stats.misuse);
    }
    if (why[0]) {
        print_error("update cut %u:%s then %u:%s (IFU_UPDATE_CUT=%u:%d:%u:%d): %s\n", cut,
                    tear_names[tear], cut2, tear_names[tear2], cut, tear, cut2, tear2, why);
        return 1;
    }
    return 0;
}

/* Power loss at every flash operation of a download (clean, done, torn);
 * after power-on the download resumes, completes, installs and boots, and
 * the running image was never touched before the install. Then double
 * faults: a torn cut at a quarter, half and three quarters of the download,
 * and a second cut at every operation of the resumed session. */
static void test_update_survives_cut_at_every_flash_op(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    struct rig *r = rig_new(70);
    plant_running(r);
    uint64_t sum = primary_sum(r);
    struct ifu_sim_snapshot *start = ifu_sim_save(&r->rig.sim);
    assert_non_null(start);

    ifu_sim_reset_stats(&r->rig.sim);
    assert_ifu(first_session(r, b), 0);
    uint32_t n_ops = (uint32_t)r->rig.sim.stats.ops;
    assert_true(n_ops > 0);

    unsigned cuts = 0;
    unsigned failures = 0;
    const char *one = getenv("IFU_UPDATE_CUT");
    unsigned oc = 0, oc2 = 0;
    int ot = -1, ot2 = 0;
    if (one != NULL && sscanf(one, "%u:%d:%u:%d", &oc, &ot, &oc2, &ot2) < 2) {
        oc = 0;
    }
    if (oc != 0) {
        cuts = 1;
        failures = (unsigned)power_cut_case(r, start, sum, oc, ot, oc2, ot2);
    }
    for (uint32_t cut = 1; oc == 0 && cut <= n_ops; cut++) {
        for (int tear = 0; tear < IFU_SIM_CUT_MODES; tear++) {
            ifu_sim_reset_stats(&r->rig.sim);
            cuts++;
            failures += (unsigned)power_cut_case(r, start, sum, cut, tear, 0, 0);
        }
    }
    unsigned single = cuts;
    for (uint32_t q = 1; oc == 0 && q <= 3; q++) {
        for (uint32_t cut2 = 1; cut2 <= n_ops; cut2++) {
            for (int tear = 0; tear < IFU_SIM_CUT_MODES; tear++) {
                ifu_sim_reset_stats(&r->rig.sim);
                cuts++;
                failures += (unsigned)power_cut_case(r, start, sum, n_ops * q / 4, IFU_SIM_CUT_TORN,
                                                     cut2, tear);
            }
        }
    }
    print_message("update %s: %u single cuts (%u resumed past 0), %u double\n", mode_name(), single,
                  resumed_cases, cuts - single);
    print_message("update %s: %u cuts, %u failures\n", mode_name(), cuts, failures);
    ifu_sim_snapshot_free(start);
    rig_free(r);
    assert_int_equal(failures, 0);
}

static void test_update_context_size(void **state)
{
    (void)state;
    print_message("sizeof(struct ifu_update) = %u (struct ifu_verify %u, own %u)\n",
                  (unsigned)sizeof(struct ifu_update), (unsigned)sizeof(struct ifu_verify),
                  (unsigned)(sizeof(struct ifu_update) - sizeof(struct ifu_verify)));
    assert_true(sizeof(struct ifu_update) - sizeof(struct ifu_verify) <= 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_context_size),
        cmocka_unit_test(test_update_rejects_bad_headers_before_any_erase),
        cmocka_unit_test(test_update_streams_one_byte_chunks_and_installs),
        cmocka_unit_test(test_update_streams_multi_sector_chunks_and_installs),
        cmocka_unit_test(test_update_empty_write_with_null_data_takes_nothing),
        cmocka_unit_test(test_update_random_chunks_with_repeats_gaps_and_overruns),
        cmocka_unit_test(test_update_finish_failures_leave_slot_rejected),
        cmocka_unit_test(test_update_resumes_after_reset),
        cmocka_unit_test(test_update_abort_cancels_and_voids_request),
        cmocka_unit_test(test_update_status_and_trial),
        cmocka_unit_test(test_update_write_erases_at_most_one_sector_per_call),
        cmocka_unit_test(test_update_survives_cut_at_every_flash_op),
    };
    char name[32];
    mode = ifu_boot_mode();
    snprintf(name, sizeof name, "update_%s",
             mode == IFU_BOOT_MODE_SWAP        ? "swap"
             : mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
                                               : "xip");
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
