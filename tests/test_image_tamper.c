/* Truncation census of the verifier: every prefix of a signed image is
 * refused. The bit-flip census (every bit of an image of each algorithm,
 * through the verifier, the update API and the boot engine) is
 * tests/test_tamper_census.c. Images come from MCUboot's imgtool
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
        cmocka_unit_test(test_image_verify_rejects_every_truncation_of_signed_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
