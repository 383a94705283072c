/* Backend-independent helpers of the crypto port. */
#include "ifu/crypto.h"

/* see include/ifu/crypto.h */
void ifu_wipe(void *p, uint32_t len)
{
    /* Stores through a volatile pointer may not be elided as dead. */
    volatile uint8_t *q = (volatile uint8_t *)p;
    while (len--) {
        *q++ = 0;
    }
}

/* see include/ifu/crypto.h */
int ifu_ct_memcmp(const void *a, const void *b, uint32_t len)
{
    const volatile uint8_t *x = (const volatile uint8_t *)a;
    const volatile uint8_t *y = (const volatile uint8_t *)b;
    uint8_t diff = 0;

    for (uint32_t i = 0; i < len; i++) {
        diff |= (uint8_t)(x[i] ^ y[i]);
    }
    /* Map any non-zero difference to 1 without a data-dependent branch. */
    return (int)((diff + 0xffu) >> 8);
}

/* see include/ifu/crypto.h */
uint32_t ifu_hash_size(enum ifu_hash_alg alg)
{
    switch (alg) {
    case IFU_HASH_SHA256:
        return 32;
    case IFU_HASH_SHA384:
        return 48;
    case IFU_HASH_SHA512:
        return 64;
    default:
        return 0;
    }
}

/* see include/ifu/crypto.h */
int ifu_hash_oneshot(enum ifu_hash_alg alg, const void *data, uint32_t len,
                     uint8_t out[IFU_HASH_MAX_SIZE])
{
    struct ifu_hash h;
    int err = ifu_hash_init(&h, alg);
    if (!err) {
        err = ifu_hash_update(&h, data, len);
    }
    if (!err) {
        return ifu_hash_finish(&h, out);
    }
    ifu_hash_wipe(&h);
    return err;
}
