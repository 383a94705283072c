/* Memory-mapped flash (struct ifu_flash.map, docs/DESIGN.md §7.1): the
 * verifier and the boot engine hash slots in place when the flash is mapped,
 * and must decide exactly as they do when they copy through read(). One
 * program per boot mode: test_map_overwrite, test_map_swap, test_map_xip.
 *
 * - ifu_area_map() makes ifu_area_read()'s range check and hands out nothing
 *   outside the area;
 * - ifu_image_verify_area(), mapped and not, gives ifu_image_verify()'s exact
 *   result for good, tampered, truncated and malformed images (out-of-range
 *   TLV lengths, a header that claims too much), over a mapping in which
 *   every page outside the slot is unreadable (a read past the area faults);
 * - the boot engine, on two rigs that differ only in the mapping, makes the
 *   same decisions and leaves the same flash, byte for byte, for the same
 *   staged images; the mapped rig reads (copies) less than one image.
 * The whole boot test programs and the swap power-loss matrix also run with
 * the mapping on (tests/map.cmake, IFU_TEST_FLASH_MAPPED=1). */
#define _DEFAULT_SOURCE /* mmap, MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/flash.h"
#include "ifu/image.h"
#include "tu_boot.h"
#include "testutil.h"
#include "tu_image.h"

#define KIB TU_KIB

static enum ifu_boot_mode mode;

static const struct tu_image *img_a(void)
{
    return tu_image(30000, "1.0.0");
}

