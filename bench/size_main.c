/* size_main: the smallest Cortex-M program around one image check, so that
 * the linker (--gc-sections) keeps exactly what a bootloader would link.
 * Built by bench/CMakeLists.txt in a cross build, measured by bench/size.sh;
 * never run. Exactly one SIZE_* macro selects what main() calls:
 *
 *   SIZE_IFU_P256, SIZE_IFU_RSA2048, SIZE_IFU_ED25519
 *       ifu_image_verify() over a memory-mapped slot with one trusted key of
 *       that algorithm: the real entry point of a bootloader.
 *   SIZE_FLOOR_SHA256
 *       mbedTLS SHA-256 over the slot and nothing else.
 *   SIZE_FLOOR_P256, SIZE_FLOOR_RSA2048, SIZE_FLOOR_ED25519
 *       SHA-256 over the slot, then that one signature check called directly
 *       on the crypto library, without ifu: the floor that no verifier using
 *       these libraries can go below.
 *
 * The key and signature bytes are placeholders of the real lengths: code
 * size does not depend on their values. */
#include <stdint.h>
#include <string.h>

#define SLOT_ADDR 0x08020000u /* a typical secondary slot on an STM32F4 */
#define SLOT_SIZE 0x00060000u /* bytes */

static const uint8_t *slot(void)
{
    return (const uint8_t *)(uintptr_t)SLOT_ADDR;
}

#if defined(SIZE_IFU_P256) + defined(SIZE_IFU_RSA2048) + defined(SIZE_IFU_ED25519) +               \
        defined(SIZE_FLOOR_SHA256) + defined(SIZE_FLOOR_P256) + defined(SIZE_FLOOR_RSA2048) +      \
        defined(SIZE_FLOOR_ED25519) !=                                                             \
    1
#error "size_main.c: define exactly one SIZE_* variant"
#endif

#if defined(SIZE_IFU_P256) || defined(SIZE_IFU_RSA2048) || defined(SIZE_IFU_ED25519)

#include "ifu/image.h"

/* Lengths of the key encodings imgtool embeds (ifu/crypto.h). */
#if defined(SIZE_IFU_P256)
#define KEY_LEN 91 /* SubjectPublicKeyInfo, P-256 uncompressed point */
#elif defined(SIZE_IFU_RSA2048)
#define KEY_LEN 270 /* PKCS#1 RSAPublicKey, 2048-bit modulus */
#else
#define KEY_LEN 44 /* SubjectPublicKeyInfo, Ed25519 */
#endif

static const uint8_t key[KEY_LEN] = {0x30};

static int slot_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    (void)ctx;
    memcpy(buf, slot() + off, len);
    return 0;
}

static int check(void)
{
    static const struct ifu_key trusted = {key, KEY_LEN, NULL};
    static const struct ifu_keyring ring = {&trusted, 1};
    const struct ifu_image_reader reader = {slot_read, NULL};
    struct ifu_image_info info;

    return ifu_image_verify(&reader, SLOT_SIZE, &ring, 0, IFU_HASHSET(IFU_HASH_SHA256), &info);
}

#else /* the SIZE_FLOOR_* variants: the crypto libraries called directly */

#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/sha256.h"

/* The image is taken to end at a fixed offset: no parsing in a floor. */
#define SIGNED_LEN (SLOT_SIZE - 512u)

static int hash_slot(uint8_t digest[32])
{
    mbedtls_sha256_context ctx;

    mbedtls_sha256_init(&ctx);
    int ret = mbedtls_sha256_starts(&ctx, 0);
    for (uint32_t off = 0; ret == 0 && off < SIGNED_LEN; off += 256u) {
        ret = mbedtls_sha256_update(&ctx, slot() + off, 256u);
    }
    if (ret == 0) {
        ret = mbedtls_sha256_finish(&ctx, digest);
    }
    mbedtls_sha256_free(&ctx);
    return ret;
}

#if defined(SIZE_FLOOR_SHA256)

static int check(void)
{
    uint8_t digest[32];
    return hash_slot(digest);
}

#elif defined(SIZE_FLOOR_P256)

#include "mbedtls/ecdsa.h"

static const uint8_t point[65] = {0x04}; /* uncompressed P-256 public key */
static const uint8_t sig[72] = {0x30};   /* DER ECDSA signature, at most 72 bytes */
static unsigned char heap[4096];

static int check(void)
{
    uint8_t digest[32];
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_ecdsa_context ec;

    mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecdsa_init(&ec);
    int ret = hash_slot(digest);
    if (ret == 0) {
        ret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    }
    if (ret == 0) {
        ret = mbedtls_ecp_point_read_binary(&grp, &q, point, sizeof point);
    }
    if (ret == 0) {
        ret = mbedtls_ecp_set_public_key(MBEDTLS_ECP_DP_SECP256R1, &ec, &q);
    }
    if (ret == 0) {
        ret = mbedtls_ecdsa_read_signature(&ec, digest, sizeof digest, sig, sizeof sig);
    }
    mbedtls_ecdsa_free(&ec);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return ret;
}

#elif defined(SIZE_FLOOR_RSA2048)

#include "mbedtls/rsa.h"

static const uint8_t modulus[256] = {0xc0};
static const uint8_t exponent[3] = {0x01, 0x00, 0x01};
static const uint8_t sig[256] = {0x01};
static unsigned char heap[4096];

static int check(void)
{
    uint8_t digest[32];
    mbedtls_rsa_context rsa;

    mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
    mbedtls_rsa_init(&rsa);
    int ret = hash_slot(digest);
    if (ret == 0) {
        ret = mbedtls_rsa_import_raw(&rsa, modulus, sizeof modulus, NULL, 0, NULL, 0, NULL, 0,
                                     exponent, sizeof exponent);
    }
    if (ret == 0) {
        ret = mbedtls_rsa_complete(&rsa);
    }
    if (ret == 0) {
        ret = mbedtls_rsa_rsassa_pss_verify_ext(&rsa, MBEDTLS_MD_SHA256, sizeof digest, digest,
                                                MBEDTLS_MD_SHA256, 32, sig);
    }
    mbedtls_rsa_free(&rsa);
    return ret;
}

#else /* SIZE_FLOOR_ED25519 */

#include "sodium/crypto_sign_ed25519.h"

static const uint8_t pub[32] = {0x01};
static const uint8_t sig[64] = {0x01};

static int check(void)
{
    uint8_t digest[32];
    int ret = hash_slot(digest);
    if (ret == 0) {
        ret = crypto_sign_ed25519_verify_detached(sig, digest, sizeof digest, pub);
    }
    return ret;
}

#endif
#endif

/* Stands in for the C runtime's start-up (-nostartfiles); the linker entry
 * point, so --gc-sections keeps what it reaches and nothing else. */
void Reset_Handler(void);

void Reset_Handler(void)
{
    volatile int verdict = check();
    (void)verdict;
    for (;;) {
    }
}
