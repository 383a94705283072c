/* The verifier against images signed by MCUboot's imgtool
 * (shared/vectors/imgtool, MANIFEST.tsv): every row must get its expected
 * verdict, through the whole-image reader and through the streaming API at
 * several chunk sizes, and good images must decode to the manifest's fields. */
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
#include "testutil.h"

struct row {
    char file[256], key[256], expect[16], reason[64], version[64], sec_cnt[32];
    char hdr_size[16], img_size[16], hash[16], sig[16], keyfmt[8];
};

static int parse_row(char *line, struct row *r)
{
    char *f[13];
    int n = 0;
    for (char *tok = strtok(line, "\t\n"); tok != NULL && n < 13; tok = strtok(NULL, "\t\n")) {
        f[n++] = tok;
    }
    if (n < 12) {
        return -1;
    }
#define COPY(dst, i) snprintf(r->dst, sizeof r->dst, "%s", f[i])
    COPY(file, 0);
    COPY(key, 1);
    COPY(expect, 2);
    COPY(reason, 4);
    COPY(version, 5);
    COPY(sec_cnt, 6);
    COPY(hdr_size, 7);
    COPY(img_size, 8);
    COPY(hash, 9);
    COPY(sig, 10);
    COPY(keyfmt, 11);
#undef COPY
    return 0;
}

static const char *hash_name(enum ifu_hash_alg alg)
{
    switch (alg) {
    case IFU_HASH_SHA256:
        return "sha256";
    case IFU_HASH_SHA384:
        return "sha384";
    case IFU_HASH_SHA512:
        return "sha512";
    default:
        return "none";
    }
}

static const char *sig_name(enum ifu_sig_alg alg)
{
    switch (alg) {
    case IFU_SIG_RSA2048_PSS:
        return "rsa2048-pss";
    case IFU_SIG_RSA3072_PSS:
        return "rsa3072-pss";
    case IFU_SIG_ECDSA_P256:
        return "ecdsa-p256";
    case IFU_SIG_ECDSA_P384:
        return "ecdsa-p384";
    case IFU_SIG_ED25519:
        return "ed25519";
    default:
        return "none";
    }
}

/* Records which key TLV kind the image carries. */
static void note_keyfmt(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off)
{
    const char **fmt = ctx;
    (void)prot;
    (void)len;
    (void)off;
    if (type == IFU_TLV_KEYHASH) {
        *fmt = "hash";
    } else if (type == IFU_TLV_PUBKEY) {
        *fmt = "full";
    }
}

/* Decode the good image again with an observer and compare with the row. */
static void check_fields(const struct row *r, const uint8_t *img, uint32_t len,
                         const struct ifu_image_info *info)
{
    const char *keyfmt = "-";
    struct ifu_tlv_observer obs = {.on_tlv = note_keyfmt, .ctx = &keyfmt};
    struct ifu_verify v;
    char buf[64];

    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, &obs),
                     0);
    assert_int_equal(ifu_verify_update(&v, img, len), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), 0);

    const struct ifu_image_header *h = &info->hdr;
    snprintf(buf, sizeof buf, "%u.%u.%u+%u", h->version.major, h->version.minor,
             h->version.revision, (unsigned)h->version.build);
    if (strcmp(buf, r->version) != 0) {
        fail_msg("%s: version %s, manifest %s", r->file, buf, r->version);
    }
    if (info->has_sec_cnt) {
        snprintf(buf, sizeof buf, "%u", (unsigned)info->sec_cnt);
    } else {
        snprintf(buf, sizeof buf, "-");
    }
    if (strcmp(buf, r->sec_cnt) != 0) {
        fail_msg("%s: security counter %s, manifest %s", r->file, buf, r->sec_cnt);
    }
    assert_int_equal(h->hdr_size, strtoul(r->hdr_size, NULL, 16));
    assert_int_equal(h->img_size, strtoul(r->img_size, NULL, 16));
    assert_string_equal(hash_name(info->hash_alg), r->hash);
    assert_string_equal(sig_name(info->sig_alg), r->sig);
    assert_string_equal(keyfmt, r->keyfmt);
}

