/* Crypto port backend: SHA-2, RSA-PSS and ECDSA from mbedTLS 3.6.
 *
 * mbedTLS allocates bignums from the heap; this backend gives it a static
 * arena (MBEDTLS_MEMORY_BUFFER_ALLOC_C) so the device library never calls
 * malloc. Sizes measured in docs/DEPENDENCIES.md.
 *
 * Each algorithm is compiled only if its IFU_WITH_* macro (include/ifu/config.h)
 * is 1, and port/crypto/mbedtls_config.h turns the matching mbedTLS modules
 * off with it: nothing here refers to an algorithm that is compiled out, so
 * the linker has nothing of it to keep. */
#include <string.h>

#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#if IFU_WITH_P256M
#include "p256-m.h"
#endif
#if IFU_MBEDTLS_PK
#include "mbedtls/ecdsa.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/pk.h"
#include "mbedtls/rsa.h"
#endif

#include "ifu/crypto.h"
#include "ifu/errors.h"

#include "crypto_priv.h"
#include "util_priv.h"

/* Working memory for mbedTLS's bignums, bytes. Must cover the largest verify
 * the build supports: P-384 needs 9,800 B on a 64-bit host and RSA-3072
 * 7,984 B on a 32-bit device (docs/DEPENDENCIES.md). A device build that
 * knows its algorithm may lower it; too small gives IFU_ECRYPTO, never a
 * wrong verdict. */
#ifndef IFU_MBEDTLS_HEAP_SIZE
#if IFU_WITH_RSA || IFU_WITH_ECDSA_P384
#define IFU_MBEDTLS_HEAP_SIZE 12288
#else
#define IFU_MBEDTLS_HEAP_SIZE 8192 /* P-256 alone: 7,744 B on the host, 5,432 B on 32 bits */
#endif
#endif

IFU_STATIC_ASSERT(sizeof(mbedtls_sha256_context) <= IFU_HASH_CTX_SIZE, sha256_ctx_fits);
#if IFU_WITH_SHA512
IFU_STATIC_ASSERT(sizeof(mbedtls_sha512_context) <= IFU_HASH_CTX_SIZE, sha512_ctx_fits);
#endif

#if IFU_MBEDTLS_PK
static unsigned char heap[IFU_MBEDTLS_HEAP_SIZE];
static int heap_ready;

static void heap_init(void)
{
    if (!heap_ready) {
        mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
        heap_ready = 1;
    }
}

/* mbedTLS adds a low-level code (-0x01..-0x7f) to a high-level one; an
 * exhausted arena is a fault of the port, not a verdict on the signature. */
static int is_alloc_failure(int ret)
{
    int low = -((-ret) & 0x7f);
    int high = -((-ret) & ~0x7f);
    return low == MBEDTLS_ERR_MPI_ALLOC_FAILED || high == MBEDTLS_ERR_ECP_ALLOC_FAILED ||
           high == MBEDTLS_ERR_PK_ALLOC_FAILED;
}

#endif /* IFU_MBEDTLS_PK */

static mbedtls_sha256_context *sha256_of(struct ifu_hash *h)
{
    return (mbedtls_sha256_context *)(void *)h->priv.bytes;
}

#if IFU_WITH_SHA512
static mbedtls_sha512_context *sha512_of(struct ifu_hash *h)
{
    return (mbedtls_sha512_context *)(void *)h->priv.bytes;
}
#endif

/* see include/ifu/crypto.h */
int ifu_hash_init(struct ifu_hash *h, enum ifu_hash_alg alg)
{
    int ret;

    h->alg = alg;
    switch (alg) {
    case IFU_HASH_SHA256:
        mbedtls_sha256_init(sha256_of(h));
        ret = mbedtls_sha256_starts(sha256_of(h), 0);
        break;
#if IFU_WITH_SHA512
    case IFU_HASH_SHA384:
    case IFU_HASH_SHA512:
        mbedtls_sha512_init(sha512_of(h));
        ret = mbedtls_sha512_starts(sha512_of(h), alg == IFU_HASH_SHA384);
        break;
#endif
    default:
        h->alg = IFU_HASH_NONE;
        return IFU_EUNSUPPORTED;
    }
    return ret == 0 ? 0 : IFU_ECRYPTO;
}

