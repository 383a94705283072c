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

/* How many image hash algorithms one streaming verification computes at once.
 * The image names its hash algorithm only in the TLV area after the payload, so
 * a verifier that must accept SHA-256, SHA-384 and SHA-512 images without a
 * second pass hashes with each of them (3); a device that knows its images'
 * algorithm sets 1 and saves IFU_HASH_CTX_SIZE bytes per hash dropped.
 * Range 1..3. */
#ifndef IFU_VERIFY_MAX_HASHES
#define IFU_VERIFY_MAX_HASHES 3
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