static const struct tu_image *img_b(void)
{
    return tu_image(36000, "2.0.0");
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* ---- image variants ---- */

enum variant {
    V_GOOD,
    V_FLIP_MAGIC,
    V_FLIP_VERSION,
    V_FLIP_PAYLOAD_FIRST,
    V_FLIP_PAYLOAD_LAST,
    V_FLIP_TLV_VALUE,
    V_FLIP_SIGNATURE,
    V_TRUNC_HEADER,
    V_TRUNC_PAYLOAD,
    V_TRUNC_LAST_BYTE,
    V_EMPTY,
    V_TLV_TOTAL_HUGE,
    V_TLV_TOTAL_SHORT,
    V_TLV_LEN_PAST_AREA,
    V_IMG_SIZE_HUGE,
    V_COUNT
};

static const char *const variant_names[V_COUNT] = {
    "good",
    "flip magic",
    "flip version",
    "flip first payload byte",
    "flip last payload byte",
    "flip TLV value",
    "flip signature",
    "truncated in header",
    "truncated in payload",
    "last byte missing",
    "empty slot",
    "TLV total 0xffff",
    "TLV total 4",
    "TLV length past area",
    "img_size 0x7fffff00",
};

/* Write variant v of img into out (the slot's bytes from the image's start,
 * cap bytes, erased elsewhere). Returns how many bytes of out came from the
 * image (the rest is erased). */
static uint32_t make_variant(enum variant v, const struct tu_image *img, uint8_t *out, uint32_t cap,
                             uint8_t erased)
{
    const uint8_t *d = img->data;
    uint32_t hdr = le16(d + 8);
    uint32_t prot = le16(d + 10);
    uint32_t body = le32(d + 12);
    uint32_t tlv = hdr + body + prot; /* unprotected TLV info */
    uint32_t len = img->len;

    assert_true(len <= cap);
    memset(out, erased, cap);
    memcpy(out, d, len);
    switch (v) {
    case V_GOOD:
        break;
    case V_FLIP_MAGIC:
        out[0] ^= 0x01;
        break;
    case V_FLIP_VERSION:
        out[20] ^= 0x01;
        break;
    case V_FLIP_PAYLOAD_FIRST:
        out[hdr] ^= 0x80;
        break;
    case V_FLIP_PAYLOAD_LAST:
        out[hdr + body - 1] ^= 0x01;
        break;
    case V_FLIP_TLV_VALUE:
        out[tlv + 4 + 4] ^= 0x01; /* the first unprotected TLV's first value byte */
        break;
    case V_FLIP_SIGNATURE:
        out[len - 1] ^= 0x01; /* the signature is the last TLV ifu sign writes */
        break;
    case V_TRUNC_HEADER:
        len = 20;
        break;
    case V_TRUNC_PAYLOAD:
        len = hdr + body / 2;
        break;
    case V_TRUNC_LAST_BYTE:
        len -= 1;
        break;
    case V_EMPTY:
        len = 0;
        break;
    case V_TLV_TOTAL_HUGE:
        out[tlv + 2] = 0xff;
        out[tlv + 3] = 0xff;
        break;
    case V_TLV_TOTAL_SHORT:
        out[tlv + 2] = 4;
        out[tlv + 3] = 0;
        break;
    case V_TLV_LEN_PAST_AREA:
        out[tlv + 4 + 2] = 0xf0; /* first TLV's length: 0xfff0 */
        out[tlv + 4 + 3] = 0xff;
        break;
    case V_IMG_SIZE_HUGE:
        out[12] = 0x00;
        out[13] = 0xff;
        out[14] = 0xff;
        out[15] = 0x7f;
        break;
    default:
        fail_msg("variant %d", (int)v);
    }
    if (len < img->len) {
        memset(out + len, erased, img->len - len);
    }
    return len;
}

/* ---- ifu_area_map ---- */

static void test_map_area_map_is_null_when_flash_is_not_mapped(void **state)
{
    (void)state;
    struct tu_rig r;
    const uint8_t *p = (const uint8_t *)&r;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    ifu_sim_set_mapped(&r.sim, 0);
    assert_ifu(ifu_area_map(&r.cfg.secondary, 0, 4096, &p), 0);
    assert_null(p);
    tu_rig_free(&r);
}

static void test_map_area_map_points_at_area_byte_and_checks_range_like_read(void **state)
{
    (void)state;
    struct tu_rig r;
    const struct ifu_area *a;
    const uint8_t *p;
    uint8_t byte;
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    ifu_sim_set_mapped(&r.sim, 1);
    a = &r.cfg.secondary;

    assert_ifu(ifu_area_map(a, 0, a->size, &p), 0);
    assert_ptr_equal(p, r.sim.mem + a->off);
    assert_ifu(ifu_area_map(a, 100, 1, &p), 0);
    assert_ptr_equal(p, r.sim.mem + a->off + 100);
    /* Edge cases: the last byte; len 0 at the very end. */
    assert_ifu(ifu_area_map(a, a->size - 1, 1, &p), 0);
    assert_ptr_equal(p, r.sim.mem + a->off + a->size - 1);
    assert_ifu(ifu_area_map(a, a->size, 0, &p), 0);

    /* Each range read refuses, map refuses too, and hands out nothing. */
    static const struct {
        uint32_t off, len;
    } bad[] = {{0, 17 * 4 * KIB + 1}, {1, 17 * 4 * KIB}, {17 * 4 * KIB, 1},
               {0xffffffffu, 2},      {2, 0xffffffffu},  {0xffffffffu, 0xffffffffu}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (const uint8_t *)&r;
        /* Refused before any byte moves, so the 1-byte buffer is safe. */
        assert_ifu(ifu_area_read(a, bad[i].off, &byte, bad[i].len), IFU_EINVAL);
        assert_ifu(ifu_area_map(a, bad[i].off, bad[i].len, &p), IFU_EINVAL);
        assert_null(p);
    }
    /* A bad area or a missing output: IFU_EINVAL. */
    struct ifu_area broken = *a;
    broken.off += 1;
    assert_ifu(ifu_area_map(&broken, 0, 1, &p), IFU_EINVAL);
    assert_null(p);
    assert_ifu(ifu_area_map(NULL, 0, 1, &p), IFU_EINVAL);
    assert_ifu(ifu_area_map(a, 0, 1, NULL), IFU_EINVAL);
    tu_rig_free(&r);
}

/* The mapping follows prog and erase at once (the sim's contract). */
static void test_map_mapped_bytes_follow_prog_and_erase(void **state)
{
    (void)state;
    struct tu_rig r;
    const uint8_t *p;
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t back[8];
    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    ifu_sim_set_mapped(&r.sim, 1);
    const struct ifu_area *a = &r.cfg.secondary;
    assert_ifu(ifu_area_erase(a, 0, 4096), 0);
    assert_ifu(ifu_area_prog(a, 8, data, sizeof data), 0);
    assert_ifu(ifu_area_map(a, 8, sizeof data, &p), 0);
    assert_ifu(ifu_area_read(a, 8, back, sizeof back), 0);
    assert_memory_equal(p, back, sizeof back);
    assert_memory_equal(p, data, sizeof data);
    assert_ifu(ifu_area_erase(a, 0, 4096), 0);
    assert_int_equal(p[0], 0xff);
    tu_rig_free(&r);
}

/* ---- the verifier over a guarded mapping ---- */

/* A device of three 64 KiB areas: only the middle one (the slot) is
 * readable; a read outside it, through map or read, faults. */
struct guarded {
    uint8_t *base; /* device offset 0 */
    size_t size;
    struct ifu_sector_run run;
    struct ifu_flash fl;
    struct ifu_area slot;
    uint32_t reads;
};

#define G_SECTOR 4096u
#define G_AREA   (16u * G_SECTOR)

static int g_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct guarded *g = fl->ctx;
    g->reads++;
    memcpy(buf, g->base + off, len);
    return 0;
}

