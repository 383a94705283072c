/* The keystore's flash backend (src/keys.c) and the flash and OTP security counters
 * (src/counter.c) on a part that fails: each read and program (and erase) of a sequence of
 * operations is made to fail once with IFU_EIO, one call per case.
 *
 * Each case checks what include/ifu/keys.h and include/ifu/counter.h promise: the call that met
 * the failure returns IFU_EIO; what a failed call left is a state the store can stand (a slot
 * is EMPTY, VALID with the anchor written, REVOKED, or INVALID, never VALID with another
 * anchor; a counter reads between the old value and the target); and running the sequence
 * again on a healthy part reaches the intended end state. So a path that swallowed a storage
 * error, or wrote a half-record that later read as trusted, fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/counter.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/flash.h"
#include "ifu/keys.h"

#define SECTOR 4096u

/* A RAM NOR part, one 4 KiB sector (the keystore) and two of 256 bytes (the flash counter, 16
 * records each, so that a few raises fill one and move to the other), write size 8, that fails call
 * number fail_at (1-based, counting reads, progs and erases; 0 never). A failed prog or erase
 * changes nothing. */
static uint8_t mem[SECTOR + 2 * 256];
static unsigned long calls, fail_at;
static int fired;

static int hit(void)
{
    calls++;
    if (fail_at != 0 && calls == fail_at) {
        fired = 1;
        return 1;
    }
    return 0;
}

static int r_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    (void)fl;
    if (hit()) {
        memset(buf, 0x00, len);
        return IFU_EIO;
    }
    memcpy(buf, mem + off, len);
    return 0;
}

static int r_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    (void)fl;
    if (hit()) {
        return IFU_EIO;
    }
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++) {
        assert_int_equal(mem[off + i], 0xff); /* NOR: only erased bytes are programmed */
        mem[off + i] = b[i];
    }
    return 0;
}

static int r_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    (void)fl;
    if (hit()) {
        return IFU_EIO;
    }
    memset(mem + off, 0xff, len);
    return 0;
}

static const struct ifu_sector_run runs[] = {{SECTOR, 1}, {256, 2}};
static const struct ifu_flash fl = {
    .read = r_read,
    .prog = r_prog,
    .erase = r_erase,
    .write_size = 8,
    .erased_val = 0xff,
    .sectors = runs,
    .sector_runs = 2,
};

static void reset_part(void)
{
    memset(mem, 0xff, sizeof mem);
    calls = 0;
    fail_at = 0;
    fired = 0;
}

/* IFU_PL_SAMPLE=N (as for the power-loss tests; the sanitizer stage sets it): fail only every
 * N-th call, for slow instrumented builds. 1 (every call) when unset. */
static unsigned long sample_step(void)
{
    const char *s = getenv("IFU_PL_SAMPLE");
    long n = s != NULL ? strtol(s, NULL, 10) : 1;
    return n > 1 ? (unsigned long)n : 1ul;
}

/* ---- keystore ---- */

static const struct ifu_area ks_area = {&fl, 0, SECTOR};
static struct ifu_keystore ks;

static void anchor(uint8_t h[IFU_KEYS_ANCHOR_SIZE], uint8_t n)
{
    for (unsigned i = 0; i < IFU_KEYS_ANCHOR_SIZE; i++) {
        h[i] = (uint8_t)(n * 37u + i);
    }
}

/* Provision anchors 1, 2, 3 (those an earlier run revoked stay revoked), revoke anchor 1's slot,
 * then every slot below anchor 3's. 0 or the first error. */
static int ks_sequence(void)
{
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    int slot[4];
    for (uint8_t n = 1; n <= 3; n++) {
        anchor(h, n);
        slot[n] = ifu_keys_provision(&ks, h);
        if (slot[n] == IFU_EREVOKED) {
            slot[n] = ifu_keys_find(&ks, h); /* revoked by an earlier run */
        }
        if (slot[n] < 0) {
            return slot[n];
        }
    }
    int err = ifu_keys_revoke(&ks, (uint32_t)slot[1]);
    if (err) {
        return err;
    }
    anchor(h, 3);
    int s3 = ifu_keys_find(&ks, h);
    if (s3 < 0) {
        return s3;
    }
    int n = ifu_keys_revoke_below(&ks, (uint32_t)s3);
    if (n < 0) {
        return n;
    }
    uint32_t revoked;
    int valid = ifu_keys_load(&ks, NULL, &revoked);
    return valid < 0 ? valid : 0;
}

/* Every slot is a state the store can stand: a VALID or REVOKED slot holds one of anchors
 * 1..3 exactly. */