static void test_image_verify_agrees_with_imgtool_manifest(void **state)
{
    static const uint32_t chunks[] = {0, 1, 13, 4096};
    char line[2048];
    unsigned rows = 0, hex = 0, failures = 0;
    (void)state;

    FILE *m = fopen(tu_vector_path("imgtool", "MANIFEST.tsv"), "r");
    assert_non_null(m);
    assert_non_null(fgets(line, sizeof line, m)); /* column names */
    while (fgets(line, sizeof line, m) != NULL) {
        struct row r;
        uint32_t len = 0, key_len = 0;
        uint8_t *key = NULL;

        assert_int_equal(parse_row(line, &r), 0);
        if (strstr(r.file, ".hex") != NULL) {
            hex++; /* Intel HEX decoding is the CLI's job: tests/cli covers these rows */
            continue;
        }
        rows++;
        uint8_t *img = tu_read_file(tu_vector_path("imgtool", r.file), &len);
        assert_non_null(img);
        if (strcmp(r.key, "-") != 0) {
            key = tu_load_pubkey(tu_vector_path("imgtool", r.key), &key_len);
            assert_non_null(key);
        }
        int want_ok = strcmp(r.expect, "accept") == 0;

        /* Whole image through the reader, as the bootloader reads a slot. */
        struct ifu_image_info info;
        int got = tu_verify_reader(img, len, key, key_len, &info);
        printf("%-58s %-26s %s (%s)\n", r.file, r.key, got == 0 ? "accept" : "reject",
               ifu_strerror(got));
        if ((got == 0) != want_ok) {
            printf("  MISMATCH: want %s\n", r.expect);
            failures++;
        }
        /* The same verdict whatever the chunking. */
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            int got2 = tu_verify_buf(img, len, key, key_len, chunks[c], NULL);
            if (got2 != got) {
                printf("  MISMATCH: chunk %u gives %s, reader gave %s\n", (unsigned)chunks[c],
                       ifu_strerror(got2), ifu_strerror(got));
                failures++;
            }
        }
        if (want_ok && got == 0 && strcmp(r.reason, "good") == 0) {
            check_fields(&r, img, len, &info);
        }
        free(key);
        free(img);
    }
    fclose(m);
    printf(
        "imgtool manifest: %u rows checked, %u Intel HEX rows left to tests/cli, %u mismatches\n",
        rows, hex, failures);
    assert_int_equal(failures, 0);
    assert_true(rows > 0);
}

/* imgtool --pad-sig pads ECDSA signatures with zero bytes to a fixed length;
 * MCUboot reads the DER sequence only. Zeros after it are accepted, any other
 * byte is not. */
static void test_image_verify_accepts_zero_padded_ecdsa_signature(void **state)
{
    uint32_t len = 0, key_len = 0;
    (void)state;
    uint8_t *orig = tu_read_file(tu_vector_path("imgtool", "good/p256-1byte.bin"), &len);
    uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", "keys/ecdsa-p256.pub.pem"), &key_len);
    assert_non_null(orig);
    assert_non_null(key);
    /* The signature TLV is the last one: extend it and the area by 3 bytes. */
    uint8_t *img = calloc(1, len + 3);
    assert_non_null(img);
    memcpy(img, orig, len);
    uint32_t info = 32 + 1; /* hdr_size 0x20, one payload byte, no protected area */
    uint32_t sig_tlv = info + 4 + 36 + 36;
    assert_int_equal(img[sig_tlv], IFU_TLV_ECDSA_SIG);
    img[sig_tlv + 2] = (uint8_t)(img[sig_tlv + 2] + 3);
    img[info + 2] = (uint8_t)(img[info + 2] + 3);
    assert_int_equal(tu_verify_buf(img, len + 3, key, key_len, 0, NULL), 0);
    img[len + 1] = 1;
    assert_int_equal(tu_verify_buf(img, len + 3, key, key_len, 0, NULL), IFU_ESIG);
    free(img);
    free(key);
    free(orig);
}

int main(void)
{
    tu_require_vectors("imgtool");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_verify_agrees_with_imgtool_manifest),
        cmocka_unit_test(test_image_verify_accepts_zero_padded_ecdsa_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
