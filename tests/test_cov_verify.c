/* Corners of the streaming verifier (src/image_verify.c) the image tests do not reach: the
 * answers to misuse of the API (include/ifu/image.h), key and signature TLVs in an order or of
 * a size a signer never writes, keyrings that list a key twice or more than 32 keys, the "pure"
 * Ed25519 signature without a way to read the image back, and ECDSA with a digest no curve
 * goes with. The signed cases start from imgtool's images in shared/vectors/imgtool (skipped
 * without them) and rewrite only their unprotected TLV area, which no hash or signature covers,
 * so each verdict below is the verifier's rule at work, not a broken signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/image.h"
#include "testutil.h"
#include "tu_craft.h"

static uint8_t out[8192];

static const struct tu_tlv just_hash[] = {{TU_AUTO_HASH, 32, NULL}};

/* ---- misuse of the API ---- */

static void test_verify_api_misuse(void **state)
{
    (void)state;
    struct ifu_verify v;
    const struct ifu_keyring no_keys = {.keys = NULL, .count = 1};
    uint8_t byte = 0;

    assert_ifu(ifu_verify_begin(NULL, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL),
               IFU_EINVAL);
    /* Unknown flags and hash sets name nothing this build does: refused, not ignored. */
    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY | 0x80u, IFU_HASHSET_ALL, 0, NULL),
               IFU_EINVAL);
    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, 0, 0, NULL), IFU_EINVAL);
    assert_ifu(
        ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL | 0x8000u, 0, NULL),
        IFU_EINVAL);
    /* A keyring that claims a key but has no array is a provisioning bug. */
    assert_ifu(ifu_verify_begin(&v, &no_keys, 0, IFU_HASHSET_ALL, 0, NULL), IFU_EINVAL);
    /* The failed begin is sticky: every later call gives its error back. */
    assert_ifu(ifu_verify_set_revoked(&v, 1), IFU_EINVAL);
    assert_ifu(ifu_verify_update(&v, &byte, 1), IFU_EINVAL);
    assert_ifu(ifu_verify_done(&v), IFU_EINVAL);

    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL), 0);
    assert_ifu(ifu_verify_update(NULL, &byte, 1), IFU_EINVAL);
    assert_ifu(ifu_verify_update(&v, NULL, 1), IFU_EINVAL);
    assert_ifu(ifu_verify_update(&v, NULL, 0), 0); /* nothing to take */
    assert_ifu(ifu_verify_set_revoked(&v, 1), 0);
    assert_ifu(ifu_verify_update(&v, &byte, 1), 0);
    /* Revocations apply from the first byte on, never halfway. */
    assert_ifu(ifu_verify_set_revoked(&v, 1), IFU_ESTATE);
    uint32_t len =
        tu_craft(out, sizeof out, &(struct tu_craft){.unprot = just_hash, .n_unprot = 1});
    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL), 0);
    assert_ifu(ifu_verify_update(&v, out, IFU_IMAGE_HEADER_SIZE + 2), 0);
    assert_ifu(ifu_verify_set_revoked(&v, 1), IFU_ESTATE);
    assert_ifu(
        ifu_verify_update(&v, out + IFU_IMAGE_HEADER_SIZE + 2, len - IFU_IMAGE_HEADER_SIZE - 2), 0);
    assert_ifu(ifu_verify_finish(&v, NULL, NULL), 0);
    assert_ifu(ifu_verify_finish(NULL, NULL, NULL), IFU_EINVAL);
    ifu_verify_abort(NULL); /* ignored */
    ifu_verify_abort(&v);
    assert_ifu(ifu_verify_update(&v, &byte, 1), IFU_ESTATE);

    const struct ifu_image_reader no_read = {.read = NULL, .ctx = NULL};
    assert_ifu(ifu_image_verify(NULL, 64, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, NULL),
               IFU_EINVAL);
    assert_ifu(ifu_image_verify(&no_read, 64, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, NULL),
               IFU_EINVAL);
}

/* While the unprotected info header arrives, remaining() counts its missing bytes: a reader
 * asked for exactly that much never reads past it before the area's length is known. */
