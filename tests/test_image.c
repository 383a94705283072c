/* Header parsing and the streaming verifier's TLV rules, on images built here
 * (hash-only, so every rule is reached without a signature). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/image.h"
#include "testutil.h"
#include "tu_craft.h"
#include "util_priv.h"

static uint8_t img[8192];

/* Build an image from s into img; returns its length. */
static uint32_t build(const struct tu_craft *s)
{
    return tu_craft(img, sizeof img, s);
}

static const struct tu_tlv just_hash[] = {{TU_AUTO_HASH, 32, NULL}};

static int verify_hash_only(uint32_t len)
{
    return tu_verify_buf(img, len, NULL, 0, 0, NULL);
}

static void test_parse_header_rejects_bad_magic(void **state)
{
    struct ifu_image_header h;
    (void)state;
    build(&(struct tu_craft){.magic = 0x96f3b83c, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(ifu_image_parse_header(&h, img), IFU_EMAGIC);
}

static void test_parse_header_rejects_hdr_size_below_32(void **state)
{
    struct ifu_image_header h;
    (void)state;
    build(&(struct tu_craft){.hdr_size = 31, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(ifu_image_parse_header(&h, img), IFU_EHEADER);
}

static void test_parse_header_rejects_prot_area_smaller_than_its_info(void **state)
{
    struct ifu_image_header h;
    (void)state;
    for (uint16_t n = 1; n < 4; n++) {
        build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
        ifu_put_le16(img + 10, n);
        assert_int_equal(ifu_image_parse_header(&h, img), IFU_EHEADER);
    }
}

static void test_parse_header_rejects_sizes_that_wrap_32_bits(void **state)
{
    struct ifu_image_header h;
    (void)state;
    build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    ifu_put_le32(img + 12, 0xffffffffu - 0xffffu - 32u + 1u);
    assert_int_equal(ifu_image_parse_header(&h, img), IFU_EHEADER);
    ifu_put_le32(img + 12, 0xffffffffu - 0xffffu - 32u);
    assert_int_equal(ifu_image_parse_header(&h, img), 0);
}

static void test_parse_header_rejects_contradictory_or_undefined_flags(void **state)
{
    static const uint32_t bad[] = {IFU_IMAGE_F_ENCRYPTED_AES128 | IFU_IMAGE_F_ENCRYPTED_AES256,
                                   IFU_IMAGE_F_RAM_LOAD | IFU_IMAGE_F_ROM_FIXED,
                                   0x2,
                                   0x40,
                                   0x80,
                                   0x200000,
                                   0x80000000};
    struct ifu_image_header h;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build(&(struct tu_craft){.flags = bad[i], .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(ifu_image_parse_header(&h, img), IFU_EHEADER);
    }
    build(&(struct tu_craft){.flags = IFU_IMAGE_F_DEFINED &
                                      ~(IFU_IMAGE_F_ENCRYPTED_AES256 | IFU_IMAGE_F_ROM_FIXED),
                             .unprot = just_hash,
                             .n_unprot = 1});
    assert_int_equal(ifu_image_parse_header(&h, img), 0);
}

static void test_version_cmp_ignores_build_number(void **state)
{
    struct ifu_image_version a = {1, 2, 3, 4}, b = {1, 2, 3, 99}, c = {1, 2, 4, 0};
    (void)state;
    assert_int_equal(ifu_image_version_cmp(&a, &b), 0);
    assert_true(ifu_image_version_cmp(&a, &c) < 0);
    assert_true(ifu_image_version_cmp(&c, &a) > 0);
    struct ifu_image_version d = {2, 0, 0, 0}, e = {1, 255, 65535, 0};
    assert_true(ifu_image_version_cmp(&d, &e) > 0);
}

static void test_verify_begin_requires_keys_or_explicit_hash_only(void **state)
{
    struct ifu_verify v;
    struct ifu_keyring empty = {.keys = NULL, .count = 1};
    (void)state;
    assert_int_equal(ifu_verify_begin(&v, NULL, 0, IFU_HASHSET_ALL, 0, NULL), IFU_EINVAL);
    assert_int_equal(ifu_verify_begin(&v, &empty, 0, IFU_HASHSET_ALL, 0, NULL), IFU_EINVAL);
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, 0, 0, NULL), IFU_EINVAL);
    assert_int_equal(ifu_verify_begin(&v, NULL, 0x80, IFU_HASHSET_ALL, 0, NULL), IFU_EINVAL);
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, 1u << 9, 0, NULL),
                     IFU_EINVAL);
    /* A context that failed to begin refuses bytes. */
    assert_int_equal(ifu_verify_update(&v, img, 1), IFU_EINVAL);
}

static void test_verify_accepts_minimal_image(void **state)
{
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    assert_int_equal(len, 32 + 4 + 36);
    assert_int_equal(verify_hash_only(len), 0);
}

static void test_verify_rejects_image_larger_than_max_size_after_header(void **state)
{
    struct ifu_verify v;
    (void)state;
    uint32_t len = build(&(struct tu_craft){.img_size = 1000, .unprot = just_hash, .n_unprot = 1});
    /* Header-first: the 32nd byte decides, before any payload is seen. */
    assert_int_equal(
        ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 1035, NULL), 0);
    assert_int_equal(ifu_verify_update(&v, img, 31), 0);
    assert_int_equal(ifu_verify_update(&v, img + 31, 1), IFU_ENOSPC);
    /* Sticky. */
    assert_int_equal(ifu_verify_update(&v, img + 32, 1), IFU_ENOSPC);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), IFU_ENOSPC);
    /* The unprotected area is checked against the limit as soon as it is known. */
    assert_int_equal(
        ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, len - 1, NULL), 0);
    assert_int_equal(ifu_verify_update(&v, img, len), IFU_ENOSPC);
    /* Exactly the limit is fine. */
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, len, NULL),
                     0);
    assert_int_equal(ifu_verify_update(&v, img, len), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), 0);
}

