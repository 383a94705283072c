/* The keystore (include/ifu/keys.h, docs/KEYS.md): record layout, slot
 * states, provisioning, revocation, the three backends, the application's
 * read-only view, and the verifier's IFU_EREVOKED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/image.h"
#include "ifu/keys.h"
#include "ifu_sim.h"
#include "tu_image.h"
#include "tu_keys.h"

#define SECTOR 4096u
#define SLOTS  4u

/* A sim with one 4 KiB keystore sector and an OTP of 512 bytes. */
struct dev {
    struct ifu_sim sim;
    struct ifu_area page;
    struct ifu_keystore ks;
};

enum backend { BK_FLASH_FF_8 = 0, BK_FLASH_00_1, BK_FLASH_FF_32, BK_OTP, BK_COUNT };
static const char *const backend_name[BK_COUNT] = {"flash ws8 0xff", "flash ws1 0x00",
                                                   "flash ws32 0xff", "otp"};

static void dev_init(struct dev *d, enum backend b)
{
    static const struct ifu_sector_run runs[] = {{SECTOR, 2}};
    struct ifu_sim_config sc = {
        .sectors = runs,
        .sector_runs = 1,
        .write_size = b == BK_FLASH_00_1    ? 1
                      : b == BK_FLASH_FF_32 ? 32
                                            : 8,
        .erased_val = b == BK_FLASH_00_1 ? 0x00 : 0xff,
        .otp_size = 512,
        .seed = 7,
    };
    memset(d, 0, sizeof *d);
    assert_int_equal(ifu_sim_init(&d->sim, &sc), 0);
    d->page = (struct ifu_area){&d->sim.flash, SECTOR, SECTOR};
    if (b == BK_OTP) {
        assert_int_equal(tu_keys_otp(&d->ks, &d->sim, SLOTS), 0);
    } else {
        assert_int_equal(ifu_keys_init_area(&d->ks, &d->page, SLOTS), 0);
    }
}

static void dev_free(struct dev *d)
{
    ifu_sim_free(&d->sim);
}

static void anchor_of(int n, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        out[i] = (uint8_t)(n * 37 + i * 11 + 1);
    }
}

static enum ifu_key_state state_of(const struct ifu_keystore *ks, uint32_t slot)
{
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(ks, slot, &s), 0);
    return s.state;
}

static void test_keys_record_size_follows_write_size(void **state)
{
    (void)state;
    assert_int_equal(ifu_keys_record_size(1), 48);
    assert_int_equal(ifu_keys_record_size(4), 48);
    assert_int_equal(ifu_keys_record_size(8), 56);
    assert_int_equal(ifu_keys_record_size(16), 80);
    assert_int_equal(ifu_keys_record_size(32), 128);
}

static void test_keys_check_rejects_bad_configuration(void **state)
{
    struct dev d;
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    struct ifu_keystore ks = d.ks;
    assert_int_equal(ifu_keys_check(NULL), IFU_EINVAL);
    ks.slots = 0;
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    ks.slots = IFU_KEYS_MAX_SLOTS + 1;
    assert_int_equal(ifu_keys_count(&ks), IFU_EINVAL);
    ks = d.ks;
    ks.write_size = 3;
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    ks = d.ks;
    ks.erased_val = 0x5a;
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    ks = d.ks;
    ks.size = SLOTS * 56 - 1; /* one byte short of four records */
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    ks = d.ks;
    ks.read = NULL;
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    ks = d.ks;
    ks.flags = 0x80;
    assert_int_equal(ifu_keys_check(&ks), IFU_EINVAL);
    assert_int_equal(ifu_keys_count(&d.ks), SLOTS);
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(&d.ks, SLOTS, &s), IFU_EINVAL);
    assert_int_equal(ifu_keys_revoke(&d.ks, SLOTS), IFU_EINVAL);
    dev_free(&d);
}

static void test_keys_blank_store_is_all_empty(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct dev d;
        dev_init(&d, (enum backend)b);
        for (uint32_t i = 0; i < SLOTS; i++) {
            assert_int_equal(state_of(&d.ks, i), IFU_KEY_EMPTY);
        }
        const struct ifu_keyring *ring;
        uint32_t revoked = 1;
        assert_int_equal(ifu_keys_load(&d.ks, &ring, &revoked), 0);
        assert_int_equal(revoked, 0);
        assert_int_equal(ring->count, SLOTS);
        dev_free(&d);
    }
}