/* see include/ifu/crypto.h */
int ifu_hash_update(struct ifu_hash *h, const void *data, uint32_t len)
{
    int ret;

    switch (h->alg) {
    case IFU_HASH_SHA256:
        ret = mbedtls_sha256_update(sha256_of(h), data, len);
        break;
#if IFU_WITH_SHA512
    case IFU_HASH_SHA384:
    case IFU_HASH_SHA512:
        ret = mbedtls_sha512_update(sha512_of(h), data, len);
        break;
#endif
    default:
        return IFU_ESTATE;
    }
    return ret == 0 ? 0 : IFU_ECRYPTO;
}

/* see include/ifu/crypto.h */
int ifu_hash_finish(struct ifu_hash *h, uint8_t out[IFU_HASH_MAX_SIZE])
{
    int ret;

    switch (h->alg) {
    case IFU_HASH_SHA256:
        ret = mbedtls_sha256_finish(sha256_of(h), out);
        break;
#if IFU_WITH_SHA512
    case IFU_HASH_SHA384:
    case IFU_HASH_SHA512:
        ret = mbedtls_sha512_finish(sha512_of(h), out);
        break;
#endif
    default:
        return IFU_ESTATE;
    }
    ifu_hash_wipe(h);
    return ret == 0 ? 0 : IFU_ECRYPTO;
}

/* see include/ifu/crypto.h */
void ifu_hash_wipe(struct ifu_hash *h)
{
    ifu_wipe(h, sizeof *h);
    h->alg = IFU_HASH_NONE;
}

#if IFU_WITH_RSA
static int verify_rsa_pss(mbedtls_pk_context *pk, uint32_t bits, const uint8_t *msg,
                          uint32_t msg_len, const uint8_t *sig, uint32_t sig_len)
{
    if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA || mbedtls_pk_get_bitlen(pk) != bits) {
        return IFU_ENOKEY;
    }
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*pk);
    /* MCUboot signs a SHA-256 digest with MGF1-SHA-256 and a 32-byte salt;
     * any other salt length is refused, not merely tolerated. */
    if (msg_len != 32 || sig_len != mbedtls_rsa_get_len(rsa)) {
        return IFU_ESIG;
    }
    int ret = mbedtls_rsa_rsassa_pss_verify_ext(rsa, MBEDTLS_MD_SHA256, 32, msg, MBEDTLS_MD_SHA256,
                                                32, sig);
    if (ret != 0 && is_alloc_failure(ret)) {
        return IFU_ECRYPTO;
    }
    return ret == 0 ? 0 : IFU_ESIG;
}
#endif /* IFU_WITH_RSA */

#if IFU_MBEDTLS_ECDSA || IFU_WITH_P256M
/* One DER INTEGER of at most max_len content bytes at *p, in its only valid
 * encoding: short-form length, positive, no superfluous leading zero. */
static int der_integer_is_strict(const uint8_t **p, const uint8_t *end, uint32_t max_len)
{
    const uint8_t *q = *p;
    if (end - q < 3 || q[0] != 0x02) {
        return 0;
    }
    uint32_t len = q[1];
    q += 2;
    if (len == 0 || len > max_len || (uint32_t)(end - q) < len) {
        return 0;
    }
    if ((q[0] & 0x80) != 0 || (q[0] == 0 && len > 1 && (q[1] & 0x80) == 0)) {
        return 0;
    }
    *p = q + len;
    return 1;
}

/* mbedtls_ecdsa_read_signature() also takes BER variants (long-form lengths,
 * padded or negative integers). Each variant is another byte string that
 * verifies for the same (r, s); refusing all but strict DER keeps signatures
 * non-malleable, so an image has exactly one valid signature TLV per (r, s). */