static void test_verify_rejects_encrypted_and_compressed_images(void **state)
{
    static const uint32_t flags[] = {IFU_IMAGE_F_ENCRYPTED_AES128, IFU_IMAGE_F_ENCRYPTED_AES256,
                                     IFU_IMAGE_F_COMPRESSED_LZMA1, IFU_IMAGE_F_COMPRESSED_LZMA2,
                                     IFU_IMAGE_F_COMPRESSED_ARM,   IFU_IMAGE_F_PIC};
    (void)state;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        uint32_t len =
            build(&(struct tu_craft){.flags = flags[i], .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(verify_hash_only(len), IFU_EUNSUPPORTED);
    }
    uint32_t len =
        build(&(struct tu_craft){.flags = IFU_IMAGE_F_RAM_LOAD | IFU_IMAGE_F_NON_BOOTABLE,
                                 .unprot = just_hash,
                                 .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), 0);
}

static void test_verify_rejects_policy_tlv_in_unprotected_area(void **state)
{
    static const uint16_t policy[] = {IFU_TLV_SEC_CNT, IFU_TLV_DEPENDENCY, IFU_TLV_BOOT_RECORD,
                                      0xa0};
    (void)state;
    for (size_t i = 0; i < sizeof policy / sizeof policy[0]; i++) {
        const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL}, {policy[i], 4, NULL}};
        uint32_t len = build(&(struct tu_craft){.unprot = un, .n_unprot = 2});
        assert_int_equal(verify_hash_only(len), IFU_ETLVAREA);
    }
}

