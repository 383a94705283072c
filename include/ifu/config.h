/* Compile-time configuration of the ifu device library.
 *
 * Every knob has a default here. A project overrides them by defining
 * IFU_CONFIG_FILE (e.g. -DIFU_CONFIG_FILE="board_ifu.h"); that file is
 * included first, so its definitions win. */
#ifndef IFU_CONFIG_H
#define IFU_CONFIG_H

#ifdef IFU_CONFIG_FILE
#include IFU_CONFIG_FILE
#endif

/* Largest public key the verifier keeps from a PUBKEY TLV, bytes.
 * 420 holds an RSA-3072 PKCS#1 RSAPublicKey (398 B) with margin; smaller
 * values reject images that embed larger keys with IFU_ENOSPC. Range 44..1024. */
#ifndef IFU_MAX_PUBKEY_SIZE
#define IFU_MAX_PUBKEY_SIZE 420
#endif

/* Largest signature TLV the verifier keeps, bytes. 384 = RSA-3072.
 * Range 64..512. */
#ifndef IFU_MAX_SIG_SIZE
#define IFU_MAX_SIG_SIZE 384
#endif

/* Opaque storage for one hash context of the crypto backend, bytes.
 * The backend checks at compile time that its context fits. */
#ifndef IFU_HASH_CTX_SIZE
#define IFU_HASH_CTX_SIZE 232
#endif

/* Algorithms compiled in (1) or out (0). The crypto port links only what is
 * on: a bootloader that trusts P-256 keys alone sets the others to 0 and
 * carries no RSA, Ed25519 or SHA-512 code. A verify that needs an algorithm
 * compiled out fails with IFU_EUNSUPPORTED (hash) or IFU_EUNSUPPORTED/IFU_ESIG
 * from the verifier, never with a wrong verdict. The mbedTLS configuration
 * (port/crypto/mbedtls_config.h) reads the same macros, so define them for
 * every target (CMake: the IFU_WITH_* options do). SHA-256 is always in.
 *   IFU_WITH_RSA         RSA-2048 and RSA-3072 PSS (mbedTLS)
 *   IFU_WITH_ECDSA_P256  ECDSA secp256r1 (mbedTLS)
 *   IFU_WITH_ECDSA_P384  ECDSA secp384r1 (mbedTLS)
 *   IFU_WITH_ED25519     Ed25519 (libsodium)
 *   IFU_WITH_SHA512      SHA-384 and SHA-512 image hashes, and "pure" Ed25519
 *                        images, which hash with SHA-512 (mbedTLS) */
#ifndef IFU_WITH_RSA
#define IFU_WITH_RSA 1
#endif
#ifndef IFU_WITH_ECDSA_P256
#define IFU_WITH_ECDSA_P256 1
#endif
#ifndef IFU_WITH_ECDSA_P384
#define IFU_WITH_ECDSA_P384 1
#endif
#ifndef IFU_WITH_ED25519
#define IFU_WITH_ED25519 1
#endif
#ifndef IFU_WITH_SHA512
#define IFU_WITH_SHA512 1
#endif

/* 1: configure the crypto libraries for size over speed (mbedTLS: the smaller
 * SHA-256, no NIST fast reduction, smaller ECP windows, no fixed-point
 * precomputation). Verdicts are the same; docs/BENCHMARKS.md measures both. */
#ifndef IFU_CRYPTO_SMALL
#define IFU_CRYPTO_SMALL 0
#endif

/* 1: ECDSA P-256 through p256-m (shipped in mbedTLS 3.6's source,
 * 3rdparty/p256-m) instead of mbedTLS's ECP module: much smaller and faster
 * on Cortex-M (docs/BENCHMARKS.md section 6). Needs IFU_WITH_ECDSA_P256. */
#ifndef IFU_WITH_P256M
#define IFU_WITH_P256M 0
#endif
#if IFU_WITH_P256M && !IFU_WITH_ECDSA_P256
#error "ifu: IFU_WITH_P256M needs IFU_WITH_ECDSA_P256"
#endif

#if !IFU_WITH_RSA && !IFU_WITH_ECDSA_P256 && !IFU_WITH_ECDSA_P384 && !IFU_WITH_ED25519
#error "ifu: no signature algorithm left: set at least one IFU_WITH_* to 1"
#endif

/* How many image hash algorithms one streaming verification computes at once.
 * The image names its hash algorithm only in the TLV area after the payload, so
 * a verifier that must accept SHA-256, SHA-384 and SHA-512 images without a
 * second pass hashes with each of them (3); a device that knows its images'
 * algorithm sets 1 and saves IFU_HASH_CTX_SIZE bytes per hash dropped.
 * Default 3, or 1 when IFU_WITH_SHA512 is 0.
 * Range 1..3. */
#ifndef IFU_VERIFY_MAX_HASHES
#if IFU_WITH_SHA512
#define IFU_VERIFY_MAX_HASHES 3
#else
#define IFU_VERIFY_MAX_HASHES 1 /* SHA-256 is the only hash left */
#endif
#endif

/* Key slots a keystore may have (include/ifu/keys.h). Each costs 32 bytes
 * plus one struct ifu_key (12 bytes on a 32-bit target) of RAM in every
 * struct ifu_keystore. Range 1..32. */
#ifndef IFU_KEYS_MAX_SLOTS
#define IFU_KEYS_MAX_SLOTS 4
#endif

#if IFU_KEYS_MAX_SLOTS < 1 || IFU_KEYS_MAX_SLOTS > 32
#error "ifu: IFU_KEYS_MAX_SLOTS must be in 1..32"
#endif

#if IFU_VERIFY_MAX_HASHES < 1 || IFU_VERIFY_MAX_HASHES > 3
#error "ifu: IFU_VERIFY_MAX_HASHES must be 1, 2 or 3"
#endif

/* Fault-injection hardening: a random delay the engine runs before each
 * redundant check of the verify -> boot decision, so that a glitch cannot be
 * timed to the same instruction on every attempt (docs/SECURITY.md §5). A
 * port with a hardware RNG defines it as a short busy loop of random length,
 * e.g. `#define IFU_FAULT_DELAY() board_random_delay()`; it must not fail or
 * touch flash. Default: nothing, at no cost. */
#ifndef IFU_FAULT_DELAY
#define IFU_FAULT_DELAY() ((void)0)
#endif

#endif /* IFU_CONFIG_H */