static int g_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)buf;
    (void)len;
    fail_msg("verification programmed flash");
    return IFU_EIO;
}

static int g_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)len;
    fail_msg("verification erased flash");
    return IFU_EIO;
}

static int guarded_open(struct guarded *g, const uint8_t *slot_bytes, int mapped)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || G_SECTOR % (uint32_t)page != 0) {
        return -1; /* cannot guard 4 KiB areas with larger pages */
    }
    memset(g, 0, sizeof *g);
    g->size = 3u * G_AREA;
    void *m = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    g->base = m;
    memcpy(g->base + G_AREA, slot_bytes, G_AREA);
    assert_int_equal(mprotect(g->base, G_AREA, PROT_NONE), 0);
    assert_int_equal(mprotect(g->base + G_AREA, G_AREA, PROT_READ), 0);
    assert_int_equal(mprotect(g->base + 2 * G_AREA, G_AREA, PROT_NONE), 0);
    g->run = (struct ifu_sector_run){G_SECTOR, 3u * G_AREA / G_SECTOR};
    g->fl.ctx = g;
    g->fl.read = g_read;
    g->fl.prog = g_prog;
    g->fl.erase = g_erase;
    g->fl.write_size = 8;
    g->fl.erased_val = 0xff;
    g->fl.sectors = &g->run;
    g->fl.sector_runs = 1;
    g->fl.map = mapped ? g->base : NULL;
    g->slot = (struct ifu_area){&g->fl, G_AREA, G_AREA};
    return 0;
}

static void guarded_close(struct guarded *g)
{
    munmap(g->base, g->size);
}

/* For one image placed at slot offset off: reader, area copied, area mapped
 * agree exactly (error, and on success the digest and sizes). Returns the
 * common result. */
static int verify_three_ways(const uint8_t *slot_bytes, uint32_t off,
                             const struct ifu_keyring *keys, const char *what,
                             struct ifu_image_info *out)
{
    struct tu_mem m = {slot_bytes + off, G_AREA - off};
    const struct ifu_image_reader rd = {tu_mem_read, &m};
    struct ifu_image_info want;
    int want_err = ifu_image_verify(&rd, G_AREA - off, keys, 0, IFU_HASHSET_ALL, &want);
    for (int mapped = 0; mapped <= 1; mapped++) {
        struct guarded g;
        struct ifu_image_info got;
        if (guarded_open(&g, slot_bytes, mapped) != 0) {
            skip();
        }
        int err = ifu_image_verify_area(&g.slot, off, G_AREA - off, keys, 0, IFU_HASHSET_ALL, &got);
        if (err != want_err) {
            fail_msg("%s at %u, %s: area gives %s, reader %s", what, (unsigned)off,
                     mapped ? "mapped" : "copied", ifu_strerror(err), ifu_strerror(want_err));
        }
        assert_int_equal(got.total_size, want.total_size);
        assert_int_equal(got.hdr.img_size, want.hdr.img_size);
        assert_int_equal(got.key_index, want.key_index);
        assert_memory_equal(got.digest, want.digest, sizeof got.digest);
        assert_int_equal(got.sig_pure, want.sig_pure);
        if (mapped && want_err == 0) {
            /* In place: read() only for nothing, or next to nothing. */
            assert_int_equal(g.reads, 0);
        }
        guarded_close(&g);
    }
    if (out != NULL) {
        *out = want;
    }
    return want_err;
}

static void test_map_verify_area_mapped_and_copied_agree_with_reader_on_every_variant(void **state)
{
    (void)state;
    const struct tu_image *b = img_b();
    uint8_t *slot = malloc(G_AREA);
    assert_non_null(slot);
    for (int v = 0; v < V_COUNT; v++) {
        /* At the slot's start, and ending on the slot's last byte (the
         * guard page right behind it). */
        make_variant((enum variant)v, b, slot, G_AREA, 0xff);
        int err = verify_three_ways(slot, 0, tu_image_keyring(), variant_names[v], NULL);
        if ((err == 0) != (v == V_GOOD)) {
            fail_msg("%s: %s", variant_names[v], ifu_strerror(err));
        }
        uint32_t end_off = G_AREA - b->len;
        memset(slot, 0xff, G_AREA);
        make_variant((enum variant)v, b, slot + end_off, b->len, 0xff);
        err = verify_three_ways(slot, end_off, tu_image_keyring(), variant_names[v], NULL);
        if ((err == 0) != (v == V_GOOD)) {
            fail_msg("%s at the end: %s", variant_names[v], ifu_strerror(err));
        }
    }
    free(slot);
}