static void test_keys_provision_fills_slots_in_order_then_enospc(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct dev d;
        uint8_t h[32];
        dev_init(&d, (enum backend)b);
        for (int n = 0; n < (int)SLOTS; n++) {
            anchor_of(n, h);
            if (ifu_keys_provision(&d.ks, h) != n) {
                fail_msg("%s: anchor %d not in slot %d", backend_name[b], n, n);
            }
        }
        anchor_of(SLOTS, h);
        assert_int_equal(ifu_keys_provision(&d.ks, h), IFU_ENOSPC);
        for (uint32_t i = 0; i < SLOTS; i++) {
            struct ifu_key_slot s;
            assert_int_equal(ifu_keys_get(&d.ks, i, &s), 0);
            assert_int_equal(s.state, IFU_KEY_VALID);
            anchor_of((int)i, h);
            assert_memory_equal(s.hash, h, 32);
            assert_int_equal(ifu_keys_find(&d.ks, h), (int)i);
        }
        assert_int_equal(d.sim.stats.prog_over, 0);
        assert_int_equal(d.sim.stats.misuse, 0);
        assert_int_equal(d.sim.stats.erases, 0);
        dev_free(&d);
    }
}

static void test_keys_provision_repeat_writes_nothing(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    anchor_of(1, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    uint64_t ops = d.sim.stats.ops;
    assert_int_equal(ops, 2); /* body, then commit mark */
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    assert_int_equal(d.sim.stats.ops, ops);
    dev_free(&d);
}

static void test_keys_revoke_is_final_and_idempotent(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct dev d;
        uint8_t h0[32];
        uint8_t h1[32];
        dev_init(&d, (enum backend)b);
        anchor_of(0, h0);
        anchor_of(1, h1);
        assert_int_equal(ifu_keys_provision(&d.ks, h0), 0);
        assert_int_equal(ifu_keys_provision(&d.ks, h1), 1);
        assert_int_equal(ifu_keys_revoke(&d.ks, 0), 0);
        uint64_t ops = d.sim.stats.ops;
        assert_int_equal(ifu_keys_revoke(&d.ks, 0), 0);
        assert_int_equal(d.sim.stats.ops, ops); /* nothing programmed twice */
        struct ifu_key_slot s;
        assert_int_equal(ifu_keys_get(&d.ks, 0, &s), 0);
        assert_int_equal(s.state, IFU_KEY_REVOKED);
        assert_memory_equal(s.hash, h0, 32); /* still readable: which key was revoked */
        assert_int_equal(state_of(&d.ks, 1), IFU_KEY_VALID);
        /* A revoked key never comes back, in this slot or another. */
        assert_int_equal(ifu_keys_provision(&d.ks, h0), IFU_EREVOKED);
        assert_int_equal(state_of(&d.ks, 2), IFU_KEY_EMPTY);
        /* An empty slot has nothing to revoke. */
        assert_int_equal(ifu_keys_revoke(&d.ks, 3), IFU_ESTATE);
        assert_int_equal(state_of(&d.ks, 3), IFU_KEY_EMPTY);
        assert_int_equal(d.sim.stats.prog_over, 0);
        dev_free(&d);
    }
}

static void test_keys_revoke_below_revokes_only_valid_lower_slots(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_OTP);
    for (int n = 0; n < 3; n++) {
        anchor_of(n, h);
        assert_int_equal(ifu_keys_provision(&d.ks, h), n);
    }
    assert_int_equal(ifu_keys_revoke(&d.ks, 0), 0);
    assert_int_equal(ifu_keys_revoke_below(&d.ks, 2), 1); /* slot 1 only: 0 already */
    assert_int_equal(state_of(&d.ks, 0), IFU_KEY_REVOKED);
    assert_int_equal(state_of(&d.ks, 1), IFU_KEY_REVOKED);
    assert_int_equal(state_of(&d.ks, 2), IFU_KEY_VALID);
    assert_int_equal(state_of(&d.ks, 3), IFU_KEY_EMPTY);
    assert_int_equal(ifu_keys_revoke_below(&d.ks, 2), 0);
    assert_int_equal(ifu_keys_revoke_below(&d.ks, 0), 0);
    dev_free(&d);
}

