/* The crypto port's answers to a hash context in the wrong state and to keys that are only
 * almost right (src/crypto_mbedtls.c, src/crypto_ed25519_sodium.c), as include/ifu/crypto.h
 * and src/crypto_priv.h promise them: a wiped or never-started hash is refused with IFU_ESTATE,
 * never hashed as if started; the streaming Ed25519 finish refuses what the begin would have
 * (a key that is not an Ed25519 SubjectPublicKeyInfo, a point that is not on the curve); an
 * RSA-PSS check takes a SHA-256 digest only. Keys from shared/vectors/imgtool/keys (skipped
 * without). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/config.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "testutil.h"

/* A hash that was finished or wiped is no longer a hash: update and finish refuse it. */
static void test_hash_after_wipe(void **state)
{
    (void)state;
    static const enum ifu_hash_alg algs[] = {IFU_HASH_SHA256, IFU_HASH_SHA384, IFU_HASH_SHA512};
    uint8_t out[IFU_HASH_MAX_SIZE];

    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        struct ifu_hash h;
        assert_ifu(ifu_hash_init(&h, algs[i]), 0);
        assert_ifu(ifu_hash_update(&h, "abc", 3), 0);
        assert_ifu(ifu_hash_finish(&h, out), 0);
        /* finish wiped it */
        assert_int_equal(h.alg, IFU_HASH_NONE);
        assert_ifu(ifu_hash_update(&h, "abc", 3), IFU_ESTATE);
        assert_ifu(ifu_hash_finish(&h, out), IFU_ESTATE);

        assert_ifu(ifu_hash_init(&h, algs[i]), 0);
        ifu_hash_wipe(&h);
        assert_ifu(ifu_hash_update(&h, "abc", 3), IFU_ESTATE);
        assert_ifu(ifu_hash_finish(&h, out), IFU_ESTATE);
    }
}

static uint8_t *load_key(const char *rel, uint32_t *len)
{
    uint8_t *k = tu_load_pubkey(tu_vector_path("imgtool", rel), len);
    if (k == NULL) {
        fail_msg("cannot read %s", rel);
    }
    return k;
}

/* The streaming Ed25519 finish checks the key again: the caller may hand it another key than
 * the one begin took. Each refusal leaves the hash wiped. */
static void test_ed25519_stream_finish_refusals(void **state)
{
    (void)state;
    tu_require_vectors("imgtool");
    uint32_t len;
    uint8_t *k = load_key("keys/ed25519.pub.pem", &len);
    assert_int_equal(len, 44);
    /* R = the key's own point (on the curve, not of small order), S = 0: a signature of the
     * right shape, so begin accepts it and the later checks are the ones at work. */
    uint8_t sig[64] = {0};
    memcpy(sig, k + 12, 32);
    struct ifu_hash h;

    /* Right length, wrong prefix: not an Ed25519 SubjectPublicKeyInfo. */
    uint8_t bad_prefix[44];
    memcpy(bad_prefix, k, 44);
    bad_prefix[8] ^= 1; /* the algorithm OID's last byte */
    assert_ifu(ifu_ed25519_stream_begin(&h, sig, bad_prefix, 44), IFU_ENOKEY);
    assert_ifu(ifu_ed25519_stream_begin(&h, sig, k, 44), 0);
    assert_ifu(ifu_ed25519_stream_finish(&h, sig, bad_prefix, 44), IFU_ENOKEY);
    assert_int_equal(h.alg, IFU_HASH_NONE);

    /* A hash that was never begun (or already finished) is refused, not finished. */
    ifu_hash_wipe(&h);
    assert_ifu(ifu_ed25519_stream_finish(&h, sig, k, 44), IFU_ESTATE);

    /* y = 2 is no point of the curve: (y^2 - 1) / (d y^2 + 1) has no square root mod p. */
    uint8_t off_curve[44];
    memcpy(off_curve, k, 12);
    memset(off_curve + 12, 0, 32);
    off_curve[12] = 2;
    assert_ifu(ifu_ed25519_stream_begin(&h, sig, k, 44), 0);
    assert_ifu(ifu_hash_update(&h, "image", 5), 0);
    assert_ifu(ifu_ed25519_stream_finish(&h, sig, off_curve, 44), IFU_ESIG);
    assert_int_equal(h.alg, IFU_HASH_NONE);
    free(k);
}

/* RSA-PSS as MCUboot signs it: over a SHA-256 digest, nothing else; a digest of another length
 * is refused before the key is used. */
static void test_rsa_pss_takes_sha256_only(void **state)
{
    (void)state;
#if IFU_WITH_RSA
    tu_require_vectors("imgtool");
    uint32_t len;
    uint8_t *k = load_key("keys/rsa-2048.pub.pem", &len);
    static uint8_t digest[64];
    static uint8_t sig[256];
    assert_ifu(ifu_sig_verify(IFU_SIG_RSA2048_PSS, k, len, digest, 48, sig, sizeof sig), IFU_ESIG);
    assert_ifu(ifu_sig_verify(IFU_SIG_RSA2048_PSS, k, len, digest, 64, sig, sizeof sig), IFU_ESIG);
    /* The signature's length is the modulus's. */
    assert_ifu(ifu_sig_verify(IFU_SIG_RSA2048_PSS, k, len, digest, 32, sig, 255), IFU_ESIG);
    free(k);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_after_wipe),
        cmocka_unit_test(test_ed25519_stream_finish_refusals),
        cmocka_unit_test(test_rsa_pss_takes_sha256_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
