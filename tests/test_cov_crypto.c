/* The crypto port's refusals (src/crypto_mbedtls.c, src/crypto_ed25519_sodium.c,
 * src/crypto_util.c) and ifu_strerror's fallback: the paths the image tests do not reach because
 * a well-formed image never asks for them. Each case checks the exact error code the contract in
 * include/ifu/crypto.h gives, so a backend that accepted a key of the wrong type or curve, or an
 * unknown algorithm, fails here. Keys come from shared/vectors/imgtool/keys (skipped without). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "testutil.h"

static uint8_t *key_of(const char *name, uint32_t *len)
{
    char rel[64];
    snprintf(rel, sizeof rel, "keys/%s.pub.pem", name);
    uint8_t *k = tu_load_pubkey(tu_vector_path("imgtool", rel), len);
    assert_non_null(k);
    return k;
}

/* A digest to "verify" and a signature-shaped buffer: every case below must refuse before or
 * at the signature check, so their contents only need to be well-formed enough to get there. */
static const uint8_t digest[32] = {1, 2, 3};
static uint8_t sig[512];

static void test_strerror_unknown_code(void **state)
{
    (void)state;
    assert_string_equal(ifu_strerror(-9999), "unknown error");
    assert_string_equal(ifu_strerror(1), "unknown error");
    assert_string_not_equal(ifu_strerror(IFU_EINVAL), "unknown error");
}

static void test_hash_unknown_alg(void **state)
{
    (void)state;
    struct ifu_hash h;
    uint8_t out[IFU_HASH_MAX_SIZE];
    assert_int_equal(ifu_hash_size(IFU_HASH_NONE), 0);
    assert_int_equal(ifu_hash_size((enum ifu_hash_alg)77), 0);
    assert_true(ifu_hash_init(&h, (enum ifu_hash_alg)77) < 0);
    assert_true(ifu_hash_oneshot((enum ifu_hash_alg)77, "abc", 3, out) < 0);
}

/* SHA-512 of "abc" (FIPS 180-2, appendix C.1), through the streaming calls in two pieces. */
static void test_sha512_streamed(void **state)
{
    (void)state;
    static const uint8_t want_head[8] = {0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba};
    static const uint8_t want_tail[8] = {0x2a, 0x9a, 0xc9, 0x4f, 0xa5, 0x4c, 0xa4, 0x9f};
    struct ifu_hash h;
    uint8_t out[IFU_HASH_MAX_SIZE];
    assert_int_equal(ifu_hash_init(&h, IFU_HASH_SHA512), 0);
    assert_int_equal(ifu_hash_update(&h, "a", 1), 0);
    assert_int_equal(ifu_hash_update(&h, "bc", 2), 0);
    assert_int_equal(ifu_hash_finish(&h, out), 0);
    assert_memory_equal(out, want_head, 8);
    assert_memory_equal(out + 56, want_tail, 8);
    uint8_t one[IFU_HASH_MAX_SIZE];
    assert_int_equal(ifu_hash_oneshot(IFU_HASH_SHA512, "abc", 3, one), 0);
    assert_memory_equal(one, out, 64);
}

static void test_sig_bad_arguments(void **state)
{
    (void)state;
    uint32_t len;
    uint8_t *k = key_of("ecdsa-p256", &len);
    assert_int_equal(ifu_sig_verify(IFU_SIG_ECDSA_P256, NULL, len, digest, 32, sig, 72),
                     IFU_EINVAL);
    assert_int_equal(ifu_sig_verify(IFU_SIG_ECDSA_P256, k, len, NULL, 32, sig, 72), IFU_EINVAL);
    assert_int_equal(ifu_sig_verify(IFU_SIG_ECDSA_P256, k, len, digest, 32, NULL, 72), IFU_EINVAL);
    assert_int_equal(ifu_sig_verify(IFU_SIG_NONE, k, len, digest, 32, sig, 72), IFU_EUNSUPPORTED);
    assert_int_equal(ifu_sig_verify((enum ifu_sig_alg)99, k, len, digest, 32, sig, 72),
                     IFU_EUNSUPPORTED);
    free(k);
}