static void ks_assert_sane(void)
{
    for (uint32_t s = 0; s < ks.slots; s++) {
        struct ifu_key_slot k;
        assert_ifu(ifu_keys_get(&ks, s, &k), 0);
        if (k.state == IFU_KEY_VALID || k.state == IFU_KEY_REVOKED) {
            int known = 0;
            for (uint8_t n = 1; n <= 3; n++) {
                uint8_t h[IFU_KEYS_ANCHOR_SIZE];
                anchor(h, n);
                known |= memcmp(h, k.hash, sizeof h) == 0;
            }
            if (!known) {
                fail_msg("slot %u is %d with an anchor never provisioned", s, k.state);
            }
        }
    }
}

static void test_keystore_every_call_fails_once(void **state)
{
    (void)state;
    reset_part();
    assert_ifu(ifu_keys_init_area(&ks, &ks_area, 4), 0);
    assert_ifu(ks_sequence(), 0);
    unsigned long total = calls;
    assert_true(total > 10);
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    unsigned long met = 0, cases = 0;
    for (unsigned long k = 1; k <= total; k += sample_step(), cases++) {
        reset_part();
        assert_ifu(ifu_keys_init_area(&ks, &ks_area, 4), 0);
        fail_at = k;
        int err = ks_sequence();
        met += (unsigned long)fired;
        if (err != IFU_EIO) {
            fail_msg("case %lu: the sequence gave %d (%s), not IFU_EIO", k, err, ifu_strerror(err));
        }
        fail_at = 0;
        ks_assert_sane();
        /* Healthy again: the sequence completes; anchor 3 is trusted, 1 and 2 never again. */
        assert_ifu(ks_sequence(), 0);
        ks_assert_sane();
        anchor(h, 3);
        int s3 = ifu_keys_find(&ks, h);
        assert_true(s3 >= 0);
        struct ifu_key_slot got;
        assert_ifu(ifu_keys_get(&ks, (uint32_t)s3, &got), 0);
        assert_int_equal(got.state, IFU_KEY_VALID);
        for (uint8_t n = 1; n <= 2; n++) {
            anchor(h, n);
            assert_ifu(ifu_keys_provision(&ks, h), IFU_EREVOKED);
        }
    }
    assert_int_equal(met, cases);
}

/* ---- security counters ---- */

static const struct ifu_area ctr_area = {&fl, SECTOR, 2 * 256};

static int ctr_sequence(const struct ifu_counter *c, const uint32_t *steps, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int err = ifu_counter_check(c, steps[i]);
        if (err == IFU_EROLLBACK) {
            continue; /* already there: a run after an interrupted one */
        }
        if (!err) {
            err = ifu_counter_advance(c, steps[i]);
        }
        if (err) {
            return err;
        }
    }
    struct ifu_counter_state st;
    return ifu_counter_get(c, &st);
}

#define NSTEPS 40u

static void test_flash_counter_every_call_fails_once(void **state)
{
    (void)state;
    /* Enough raises to fill both sectors and come back to the first (an erase). */
    uint32_t steps[NSTEPS];
    for (unsigned i = 0; i < NSTEPS; i++) {
        steps[i] = 3 * i + 1;
    }
    struct ifu_counter c;
    reset_part();
    assert_ifu(ifu_counter_flash_init(&c, &ctr_area), 0);
    assert_ifu(ctr_sequence(&c, steps, NSTEPS), 0);
    unsigned long total = calls;
    struct ifu_counter_state st;
    assert_ifu(ifu_counter_get(&c, &st), 0);
    assert_int_equal(st.value, steps[NSTEPS - 1]);
    unsigned long met = 0, cases = 0;
    for (unsigned long k = 1; k <= total; k += sample_step(), cases++) {
        reset_part();
        assert_ifu(ifu_counter_flash_init(&c, &ctr_area), 0);
        fail_at = k;
        int err = ctr_sequence(&c, steps, NSTEPS);
        met += (unsigned long)fired;
        assert_ifu(err, IFU_EIO);
        fail_at = 0;
        assert_ifu(ifu_counter_get(&c, &st), 0);
        assert_true(st.value <= steps[NSTEPS - 1]);
        /* Healthy: the raises complete; the value never went down. */
        uint32_t before = st.value;
        assert_ifu(ctr_sequence(&c, steps, NSTEPS), 0);
        assert_ifu(ifu_counter_get(&c, &st), 0);
        assert_int_equal(st.value, before > steps[NSTEPS - 1] ? before : steps[NSTEPS - 1]);
        assert_ifu(ifu_counter_check(&c, steps[NSTEPS - 2]), IFU_EROLLBACK);
    }
    assert_int_equal(met, cases);
}

/* An OTP counter over a RAM "eFuse" whose calls fail once each. */
static uint8_t otp[8];

