/* The keystore's and the OTP counter's answers to blobs and configurations the other tests never
 * build (src/keys.c, src/counter.c), as include/ifu/keys.h and include/ifu/counter.h promise
 * them: a record whose body is not exactly what provisioning writes counts as INVALID even when
 * committed; a compiled-in full key that is not the slot's never makes an empty slot anything
 * else; an anchor held twice is found in its first slot; a geometry or OTP region that cannot be
 * is refused; a counter with a missing callback is refused; and an OTP raise programs only the
 * 16-byte chunks whose bits change. Stores live in RAM here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/counter.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/keys.h"

/* ---- keystore ---- */

#define SLOTS 4u
#define WSIZE 8u

static uint8_t blob[SLOTS * 128];

/* Programs into blob, as a one-way store's driver would (prog over erased bytes only). */
static int blob_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    uint8_t *mem = ctx;
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++) {
        assert_int_equal(mem[off + i], 0xff);
        mem[off + i] = b[i];
    }
    return 0;
}

/* ks over blob, SLOTS slots, write size WSIZE, erased 0xff, writable. */
static void store(struct ifu_keystore *ks)
{
    assert_ifu(ifu_keys_init_rom(ks, blob, sizeof blob, WSIZE, 0xff, SLOTS), 0);
    ks->prog = blob_prog;
}

static void anchor(uint8_t h[IFU_KEYS_ANCHOR_SIZE], uint8_t n)
{
    memset(h, n, IFU_KEYS_ANCHOR_SIZE);
}

static enum ifu_key_state state_of(uint32_t slot)
{
    struct ifu_key_slot out[SLOTS];
    assert_ifu(ifu_keys_parse(blob, sizeof blob, WSIZE, 0xff, SLOTS, out), 0);
    return out[slot].state;
}

/* Byte i of a committed record's body changed: the slot is INVALID, whatever the byte is (tag,
 * kind, the two reserved bytes, anchor, CRC), and it never reads as VALID. */
static void test_committed_record_with_a_changed_body(void **state)
{
    (void)state;
    struct ifu_keystore ks;
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    const uint32_t bytes[] = {0, 1, 2, 3, 4, 35, 36, 39};

    for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
        memset(blob, 0xff, sizeof blob);
        store(&ks);
        anchor(h, 1);
        assert_int_equal(ifu_keys_provision(&ks, h), 0);
        assert_int_equal(state_of(0), IFU_KEY_VALID);
        blob[bytes[i]] ^= 0x10;
        assert_int_equal(state_of(0), IFU_KEY_INVALID);
        assert_ifu(ifu_keys_find(&ks, h), IFU_ENOKEY);
    }
}

/* An anchor never provisioned is not found; one held twice (a store written by hand) is found,
 * and provisioned again as a no-op, in its first slot. */
static void test_find_and_provision_with_duplicates(void **state)
{
    (void)state;
    struct ifu_keystore ks;
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    uint32_t rec = ifu_keys_record_size(WSIZE);

    memset(blob, 0xff, sizeof blob);
    store(&ks);
    anchor(h, 7);
    assert_ifu(ifu_keys_find(&ks, h), IFU_ENOKEY);
    assert_int_equal(ifu_keys_provision(&ks, h), 0);
    memcpy(blob + 2 * rec, blob, rec); /* slot 2: the same record */
    assert_int_equal(state_of(2), IFU_KEY_VALID);
    assert_int_equal(ifu_keys_find(&ks, h), 0);
    assert_int_equal(ifu_keys_provision(&ks, h), 0);
    assert_int_equal(state_of(1), IFU_KEY_EMPTY); /* nothing new written */
    /* Revoking the first copy revokes the anchor: the second never lets it back. */
    assert_ifu(ifu_keys_revoke(&ks, 0), 0);
    assert_ifu(ifu_keys_provision(&ks, h), IFU_EREVOKED);
    anchor(h, 9);
    assert_ifu(ifu_keys_find(&ks, h), IFU_ENOKEY);
}