static void test_remaining_inside_unprotected_info(void **state)
{
    (void)state;
    struct ifu_verify v;
    uint32_t len = tu_craft(out, sizeof out,
                            &(struct tu_craft){.img_size = 10, .unprot = just_hash, .n_unprot = 1});
    const uint32_t info = 32 + 10;

    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL), 0);
    assert_ifu(ifu_verify_update(&v, out, info), 0);
    for (uint32_t i = 0; i < IFU_TLV_INFO_SIZE; i++) {
        assert_int_equal(ifu_verify_remaining(&v), IFU_TLV_INFO_SIZE - i);
        assert_ifu(ifu_verify_update(&v, out + info + i, 1), 0);
    }
    /* The info is in: the rest of the area, to the byte. */
    assert_int_equal(ifu_verify_remaining(&v), len - info - IFU_TLV_INFO_SIZE);
    assert_ifu(ifu_verify_update(&v, out + info + 4, len - info - 4), 0);
    assert_int_equal(ifu_verify_done(&v), 1);
    assert_ifu(ifu_verify_finish(&v, NULL, NULL), 0);
}

/* Before the protected area's info is in, remaining() counts to the unprotected info's end,
 * the least the image can still hold. */
static void test_remaining_inside_protected_info(void **state)
{
    (void)state;
    struct ifu_verify v;
    const struct tu_tlv prot[] = {{0xa0, 8, NULL}};
    uint32_t len =
        tu_craft(out, sizeof out,
                 &(struct tu_craft){.prot = prot, .n_prot = 1, .unprot = just_hash, .n_unprot = 1});
    const uint32_t prot_start = 32;
    const uint32_t signed_end = prot_start + 4 + 4 + 8;

    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, NULL), 0);
    assert_ifu(ifu_verify_update(&v, out, prot_start), 0);
    for (uint32_t i = 0; i < IFU_TLV_INFO_SIZE; i++) {
        assert_int_equal(ifu_verify_remaining(&v), signed_end + IFU_TLV_INFO_SIZE - prot_start - i);
        assert_ifu(ifu_verify_update(&v, out + prot_start + i, 1), 0);
    }
    assert_ifu(ifu_verify_update(&v, out + prot_start + 4, len - prot_start - 4), 0);
    assert_ifu(ifu_verify_finish(&v, NULL, NULL), 0);
}

/* An observer with no callback observes nothing and changes nothing. */
static void test_observer_without_callback(void **state)
{
    (void)state;
    struct ifu_verify v;
    const struct ifu_tlv_observer quiet = {.on_tlv = NULL, .ctx = NULL};
    uint32_t len =
        tu_craft(out, sizeof out, &(struct tu_craft){.unprot = just_hash, .n_unprot = 1});

    assert_ifu(ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, &quiet), 0);
    assert_ifu(ifu_verify_update(&v, out, len), 0);
    assert_ifu(ifu_verify_finish(&v, NULL, NULL), 0);
}

/* A reader that fails on its call number fail_at (1-based); its error comes back unchanged. */
struct failing_reader {
    struct tu_mem mem;
    unsigned calls;
    unsigned fail_at;
};

static int failing_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct failing_reader *r = ctx;
    if (++r->calls == r->fail_at) {
        return IFU_EIO;
    }
    return tu_mem_read(&r->mem, off, buf, len);
}

static void test_image_verify_reader_error(void **state)
{
    (void)state;
    uint32_t len = tu_craft(
        out, sizeof out, &(struct tu_craft){.img_size = 600, .unprot = just_hash, .n_unprot = 1});
    for (unsigned at = 1; at <= 4; at++) {
        struct failing_reader r = {.mem = {out, len}, .fail_at = at};
        const struct ifu_image_reader rd = {.read = failing_read, .ctx = &r};
        struct ifu_image_info info;
        memset(&info, 0x5a, sizeof info);
        assert_ifu(ifu_image_verify(&rd, len, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, &info),
                   IFU_EIO);
        /* No verdict: no size, no digest, no key. */
        assert_int_equal(info.total_size, 0);
        assert_int_equal(info.hash_alg, IFU_HASH_NONE);
        assert_int_equal(info.key_index, -1);
    }
    struct failing_reader ok = {.mem = {out, len}, .fail_at = 0};
    const struct ifu_image_reader rd = {.read = failing_read, .ctx = &ok};
    assert_ifu(ifu_image_verify(&rd, len, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, NULL), 0);
}