static int o_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    if (hit()) {
        return IFU_EIO;
    }
    memcpy(buf, otp + off, len);
    return 0;
}

static int o_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    if (hit()) {
        return IFU_EIO;
    }
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++) {
        otp[off + i] |= b[i];
    }
    return 0;
}

static void test_otp_counter_every_call_fails_once(void **state)
{
    (void)state;
    static const uint32_t steps[] = {1, 5, 9, 30, 64};
    const struct ifu_counter_otp o = {o_read, o_prog, NULL, 0, sizeof otp, 0x00};
    struct ifu_counter c;
    reset_part();
    memset(otp, 0, sizeof otp);
    assert_ifu(ifu_counter_otp_init(&c, &o), 0);
    assert_ifu(ctr_sequence(&c, steps, 5), 0);
    unsigned long total = calls;
    /* 64 bits hold 64 at most: more is refused before any write. */
    assert_ifu(ifu_counter_check(&c, 65), IFU_ECOUNTER);
    assert_ifu(ifu_counter_advance(&c, 65), IFU_ECOUNTER);
    unsigned long met = 0, cases = 0;
    for (unsigned long k = 1; k <= total; k += sample_step(), cases++) {
        reset_part();
        memset(otp, 0, sizeof otp);
        fail_at = k;
        assert_ifu(ctr_sequence(&c, steps, 5), IFU_EIO);
        met += (unsigned long)fired;
        fail_at = 0;
        struct ifu_counter_state st;
        assert_ifu(ifu_counter_get(&c, &st), 0);
        assert_true(st.value <= 64);
        assert_ifu(ctr_sequence(&c, steps, 5), 0);
        assert_ifu(ifu_counter_get(&c, &st), 0);
        assert_int_equal(st.value, 64);
        assert_int_equal(st.remaining, 0);
    }
    assert_int_equal(met, cases);
}

/* ---- refusals and checks of the keystore and counter APIs ---- */

static int lock_calls;

static int lock_hook(void *ctx)
{
    (void)ctx;
    lock_calls++;
    return IFU_EIO;
}

