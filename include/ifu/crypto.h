/* The crypto port: the only door between ifu and a crypto library.
 *
 * ifu never implements a primitive itself. A backend (src/crypto_mbedtls.c and
 * src/crypto_ed25519_sodium.c in this tree; a PSA Crypto driver or a hardware
 * accelerator elsewhere) implements the functions below. The verifier calls
 * nothing else.
 *
 * Keys are passed exactly as MCUboot's imgtool encodes them in a PUBKEY TLV
 * (docs/FORMAT.md): RSA as a PKCS#1 RSAPublicKey DER, ECDSA and Ed25519 as an
 * X.509 SubjectPublicKeyInfo DER. */
#ifndef IFU_CRYPTO_H
#define IFU_CRYPTO_H

#include <stdint.h>

#include "ifu/config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ifu_hash_alg {
    IFU_HASH_NONE = 0,
    IFU_HASH_SHA256 = 1,
    IFU_HASH_SHA384 = 2,
    IFU_HASH_SHA512 = 3,
};

/* Largest digest of any supported hash, bytes. */
#define IFU_HASH_MAX_SIZE 64

enum ifu_sig_alg {
    IFU_SIG_NONE = 0,
    IFU_SIG_RSA2048_PSS = 1, /* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 */
    IFU_SIG_RSA3072_PSS = 2, /* same, 3072-bit modulus */
    IFU_SIG_ECDSA_P256 = 3,  /* ECDSA secp256r1, DER signature over the digest */
    IFU_SIG_ECDSA_P384 = 4,  /* ECDSA secp384r1, DER signature over the digest */
    IFU_SIG_ED25519 = 5,     /* Ed25519 (RFC 8032), the message is the digest */
};

/* One running hash. Fields are private to the backend; the size may change. */
struct ifu_hash {
    enum ifu_hash_alg alg;
    union {
        uint64_t align;
        unsigned char bytes[IFU_HASH_CTX_SIZE];
    } priv;
};

/* Digest size of alg in bytes: 32, 48 or 64; 0 for an unknown alg. */
uint32_t ifu_hash_size(enum ifu_hash_alg alg);

/* Start a hash of algorithm alg in h (caller-owned, any prior content).
 * Returns 0, IFU_EUNSUPPORTED if the backend lacks alg, or IFU_ECRYPTO. */
int ifu_hash_init(struct ifu_hash *h, enum ifu_hash_alg alg);

/* Absorb len bytes at data (may be NULL when len is 0). */
int ifu_hash_update(struct ifu_hash *h, const void *data, uint32_t len);

/* Write the digest, ifu_hash_size(h->alg) bytes, to out and wipe h. */
int ifu_hash_finish(struct ifu_hash *h, uint8_t out[IFU_HASH_MAX_SIZE]);

/* Wipe h without producing a digest (abort paths). Never fails. */
void ifu_hash_wipe(struct ifu_hash *h);

/* One-shot hash of len bytes. */
int ifu_hash_oneshot(enum ifu_hash_alg alg, const void *data, uint32_t len,
                     uint8_t out[IFU_HASH_MAX_SIZE]);

/* Check signature sig (sig_len bytes) over msg (msg_len bytes; for every
 * algorithm here the message is the image digest) with public key key
 * (key_len bytes, encoded as above).
 * Returns 0 if and only if the signature is valid; IFU_ESIG for a signature
 * that does not verify or is malformed; IFU_ENOKEY if key cannot be parsed as
 * a key of alg; IFU_EUNSUPPORTED if the backend lacks alg; IFU_ECRYPTO if the
 * backend itself failed (e.g. out of its working memory). */
int ifu_sig_verify(enum ifu_sig_alg alg, const uint8_t *key, uint32_t key_len, const uint8_t *msg,
                   uint32_t msg_len, const uint8_t *sig, uint32_t sig_len);

/* Ed25519 over a message too large for RAM ("pure" signatures, imgtool
 * --pure): RFC 8032 verification hashes R || A || M with SHA-512, so the
 * message is streamed through h between these two calls:
 *   ifu_ed25519_stream_begin(h, sig, key, key_len);
 *   ifu_hash_update(h, chunk, n) ... for every chunk of M, in order;
 *   ifu_ed25519_stream_finish(h, sig, key, key_len);
 * begin returns IFU_ENOKEY for an unusable key and IFU_ESIG for a signature
 * that can be rejected before seeing M; finish returns 0 if and only if the
 * signature is valid. sig is 64 bytes. */
int ifu_ed25519_stream_begin(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                             uint32_t key_len);
int ifu_ed25519_stream_finish(struct ifu_hash *h, const uint8_t sig[64], const uint8_t *key,
                              uint32_t key_len);

/* Overwrite len bytes at p with zeros in a way the compiler cannot remove. */
void ifu_wipe(void *p, uint32_t len);

/* Compare len bytes in time that depends on len only: 0 if equal, else 1. */
int ifu_ct_memcmp(const void *a, const void *b, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* IFU_CRYPTO_H */