static void test_verify_rejects_check_tlv_in_protected_area(void **state)
{
    static const struct tu_tlv checks[] = {{IFU_TLV_SHA256, 32, NULL},
                                           {IFU_TLV_KEYHASH, 32, NULL},
                                           {IFU_TLV_ED25519, 64, NULL},
                                           {IFU_TLV_SIG_PURE, 1, NULL}};
    (void)state;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        uint32_t len = build(&(struct tu_craft){
            .prot = &checks[i], .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(verify_hash_only(len), IFU_ETLVAREA);
    }
}

static void test_verify_reads_security_counter_and_custom_protected_tlvs(void **state)
{
    static const uint8_t cnt[4] = {0x2a, 0, 0, 1};
    const struct tu_tlv prot[] = {{IFU_TLV_SEC_CNT, 4, cnt}, {0xa0, 0, NULL}, {0xa5, 300, NULL}};
    struct ifu_image_info info;
    (void)state;
    uint32_t len = build(&(struct tu_craft){
        .img_size = 100, .prot = prot, .n_prot = 3, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(tu_verify_buf(img, len, NULL, 0, 3, &info), 0);
    assert_int_equal(info.has_sec_cnt, 1);
    assert_int_equal(info.sec_cnt, 0x0100002a);
    assert_int_equal(info.total_size, len);
    assert_int_equal(info.hash_alg, IFU_HASH_SHA256);
}

static void test_verify_rejects_duplicate_unique_tlvs(void **state)
{
    const struct tu_tlv two_cnt[] = {{IFU_TLV_SEC_CNT, 4, NULL}, {IFU_TLV_SEC_CNT, 4, NULL}};
    const struct tu_tlv two_hash[] = {{TU_AUTO_HASH, 32, NULL}, {TU_AUTO_HASH, 32, NULL}};
    static const uint8_t one = 1;
    const struct tu_tlv two_pure[] = {
        {TU_AUTO_HASH, 32, NULL}, {IFU_TLV_SIG_PURE, 1, &one}, {IFU_TLV_SIG_PURE, 1, &one}};
    (void)state;
    uint32_t len =
        build(&(struct tu_craft){.prot = two_cnt, .n_prot = 2, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), IFU_ETLVDUP);
    len = build(&(struct tu_craft){.unprot = two_hash, .n_unprot = 2});
    assert_int_equal(verify_hash_only(len), IFU_ETLVDUP);
    len = build(&(struct tu_craft){.unprot = two_pure, .n_unprot = 3});
    assert_int_equal(verify_hash_only(len), IFU_ETLVDUP);
}

static void test_verify_rejects_tlv_with_wrong_length_for_its_type(void **state)
{
    const struct tu_tlv bad_cnt[] = {{IFU_TLV_SEC_CNT, 3, NULL}};
    const struct tu_tlv bad_hash[] = {{IFU_TLV_SHA256, 31, NULL}};
    const struct tu_tlv bad_keyhash[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_KEYHASH, 20, NULL}};
    const struct tu_tlv empty_sig[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_RSA2048_PSS, 0, NULL}};
    (void)state;
    uint32_t len =
        build(&(struct tu_craft){.prot = bad_cnt, .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
    len = build(&(struct tu_craft){.unprot = bad_hash, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
    len = build(&(struct tu_craft){.unprot = bad_keyhash, .n_unprot = 2});
    assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
    len = build(&(struct tu_craft){.unprot = empty_sig, .n_unprot = 2});
    assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
}

/* Regression: any SIG_PURE value byte was taken as "pure"; the tamper census
 * found the 8 bits of that byte to be the only unauthenticated ones. */
static void test_verify_rejects_sig_pure_value_other_than_1(void **state)
{
    (void)state;
    for (unsigned val = 0; val < 256; val++) {
        const uint8_t b = (uint8_t)val;
        const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_SIG_PURE, 1, &b}};
        uint32_t len = build(&(struct tu_craft){.unprot = un, .n_unprot = 2});
        assert_int_equal(verify_hash_only(len), val == 1 ? 0 : IFU_ETLVVALUE);
    }
}

static void test_verify_rejects_fixed_size_tlvs_of_other_sizes(void **state)
{
    static const struct tu_tlv prot_bad[] = {{IFU_TLV_DEPENDENCY, 11, NULL},
                                             {IFU_TLV_DEPENDENCY, 13, NULL},
                                             {IFU_TLV_UUID_VID, 15, NULL},
                                             {IFU_TLV_UUID_CID, 17, NULL}};
    static const struct tu_tlv unprot_bad[] = {
        {IFU_TLV_RSA2048_PSS, 255, NULL}, {IFU_TLV_RSA3072_PSS, 256, NULL},
        {IFU_TLV_ECDSA_SIG, 7, NULL},     {IFU_TLV_ECDSA_SIG, 105, NULL},
        {IFU_TLV_ED25519, 63, NULL},      {IFU_TLV_SHA512, 48, NULL}};
    (void)state;
    for (size_t i = 0; i < sizeof prot_bad / sizeof prot_bad[0]; i++) {
        uint32_t len = build(&(struct tu_craft){
            .prot = &prot_bad[i], .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
    }
    for (size_t i = 0; i < sizeof unprot_bad / sizeof unprot_bad[0]; i++) {
        const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL}, unprot_bad[i]};
        uint32_t len = build(&(struct tu_craft){.unprot = un, .n_unprot = 2});
        assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
    }
    /* The boundary sizes themselves are accepted by the parser. */
    const struct tu_tlv ok[] = {
        {TU_AUTO_HASH, 32, NULL}, {IFU_TLV_ECDSA_SIG, 8, NULL}, {IFU_TLV_ECDSA_SIG, 104, NULL}};
    uint32_t len = build(&(struct tu_craft){.unprot = ok, .n_unprot = 3});
    assert_int_equal(verify_hash_only(len), 0);
}

static void test_verify_rejects_key_hash_of_another_size_than_image_hash(void **state)
{
    const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_KEYHASH, 48, NULL}};
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = un, .n_unprot = 2});
    assert_int_equal(verify_hash_only(len), IFU_ETLVLEN);
}