static void test_keystore_arguments(void **state)
{
    (void)state;
    uint8_t h[IFU_KEYS_ANCHOR_SIZE];
    struct ifu_key_slot k;
    reset_part();
    anchor(h, 1);
    assert_ifu(ifu_keys_init_area(NULL, &ks_area, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_init_area(&ks, NULL, 4), IFU_EINVAL);
    const struct ifu_area empty = {&fl, 0, 0};
    assert_ifu(ifu_keys_init_area(&ks, &empty, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_init_rom(NULL, mem, 256, 8, 0xff, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_init_rom(&ks, NULL, 256, 8, 0xff, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_lock(NULL), IFU_EINVAL);

    /* An unusable keystore (no read callback) is refused by every call. */
    struct ifu_keystore bad;
    memset(&bad, 0, sizeof bad);
    assert_ifu(ifu_keys_get(&bad, 0, &k), IFU_EINVAL);
    assert_ifu(ifu_keys_find(&bad, h), IFU_EINVAL);
    assert_ifu(ifu_keys_provision(&bad, h), IFU_EINVAL);
    assert_ifu(ifu_keys_revoke(&bad, 0), IFU_EINVAL);
    assert_ifu(ifu_keys_revoke_below(&bad, 0), IFU_EINVAL);
    assert_ifu(ifu_keys_load(&bad, NULL, NULL), IFU_EINVAL);

    assert_ifu(ifu_keys_init_area(&ks, &ks_area, 4), 0);
    assert_ifu(ifu_keys_get(&ks, 0, NULL), IFU_EINVAL);
    assert_ifu(ifu_keys_get(&ks, 4, &k), IFU_EINVAL);
    assert_ifu(ifu_keys_find(&ks, NULL), IFU_EINVAL);
    assert_ifu(ifu_keys_provision(&ks, NULL), IFU_EINVAL);
    assert_ifu(ifu_keys_revoke(&ks, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_revoke_below(&ks, 4), IFU_EINVAL);
    assert_ifu(ifu_keys_revoke(&ks, 0), IFU_ESTATE); /* EMPTY: nothing to revoke */
    unsigned long before = calls;
    assert_ifu(ifu_keys_lock(&ks), 0); /* no hook: nothing to lock */
    ks.lock = lock_hook;
    assert_ifu(ifu_keys_lock(&ks), IFU_EIO); /* the hook's answer */
    assert_int_equal(lock_calls, 1);
    assert_int_equal(calls, before);

    /* A read-only view of a store: provisioning and revoking are unsupported. */
    assert_ifu(ifu_keys_provision(&ks, h), 0);
    struct ifu_keystore ro;
    assert_ifu(ifu_keys_init_rom(&ro, mem, SECTOR, 8, 0xff, 4), 0);
    assert_ifu(ifu_keys_provision(&ro, h), IFU_EUNSUPPORTED);
    assert_ifu(ifu_keys_revoke(&ro, 0), IFU_EUNSUPPORTED);
    assert_ifu(ifu_keys_find(&ro, h), 0);

    /* Full keys compiled in: one whose SHA-256 is the anchor marks the slot full, one whose
     * is not makes the slot INVALID (never trusted). */
    static const uint8_t pub_a[] = "not a real key, only bytes to hash";
    uint8_t ha[IFU_HASH_MAX_SIZE];
    assert_ifu(ifu_hash_oneshot(IFU_HASH_SHA256, pub_a, sizeof pub_a, ha), 0);
    assert_ifu(ifu_keys_provision(&ks, ha), 1);
    struct ifu_key full[4] = {{pub_a, sizeof pub_a, NULL}, {pub_a, sizeof pub_a, NULL}};
    ro.full = full;
    assert_ifu(ifu_keys_get(&ro, 0, &k), 0);
    assert_int_equal(k.state, IFU_KEY_INVALID);
    assert_int_equal(k.full, 0);
    assert_ifu(ifu_keys_get(&ro, 1, &k), 0);
    assert_int_equal(k.state, IFU_KEY_VALID);
    assert_int_equal(k.full, 1);
    assert_ifu(ifu_keys_get(&ro, 2, &k), 0);
    assert_int_equal(k.state, IFU_KEY_EMPTY);
}

/* A counter backend of the test's own: reads what it is told, and "advances" as told. */
static uint32_t fake_value;
static int fake_advance_works;

static int fake_read(const struct ifu_counter *c, uint32_t *value)
{
    (void)c;
    *value = fake_value;
    return 0;
}

static int fake_advance(const struct ifu_counter *c, uint32_t value)
{
    (void)c;
    if (fake_advance_works) {
        fake_value = value;
    }
    return 0;
}

static void test_counter_arguments_and_checks(void **state)
{
    (void)state;
    static const struct ifu_counter_ops ops = {fake_read, fake_advance};
    static const int backend = 1;
    struct ifu_counter c = {&ops, &backend, 100, 0};
    struct ifu_counter_state st;

    assert_ifu(ifu_counter_get(&c, NULL), IFU_EINVAL);
    struct ifu_counter none = {NULL, &backend, 100, 0};
    assert_ifu(ifu_counter_get(&none, &st), IFU_EINVAL);
    assert_ifu(ifu_counter_get(NULL, &st), IFU_EINVAL);
    assert_ifu(ifu_counter_check(NULL, 1), IFU_EINVAL);
    assert_ifu(ifu_counter_advance(NULL, 1), IFU_EINVAL);
    /* Storage holding more than the configuration says fails closed. */
    fake_value = 101;
    assert_ifu(ifu_counter_get(&c, &st), IFU_ECOUNTER);
    assert_ifu(ifu_counter_check(&c, 101), IFU_ECOUNTER);
    /* A write the storage dropped is caught by the read-back. */
    fake_value = 10;
    fake_advance_works = 0;
    assert_ifu(ifu_counter_advance(&c, 20), IFU_EIO);
    fake_advance_works = 1;
    assert_ifu(ifu_counter_advance(&c, 20), 0);
    assert_ifu(ifu_counter_get(&c, &st), 0);
    assert_int_equal(st.value, 20);
    assert_int_equal(st.remaining, 80);
    assert_ifu(ifu_counter_advance(&c, 101), IFU_ECOUNTER);
    assert_int_equal(fake_value, 20);

    /* Init refusals. */
    const struct ifu_counter_otp o = {o_read, o_prog, NULL, 0, 0, 0x00};
    assert_ifu(ifu_counter_otp_init(&c, &o), IFU_EINVAL); /* size 0 */
    assert_ifu(ifu_counter_otp_init(NULL, &o), IFU_EINVAL);
    const struct ifu_area one = {&fl, SECTOR, 256}; /* one sector: no ring */
    assert_ifu(ifu_counter_flash_init(&c, &one), IFU_EINVAL);
    assert_ifu(ifu_counter_flash_init(&c, NULL), IFU_EINVAL);
    assert_ifu(ifu_counter_flash_init(NULL, &ctr_area), IFU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keystore_every_call_fails_once),
        cmocka_unit_test(test_flash_counter_every_call_fails_once),
        cmocka_unit_test(test_otp_counter_every_call_fails_once),
        cmocka_unit_test(test_keystore_arguments),
        cmocka_unit_test(test_counter_arguments_and_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
