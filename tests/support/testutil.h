/* Helpers for the test programs: files, vectors, keys. Host only; may allocate. */
#ifndef IFU_TESTUTIL_H
#define IFU_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ifu/image.h"

/* Exit status that makes ctest report a test as skipped. */
#define TEST_SKIP 77

/* The shared/ folder: $IFU_SHARED_DIR, else the path CMake configured. */
const char *tu_shared_dir(void);

/* Exit with TEST_SKIP and a message if shared/vectors/<sub> is missing. */
void tu_require_vectors(const char *sub);

/* shared/vectors/<sub>/<rel> into a static buffer (valid until the next call). */
const char *tu_vector_path(const char *sub, const char *rel);

/* Whole file into a malloc'd buffer; NULL if unreadable. */
uint8_t *tu_read_file(const char *path, uint32_t *len);

/* A public key PEM (SubjectPublicKeyInfo) in the encoding imgtool embeds in
 * PUBKEY TLVs and hashes for KEYHASH (RSA: PKCS#1 RSAPublicKey; EC and
 * Ed25519: SPKI). malloc'd; NULL on error. */
uint8_t *tu_load_pubkey(const char *pem_path, uint32_t *len);

/* An ifu_image_reader over a memory buffer. */
struct tu_mem {
    const uint8_t *data;
    uint32_t len;
};
int tu_mem_read(void *ctx, uint32_t off, void *buf, uint32_t len);

/* Verify len bytes at img through ifu_image_verify() and a memory reader, as
 * a bootloader reads a slot, with a one-key keyring (key NULL = hash only). */
int tu_verify_reader(const uint8_t *img, uint32_t len, const uint8_t *key, uint32_t key_len,
                     struct ifu_image_info *info);

/* Verify a buffer by streaming it in chunks of chunk bytes (0 = one call),
 * with a one-key keyring (key NULL = hash only). */
int tu_verify_buf(const uint8_t *img, uint32_t len, const uint8_t *key, uint32_t key_len,
                  uint32_t chunk, struct ifu_image_info *info);

/* Verify a buffer by streaming it in one call, with keyring ring (NULL =
 * hash only) and the keys of mask revoked (ifu_verify_set_revoked). */
int tu_verify_ring(const uint8_t *img, uint32_t len, const struct ifu_keyring *ring,
                   uint32_t revoked, struct ifu_image_info *info);

#endif /* IFU_TESTUTIL_H */