static void test_verify_allows_one_key_wrap_and_one_of_each_policy_tlv(void **state)
{
    const struct tu_tlv two_enc[] = {
        {TU_AUTO_HASH, 32, NULL}, {IFU_TLV_ENC_KW, 24, NULL}, {IFU_TLV_ENC_EC256, 113, NULL}};
    static const uint16_t once[] = {
        IFU_TLV_BOOT_RECORD, IFU_TLV_UUID_VID,         IFU_TLV_UUID_CID,     IFU_TLV_DECOMP_SIZE,
        IFU_TLV_DECOMP_SHA,  IFU_TLV_DECOMP_SIGNATURE, IFU_TLV_COMP_DEC_SIZE};
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = two_enc, .n_unprot = 3});
    assert_int_equal(verify_hash_only(len), IFU_ETLVDUP);
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
        uint16_t n = once[i] == IFU_TLV_UUID_VID || once[i] == IFU_TLV_UUID_CID ? 16 : 4;
        const struct tu_tlv prot[] = {{once[i], n, NULL}, {once[i], n, NULL}};
        len = build(
            &(struct tu_craft){.prot = prot, .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(verify_hash_only(len), 0);
        len = build(
            &(struct tu_craft){.prot = prot, .n_prot = 2, .unprot = just_hash, .n_unprot = 1});
        assert_int_equal(verify_hash_only(len), IFU_ETLVDUP);
    }
    /* Dependencies may repeat. */
    const struct tu_tlv deps[] = {{IFU_TLV_DEPENDENCY, 12, NULL}, {IFU_TLV_DEPENDENCY, 12, NULL}};
    len = build(&(struct tu_craft){.prot = deps, .n_prot = 2, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), 0);
}

static void test_verify_rejects_tlv_past_its_area(void **state)
{
    const struct tu_tlv prot[] = {{0xa0, 8, NULL}};
    (void)state;
    /* Protected area declared 1 byte short: its last TLV overruns it. */
    uint32_t len = build(&(struct tu_craft){
        .prot = prot, .n_prot = 1, .prot_tot_delta = 0, .unprot = just_hash, .n_unprot = 1});
    ifu_put_le16(img + 10, (uint16_t)(ifu_get_le16(img + 10) - 1));
    ifu_put_le16(img + 32 + 2, (uint16_t)(ifu_get_le16(img + 32 + 2) - 1));
    assert_int_equal(verify_hash_only(len), IFU_ETLVBOUNDS);
    /* Unprotected info 1 byte short: the hash TLV overruns it. */
    len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    ifu_put_le16(img + 34, (uint16_t)(ifu_get_le16(img + 34) - 1));
    assert_int_equal(verify_hash_only(len), IFU_ETLVBOUNDS);
}

/* Regression: a TLV that ends 1..3 bytes before its area's end left a TLV
 * header that could never complete; ifu_image_verify() then spun forever
 * asking for 0 bytes. Found by the tamper census (a flipped signature length). */
static void test_verify_rejects_tlv_header_straddling_area_end(void **state)
{
    (void)state;
    for (uint16_t shortfall = 1; shortfall < 4; shortfall++) {
        const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL},
                                    {IFU_TLV_PUBKEY, (uint16_t)(64 - shortfall), NULL}};
        uint32_t len = build(&(struct tu_craft){.unprot = un, .n_unprot = 2});
        /* The info says the area is shortfall bytes longer than its TLVs. */
        ifu_put_le16(img + 34, (uint16_t)(ifu_get_le16(img + 34) + shortfall));
        memset(img + len, 0, 8);
        struct tu_mem mem = {.data = img, .len = len + shortfall};
        struct ifu_image_reader rd = {.read = tu_mem_read, .ctx = &mem};
        assert_int_equal(ifu_image_verify(&rd, len + shortfall, NULL, IFU_VERIFY_F_HASH_ONLY,
                                          IFU_HASHSET_ALL, NULL),
                         IFU_ETLVBOUNDS);
        assert_int_equal(tu_verify_buf(img, len + shortfall, NULL, 0, 1, NULL), IFU_ETLVBOUNDS);
    }
    /* The same inside the protected area, and right after an info header. */
    const struct tu_tlv prot[] = {{0xa0, 2, NULL}};
    uint32_t len =
        build(&(struct tu_craft){.prot = prot, .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
    (void)len;
    ifu_put_le16(img + 10, 4 + 3);
    ifu_put_le16(img + 34, 4 + 3);
    assert_int_equal(verify_hash_only(len), IFU_ETLVBOUNDS);
}

static void test_verify_rejects_bad_tlv_info(void **state)
{
    const struct tu_tlv prot[] = {{0xa0, 4, NULL}};
    (void)state;
    uint32_t len = build(&(struct tu_craft){
        .prot = prot, .n_prot = 1, .prot_tot_delta = 4, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), IFU_ETLVINFO);
    len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1, .unprot_magic = 0x6908});
    assert_int_equal(verify_hash_only(len), IFU_ETLVINFO);
    /* Unprotected info shorter than itself. */
    len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    ifu_put_le16(img + 34, 3);
    assert_int_equal(verify_hash_only(len), IFU_ETLVINFO);
}