/* A compiled-in full key must hash to its slot's anchor: if it does not, a VALID slot becomes
 * INVALID, and an EMPTY or REVOKED slot stays what it is, without the key. */
static void test_full_key_of_another_slot(void **state)
{
    (void)state;
    static const uint8_t key_a[] = "key A, in full";
    static const uint8_t key_b[] = "key B, in full";
    struct ifu_keystore ks;
    uint8_t ha[IFU_HASH_MAX_SIZE];
    uint8_t hb[IFU_HASH_MAX_SIZE];
    struct ifu_key_slot s;
    assert_ifu(ifu_hash_oneshot(IFU_HASH_SHA256, key_a, sizeof key_a, ha), 0);
    assert_ifu(ifu_hash_oneshot(IFU_HASH_SHA256, key_b, sizeof key_b, hb), 0);

    memset(blob, 0xff, sizeof blob);
    store(&ks);
    assert_int_equal(ifu_keys_provision(&ks, ha), 0);
    assert_int_equal(ifu_keys_provision(&ks, hb), 1);
    assert_ifu(ifu_keys_revoke(&ks, 1), 0);
    const struct ifu_key full[SLOTS] = {
        {.pub = key_a, .pub_len = sizeof key_a}, /* right */
        {.pub = key_a, .pub_len = sizeof key_a}, /* wrong, on a REVOKED slot */
        {.pub = key_b, .pub_len = sizeof key_b}, /* wrong, on an EMPTY slot */
        {.pub = NULL},
    };
    ks.full = full;
    const struct {
        enum ifu_key_state state;
        uint8_t full;
    } want[] = {{IFU_KEY_VALID, 1}, {IFU_KEY_REVOKED, 0}, {IFU_KEY_EMPTY, 0}};
    for (uint32_t i = 0; i < 3; i++) {
        assert_ifu(ifu_keys_get(&ks, i, &s), 0);
        assert_int_equal(s.state, want[i].state);
        assert_int_equal(s.full, want[i].full);
    }
    /* The keyring holds key A in full, knows slot 1 revoked, and nothing for slot 2. */
    const struct ifu_keyring *ring;
    uint32_t revoked;
    assert_int_equal(ifu_keys_load(&ks, &ring, &revoked), 1);
    assert_ptr_equal(ring->keys[0].pub, key_a);
    assert_int_equal(revoked, 1u << 1);
    assert_null(ring->keys[2].pub);
    assert_null(ring->keys[2].pub_sha256);
}

/* Geometries that cannot be, and NULL buffers, are refused by parse as by init. */
static void test_keystore_bad_geometry(void **state)
{
    (void)state;
    struct ifu_key_slot out[SLOTS];
    struct ifu_keystore ks;
    const struct {
        uint32_t write_size;
        uint8_t erased;
        uint32_t slots;
    } bad[] = {
        {0, 0xff, 1},
        {3, 0xff, 1},
        {12, 0xff, 1},
        {64, 0xff, 1},
        {8, 0x55, 1},
        {8, 0xff, 0},
        {8, 0xff, IFU_KEYS_MAX_SLOTS + 1},
    };
    memset(blob, 0xff, sizeof blob);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_ifu(
            ifu_keys_parse(blob, sizeof blob, bad[i].write_size, bad[i].erased, bad[i].slots, out),
            IFU_EINVAL);
        assert_ifu(ifu_keys_init_rom(&ks, blob, sizeof blob, bad[i].write_size, bad[i].erased,
                                     bad[i].slots),
                   IFU_EINVAL);
    }
    assert_ifu(ifu_keys_parse(NULL, sizeof blob, 8, 0xff, 1, out), IFU_EINVAL);
    assert_ifu(ifu_keys_parse(blob, sizeof blob, 8, 0xff, 1, NULL), IFU_EINVAL);
    assert_ifu(ifu_keys_parse(blob, sizeof blob, 32, 0x00, 1, out), 0);
}

/* ---- OTP counter ---- */

static uint8_t otp[64];
static unsigned progs;
static uint32_t last_prog_off;

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    memcpy(buf, otp + off, len);
    return 0;
}

