/* Signed test images, made at run time by the project's own CLI (`ifu keygen`
 * and `ifu sign`, path in IFU_CLI_PATH) in a per-process temporary folder.
 * Host only; allocates; not thread-safe. Any failure aborts the program with
 * a message: a test cannot run without its images. */
#ifndef IFU_TU_IMAGE_H
#define IFU_TU_IMAGE_H

#include <stdint.h>

#include "ifu/image.h"

/* Ed25519 keys, generated once per process. Images signed with the
 * untrusted one name a key the keyring below does not hold. */
enum tu_key {
    TU_KEY_TRUSTED = 0,
    TU_KEY_UNTRUSTED = 1,
    TU_KEY_NEXT = 2, /* a third key, for rotation tests; not in the keyring below */
};
#define TU_KEYS 3

/* What to sign. Zero the struct, then set fields: payload and version are
 * required. */
struct tu_image_spec {
    enum tu_key key;
    uint32_t payload;    /* payload bytes (deterministic pseudo-random content) */
    const char *version; /* "major.minor.revision+build", as `ifu sign -v` takes it */
    int64_t sec_cnt;     /* SEC_CNT TLV value; 0 for none (use 1.. to set one) */
    uint32_t rom_fixed;  /* `ifu sign -F`: load address with ROM_FIXED; 0 for none */
    int pubkey_full;     /* 1: `--public-key-format full` (PUBKEY TLV), else KEYHASH */
};

/* A signed image in memory. Owned by the cache; valid until exit. */
struct tu_image {
    const uint8_t *data;
    uint32_t len; /* header through the unprotected TLVs */
    struct tu_image_spec spec;
};

/* The image for spec, signed on first use and cached for the process. */
const struct tu_image *tu_image_get(const struct tu_image_spec *spec);

/* Shorthand: payload bytes, version, trusted key, no counter, not fixed. */
const struct tu_image *tu_image(uint32_t payload, const char *version);

/* The keyring a bootloader under test uses: the trusted key only, as its
 * PUBKEY-TLV encoding (loaded as tests/support/testutil.c loads keys). */
const struct ifu_keyring *tu_image_keyring(void);

/* The PUBKEY-TLV encoding of key k (*len bytes), valid until exit. */
const uint8_t *tu_image_pub(enum tu_key k, uint32_t *len);

/* Header size the images are signed with (`ifu sign -H`, with --pad-header). */
#define TU_IMAGE_HDR_SIZE 0x100u

#endif /* IFU_TU_IMAGE_H */