static int ecdsa_der_is_strict(const uint8_t *sig, uint32_t sig_len, uint32_t coord_len)
{
    const uint8_t *p = sig + 2;
    const uint8_t *end = sig + sig_len;

    if (sig_len < 8 || sig[0] != 0x30 || sig[1] >= 0x80 || sig[1] != sig_len - 2) {
        return 0;
    }
    /* r, then s: each call advances p. NOLINTNEXTLINE(misc-redundant-expression) */
    return der_integer_is_strict(&p, end, coord_len + 1) &&
           der_integer_is_strict(&p, end, coord_len + 1) && p == end;
}

#if IFU_WITH_P256M
/* SubjectPublicKeyInfo of a P-256 key with an uncompressed point (RFC 5480):
 * this fixed prefix, then X and Y. imgtool embeds keys in this form; mbedTLS's
 * parser takes no other encoding of a secp256r1 key either. */
static const uint8_t p256_spki_prefix[27] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};

/* Copy the DER INTEGER at *p (already checked strict, at most 33 bytes) to a
 * 32-byte big-endian number; 0 if it does not fit (the value is >= 2^256,
 * which no valid r or s is: Wycheproof tcId 145, 158). */
static int der_integer_to_32(const uint8_t **p, uint8_t out[32])
{
    uint32_t len = (*p)[1];
    const uint8_t *v = *p + 2;

    *p = v + len;
    if (len == 33) { /* only a leading zero before a high bit may make it 33 */
        if (v[0] != 0) {
            return 0; /* >= 2^256: out of range for P-256 */
        }
        v++;
        len--;
    }
    memset(out, 0, 32 - len);
    memcpy(out + 32 - len, v, len);
    return 1;
}

/* ECDSA P-256 with p256-m (mbedTLS 3.6's 3rdparty/p256-m): the same checks
 * and verdicts as the mbedTLS path, in a fraction of its code and time. */
static int verify_p256m(const uint8_t *key, uint32_t key_len, const uint8_t *msg, uint32_t msg_len,
                        const uint8_t *sig, uint32_t sig_len)
{
    uint8_t rs[64];
    const uint8_t *p = sig + 2;

    if (key_len != sizeof p256_spki_prefix + 64 ||
        memcmp(key, p256_spki_prefix, sizeof p256_spki_prefix) != 0) {
        return IFU_ENOKEY;
    }
    if (!ecdsa_der_is_strict(sig, sig_len, 32) || !der_integer_to_32(&p, rs) ||
        !der_integer_to_32(&p, rs + 32)) {
        return IFU_ESIG;
    }
    int ret = p256_ecdsa_verify(rs, key + sizeof p256_spki_prefix, msg, msg_len);
    if (ret == P256_INVALID_PUBKEY) {
        return IFU_ENOKEY;
    }
    return ret == P256_SUCCESS ? 0 : IFU_ESIG;
}
#endif /* IFU_WITH_P256M */
#endif /* IFU_MBEDTLS_ECDSA || IFU_WITH_P256M */

#if IFU_MBEDTLS_ECDSA
static int verify_ecdsa(mbedtls_pk_context *pk, mbedtls_ecp_group_id curve, const uint8_t *msg,
                        uint32_t msg_len, const uint8_t *sig, uint32_t sig_len)
{
    if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY) {
        return IFU_ENOKEY;
    }
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*pk);
    if (mbedtls_ecp_keypair_get_group_id(ec) != curve) {
        return IFU_ENOKEY;
    }
    if (!ecdsa_der_is_strict(sig, sig_len, curve == MBEDTLS_ECP_DP_SECP256R1 ? 32 : 48)) {
        return IFU_ESIG;
    }
    int ret = mbedtls_ecdsa_read_signature(ec, msg, msg_len, sig, sig_len);
    if (ret != 0 && is_alloc_failure(ret)) {
        return IFU_ECRYPTO;
    }
    return ret == 0 ? 0 : IFU_ESIG;
}

