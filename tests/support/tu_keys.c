/* see tu_keys.h */
#include "tu_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    return ifu_sim_otp_read(ctx, off, buf, len);
}

static int otp_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    return ifu_sim_otp_prog(ctx, off, buf, len);
}

int tu_keys_otp(struct ifu_keystore *ks, struct ifu_sim *sim, uint32_t slots)
{
    memset(ks, 0, sizeof *ks);
    ks->read = otp_read;
    ks->prog = otp_prog;
    ks->ctx = sim;
    ks->size = sim->otp_size;
    ks->write_size = TU_KEYS_OTP_WRITE;
    ks->erased_val = 0x00;
    ks->slots = slots;
    return ifu_keys_check(ks);
}

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct tu_keys_ram *r = ctx;
    if ((uint64_t)off + len > r->size) {
        return IFU_EINVAL;
    }
    memcpy(buf, r->mem + off, len);
    return 0;
}

static int ram_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct tu_keys_ram *r = ctx;
    if ((uint64_t)off + len > r->size || off % r->write_size != 0 || len % r->write_size != 0) {
        return IFU_EINVAL;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (r->mem[off + i] != r->erased) {
            return IFU_EIO; /* NOR: never over programmed bytes */
        }
    }
    memcpy(r->mem + off, buf, len);
    r->progs++;
    return 0;
}

int tu_keys_ram(struct ifu_keystore *ks, struct tu_keys_ram *ram, uint32_t slots)
{
    memset(ks, 0, sizeof *ks);
    ks->read = ram_read;
    ks->prog = ram_prog;
    ks->ctx = ram;
    ks->size = ram->size;
    ks->write_size = ram->write_size;
    ks->erased_val = ram->erased;
    ks->slots = slots;
    return ifu_keys_check(ks);
}

void tu_keys_anchor(enum tu_key k, uint8_t out[IFU_KEYS_ANCHOR_SIZE])
{
    uint32_t len = 0;
    const uint8_t *pub = tu_image_pub(k, &len);
    uint8_t h[IFU_HASH_MAX_SIZE];
    if (ifu_hash_oneshot(IFU_HASH_SHA256, pub, len, h) != 0) {
        fprintf(stderr, "tu_keys: SHA-256 failed\n");
        exit(1);
    }
    memcpy(out, h, IFU_KEYS_ANCHOR_SIZE);
}
