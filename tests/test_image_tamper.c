/* Tamper census: flip every single bit of a small signed image of each
 * algorithm, header to last TLV byte, and count the variants the verifier
 * accepts. The count must be 0. Images come from MCUboot's imgtool
 * (shared/vectors/imgtool). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/image.h"
#include "testutil.h"

struct census {
    const char *alg;
    const char *image;
    const char *key;
};

static const struct census images[] = {
    {"ecdsa-p256", "good/p256-1byte.bin", "keys/ecdsa-p256.pub.pem"},
    {"ecdsa-p384", "good/p384-full-pad-align32.bin", "keys/ecdsa-p384.pub.pem"},
    {"rsa2048-pss", "good/rsa2048-basic.bin", "keys/rsa-2048.pub.pem"},
    {"rsa3072-pss", "good/rsa3072-confirm-pad.bin", "keys/rsa-3072.pub.pem"},
    {"ed25519", "good/ed25519-full-scauto.bin", "keys/ed25519.pub.pem"},
    {"ed25519-pure", "good/ed25519-pure.bin", "keys/ed25519.pub.pem"},
};

static void test_image_verify_rejects_any_single_bit_flip(void **state)
{
    unsigned total_accepted = 0;
    (void)state;

    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        const struct census *c = &images[i];
        uint32_t len = 0, key_len = 0;
        uint8_t *img = tu_read_file(tu_vector_path("imgtool", c->image), &len);
        uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", c->key), &key_len);
        struct ifu_image_info info;

        assert_non_null(img);
        assert_non_null(key);
        /* The untouched image verifies: the census is not vacuous. */
        assert_int_equal(tu_verify_reader(img, len, key, key_len, &info), 0);
        uint32_t end = info.total_size; /* padding and trailer are not the image */
        unsigned variants = 0, accepted = 0;
        for (uint32_t bit = 0; bit < end * 8; bit++) {
            img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            int err = tu_verify_reader(img, len, key, key_len, NULL);
            img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            variants++;
            if (err == 0) {
                printf("  accepted: %s with bit %u flipped\n", c->image, (unsigned)bit);
                accepted++;
            }
        }
        printf("tamper %s: %u variants, %u accepted\n", c->alg, variants, accepted);
        total_accepted += accepted;
        free(key);
        free(img);
    }
    assert_int_equal(total_accepted, 0);
}

/* Every prefix of a signed image (protected TLVs, dependency, custom TLVs)
 * is refused with IFU_ETRUNC, through the reader and through the stream. */
static void test_image_verify_rejects_every_truncation_of_signed_image(void **state)
{
    uint32_t len = 0, key_len = 0;
    unsigned accepted = 0, other = 0;
    (void)state;
    uint8_t *img = tu_read_file(tu_vector_path("imgtool", "good/p256-customtlv-dep.bin"), &len);
    uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", "keys/ecdsa-p256.pub.pem"), &key_len);
    assert_non_null(img);
    assert_non_null(key);
    for (uint32_t cut = 0; cut < len; cut++) {
        int a = tu_verify_reader(img, cut, key, key_len, NULL);
        int b = tu_verify_buf(img, cut, key, key_len, 97, NULL);
        accepted += (a == 0) + (b == 0);
        other += (a != IFU_ETRUNC) + (b != IFU_ETRUNC);
    }
    assert_int_equal(tu_verify_reader(img, len, key, key_len, NULL), 0);
    printf("truncate ecdsa-p256: %u lengths, %u accepted, %u not IFU_ETRUNC\n", (unsigned)len,
           accepted, other);
    assert_int_equal(accepted, 0);
    assert_int_equal(other, 0);
    free(key);
    free(img);
}

int main(void)
{
    tu_require_vectors("imgtool");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_verify_rejects_any_single_bit_flip),
        cmocka_unit_test(test_image_verify_rejects_every_truncation_of_signed_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
