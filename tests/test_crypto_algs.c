/* Algorithms chosen at build time (include/ifu/config.h, IFU_WITH_*): images
 * signed with an algorithm that is compiled in verify, a one-byte change is
 * refused, and an algorithm or hash that is compiled out is refused with
 * IFU_EUNSUPPORTED, never accepted. Built in every tree; tests/crypto_algs.sh
 * also builds and runs it with single-algorithm options. Vectors: imgtool
 * images of shared/vectors/imgtool/good. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ifu/config.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/image.h"
#include "testutil.h"

struct case_ {
    const char *file;
    const char *key;
    enum ifu_hash_alg hash;
    enum ifu_sig_alg sig;
};

static const struct case_ cases[] = {
    {"good/p256-1byte.bin", "keys/ecdsa-p256.pub.pem", IFU_HASH_SHA256, IFU_SIG_ECDSA_P256},
    {"good/p384-sha384-sc42.bin", "keys/ecdsa-p384.pub.pem", IFU_HASH_SHA384, IFU_SIG_ECDSA_P384},
    {"good/rsa2048-basic.bin", "keys/rsa-2048.pub.pem", IFU_HASH_SHA256, IFU_SIG_RSA2048_PSS},
    {"good/rsa3072-confirm-pad.bin", "keys/rsa-3072.pub.pem", IFU_HASH_SHA256, IFU_SIG_RSA3072_PSS},
    {"good/ed25519-basic.bin", "keys/ed25519.pub.pem", IFU_HASH_SHA256, IFU_SIG_ED25519},
    {"good/ed25519-sha512.bin", "keys/ed25519.pub.pem", IFU_HASH_SHA512, IFU_SIG_ED25519},
    {"good/ed25519-pure.bin", "keys/ed25519.pub.pem", IFU_HASH_SHA512, IFU_SIG_ED25519},
};

static int sig_compiled_in(enum ifu_sig_alg alg)
{
    switch (alg) {
    case IFU_SIG_RSA2048_PSS:
    case IFU_SIG_RSA3072_PSS:
        return IFU_WITH_RSA;
    case IFU_SIG_ECDSA_P256:
        return IFU_WITH_ECDSA_P256;
    case IFU_SIG_ECDSA_P384:
        return IFU_WITH_ECDSA_P384;
    case IFU_SIG_ED25519:
        return IFU_WITH_ED25519;
    default:
        return 0;
    }
}

static int hash_compiled_in(enum ifu_hash_alg alg)
{
    return alg == IFU_HASH_SHA256 || IFU_WITH_SHA512;
}

static int verify(const uint8_t *img, uint32_t len, const uint8_t *key, uint32_t key_len,
                  enum ifu_hash_alg hash)
{
    struct tu_mem mem = {img, len};
    const struct ifu_image_reader reader = {tu_mem_read, &mem};
    const struct ifu_key k = {key, key_len, NULL};
    const struct ifu_keyring ring = {&k, 1};
    struct ifu_image_info info;

    return ifu_image_verify(&reader, len, &ring, 0, IFU_HASHSET(hash), &info);
}

static void test_images_verify_exactly_when_their_algorithms_are_compiled_in(void **state)
{
    unsigned in = 0, out = 0;
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct case_ *c = &cases[i];
        uint32_t len = 0, key_len = 0;
        uint8_t *img = tu_read_file(tu_vector_path("imgtool", c->file), &len);
        uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", c->key), &key_len);
        assert_non_null(img);
        assert_non_null(key);

        int got = verify(img, len, key, key_len, c->hash);
        int want_in = sig_compiled_in(c->sig) && hash_compiled_in(c->hash);
        printf("%-32s %s: %s\n", c->file, want_in ? "compiled in " : "compiled out",
               got == 0 ? "accept" : ifu_strerror(got));
        if (want_in) {
            in++;
            assert_int_equal(got, 0);
            /* One bit in the middle of the payload (header: ih_hdr_size u16 at 8,
             * ih_img_size u32 at 12): the hash no longer matches. */
            uint32_t hdr = (uint32_t)img[8] | (uint32_t)img[9] << 8;
            uint32_t size = (uint32_t)img[12] | (uint32_t)img[13] << 8 | (uint32_t)img[14] << 16 |
                            (uint32_t)img[15] << 24;
            assert_true(hdr + size <= len);
            img[hdr + size / 2] ^= 0x01;
            assert_int_not_equal(verify(img, len, key, key_len, c->hash), 0);
        } else {
            out++;
            assert_int_equal(got, IFU_EUNSUPPORTED);
        }
        free(key);
        free(img);
    }
    printf("%u images with algorithms compiled in, %u compiled out\n", in, out);
    assert_true(in > 0);
}

static void test_compiled_out_algorithms_are_refused_by_the_port(void **state)
{
    static const uint8_t junk[64] = {0x30};
    uint8_t out[IFU_HASH_MAX_SIZE];
    (void)state;

    for (int alg = IFU_SIG_RSA2048_PSS; alg <= IFU_SIG_ED25519; alg++) {
        int got =
            ifu_sig_verify((enum ifu_sig_alg)alg, junk, sizeof junk, junk, 32, junk, sizeof junk);
        if (sig_compiled_in((enum ifu_sig_alg)alg)) {
            assert_int_not_equal(got, 0); /* a junk key or signature, never accepted */
            assert_int_not_equal(got, IFU_EUNSUPPORTED);
        } else {
            assert_int_equal(got, IFU_EUNSUPPORTED);
        }
    }
    for (int alg = IFU_HASH_SHA256; alg <= IFU_HASH_SHA512; alg++) {
        int got = ifu_hash_oneshot((enum ifu_hash_alg)alg, junk, sizeof junk, out);
        assert_int_equal(got, hash_compiled_in((enum ifu_hash_alg)alg) ? 0 : IFU_EUNSUPPORTED);
    }
    struct ifu_hash h;
    uint8_t sig[64] = {0};
    int got = ifu_ed25519_stream_begin(&h, sig, junk, sizeof junk);
    if (!IFU_WITH_ED25519) {
        assert_int_equal(got, IFU_EUNSUPPORTED);
        assert_int_equal(ifu_ed25519_stream_finish(&h, sig, junk, sizeof junk), IFU_EUNSUPPORTED);
    } else {
        assert_int_equal(got, IFU_ENOKEY); /* junk is no Ed25519 key */
    }
}

int main(void)
{
    tu_require_vectors("imgtool");
    printf("build: RSA %d, P-256 %d, P-384 %d, Ed25519 %d, SHA-512 %d, small %d\n", IFU_WITH_RSA,
           IFU_WITH_ECDSA_P256, IFU_WITH_ECDSA_P384, IFU_WITH_ED25519, IFU_WITH_SHA512,
           IFU_CRYPTO_SMALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_images_verify_exactly_when_their_algorithms_are_compiled_in),
        cmocka_unit_test(test_compiled_out_algorithms_are_refused_by_the_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