static void test_verify_rejects_missing_or_wrong_hash(void **state)
{
    static const uint8_t zeros[32];
    const struct tu_tlv wrong[] = {{IFU_TLV_SHA256, 32, zeros}};
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = NULL, .n_unprot = 0});
    assert_int_equal(verify_hash_only(len), IFU_ENOHASH);
    len = build(&(struct tu_craft){.unprot = wrong, .n_unprot = 1});
    assert_int_equal(verify_hash_only(len), IFU_EHASH);
    /* Flip one payload byte of a correct image. */
    len = build(&(struct tu_craft){.img_size = 10, .unprot = just_hash, .n_unprot = 1});
    img[40] ^= 0x10;
    assert_int_equal(verify_hash_only(len), IFU_EHASH);
}

static void test_verify_rejects_hash_alg_outside_hashset(void **state)
{
    struct ifu_verify v;
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    assert_int_equal(
        ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET(IFU_HASH_SHA384), 0, NULL),
        0);
    assert_int_equal(ifu_verify_update(&v, img, len), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), IFU_EUNSUPPORTED);
}

static void test_verify_ignores_bytes_after_tlv_area(void **state)
{
    struct ifu_verify v;
    (void)state;
    uint32_t len = build(&(struct tu_craft){.img_size = 5, .unprot = just_hash, .n_unprot = 1});
    memset(img + len, 0x77, 100);
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL),
                     0);
    assert_int_equal(ifu_verify_done(&v), 0);
    assert_int_equal(ifu_verify_update(&v, img, len + 100), 0);
    assert_int_equal(ifu_verify_done(&v), 1);
    assert_int_equal(ifu_verify_remaining(&v), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), 0);
    /* Finished: the context refuses further use. */
    assert_int_equal(ifu_verify_update(&v, img, 1), IFU_ESTATE);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), IFU_ESTATE);
}

static void test_verify_rejects_every_truncation(void **state)
{
    const struct tu_tlv prot[] = {{IFU_TLV_SEC_CNT, 4, NULL}};
    (void)state;
    uint32_t len = build(&(struct tu_craft){
        .img_size = 50, .prot = prot, .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
    for (uint32_t cut = 0; cut < len; cut++) {
        assert_int_equal(verify_hash_only(cut), IFU_ETRUNC);
    }
    assert_int_equal(verify_hash_only(len), 0);
}

static void test_verify_remaining_counts_down_to_zero(void **state)
{
    struct ifu_verify v;
    (void)state;
    uint32_t len = build(&(struct tu_craft){.img_size = 20, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL),
                     0);
    for (uint32_t off = 0; off < len; off++) {
        uint32_t rem = ifu_verify_remaining(&v);
        /* Never more than what is left, never 0 before the end. */
        assert_true(rem >= 1 && rem <= len - off);
        assert_int_equal(ifu_verify_update(&v, img + off, 1), 0);
    }
    assert_int_equal(ifu_verify_remaining(&v), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), 0);
}

struct seen {
    unsigned count;
    uint16_t type[8];
    uint32_t off[8];
    int prot[8];
};

static void record(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off)
{
    struct seen *s = ctx;
    (void)len;
    if (s->count < 8) {
        s->type[s->count] = type;
        s->off[s->count] = off;
        s->prot[s->count] = prot;
    }
    s->count++;
}

static void test_verify_reports_each_tlv_to_observer(void **state)
{
    const struct tu_tlv prot[] = {{IFU_TLV_SEC_CNT, 4, NULL}, {0xa1, 2, NULL}};
    struct seen s = {0};
    struct ifu_tlv_observer obs = {.on_tlv = record, .ctx = &s};
    struct ifu_verify v;
    (void)state;
    uint32_t len = build(&(struct tu_craft){
        .img_size = 8, .prot = prot, .n_prot = 2, .unprot = just_hash, .n_unprot = 1});
    assert_int_equal(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, &obs),
                     0);
    assert_int_equal(ifu_verify_update(&v, img, len), 0);
    assert_int_equal(ifu_verify_finish(&v, NULL, NULL), 0);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.type[0], IFU_TLV_SEC_CNT);
    assert_int_equal(s.off[0], 32 + 8 + 4 + 4);
    assert_int_equal(s.prot[0], 1);
    assert_int_equal(s.type[1], 0xa1);
    assert_int_equal(s.off[1], 32 + 8 + 4 + 8 + 4);
    assert_int_equal(s.type[2], IFU_TLV_SHA256);
    assert_int_equal(s.prot[2], 0);
}

