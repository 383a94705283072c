/* Crypto port backend: Ed25519 from libsodium (ISC), built from Debian's
 * source package (docs/DEPENDENCIES.md).
 *
 * Digest signatures use libsodium's public verifier. "Pure" signatures over a
 * whole image cannot: the RFC 8032 check hashes R || A || M, and M is too big
 * for RAM. For those, the same checks libsodium's verifier makes are made here
 * in the same order from libsodium's own group and scalar operations, with
 * the SHA-512 fed by the caller in chunks (RFC 8032 section 5.1.7). Both paths
 * run the Wycheproof Ed25519 vectors (tests/test_crypto_wycheproof.c).
 *
 * With IFU_WITH_ED25519 0 (include/ifu/config.h) no libsodium code is
 * referenced and the streaming calls refuse with IFU_EUNSUPPORTED. */
#include <string.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"

#include "crypto_priv.h"

#if IFU_WITH_ED25519
#include "sodium/crypto_sign_ed25519.h"
#include "sodium/private/ed25519_ref10.h"

/* SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): this fixed prefix, then
 * the 32-byte key. imgtool embeds keys in this form. */
static const uint8_t spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

static const uint8_t *raw_key(const uint8_t *key, uint32_t key_len)
{
    if (key_len != sizeof spki_prefix + 32 || memcmp(key, spki_prefix, sizeof spki_prefix) != 0) {
        return NULL;
    }
    return key + sizeof spki_prefix;
}

/* see src/crypto_priv.h */
int ifu_ed25519_verify(const uint8_t *key, uint32_t key_len, const uint8_t *msg, uint32_t msg_len,
                       const uint8_t *sig, uint32_t sig_len)
{
    const uint8_t *pk = raw_key(key, key_len);
    if (pk == NULL) {
        return IFU_ENOKEY;
    }
    if (sig_len != 64) {
        return IFU_ESIG;
    }
    return crypto_sign_ed25519_verify_detached(sig, msg, msg_len, pk) == 0 ? 0 : IFU_ESIG;
}

/* see include/ifu/crypto.h */
int ifu_ed25519_stream_begin(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                             uint32_t key_len)
{
    const uint8_t *pk = raw_key(key, key_len);
    if (pk == NULL) {
        return IFU_ENOKEY;
    }
    /* Same early rejections as libsodium's verifier: S must be reduced, and
     * neither R nor A may be a small-order or non-canonical point. */
    if (sc25519_is_canonical(sig + 32) == 0 || ge25519_has_small_order(sig) != 0) {
        return IFU_ESIG;
    }
    if (ge25519_is_canonical(pk) == 0 || ge25519_has_small_order(pk) != 0) {
        return IFU_ESIG;
    }
    int err = ifu_hash_init(h, IFU_HASH_SHA512);
    if (!err) {
        err = ifu_hash_update(h, sig, 32);
    }
    if (!err) {
        err = ifu_hash_update(h, pk, 32);
    }
    return err;
}

/* see include/ifu/crypto.h */
int ifu_ed25519_stream_finish(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                              uint32_t key_len)
{
    uint8_t k[64];
    uint8_t rcheck[32];
    ge25519_p3 a;
    ge25519_p2 r;
    const uint8_t *pk = raw_key(key, key_len);

    if (pk == NULL) {
        ifu_hash_wipe(h);
        return IFU_ENOKEY;
    }
    int err = ifu_hash_finish(h, k);
    if (err) {
        return err;
    }
    if (ge25519_frombytes_negate_vartime(&a, pk) != 0) {
        return IFU_ESIG;
    }
    /* R' = [S]B - [k]A must equal R. */
    sc25519_reduce(k);
    ge25519_double_scalarmult_vartime(&r, k, &a, sig + 32);
    ge25519_tobytes(rcheck, &r);
    return ifu_ct_memcmp(rcheck, sig, 32) == 0 ? 0 : IFU_ESIG;
}

#else /* !IFU_WITH_ED25519 */

/* see include/ifu/crypto.h */
int ifu_ed25519_stream_begin(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                             uint32_t key_len)
{
    (void)h;
    (void)sig;
    (void)key;
    (void)key_len;
    return IFU_EUNSUPPORTED;
}

/* see include/ifu/crypto.h */
int ifu_ed25519_stream_finish(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                              uint32_t key_len)
{
    (void)sig;
    (void)key;
    (void)key_len;
    ifu_hash_wipe(h);
    return IFU_EUNSUPPORTED;
}

#endif /* IFU_WITH_ED25519 */