/* A key TLV with no key, and a signature TLV with no signature, are malformed whatever the
 * algorithm; a non-empty deprecated ECDSA-224 TLV is merely ignored by a hash-only check. */
static void test_empty_key_and_signature_tlvs(void **state)
{
    (void)state;
    const struct tu_tlv empty_pub[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_PUBKEY, 0, NULL}};
    const struct tu_tlv empty_224[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_ECDSA224, 0, NULL}};
    const struct tu_tlv some_224[] = {{TU_AUTO_HASH, 32, NULL}, {IFU_TLV_ECDSA224, 5, NULL}};
    uint32_t len;

    len = tu_craft(out, sizeof out, &(struct tu_craft){.unprot = empty_pub, .n_unprot = 2});
    assert_ifu(tu_verify_ring(out, len, NULL, 0, NULL), IFU_ETLVLEN);
    len = tu_craft(out, sizeof out, &(struct tu_craft){.unprot = empty_224, .n_unprot = 2});
    assert_ifu(tu_verify_ring(out, len, NULL, 0, NULL), IFU_ETLVLEN);
    len = tu_craft(out, sizeof out, &(struct tu_craft){.unprot = some_224, .n_unprot = 2});
    assert_ifu(tu_verify_ring(out, len, NULL, 0, NULL), 0);
}

/* ---- signed images from shared/vectors/imgtool ---- */

struct blob {
    uint8_t *data;
    uint32_t len;
};

static struct blob load(const char *rel, int pubkey)
{
    struct blob b;
    const char *path = tu_vector_path("imgtool", rel);
    b.data = pubkey ? tu_load_pubkey(path, &b.len) : tu_read_file(path, &b.len);
    if (b.data == NULL) {
        fail_msg("cannot read %s", path);
    }
    return b;
}

static struct blob ed_img, ed_full, ed_pure, p256_img, ed_key, ed_other, p256_key;

static int setup(void **state)
{
    (void)state;
    tu_require_vectors("imgtool");
    ed_img = load("good/ed25519-basic.bin", 0);
    ed_full = load("good/ed25519-full-scauto.bin", 0);
    ed_pure = load("good/ed25519-pure.bin", 0);
    p256_img = load("good/p256-1byte.bin", 0);
    ed_key = load("keys/ed25519.pub.pem", 1);
    ed_other = load("keys/ed25519-other.pub.pem", 1);
    p256_key = load("keys/ecdsa-p256.pub.pem", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct blob *all[] = {&ed_img, &ed_full, &ed_pure, &p256_img, &ed_key, &ed_other, &p256_key};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        free(all[i]->data);
    }
    return 0;
}

static struct ifu_key key_of(const struct blob *b)
{
    struct ifu_key k = {.pub = b->data, .pub_len = b->len};
    return k;
}

/* Verify img against the keys listed, none revoked; the key index in *index. */
static int verify_with(const uint8_t *img, uint32_t len, const struct ifu_key *keys, uint32_t count,
                       int32_t *index)
{
    const struct ifu_keyring ring = {.keys = keys, .count = count};
    struct ifu_image_info info;
    int err = tu_verify_ring(img, len, &ring, 0, &info);
    if (index != NULL) {
        *index = err ? -1 : info.key_index;
    }
    return err;
}

/* b with its unprotected area replaced by the n TLVs un, verified against the keys listed. */
static int verify_retlv(const struct blob *b, const struct tu_tlv *un, size_t n,
                        const struct ifu_key *keys, uint32_t count, int32_t *index)
{
    uint32_t len = tu_craft_retlv(out, sizeof out, b->data, b->len, un, n);
    return verify_with(out, len, keys, count, index);
}