static void test_keys_uncommitted_body_is_invalid_and_skipped(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    /* A provisioning cut after the body, before the commit mark. */
    uint8_t junk[8] = {IFU_KEYS_TAG, IFU_KEYS_KIND_SHA256, 0, 0, 1, 2, 3, 4};
    assert_int_equal(ifu_area_prog(&d.page, 0, junk, sizeof junk), 0);
    assert_int_equal(state_of(&d.ks, 0), IFU_KEY_INVALID);
    anchor_of(0, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 1);
    const struct ifu_keyring *ring;
    assert_int_equal(ifu_keys_load(&d.ks, &ring, NULL), 1);
    assert_null(ring->keys[0].pub_sha256); /* matches nothing */
    assert_non_null(ring->keys[1].pub_sha256);
    dev_free(&d);
}

static void test_keys_committed_record_with_bad_crc_is_invalid(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    anchor_of(0, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    /* Flip one anchor bit as rot or an attacker would (bypassing NOR rules). */
    uint8_t b = d.sim.mem[SECTOR + 10] ^ 0x01;
    ifu_sim_poke(&d.sim, SECTOR + 10, &b, 1);
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(&d.ks, 0, &s), 0);
    assert_int_equal(s.state, IFU_KEY_INVALID);
    uint8_t zero[32] = {0};
    assert_memory_equal(s.hash, zero, 32);
    assert_int_equal(ifu_keys_load(&d.ks, NULL, NULL), 0);
    dev_free(&d);
}