/* A valid key of another algorithm, curve or size is not a key of alg: IFU_ENOKEY. */
static void test_sig_key_of_another_kind(void **state)
{
    (void)state;
    static const struct {
        enum ifu_sig_alg alg;
        const char *key;
    } cases[] = {
        {IFU_SIG_ECDSA_P256, "rsa-2048"},   /* RSA key for ECDSA */
        {IFU_SIG_ECDSA_P256, "ecdsa-p384"}, /* other curve */
        {IFU_SIG_ECDSA_P384, "ecdsa-p256"},
        {IFU_SIG_RSA2048_PSS, "ecdsa-p256"}, /* EC key for RSA */
        {IFU_SIG_RSA2048_PSS, "rsa-3072"},   /* other modulus size */
        {IFU_SIG_RSA3072_PSS, "rsa-2048"},
        {IFU_SIG_ED25519, "ecdsa-p256"}, /* not an Ed25519 SubjectPublicKeyInfo */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t len;
        uint8_t *k = key_of(cases[i].key, &len);
        int got = ifu_sig_verify(cases[i].alg, k, len, digest, 32, sig, 64);
        if (got != IFU_ENOKEY) {
            fail_msg("alg %d with key %s: %d, want IFU_ENOKEY", (int)cases[i].alg, cases[i].key,
                     got);
        }
        free(k);
    }
}

/* Ed25519 keys that parse but must never verify anything: the identity point (small order)
 * and a non-canonical encoding (y >= p). Both are refused as IFU_ESIG. */
static void test_ed25519_degenerate_keys(void **state)
{
    (void)state;
    uint32_t len;
    uint8_t *k = key_of("ed25519", &len);
    assert_int_equal(len, 44); /* 12-byte SPKI prefix + 32-byte point */
    uint8_t bad[44];
    /* R = the base point (RFC 8032 §5.1: y = 4/5, encoded 0x58 0x66...), S = 0: a signature
     * that passes the verifier's own shape checks, so the key is what gets refused. */
    uint8_t s[64] = {0};
    s[0] = 0x58;
    memset(s + 1, 0x66, 31);

    memcpy(bad, k, 12);
    memset(bad + 12, 0, 32);
    bad[12] = 1; /* y = 1: the identity, of order 1 */
    assert_int_equal(ifu_sig_verify(IFU_SIG_ED25519, bad, 44, digest, 32, s, 64), IFU_ESIG);
    struct ifu_hash h;
    assert_int_equal(ifu_ed25519_stream_begin(&h, s, bad, 44), IFU_ESIG);

    memset(bad + 12, 0xff, 31);
    bad[43] = 0x7f; /* y = 2^255 - 1 > p: not canonical */
    assert_int_equal(ifu_sig_verify(IFU_SIG_ED25519, bad, 44, digest, 32, s, 64), IFU_ESIG);
    assert_int_equal(ifu_ed25519_stream_begin(&h, s, bad, 44), IFU_ESIG);

    /* A key one byte short is not an Ed25519 key at all. */
    assert_int_equal(ifu_sig_verify(IFU_SIG_ED25519, k, 43, digest, 32, s, 64), IFU_ENOKEY);

    /* The streaming variant refuses the same short key. */
    assert_int_equal(ifu_ed25519_stream_begin(&h, s, k, 43), IFU_ENOKEY);
    free(k);
}

int main(void)
{
    tu_require_vectors("imgtool");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_unknown_code),
        cmocka_unit_test(test_hash_unknown_alg),
        cmocka_unit_test(test_sha512_streamed),
        cmocka_unit_test(test_sig_bad_arguments),
        cmocka_unit_test(test_sig_key_of_another_kind),
        cmocka_unit_test(test_ed25519_degenerate_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