/* The value of a TLV of the (unchanged) signed image b. */
static struct tu_tlv tlv_of(const struct blob *b, uint16_t type)
{
    struct tu_tlv t = {.type = type};
    t.val = tu_craft_tlv(b->data, b->len, type, &t.len);
    return t;
}

/* A key listed twice, by KEYHASH and by PUBKEY: the first entry that holds it is the one the
 * image names, and its signature is checked once. */
static void test_keyring_lists_a_key_twice(void **state)
{
    (void)state;
    const struct ifu_key twice[] = {key_of(&ed_key), key_of(&ed_key)};
    const struct ifu_key later[] = {key_of(&ed_other), key_of(&ed_key), key_of(&ed_key)};
    int32_t index;

    assert_ifu(verify_with(ed_img.data, ed_img.len, twice, 2, &index), 0);
    assert_int_equal(index, 0);
    assert_ifu(verify_with(ed_full.data, ed_full.len, twice, 2, &index), 0);
    assert_int_equal(index, 0);
    assert_ifu(verify_with(ed_img.data, ed_img.len, later, 3, &index), 0);
    assert_int_equal(index, 1);
    assert_ifu(verify_with(ed_full.data, ed_full.len, later, 3, &index), 0);
    assert_int_equal(index, 1);
    /* An empty keyring is a keyring: it trusts no key. */
    assert_ifu(verify_with(ed_img.data, ed_img.len, NULL, 0, NULL), IFU_ENOKEY);
}

/* The signature belongs to the first trusted key named before it: a second key TLV after it,
 * by hash or in full, neither replaces the key nor takes the signature. */
static void test_second_key_tlv_after_a_trusted_one(void **state)
{
    (void)state;
    const struct ifu_key ring[] = {key_of(&ed_key), key_of(&ed_other)};
    uint8_t other_hash[IFU_HASH_MAX_SIZE];
    int32_t index;
    assert_ifu(ifu_hash_oneshot(IFU_HASH_SHA256, ed_other.data, ed_other.len, other_hash), 0);

    const struct tu_tlv by_hash[] = {{TU_AUTO_HASH, 32, NULL},
                                     tlv_of(&ed_img, IFU_TLV_KEYHASH),
                                     {IFU_TLV_KEYHASH, 32, other_hash},
                                     tlv_of(&ed_img, IFU_TLV_ED25519)};
    assert_ifu(verify_retlv(&ed_img, by_hash, 4, ring, 2, &index), 0);
    assert_int_equal(index, 0);

    const struct tu_tlv in_full[] = {{TU_AUTO_HASH, 32, NULL},
                                     tlv_of(&ed_img, IFU_TLV_KEYHASH),
                                     {IFU_TLV_PUBKEY, (uint16_t)ed_other.len, ed_other.data},
                                     tlv_of(&ed_img, IFU_TLV_ED25519)};
    assert_ifu(verify_retlv(&ed_img, in_full, 4, ring, 2, &index), 0);
    assert_int_equal(index, 0);
}

/* A signature TLV larger than any signature after a trusted key is not that key's signature:
 * it uses up the key, and the real signature after it is no longer by a named key. */
static void test_oversize_signature_uses_up_the_key(void **state)
{
    (void)state;
    const struct ifu_key ring[] = {key_of(&ed_key)};
    const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL},
                                tlv_of(&ed_img, IFU_TLV_KEYHASH),
                                {IFU_TLV_ECDSA224, IFU_MAX_SIG_SIZE + 1, NULL},
                                tlv_of(&ed_img, IFU_TLV_ED25519)};
    assert_ifu(verify_retlv(&ed_img, un, 4, ring, 1, NULL), IFU_ENOSIG);
}

/* A PUBKEY TLV larger than any key the port takes matches no trusted key. */
static void test_oversize_pubkey_matches_nothing(void **state)
{
    (void)state;
    const struct ifu_key ring[] = {key_of(&ed_key)};
    const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL},
                                {IFU_TLV_PUBKEY, IFU_MAX_PUBKEY_SIZE + 1, NULL},
                                tlv_of(&ed_img, IFU_TLV_ED25519)};
    assert_ifu(verify_retlv(&ed_img, un, 3, ring, 1, NULL), IFU_ENOKEY);
}

