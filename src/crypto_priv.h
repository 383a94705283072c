/* Private interface between the crypto port's backend files. Never installed. */
#ifndef IFU_CRYPTO_PRIV_H
#define IFU_CRYPTO_PRIV_H

#include <stdint.h>

/* Ed25519 over a short message (the image digest); key in SPKI encoding.
 * Implemented by the Ed25519 backend, called by ifu_sig_verify(). */
int ifu_ed25519_verify(const uint8_t *key, uint32_t key_len, const uint8_t *msg, uint32_t msg_len,
                       const uint8_t *sig, uint32_t sig_len);

#endif /* IFU_CRYPTO_PRIV_H */
