/* see testutil.h */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ifu/errors.h"

const char *tu_shared_dir(void)
{
    const char *env = getenv("IFU_SHARED_DIR");
    return env != NULL && env[0] != '\0' ? env : IFU_SHARED_DIR;
}

const char *tu_vector_path(const char *sub, const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/vectors/%s/%s", tu_shared_dir(), sub, rel);
    return path;
}

void tu_require_vectors(const char *sub)
{
    struct stat st;
    const char *dir = tu_vector_path(sub, "");
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: %s not found (set IFU_SHARED_DIR to the shared/ folder)\n", dir);
        exit(TEST_SKIP);
    }
}

uint8_t *tu_read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    *len = (uint32_t)size;
    return buf;
}

uint8_t *tu_load_pubkey(const char *pem_path, uint32_t *len)
{
    FILE *f = fopen(pem_path, "r");
    if (f == NULL) {
        return NULL;
    }
    EVP_PKEY *pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (pkey == NULL) {
        return NULL;
    }
    unsigned char *der = NULL;
    int n;
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
        n = i2d_PublicKey(pkey, &der); /* PKCS#1 RSAPublicKey */
    } else {
        n = i2d_PUBKEY(pkey, &der); /* SubjectPublicKeyInfo */
    }
    EVP_PKEY_free(pkey);
    if (n <= 0) {
        return NULL;
    }
    uint8_t *out = malloc((size_t)n);
    if (out != NULL) {
        memcpy(out, der, (size_t)n);
        *len = (uint32_t)n;
    }
    OPENSSL_free(der);
    return out;
}

int tu_mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct tu_mem *m = ctx;
    if (off > m->len || len > m->len - off) {
        return IFU_EIO;
    }
    memcpy(buf, m->data + off, len);
    return 0;
}

int tu_verify_reader(const uint8_t *img, uint32_t len, const uint8_t *key, uint32_t key_len,
                     struct ifu_image_info *info)
{
    struct ifu_key k = {.pub = key, .pub_len = key_len};
    struct ifu_keyring ring = {.keys = &k, .count = 1};
    struct tu_mem mem = {.data = img, .len = len};
    struct ifu_image_reader rd = {.read = tu_mem_read, .ctx = &mem};

    return ifu_image_verify(&rd, len, key != NULL ? &ring : NULL,
                            key != NULL ? 0 : IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, info);
}

/* Stream img through ifu_verify_*() in chunks of step bytes, revoked set
 * first, and finish with a memory reader over it. */
static int verify_stream(const uint8_t *img, uint32_t len, const struct ifu_keyring *ring,
                         uint32_t revoked, uint32_t chunk, struct ifu_image_info *info)
{
    struct ifu_verify v;
    struct tu_mem mem = {.data = img, .len = len};
    struct ifu_image_reader rd = {.read = tu_mem_read, .ctx = &mem};

    int err = ifu_verify_begin(&v, ring, ring != NULL ? 0 : IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL,
                               0, NULL);
    if (!err && revoked != 0) {
        err = ifu_verify_set_revoked(&v, revoked);
    }
    if (err) {
        return err;
    }
    uint32_t step = chunk == 0 ? len : chunk;
    for (uint32_t off = 0; off < len && !err; off += step) {
        uint32_t n = len - off < step ? len - off : step;
        err = ifu_verify_update(&v, img + off, n);
    }
    if (err) {
        ifu_verify_abort(&v);
        return err;
    }
    return ifu_verify_finish(&v, &rd, info);
}

int tu_verify_buf(const uint8_t *img, uint32_t len, const uint8_t *key, uint32_t key_len,
                  uint32_t chunk, struct ifu_image_info *info)
{
    struct ifu_key k = {.pub = key, .pub_len = key_len};
    struct ifu_keyring ring = {.keys = &k, .count = 1};

    return verify_stream(img, len, key != NULL ? &ring : NULL, 0, chunk, info);
}

int tu_verify_ring(const uint8_t *img, uint32_t len, const struct ifu_keyring *ring,
                   uint32_t revoked, struct ifu_image_info *info)
{
    return verify_stream(img, len, ring, revoked, 0, info);
}