/* The revocation mask has 32 bits (include/ifu/image.h): keys 0..31 can be revoked, a key at
 * index 32 or later cannot, whatever the mask says. */
static void test_revocation_mask_covers_32_keys(void **state)
{
    (void)state;
    struct ifu_key keys[33];
    struct ifu_image_info info;
    for (size_t i = 0; i < 33; i++) {
        keys[i] = key_of(&ed_other);
    }
    keys[32] = key_of(&ed_key);
    const struct ifu_keyring ring33 = {.keys = keys, .count = 33};
    assert_ifu(tu_verify_ring(ed_img.data, ed_img.len, &ring33, 0xffffffffu, &info), 0);
    assert_int_equal(info.key_index, 32);

    keys[31] = key_of(&ed_key);
    const struct ifu_keyring ring32 = {.keys = keys, .count = 32};
    assert_ifu(tu_verify_ring(ed_img.data, ed_img.len, &ring32, 1u << 31, NULL), IFU_EREVOKED);
    assert_ifu(tu_verify_ring(ed_img.data, ed_img.len, &ring32, 1u << 30, &info), 0);
    assert_int_equal(info.key_index, 31);
}

/* SIG_PURE says the signature covers the image bytes themselves, which only an Ed25519
 * signature can (docs/FORMAT.md): with an ECDSA signature, or with an Ed25519 signature made
 * over the digest, the image is refused. */
static void test_sig_pure_with_a_digest_signature(void **state)
{
    (void)state;
    const uint8_t one = 1;
    const struct ifu_key ed_ring[] = {key_of(&ed_key)};
    const struct ifu_key p256_ring[] = {key_of(&p256_key)};

    const struct tu_tlv ed[] = {{TU_AUTO_HASH, 32, NULL},
                                {IFU_TLV_SIG_PURE, 1, &one},
                                tlv_of(&ed_img, IFU_TLV_KEYHASH),
                                tlv_of(&ed_img, IFU_TLV_ED25519)};
    assert_ifu(verify_with(ed_img.data, ed_img.len, ed_ring, 1, NULL), 0);
    assert_ifu(verify_retlv(&ed_img, ed, 4, ed_ring, 1, NULL), IFU_ESIG);

    const struct tu_tlv ec[] = {{TU_AUTO_HASH, 32, NULL},
                                {IFU_TLV_SIG_PURE, 1, &one},
                                tlv_of(&p256_img, IFU_TLV_KEYHASH),
                                tlv_of(&p256_img, IFU_TLV_ECDSA_SIG)};
    assert_ifu(verify_with(p256_img.data, p256_img.len, p256_ring, 1, NULL), 0);
    assert_ifu(verify_retlv(&p256_img, ec, 4, p256_ring, 1, NULL), IFU_ESIG);
}

/* A pure signature is checked over the image read back through the reader finish gets: with
 * none it cannot be checked (IFU_EUNSUPPORTED), and a reader's error is returned as is. */
static void test_pure_signature_needs_a_reader(void **state)
{
    (void)state;
    const struct ifu_key k = key_of(&ed_key);
    const struct ifu_keyring ring = {.keys = &k, .count = 1};
    const struct ifu_image_reader no_read = {.read = NULL, .ctx = NULL};
    struct failing_reader fr = {.mem = {ed_pure.data, ed_pure.len}, .fail_at = 1};
    const struct ifu_image_reader failing = {.read = failing_read, .ctx = &fr};
    const struct ifu_image_reader *readers[] = {NULL, &no_read, &failing};
    const int want[] = {IFU_EUNSUPPORTED, IFU_EUNSUPPORTED, IFU_EIO};

    for (size_t i = 0; i < 3; i++) {
        struct ifu_verify v;
        assert_ifu(ifu_verify_begin(&v, &ring, 0, IFU_HASHSET_ALL, 0, NULL), 0);
        assert_ifu(ifu_verify_update(&v, ed_pure.data, ed_pure.len), 0);
        assert_ifu(ifu_verify_finish(&v, readers[i], NULL), want[i]);
    }
    assert_ifu(verify_with(ed_pure.data, ed_pure.len, &k, 1, NULL), 0);
}