/* An imgtool vector signed "pure" (Ed25519 over the bytes): the second pass
 * of the signature reads the slot again, in place when mapped. */
static void test_map_verify_area_pure_ed25519_second_pass_in_place(void **state)
{
    (void)state;
    uint32_t key_len;
    uint32_t len;
    tu_require_vectors("imgtool");
    uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", "keys/ed25519.pub.pem"), &key_len);
    uint8_t *img = tu_read_file(tu_vector_path("imgtool", "good/ed25519-pure.bin"), &len);
    assert_non_null(key);
    assert_non_null(img);
    assert_true(len > 32 && len < G_AREA);
    const struct ifu_key k = {key, key_len, NULL};
    const struct ifu_keyring ring = {&k, 1};
    uint8_t *slot = malloc(G_AREA);
    struct ifu_image_info info;
    assert_non_null(slot);
    /* Good, and ending on the slot's last byte. */
    memset(slot, 0xff, G_AREA);
    memcpy(slot + G_AREA - len, img, len);
    assert_ifu(verify_three_ways(slot, G_AREA - len, &ring, "ed25519-pure", &info), 0);
    assert_int_equal(info.sig_pure, 1);
    /* A flipped payload byte: the digest catches it first; a flipped byte
     * the signature alone covers cannot exist (the digest covers the same
     * bytes), so flip the signature's last byte to reach the pure pass. */
    slot[G_AREA - len + 300] ^= 1;
    assert_true(verify_three_ways(slot, G_AREA - len, &ring, "ed25519-pure, payload", NULL) != 0);
    slot[G_AREA - len + 300] ^= 1;
    slot[G_AREA - 1] ^= 1;
    assert_ifu(verify_three_ways(slot, G_AREA - len, &ring, "ed25519-pure, signature", NULL),
               IFU_ESIG);
    free(slot);
    free(img);
    free(key);
}

static void test_map_verify_area_refuses_range_outside_area(void **state)
{
    (void)state;
    uint8_t *slot = calloc(1, G_AREA);
    struct guarded g;
    assert_non_null(slot);
    if (guarded_open(&g, slot, 1) != 0) {
        free(slot);
        skip();
    }
    assert_ifu(
        ifu_image_verify_area(&g.slot, 0, G_AREA + 1, tu_image_keyring(), 0, IFU_HASHSET_ALL, NULL),
        IFU_EINVAL);
    assert_ifu(
        ifu_image_verify_area(&g.slot, G_AREA + 1, 0, tu_image_keyring(), 0, IFU_HASHSET_ALL, NULL),
        IFU_EINVAL);
    assert_ifu(ifu_image_verify_area(&g.slot, 16, G_AREA - 15, tu_image_keyring(), 0,
                                     IFU_HASHSET_ALL, NULL),
               IFU_EINVAL);
    assert_ifu(ifu_image_verify_area(NULL, 0, 1, tu_image_keyring(), 0, IFU_HASHSET_ALL, NULL),
               IFU_EINVAL);
    guarded_close(&g);
    free(slot);
}

/* ---- the boot engine, mapped and not ---- */

struct outcome {
    int request_err;
    int go_err[2];
    struct ifu_boot_result res[2];
    int holds_a[2]; /* the named slot holds A, byte for byte, right after that boot */
    int holds_b[2];
};

/* A in the primary, variant v of B staged and requested, two boots. */
static void boot_run(struct tu_rig *r, int mapped, enum variant v, struct outcome *o)
{
    struct tu_geom g = tu_geom_u4k;
    struct ifu_boot_config app;
    g.mapped = mapped;
    memset(o, 0, sizeof *o);
    assert_int_equal(tu_rig_init(r, &g, 7), 0);
    assert_ifu(r->layout_err, 0);
    tu_rig_poke_image(r, 0, 0, img_a());
    const struct tu_image *b = img_b();
    uint32_t room = r->cfg.secondary.size - tu_rig_stage_off(r);
    uint8_t *bytes = malloc(room);
    assert_non_null(bytes);
    make_variant(v, b, bytes, b->len, 0xff);
    ifu_sim_poke(&r->sim, r->cfg.secondary.off + tu_rig_stage_off(r), bytes, b->len);
    free(bytes);
    tu_rig_app_cfg(r, 0, &app);
    o->request_err = ifu_boot_request(&app, mode == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT
                                                                            : IFU_BOOT_REQ_TEST);
    ifu_sim_reset_stats(&r->sim);
    for (int i = 0; i < 2; i++) {
        o->go_err[i] = tu_rig_go(r, &o->res[i]);
        o->holds_a[i] = tu_rig_holds(r, o->res[i].slot, 0, img_a());
        o->holds_b[i] = tu_rig_holds(r, o->res[i].slot, 0, img_b());
    }
}