static int otp_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++) {
        otp[off + i] |= b[i]; /* blank 0x00: bits only ever set */
    }
    progs++;
    last_prog_off = off;
    return 0;
}

/* A raise programs only the chunks whose bits change: with the first 16 bytes full, a raise
 * of two writes the second chunk alone. */
static void test_otp_raise_skips_full_chunks(void **state)
{
    (void)state;
    struct ifu_counter c;
    struct ifu_counter_state st;
    const struct ifu_counter_otp o = {otp_read, otp_prog, NULL, 8, 32, 0x00};

    memset(otp, 0, sizeof otp);
    assert_ifu(ifu_counter_otp_init(&c, &o), 0);
    assert_ifu(ifu_counter_advance(&c, 128), 0);
    assert_int_equal(progs, 1);
    progs = 0;
    assert_ifu(ifu_counter_advance(&c, 130), 0);
    assert_int_equal(progs, 1);
    assert_int_equal(last_prog_off, 8 + 16);
    assert_ifu(ifu_counter_get(&c, &st), 0);
    assert_int_equal(st.value, 130);
    assert_int_equal(st.remaining, 256 - 130);
    for (uint32_t i = 8; i < 8 + 16; i++) {
        assert_int_equal(otp[i], 0xff);
    }
    assert_int_equal(otp[8 + 16], 0x03);
    assert_int_equal(otp[7], 0);  /* nothing before the region */
    assert_int_equal(otp[40], 0); /* nor after */
}

/* Regions that cannot be are refused; so is a counter whose callbacks or storage are missing. */
static void test_counter_bad_configuration(void **state)
{
    (void)state;
    struct ifu_counter c;
    struct ifu_counter_state st;
    const struct ifu_counter_otp bad[] = {
        {NULL, otp_prog, NULL, 0, 8, 0x00},
        {otp_read, NULL, NULL, 0, 8, 0x00},
        {otp_read, otp_prog, NULL, 0, 0, 0x00},
        {otp_read, otp_prog, NULL, 0, IFU_COUNTER_OTP_MAX_SIZE + 1, 0x00},
        {otp_read, otp_prog, NULL, 0, 8, 0x55},
        {otp_read, otp_prog, NULL, 0xfffffff8u, 8, 0x00}, /* its end offset needs 33 bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_ifu(ifu_counter_otp_init(&c, &bad[i]), IFU_EINVAL);
    }
    const struct ifu_counter_otp last = {otp_read, otp_prog, NULL, 0xfffffff7u, 8, 0x00};
    assert_ifu(ifu_counter_otp_init(&c, &last), 0); /* end offset 0xffffffff */

    const struct ifu_counter_otp o = {otp_read, otp_prog, NULL, 0, 8, 0x00};
    assert_ifu(ifu_counter_otp_init(NULL, &o), IFU_EINVAL);
    assert_ifu(ifu_counter_otp_init(&c, NULL), IFU_EINVAL);
    assert_ifu(ifu_counter_otp_init(&c, &o), 0);
    const struct ifu_counter_ops *ops = c.ops;
    const struct ifu_counter_ops no_read = {NULL, ops->advance};
    const struct ifu_counter_ops no_advance = {ops->read, NULL};
    struct ifu_counter broken[] = {
        {NULL, &o, 64, 0}, {&no_read, &o, 64, 0}, {&no_advance, &o, 64, 0}, {ops, NULL, 64, 0}};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        assert_ifu(ifu_counter_get(&broken[i], &st), IFU_EINVAL);
        assert_ifu(ifu_counter_check(&broken[i], 1), IFU_EINVAL);
        assert_ifu(ifu_counter_advance(&broken[i], 1), IFU_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_record_with_a_changed_body),
        cmocka_unit_test(test_find_and_provision_with_duplicates),
        cmocka_unit_test(test_full_key_of_another_slot),
        cmocka_unit_test(test_keystore_bad_geometry),
        cmocka_unit_test(test_otp_raise_skips_full_chunks),
        cmocka_unit_test(test_counter_bad_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
