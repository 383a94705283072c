/* Fuzz target: full verification with trusted keys of every algorithm,
 * through the reader path and the streaming path. Checks: no crash, no hang,
 * both paths agree, and an accepted image really is signed by one of the keys
 * (the verifier may never report success with key_index outside the ring).
 * Also ifu_image_verify_area() over a flash that holds exactly the input, once
 * copied through read and once in place (flash.map): both must give the
 * reader path's exact result, and, as the device ends where the input ends,
 * a mapped read past the area is a heap overflow the sanitizer reports. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"
#include "ifu/image.h"

#include "fuzz_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dev_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    memcpy(buf, (const uint8_t *)fl->ctx + off, len); /* the flash layer checked the range */
    return 0;
}

static int dev_refuse(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)buf;
    (void)len;
    abort(); /* verification never writes */
}

static int dev_refuse_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)len;
    abort();
}

/* ifu_image_verify_area over a one-sector device holding exactly the input. */
static int by_area(const uint8_t *data, uint32_t size, int mapped)
{
    uint8_t *dev = malloc(size);
    if (dev == NULL) {
        abort();
    }
    memcpy(dev, data, size);
    const struct ifu_sector_run run = {size, 1};
    const struct ifu_flash fl = {.ctx = dev,
                                 .read = dev_read,
                                 .prog = dev_refuse,
                                 .erase = dev_refuse_erase,
                                 .write_size = 1,
                                 .erased_val = 0xff,
                                 .sectors = &run,
                                 .sector_runs = 1,
                                 .map = mapped ? dev : NULL};
    const struct ifu_area a = {&fl, 0, size};
    struct ifu_image_info info;
    int err = ifu_image_verify_area(&a, 0, size, &fuzz_keyring, 0, IFU_HASHSET_ALL, &info);
    free(dev);
    return err;
}

struct mem {
    const uint8_t *data;
    uint32_t len;
};

static int mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct mem *m = ctx;
    if (off > m->len || len > m->len - off) {
        return IFU_EIO;
    }
    memcpy(buf, m->data + off, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ifu_verify v;
    struct ifu_image_info info;
    struct mem m = {.data = data, .len = (uint32_t)size};
    struct ifu_image_reader rd = {.read = mem_read, .ctx = &m};

    if (size > (1u << 20)) {
        return 0;
    }
    int by_reader = ifu_image_verify(&rd, (uint32_t)size, &fuzz_keyring, 0, IFU_HASHSET_ALL, &info);
    if (by_reader == 0 && (info.key_index < 0 || (uint32_t)info.key_index >= fuzz_keyring.count)) {
        abort();
    }
    /* The same bytes streamed in 61-byte chunks (a prime, to cross every field). */
    int err = ifu_verify_begin(&v, &fuzz_keyring, 0, IFU_HASHSET_ALL, 0, NULL);
    for (uint32_t off = 0; !err && off < size; off += 61) {
        err = ifu_verify_update(&v, data + off, size - off < 61 ? (uint32_t)(size - off) : 61);
    }
    int streamed = err ? err : ifu_verify_finish(&v, &rd, NULL);
    if (err) {
        ifu_verify_abort(&v);
    }
    if ((by_reader == 0) != (streamed == 0)) {
        abort();
    }
    if (size > 0 && (by_area(data, (uint32_t)size, 0) != by_reader ||
                     by_area(data, (uint32_t)size, 1) != by_reader)) {
        abort();
    }
    return 0;
}