static void test_verify_with_keys_rejects_unsigned_image(void **state)
{
    static const uint8_t key[44] = {0x30, 0x2a};
    (void)state;
    uint32_t len = build(&(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    assert_int_equal(tu_verify_buf(img, len, key, sizeof key, 0, NULL), IFU_ENOSIG);
    /* A key hash that names no trusted key. */
    const struct tu_tlv kh[] = {
        {TU_AUTO_HASH, 32, NULL}, {IFU_TLV_KEYHASH, 32, NULL}, {IFU_TLV_ED25519, 64, NULL}};
    len = build(&(struct tu_craft){.unprot = kh, .n_unprot = 3});
    assert_int_equal(tu_verify_buf(img, len, key, sizeof key, 0, NULL), IFU_ENOKEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_header_rejects_bad_magic),
        cmocka_unit_test(test_parse_header_rejects_hdr_size_below_32),
        cmocka_unit_test(test_parse_header_rejects_prot_area_smaller_than_its_info),
        cmocka_unit_test(test_parse_header_rejects_sizes_that_wrap_32_bits),
        cmocka_unit_test(test_parse_header_rejects_contradictory_or_undefined_flags),
        cmocka_unit_test(test_version_cmp_ignores_build_number),
        cmocka_unit_test(test_verify_begin_requires_keys_or_explicit_hash_only),
        cmocka_unit_test(test_verify_accepts_minimal_image),
        cmocka_unit_test(test_verify_rejects_image_larger_than_max_size_after_header),
        cmocka_unit_test(test_verify_rejects_encrypted_and_compressed_images),
        cmocka_unit_test(test_verify_rejects_policy_tlv_in_unprotected_area),
        cmocka_unit_test(test_verify_rejects_check_tlv_in_protected_area),
        cmocka_unit_test(test_verify_reads_security_counter_and_custom_protected_tlvs),
        cmocka_unit_test(test_verify_rejects_duplicate_unique_tlvs),
        cmocka_unit_test(test_verify_rejects_tlv_with_wrong_length_for_its_type),
        cmocka_unit_test(test_verify_rejects_sig_pure_value_other_than_1),
        cmocka_unit_test(test_verify_rejects_fixed_size_tlvs_of_other_sizes),
        cmocka_unit_test(test_verify_rejects_key_hash_of_another_size_than_image_hash),
        cmocka_unit_test(test_verify_allows_one_key_wrap_and_one_of_each_policy_tlv),
        cmocka_unit_test(test_verify_rejects_tlv_past_its_area),
        cmocka_unit_test(test_verify_rejects_tlv_header_straddling_area_end),
        cmocka_unit_test(test_verify_rejects_bad_tlv_info),
        cmocka_unit_test(test_verify_rejects_missing_or_wrong_hash),
        cmocka_unit_test(test_verify_rejects_hash_alg_outside_hashset),
        cmocka_unit_test(test_verify_ignores_bytes_after_tlv_area),
        cmocka_unit_test(test_verify_rejects_every_truncation),
        cmocka_unit_test(test_verify_remaining_counts_down_to_zero),
        cmocka_unit_test(test_verify_reports_each_tlv_to_observer),
        cmocka_unit_test(test_verify_with_keys_rejects_unsigned_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
