/* The random-number call of p256-m (IFU_WITH_P256M, cmake/deps.cmake).
 *
 * p256-m's signing and key generation draw from psa_generate_random(). ifu
 * only verifies and builds no PSA Crypto, so nothing calls them; this
 * definition lets p256-m.c link without --gc-sections and makes any such call
 * fail instead of producing a key or signature without randomness. */
#include "psa/crypto.h"

psa_status_t psa_generate_random(uint8_t *output, size_t output_size)
{
    (void)output;
    (void)output_size;
    return PSA_ERROR_NOT_SUPPORTED;
}
