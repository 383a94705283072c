/* mbedTLS 3.6 configuration for ifu: signature verification only.
 *
 * Used through MBEDTLS_CONFIG_FILE (set by cmake/deps.cmake for ifu_mbedtls and everything that
 * links it), in place of mbedTLS's own include/mbedtls/mbedtls_config.h. Everything not listed here
 * is off: no TLS, X.509, entropy, DRBG, ciphers, PSA Crypto, file system, threading or time.
 * The same file serves the host build and the Cortex-M build.
 *
 * What it enables:
 *   SHA-256, SHA-384, SHA-512 (and the md.h dispatcher that RSA-PSS needs);
 *   RSA PKCS#1 v2.1 (PSS) verify, keys of up to 3072 bits;
 *   ECDSA verify on secp256r1 and secp384r1, signatures in DER;
 *   public-key parsing: SubjectPublicKeyInfo (RSA, EC) and PKCS#1 RSAPublicKey, both DER.
 *
 * Memory: mbedTLS allocates bignums on its heap. There is no malloc here: the port calls
 *   mbedtls_memory_buffer_alloc_init(buf, size) once, with a static buffer it owns, before any
 *   other mbedTLS call. Until then every allocation fails (MBEDTLS_ERR_*_ALLOC_FAILED), because
 *   MBEDTLS_PLATFORM_NO_STD_FUNCTIONS leaves mbedtls_calloc without a default. The sizes that
 *   buffer needs are measured in docs/DEPENDENCIES.md.
 *
 * Algorithm selection: the IFU_WITH_* macros of include/ifu/config.h (all 1 by default) switch
 *   the modules below on and off, so a single-algorithm build compiles no code for the others
 *   (docs/BENCHMARKS.md). An Ed25519-only build leaves nothing on but SHA-256 (and SHA-512 with
 *   IFU_WITH_SHA512): no bignum, no key parsing, no heap.
 *
 * A build may add or override settings with -DMBEDTLS_USER_CONFIG_FILE="file.h", which mbedTLS
 * reads after this file (for instance MBEDTLS_MEMORY_DEBUG to measure the heap). */
#ifndef IFU_MBEDTLS_CONFIG_H
#define IFU_MBEDTLS_CONFIG_H

/* The IFU_WITH_* defaults; a relative include, so that mbedTLS's own sources need no extra
 * include path. */
#include "../../include/ifu/config.h"

/* 1 when some signature algorithm needs mbedTLS's bignums and key parsing (P-256 through p256-m,
 * IFU_WITH_P256M, needs neither). */
#define IFU_MBEDTLS_ECDSA ((IFU_WITH_ECDSA_P256 && !IFU_WITH_P256M) || IFU_WITH_ECDSA_P384)
#define IFU_MBEDTLS_PK    (IFU_WITH_RSA || IFU_MBEDTLS_ECDSA)

/* ---- System ---- */

/* Inline assembly for bignum multiply (x86-64 on the host, UMAAL on Cortex-M3/M4/M33). */
#define MBEDTLS_HAVE_ASM

/* Removes the deprecated API, so that nothing new comes to depend on it. */
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- Platform and memory ---- */

#if IFU_MBEDTLS_PK
#define MBEDTLS_PLATFORM_C
/* mbedtls_calloc/mbedtls_free go through function pointers that
 * mbedtls_memory_buffer_alloc_init() points at the static buffer. */
#define MBEDTLS_PLATFORM_MEMORY
/* No libc calloc/free/printf behind those pointers: a device image must not pull in malloc. */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
/* ...but memory_buffer_alloc.c calls exit(1) when it finds its heap corrupted, and needs the
 * declaration. On the device that is newlib's exit(), which ends in the board's _exit(). */
#define MBEDTLS_PLATFORM_STD_MEM_HDR <stdlib.h>
/* oid.c formats dotted OIDs (mbedtls_oid_get_numeric_string, unused by ifu) with
 * mbedtls_snprintf. Make that a pointer whose default just fails, so no snprintf from libc is
 * linked and oid.c links without --gc-sections too. */
#define MBEDTLS_PLATFORM_SNPRINTF_ALT
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* Bytes; block alignment in the static heap. 8, not the default 4, so that every block suits
 * 64-bit limbs and pointers on the host, as malloc's would. Costs at most 4 bytes per block on
 * Cortex-M (the heap figures in docs/DEPENDENCIES.md were measured with it). */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#endif /* IFU_MBEDTLS_PK */

/* ---- Hashes ---- */

#define MBEDTLS_SHA256_C
#if IFU_WITH_SHA512
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#endif

#if IFU_CRYPTO_SMALL
/* Rolled-up SHA-256 rounds: smaller, slower. */
#define MBEDTLS_SHA256_SMALLER
#endif

/* ---- Bignum, ASN.1, OID ---- */

#if IFU_MBEDTLS_PK
#define MBEDTLS_MD_C
#define MBEDTLS_BIGNUM_C
/* Bytes; the largest number mbedTLS accepts. 384 bytes = RSA-3072, the largest key MCUboot
 * signs with. It also sizes a stack buffer in RSA-PSS verify (1024 bytes by default). */
#define MBEDTLS_MPI_MAX_SIZE 384
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#endif /* IFU_MBEDTLS_PK */

/* ---- RSA ---- */

#if IFU_WITH_RSA
#define MBEDTLS_RSA_C
/* PSS (RSASSA-PSS, RFC 8017 8.1), the only RSA scheme in MCUboot images. No PKCS#1 v1.5. */
#define MBEDTLS_PKCS1_V21
#endif

/* ---- Elliptic curves ---- */

#if IFU_MBEDTLS_ECDSA
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
/* Required by MBEDTLS_ECDSA_C (check_config.h), although verify only parses. */
#define MBEDTLS_ASN1_WRITE_C
#if IFU_WITH_ECDSA_P256 && !IFU_WITH_P256M
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#endif
#if IFU_WITH_ECDSA_P384
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#endif
#if !IFU_CRYPTO_SMALL
/* Fast modular reduction for the NIST primes (larger code, much faster). */
#define MBEDTLS_ECP_NIST_OPTIM
/* MBEDTLS_ECP_WINDOW_SIZE (4) and MBEDTLS_ECP_FIXED_POINT_OPTIM (1, tables in ROM) keep their
 * defaults; smaller windows trade speed for a few hundred bytes of heap. */
#else
/* IFU_CRYPTO_SMALL: generic reduction, the smallest window, no fixed-point comb. */
#define MBEDTLS_ECP_WINDOW_SIZE       2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#endif
#endif /* IFU_MBEDTLS_ECDSA */

#endif /* IFU_MBEDTLS_CONFIG_H */