/* ECDSA names its curve by the image digest: SHA-256 for P-256, SHA-384 for P-384. An ECDSA
 * signature on a SHA-512 image has no curve (MCUboot has none either). */
static void test_ecdsa_on_a_sha512_image(void **state)
{
    (void)state;
    const struct ifu_key ring[] = {key_of(&p256_key)};
    uint8_t kh[IFU_HASH_MAX_SIZE];
    assert_ifu(ifu_hash_oneshot(IFU_HASH_SHA512, p256_key.data, p256_key.len, kh), 0);
    const struct tu_tlv un[] = {
        {TU_AUTO_HASH, 64, NULL}, {IFU_TLV_KEYHASH, 64, kh}, tlv_of(&p256_img, IFU_TLV_ECDSA_SIG)};
    assert_ifu(verify_retlv(&p256_img, un, 3, ring, 1, NULL), IFU_EUNSUPPORTED);
}

/* Only zero bytes after a short-form DER sequence count as imgtool's padding; a long-form
 * length is not unpadded but handed to the port whole, which refuses it as non-DER. */
static void test_ecdsa_long_form_length_is_refused(void **state)
{
    (void)state;
    const struct ifu_key ring[] = {key_of(&p256_key)};
    struct tu_tlv sig = tlv_of(&p256_img, IFU_TLV_ECDSA_SIG);
    uint8_t ber[IFU_MAX_SIG_SIZE];
    assert_true(sig.val[1] < 0x80 && sig.len == sig.val[1] + 2u);
    /* 30 81 LL ...: the same sequence with a long-form length, then one zero byte. */
    ber[0] = 0x30;
    ber[1] = 0x81;
    ber[2] = sig.val[1];
    memcpy(ber + 3, sig.val + 2, sig.len - 2u);
    ber[sig.len + 1] = 0;
    const struct tu_tlv un[] = {{TU_AUTO_HASH, 32, NULL},
                                tlv_of(&p256_img, IFU_TLV_KEYHASH),
                                {IFU_TLV_ECDSA_SIG, (uint16_t)(sig.len + 2), ber}};
    assert_ifu(verify_retlv(&p256_img, un, 3, ring, 1, NULL), IFU_ESIG);
}

int main(void)
{
    const struct CMUnitTest unsigned_tests[] = {
        cmocka_unit_test(test_verify_api_misuse),
        cmocka_unit_test(test_remaining_inside_unprotected_info),
        cmocka_unit_test(test_remaining_inside_protected_info),
        cmocka_unit_test(test_observer_without_callback),
        cmocka_unit_test(test_image_verify_reader_error),
        cmocka_unit_test(test_empty_key_and_signature_tlvs),
    };
    const struct CMUnitTest signed_tests[] = {
        cmocka_unit_test(test_keyring_lists_a_key_twice),
        cmocka_unit_test(test_second_key_tlv_after_a_trusted_one),
        cmocka_unit_test(test_oversize_signature_uses_up_the_key),
        cmocka_unit_test(test_oversize_pubkey_matches_nothing),
        cmocka_unit_test(test_revocation_mask_covers_32_keys),
        cmocka_unit_test(test_sig_pure_with_a_digest_signature),
        cmocka_unit_test(test_pure_signature_needs_a_reader),
        cmocka_unit_test(test_ecdsa_on_a_sha512_image),
        cmocka_unit_test(test_ecdsa_long_form_length_is_refused),
    };
    int failed = cmocka_run_group_tests_name("unsigned", unsigned_tests, NULL, NULL);
    if (failed) {
        return failed; /* before the signed group can skip */
    }
    return cmocka_run_group_tests_name("signed", signed_tests, setup, teardown);
}