static void test_map_boot_engine_decides_the_same_mapped_and_copied(void **state)
{
    (void)state;
    for (int v = 0; v < V_COUNT; v++) {
        struct tu_rig copied;
        struct tu_rig mapped;
        struct outcome oc;
        struct outcome om;
        boot_run(&copied, 0, (enum variant)v, &oc);
        boot_run(&mapped, 1, (enum variant)v, &om);
        const char *name = variant_names[v];
        if (oc.request_err != om.request_err) {
            fail_msg("%s: request %s vs %s", name, ifu_strerror(oc.request_err),
                     ifu_strerror(om.request_err));
        }
        for (int i = 0; i < 2; i++) {
            const struct ifu_boot_result *c = &oc.res[i];
            const struct ifu_boot_result *m = &om.res[i];
            if (oc.go_err[i] != om.go_err[i] || c->slot != m->slot ||
                c->image_off != m->image_off || c->entry_off != m->entry_off ||
                c->actions != m->actions || c->state != m->state ||
                c->reject_err != m->reject_err || c->info.total_size != m->info.total_size ||
                memcmp(c->info.digest, m->info.digest, sizeof c->info.digest) != 0) {
                fail_msg("%s, boot %d: copied (err %d slot %u actions 0x%x reject %d) vs mapped "
                         "(err %d slot %u actions 0x%x reject %d)",
                         name, i, oc.go_err[i], c->slot, (unsigned)c->actions, c->reject_err,
                         om.go_err[i], m->slot, (unsigned)m->actions, m->reject_err);
            }
            /* The verdict itself: the good B is named after its request,
             * a bad one never. */
            assert_ifu(om.go_err[i], 0);
            if (v == V_GOOD && i == 0 && !om.holds_b[i]) {
                fail_msg("%s, boot %d: the good image is not what boots", name, i);
            }
            if (v != V_GOOD && !om.holds_a[i]) {
                fail_msg("%s, boot %d: something other than A boots", name, i);
            }
            assert_int_equal(oc.holds_a[i], om.holds_a[i]);
            assert_int_equal(oc.holds_b[i], om.holds_b[i]);
        }
        /* Same flash afterwards, byte for byte. */
        assert_int_equal(copied.sim.size, mapped.sim.size);
        if (memcmp(copied.sim.mem, mapped.sim.mem, copied.sim.size) != 0) {
            fail_msg("%s: the flash differs after the boots", name);
        }
        assert_int_equal(copied.sim.stats.ops, mapped.sim.stats.ops);
        /* In place: verification reads nothing through read() when mapped,
         * so the mapped rig copied at least one image fewer (A is verified
         * at least once in the two boots). Copies of sectors made by a swap
         * or an overwrite still go through read() in both. */
        if (copied.sim.stats.read_bytes < mapped.sim.stats.read_bytes + img_a()->len) {
            fail_msg("%s: copying rig read %llu bytes through read(), mapped rig %llu", name,
                     (unsigned long long)copied.sim.stats.read_bytes,
                     (unsigned long long)mapped.sim.stats.read_bytes);
        }
        tu_rig_free(&copied);
        tu_rig_free(&mapped);
    }
}

int main(void)
{
    mode = ifu_boot_mode();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_area_map_is_null_when_flash_is_not_mapped),
        cmocka_unit_test(test_map_area_map_points_at_area_byte_and_checks_range_like_read),
        cmocka_unit_test(test_map_mapped_bytes_follow_prog_and_erase),
        cmocka_unit_test(test_map_verify_area_mapped_and_copied_agree_with_reader_on_every_variant),
        cmocka_unit_test(test_map_verify_area_pure_ed25519_second_pass_in_place),
        cmocka_unit_test(test_map_verify_area_refuses_range_outside_area),
        cmocka_unit_test(test_map_boot_engine_decides_the_same_mapped_and_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