/* The curve of an ECDSA algorithm that is compiled in. */
static mbedtls_ecp_group_id ecdsa_curve(enum ifu_sig_alg alg)
{
#if IFU_WITH_ECDSA_P256 && !IFU_WITH_P256M && IFU_WITH_ECDSA_P384
    return alg == IFU_SIG_ECDSA_P256 ? MBEDTLS_ECP_DP_SECP256R1 : MBEDTLS_ECP_DP_SECP384R1;
#elif IFU_WITH_ECDSA_P256 && !IFU_WITH_P256M
    (void)alg;
    return MBEDTLS_ECP_DP_SECP256R1;
#else
    (void)alg;
    return MBEDTLS_ECP_DP_SECP384R1;
#endif
}
#endif /* IFU_MBEDTLS_ECDSA */

/* Is alg one of the mbedTLS algorithms compiled in? */
static int have_mbedtls_alg(enum ifu_sig_alg alg)
{
    switch (alg) {
    case IFU_SIG_RSA2048_PSS:
    case IFU_SIG_RSA3072_PSS:
        return IFU_WITH_RSA;
    case IFU_SIG_ECDSA_P256:
        return IFU_WITH_ECDSA_P256 && !IFU_WITH_P256M;
    case IFU_SIG_ECDSA_P384:
        return IFU_WITH_ECDSA_P384;
    default:
        return 0;
    }
}

#if IFU_MBEDTLS_PK
/* Verify with a parsed key; alg is an mbedTLS algorithm that is compiled in. */
static int verify_parsed(mbedtls_pk_context *pk, enum ifu_sig_alg alg, const uint8_t *msg,
                         uint32_t msg_len, const uint8_t *sig, uint32_t sig_len)
{
#if IFU_WITH_RSA
    if (alg == IFU_SIG_RSA2048_PSS || alg == IFU_SIG_RSA3072_PSS) {
        return verify_rsa_pss(pk, alg == IFU_SIG_RSA2048_PSS ? 2048 : 3072, msg, msg_len, sig,
                              sig_len);
    }
#endif
#if IFU_MBEDTLS_ECDSA
    return verify_ecdsa(pk, ecdsa_curve(alg), msg, msg_len, sig, sig_len);
#else
    (void)pk;
    (void)alg;
    (void)msg;
    (void)msg_len;
    (void)sig;
    (void)sig_len;
    return IFU_EUNSUPPORTED;
#endif
}
#endif /* IFU_MBEDTLS_PK */

/* see include/ifu/crypto.h */
int ifu_sig_verify(enum ifu_sig_alg alg, const uint8_t *key, uint32_t key_len, const uint8_t *msg,
                   uint32_t msg_len, const uint8_t *sig, uint32_t sig_len)
{
    if (key == NULL || msg == NULL || sig == NULL) {
        return IFU_EINVAL;
    }
#if IFU_WITH_ED25519
    if (alg == IFU_SIG_ED25519) {
        return ifu_ed25519_verify(key, key_len, msg, msg_len, sig, sig_len);
    }
#endif
#if IFU_WITH_P256M
    if (alg == IFU_SIG_ECDSA_P256) {
        return verify_p256m(key, key_len, msg, msg_len, sig, sig_len);
    }
#endif
    if (!have_mbedtls_alg(alg)) {
        return IFU_EUNSUPPORTED;
    }
#if IFU_MBEDTLS_PK
    mbedtls_pk_context pk;
    int err;

    heap_init();
    mbedtls_pk_init(&pk);
    int ret = mbedtls_pk_parse_public_key(&pk, key, key_len);
    if (ret != 0 && is_alloc_failure(ret)) {
        err = IFU_ECRYPTO;
    } else if (ret != 0) {
        err = IFU_ENOKEY;
    } else {
        err = verify_parsed(&pk, alg, msg, msg_len, sig, sig_len);
    }
    mbedtls_pk_free(&pk);
    return err;
#else
    (void)key_len;
    (void)msg_len;
    (void)sig_len;
    return IFU_EUNSUPPORTED; /* not reached: have_mbedtls_alg() is 0 for every alg */
#endif /* IFU_MBEDTLS_PK */
}
