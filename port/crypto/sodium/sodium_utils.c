/* The three libsodium helpers that its Ed25519 verifier calls, for the ifu_sodium subset.
 *
 * libsodium keeps them in sodium/utils.c, together with its guarded heap (sodium_malloc,
 * sodium_mprotect_*), which needs randombytes and sodium_misuse from the rest of libsodium and
 * malloc, mmap and mlock from the system. ifu compiles only what Ed25519 verification needs
 * (cmake/deps.cmake, docs/DEPENDENCIES.md), so it provides these three here instead, with the
 * contracts declared in sodium/utils.h. Written for ifu; not libsodium code. */
#include <stddef.h>

#include "sodium/utils.h"

/* Zero len bytes at pnt. The volatile accesses keep the compiler from removing the stores when
 * the buffer is dead afterwards (the reason callers use this instead of memset). */
void sodium_memzero(void *const pnt, const size_t len)
{
    volatile unsigned char *p = (volatile unsigned char *)pnt;
    size_t i;

    for (i = 0; i < len; i++) {
        p[i] = 0U;
    }
}

/* 0 if the len bytes at b1_ and b2_ are equal, -1 otherwise. The time taken depends on len
 * only, never on the contents (no early exit, no branch on the bytes). */
int sodium_memcmp(const void *const b1_, const void *const b2_, size_t len)
{
    const volatile unsigned char *b1 = (const volatile unsigned char *)b1_;
    const volatile unsigned char *b2 = (const volatile unsigned char *)b2_;
    unsigned int diff = 0U;
    size_t i;

    for (i = 0; i < len; i++) {
        diff |= (unsigned int)(b1[i] ^ b2[i]);
    }
    /* diff is 0..255: (diff + 255) >> 8 is 0 for 0 and 1 for anything else. */
    return -(int)((diff + 255U) >> 8);
}

/* 1 if the nlen bytes at n are all zero, 0 otherwise; time depends on nlen only. */
int sodium_is_zero(const unsigned char *n, const size_t nlen)
{
    const volatile unsigned char *p = (const volatile unsigned char *)n;
    unsigned int acc = 0U;
    size_t i;

    for (i = 0; i < nlen; i++) {
        acc |= p[i];
    }
    /* acc is 0..255: acc - 1 wraps to all ones only when acc is 0. */
    return (int)(((acc - 1U) >> 8) & 1U);
}