static void test_keys_torn_revocation_mark_still_revokes(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    anchor_of(0, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    /* One bit of the revocation mark (record 56 B: body 40, commit 8, revoke 8). */
    uint8_t b = 0xfe;
    ifu_sim_poke(&d.sim, SECTOR + 48 + 5, &b, 1);
    assert_int_equal(state_of(&d.ks, 0), IFU_KEY_REVOKED);
    dev_free(&d);
}

static void test_keys_application_view_is_read_only(void **state)
{
    struct dev d;
    uint8_t h[32];
    (void)state;
    dev_init(&d, BK_FLASH_FF_8);
    anchor_of(0, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    struct ifu_keystore app = d.ks;
    app.prog = NULL;
    assert_int_equal(ifu_keys_count(&app), SLOTS);
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(&app, 0, &s), 0);
    assert_int_equal(s.state, IFU_KEY_VALID);
    assert_memory_equal(s.hash, h, 32);
    assert_int_equal(ifu_keys_revoke(&app, 0), IFU_EUNSUPPORTED);
    assert_int_equal(ifu_keys_revoke_below(&app, 1), IFU_EUNSUPPORTED);
    anchor_of(1, h);
    assert_int_equal(ifu_keys_provision(&app, h), IFU_EUNSUPPORTED);
    assert_int_equal(state_of(&app, 0), IFU_KEY_VALID);
    dev_free(&d);
}

/* Verify img in one call with the keystore's keyring and revocations. */
static int verify_with(struct ifu_keystore *ks, const struct tu_image *img,
                       struct ifu_image_info *info)
{
    struct ifu_verify v;
    const struct ifu_keyring *ring;
    uint32_t revoked;
    int n = ifu_keys_load(ks, &ring, &revoked);
    if (n < 0) {
        return n;
    }
    int err = ifu_verify_begin(&v, ring, 0, IFU_HASHSET(IFU_HASH_SHA256), 0, NULL);
    if (!err) {
        err = ifu_verify_set_revoked(&v, revoked);
    }
    if (!err) {
        err = ifu_verify_update(&v, img->data, img->len);
    }
    if (!err) {
        return ifu_verify_finish(&v, NULL, info);
    }
    ifu_verify_abort(&v);
    return err;
}

static int lock_calls;
static int count_lock(void *ctx)
{
    (void)ctx;
    lock_calls++;
    return 0;
}

static void test_keys_rom_table_with_full_keys(void **state)
{
    uint8_t mem[4 * 48];
    struct tu_keys_ram ram = {mem, sizeof mem, 4, 0xff, 0};
    struct ifu_keystore build;
    struct ifu_keystore rom;
    uint8_t h[32];
    (void)state;
    memset(mem, 0xff, sizeof mem);
    assert_int_equal(tu_keys_ram(&build, &ram, 4), 0);
    tu_keys_anchor(TU_KEY_TRUSTED, h);
    assert_int_equal(ifu_keys_provision(&build, h), 0);
    tu_keys_anchor(TU_KEY_NEXT, h);
    assert_int_equal(ifu_keys_provision(&build, h), 1);
    assert_int_equal(ifu_keys_init_rom(&rom, mem, sizeof mem, 4, 0xff, 4), 0);
    /* Full key for slot 0 (the right one) and slot 1 (the wrong one). */
    struct ifu_key full[4];
    memset(full, 0, sizeof full);
    full[0].pub = tu_image_pub(TU_KEY_TRUSTED, &full[0].pub_len);
    full[1].pub = tu_image_pub(TU_KEY_UNTRUSTED, &full[1].pub_len);
    rom.full = full;
    rom.lock = count_lock;
    struct ifu_key_slot s;
    assert_int_equal(ifu_keys_get(&rom, 0, &s), 0);
    assert_int_equal(s.state, IFU_KEY_VALID);
    assert_int_equal(s.full, 1);
    assert_int_equal(state_of(&rom, 1), IFU_KEY_INVALID); /* key does not match its anchor */
    assert_int_equal(ifu_keys_revoke(&rom, 0), IFU_EUNSUPPORTED);
    lock_calls = 0;
    assert_int_equal(ifu_keys_lock(&rom), 0);
    assert_int_equal(lock_calls, 1);
    /* A KEYHASH image verifies against the full key of slot 0. */
    struct tu_image_spec spec = {.key = TU_KEY_TRUSTED, .payload = 300, .version = "1.0.0"};
    const struct tu_image *img = tu_image_get(&spec);
    assert_int_equal(ifu_keys_load(&rom, NULL, NULL), 1);
    struct ifu_image_info info;
    assert_int_equal(verify_with(&rom, img, &info), 0);
    assert_int_equal(info.key_index, 0);
}

static void test_keys_revoked_key_fails_with_erevoked_not_enokey(void **state)
{
    (void)state;
    for (int b = 0; b < BK_COUNT; b++) {
        struct dev d;
        uint8_t h[32];
        struct ifu_image_info info;
        dev_init(&d, (enum backend)b);
        struct tu_image_spec s1 = {
            .key = TU_KEY_TRUSTED, .payload = 500, .version = "1.0.0", .pubkey_full = 1};
        struct tu_image_spec s2 = s1;
        s2.key = TU_KEY_NEXT;
        struct tu_image_spec sx = s1;
        sx.key = TU_KEY_UNTRUSTED;
        const struct tu_image *i1 = tu_image_get(&s1);
        const struct tu_image *i2 = tu_image_get(&s2);
        const struct tu_image *ix = tu_image_get(&sx);
        tu_keys_anchor(TU_KEY_TRUSTED, h);
        assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
        tu_keys_anchor(TU_KEY_NEXT, h);
        assert_int_equal(ifu_keys_provision(&d.ks, h), 1);
        assert_int_equal(verify_with(&d.ks, i1, &info), 0);
        assert_int_equal(info.key_index, 0);
        assert_int_equal(verify_with(&d.ks, i2, &info), 0);
        assert_int_equal(info.key_index, 1);
        assert_int_equal(ifu_keys_revoke(&d.ks, 0), 0);
        assert_int_equal(verify_with(&d.ks, i1, &info), IFU_EREVOKED);
        assert_int_equal(verify_with(&d.ks, i2, &info), 0);
        assert_int_equal(verify_with(&d.ks, ix, &info), IFU_ENOKEY);
        /* A KEYHASH image cannot match a hash-only anchor: ENOKEY, as before. */
        struct tu_image_spec sh = s2;
        sh.pubkey_full = 0;
        assert_int_equal(verify_with(&d.ks, tu_image_get(&sh), &info), IFU_ENOKEY);
        dev_free(&d);
    }
}

static void test_keys_revocation_wins_over_a_duplicate_valid_entry(void **state)
{
    struct ifu_verify v;
    struct ifu_image_info info;
    uint8_t h[32];
    (void)state;
    tu_keys_anchor(TU_KEY_TRUSTED, h);
    const struct ifu_key keys[2] = {{.pub_sha256 = h}, {.pub_sha256 = h}};
    const struct ifu_keyring ring = {.keys = keys, .count = 2};
    struct tu_image_spec s = {
        .key = TU_KEY_TRUSTED, .payload = 200, .version = "1.0.0", .pubkey_full = 1};
    const struct tu_image *img = tu_image_get(&s);
    for (uint32_t mask = 1; mask <= 2; mask++) {
        assert_int_equal(ifu_verify_begin(&v, &ring, 0, IFU_HASHSET(IFU_HASH_SHA256), 0, NULL), 0);
        assert_int_equal(ifu_verify_set_revoked(&v, mask), 0);
        assert_int_equal(ifu_verify_update(&v, img->data, img->len), 0);
        assert_int_equal(ifu_verify_finish(&v, NULL, &info), IFU_EREVOKED);
    }
}

static void test_keys_set_revoked_after_first_byte_is_estate(void **state)
{
    struct ifu_verify v;
    const struct tu_image *img = tu_image(100, "1.0.0");
    (void)state;
    assert_int_equal(
        ifu_verify_begin(&v, tu_image_keyring(), 0, IFU_HASHSET(IFU_HASH_SHA256), 0, NULL), 0);
    assert_int_equal(ifu_verify_update(&v, img->data, 1), 0);
    assert_int_equal(ifu_verify_set_revoked(&v, 1), IFU_ESTATE);
    ifu_verify_abort(&v);
    assert_int_equal(ifu_verify_set_revoked(NULL, 1), IFU_EINVAL);
}

static void test_keys_parse_agrees_with_get(void **state)
{
    struct dev d;
    uint8_t h[32];
    struct ifu_key_slot want;
    struct ifu_key_slot got[SLOTS];
    (void)state;
    dev_init(&d, BK_OTP);
    anchor_of(0, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 0);
    anchor_of(1, h);
    assert_int_equal(ifu_keys_provision(&d.ks, h), 1);
    assert_int_equal(ifu_keys_revoke(&d.ks, 0), 0);
    assert_int_equal(ifu_keys_parse(d.sim.otp, 512, TU_KEYS_OTP_WRITE, 0x00, SLOTS, got), 0);
    for (uint32_t i = 0; i < SLOTS; i++) {
        assert_int_equal(ifu_keys_get(&d.ks, i, &want), 0);
        assert_int_equal(got[i].state, want.state);
        assert_memory_equal(got[i].hash, want.hash, 32);
    }
    assert_int_equal(ifu_keys_parse(d.sim.otp, SLOTS * 48 - 1, 4, 0x00, SLOTS, got), IFU_EINVAL);
    assert_int_equal(ifu_keys_parse(d.sim.otp, 512, 4, 0x12, SLOTS, got), IFU_EINVAL);
    dev_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_record_size_follows_write_size),
        cmocka_unit_test(test_keys_check_rejects_bad_configuration),
        cmocka_unit_test(test_keys_blank_store_is_all_empty),
        cmocka_unit_test(test_keys_provision_fills_slots_in_order_then_enospc),
        cmocka_unit_test(test_keys_provision_repeat_writes_nothing),
        cmocka_unit_test(test_keys_revoke_is_final_and_idempotent),
        cmocka_unit_test(test_keys_revoke_below_revokes_only_valid_lower_slots),
        cmocka_unit_test(test_keys_uncommitted_body_is_invalid_and_skipped),
        cmocka_unit_test(test_keys_committed_record_with_bad_crc_is_invalid),
        cmocka_unit_test(test_keys_torn_revocation_mark_still_revokes),
        cmocka_unit_test(test_keys_application_view_is_read_only),
        cmocka_unit_test(test_keys_rom_table_with_full_keys),
        cmocka_unit_test(test_keys_revoked_key_fails_with_erevoked_not_enokey),
        cmocka_unit_test(test_keys_revocation_wins_over_a_duplicate_valid_entry),
        cmocka_unit_test(test_keys_set_revoked_after_first_byte_is_estate),
        cmocka_unit_test(test_keys_parse_agrees_with_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
