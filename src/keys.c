/* The keystore: slots of one-way records in bootloader-owned storage.
 * Layout and power-loss argument: docs/KEYS.md §3 and §4. */
#include <string.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/keys.h"

#include "util_priv.h"

/* Largest programming unit: the buffer one mark is built in. */
#define UNIT_MAX 32u

/* Record geometry for one write size (docs/KEYS.md §3.1). */
struct geo {
    uint32_t align;  /* A = max(write_size, 4) */
    uint32_t body;   /* B = align_up(40, A): tag, anchor, CRC, erased padding */
    uint32_t record; /* R = B + 2A */
};

static void geo_of(uint32_t write_size, struct geo *g)
{
    g->align = write_size > 4 ? write_size : 4;
    g->body = (IFU_KEYS_BODY_SIZE + g->align - 1) / g->align * g->align;
    g->record = g->body + 2 * g->align;
}

static int all_erased(const uint8_t *p, uint32_t n, uint8_t erased)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != erased) {
            return 0;
        }
    }
    return 1;
}

static int geometry_ok(uint32_t write_size, uint8_t erased_val, uint32_t slots)
{
    return write_size >= 1 && write_size <= UNIT_MAX && (write_size & (write_size - 1)) == 0 &&
           (erased_val == 0x00 || erased_val == 0xff) && slots >= 1 && slots <= IFU_KEYS_MAX_SLOTS;
}

/* see include/ifu/keys.h */
uint32_t ifu_keys_record_size(uint32_t write_size)
{
    struct geo g;
    geo_of(write_size, &g);
    return g.record;
}

/* Decode one record (R bytes at rec). The order of the tests is the
 * power-loss argument of docs/KEYS.md §4: the revocation mark wins over
 * everything, the commit mark makes a body count, and a body without a
 * commit mark is a provisioning that was cut short. */
static void decode(const uint8_t *rec, const struct geo *g, uint8_t erased,
                   struct ifu_key_slot *out)
{
    const uint8_t *commit = rec + g->body;
    const uint8_t *revoke = rec + g->body + g->align;
    int body_ok = rec[0] == IFU_KEYS_TAG && rec[1] == IFU_KEYS_KIND_SHA256 && rec[2] == 0 &&
                  rec[3] == 0 && ifu_get_le32(rec + 36) == ifu_crc32(rec, 36);

    memset(out, 0, sizeof *out);
    if (body_ok) {
        memcpy(out->hash, rec + 4, IFU_KEYS_ANCHOR_SIZE);
    }
    if (!all_erased(revoke, g->align, erased)) {
        out->state = IFU_KEY_REVOKED; /* any bit: a torn revocation still revokes */
    } else if (!all_erased(commit, g->align, erased)) {
        out->state = body_ok ? IFU_KEY_VALID : IFU_KEY_INVALID;
    } else if (all_erased(rec, g->body, erased)) {
        out->state = IFU_KEY_EMPTY;
    } else {
        out->state = IFU_KEY_INVALID; /* body written, never committed */
    }
}

/* see include/ifu/keys.h */
int ifu_keys_parse(const uint8_t *blob, uint32_t size, uint32_t write_size, uint8_t erased_val,
                   uint32_t slots, struct ifu_key_slot *out)
{
    struct geo g;

    if (blob == NULL || out == NULL || !geometry_ok(write_size, erased_val, slots)) {
        return IFU_EINVAL;
    }
    geo_of(write_size, &g);
    if ((uint64_t)slots * g.record > size) {
        return IFU_EINVAL;
    }
    for (uint32_t i = 0; i < slots; i++) {
        decode(blob + i * g.record, &g, erased_val, &out[i]);
    }
    return 0;
}

/* see include/ifu/keys.h */
int ifu_keys_check(const struct ifu_keystore *ks)
{
    if (ks == NULL || ks->read == NULL || !geometry_ok(ks->write_size, ks->erased_val, ks->slots) ||
        (uint64_t)ks->slots * ifu_keys_record_size(ks->write_size) > ks->size ||
        (ks->flags & ~IFU_KEYS_F_REVOKE_BELOW) != 0) {
        return IFU_EINVAL;
    }
    return 0;
}

/* see include/ifu/keys.h */
int ifu_keys_count(const struct ifu_keystore *ks)
{
    int err = ifu_keys_check(ks);
    return err ? err : (int)ks->slots;
}

/* Record of slot i, whole: at most align_up(40, 32) + 64 bytes. */
#define RECORD_MAX 128u

static int read_slot(const struct ifu_keystore *ks, uint32_t slot, struct ifu_key_slot *out)
{
    struct geo g;
    uint8_t rec[RECORD_MAX];

    geo_of(ks->write_size, &g);
    int err = ks->read(ks->ctx, slot * g.record, rec, g.record);
    if (err) {
        return err;
    }
    decode(rec, &g, ks->erased_val, out);
    if (ks->full != NULL && ks->full[slot].pub != NULL) {
        /* A compiled-in full key must be the key the anchor names. */
        uint8_t h[IFU_HASH_MAX_SIZE];
        err = ifu_hash_oneshot(IFU_HASH_SHA256, ks->full[slot].pub, ks->full[slot].pub_len, h);
        if (err) {
            return err;
        }
        if (ifu_ct_memcmp(h, out->hash, IFU_KEYS_ANCHOR_SIZE) == 0) {
            out->full = 1;
        } else if (out->state == IFU_KEY_VALID) {
            out->state = IFU_KEY_INVALID;
        }
    }
    return 0;
}

/* see include/ifu/keys.h */
int ifu_keys_get(const struct ifu_keystore *ks, uint32_t slot, struct ifu_key_slot *out)
{
    if (out == NULL) {
        return IFU_EINVAL;
    }
    memset(out, 0, sizeof *out);
    int err = ifu_keys_check(ks);
    if (err) {
        return err;
    }
    if (slot >= ks->slots) {
        return IFU_EINVAL;
    }
    return read_slot(ks, slot, out);
}

/* see include/ifu/keys.h */
int ifu_keys_find(const struct ifu_keystore *ks, const uint8_t hash[IFU_KEYS_ANCHOR_SIZE])
{
    struct ifu_key_slot s;

    int err = ifu_keys_check(ks);
    if (err || hash == NULL) {
        return err ? err : IFU_EINVAL;
    }
    for (uint32_t i = 0; i < ks->slots; i++) {
        err = read_slot(ks, i, &s);
        if (err) {
            return err;
        }
        if ((s.state == IFU_KEY_VALID || s.state == IFU_KEY_REVOKED) &&
            ifu_ct_memcmp(s.hash, hash, IFU_KEYS_ANCHOR_SIZE) == 0) {
            return (int)i;
        }
    }
    return IFU_ENOKEY;
}

/* Program one mark (commit or revoke) of slot i: A bytes of ~erased. */
static int prog_mark(struct ifu_keystore *ks, uint32_t slot, uint32_t which)
{
    struct geo g;
    uint8_t unit[UNIT_MAX];

    geo_of(ks->write_size, &g);
    memset(unit, (uint8_t)~ks->erased_val, g.align);
    return ks->prog(ks->ctx, slot * g.record + g.body + which * g.align, unit, g.align);
}

/* see include/ifu/keys.h */
int ifu_keys_provision(struct ifu_keystore *ks, const uint8_t hash[IFU_KEYS_ANCHOR_SIZE])
{
    struct ifu_key_slot s;
    struct geo g;
    uint8_t body[RECORD_MAX];
    int free_slot = -1;

    int err = ifu_keys_check(ks);
    if (err || hash == NULL) {
        return err ? err : IFU_EINVAL;
    }
    if (ks->prog == NULL) {
        return IFU_EUNSUPPORTED;
    }
    /* Scan everything first: a revoked copy anywhere refuses the anchor, a
     * valid copy makes this a no-op (a repeat after a power cut). */
    int have = -1;
    for (uint32_t i = 0; i < ks->slots; i++) {
        err = read_slot(ks, i, &s);
        if (err) {
            return err;
        }
        int same = ifu_ct_memcmp(s.hash, hash, IFU_KEYS_ANCHOR_SIZE) == 0;
        if (s.state == IFU_KEY_REVOKED && same) {
            return IFU_EREVOKED; /* a revoked key never comes back */
        }
        if (s.state == IFU_KEY_VALID && same && have < 0) {
            have = (int)i;
        }
        if (s.state == IFU_KEY_EMPTY && free_slot < 0) {
            free_slot = (int)i;
        }
    }
    if (have >= 0) {
        return have;
    }
    if (free_slot < 0) {
        return IFU_ENOSPC;
    }
    /* K1: the body is durable before the commit mark is started, so a
     * committed slot always holds a whole body (docs/KEYS.md §4). */
    geo_of(ks->write_size, &g);
    memset(body, ks->erased_val, g.body);
    body[0] = IFU_KEYS_TAG;
    body[1] = IFU_KEYS_KIND_SHA256;
    body[2] = 0;
    body[3] = 0;
    memcpy(body + 4, hash, IFU_KEYS_ANCHOR_SIZE);
    ifu_put_le32(body + 36, ifu_crc32(body, 36));
    err = ks->prog(ks->ctx, (uint32_t)free_slot * g.record, body, g.body);
    if (!err) {
        err = prog_mark(ks, (uint32_t)free_slot, 0);
    }
    return err ? err : free_slot;
}

/* Revoke slot i whose decoded state is s. */
static int revoke_slot(struct ifu_keystore *ks, uint32_t slot, const struct ifu_key_slot *s)
{
    if (s->state == IFU_KEY_REVOKED) {
        return 0; /* K2: never programmed twice (a torn mark already counts) */
    }
    if (s->state == IFU_KEY_EMPTY) {
        return IFU_ESTATE;
    }
    return prog_mark(ks, slot, 1);
}

/* see include/ifu/keys.h */
int ifu_keys_revoke(struct ifu_keystore *ks, uint32_t slot)
{
    struct ifu_key_slot s;

    int err = ifu_keys_check(ks);
    if (err) {
        return err;
    }
    if (slot >= ks->slots) {
        return IFU_EINVAL;
    }
    if (ks->prog == NULL) {
        return IFU_EUNSUPPORTED;
    }
    err = read_slot(ks, slot, &s);
    return err ? err : revoke_slot(ks, slot, &s);
}

/* see include/ifu/keys.h */
int ifu_keys_revoke_below(struct ifu_keystore *ks, uint32_t slot)
{
    struct ifu_key_slot s;
    int count = 0;

    int err = ifu_keys_check(ks);
    if (err) {
        return err;
    }
    if (slot >= ks->slots) {
        return IFU_EINVAL;
    }
    for (uint32_t i = 0; i < slot; i++) {
        err = read_slot(ks, i, &s);
        if (err) {
            return err;
        }
        if (s.state != IFU_KEY_VALID) {
            continue;
        }
        if (ks->prog == NULL) {
            return IFU_EUNSUPPORTED;
        }
        err = revoke_slot(ks, i, &s);
        if (err) {
            return err;
        }
        count++;
    }
    return count;
}

/* see include/ifu/keys.h */
int ifu_keys_load(struct ifu_keystore *ks, const struct ifu_keyring **ring, uint32_t *revoked)
{
    struct ifu_key_slot s;
    int valid = 0;

    if (ring != NULL) {
        *ring = NULL;
    }
    if (revoked != NULL) {
        *revoked = 0;
    }
    int err = ifu_keys_check(ks);
    if (err) {
        return err;
    }
    memset(ks->ring_keys, 0, sizeof ks->ring_keys);
    memset(ks->ring_hash, 0, sizeof ks->ring_hash);
    ks->ring.keys = ks->ring_keys;
    ks->ring.count = ks->slots;
    ks->ring_revoked = 0;
    for (uint32_t i = 0; i < ks->slots; i++) {
        err = read_slot(ks, i, &s);
        if (err) {
            ks->ring.count = 0; /* fail closed: a half-read keyring trusts nothing */
            return err;
        }
        struct ifu_key *k = &ks->ring_keys[i];
        if (s.state != IFU_KEY_VALID && s.state != IFU_KEY_REVOKED) {
            continue; /* pub and pub_sha256 NULL: matches nothing */
        }
        memcpy(ks->ring_hash[i], s.hash, IFU_KEYS_ANCHOR_SIZE);
        k->pub_sha256 = ks->ring_hash[i];
        if (s.full) {
            k->pub = ks->full[i].pub;
            k->pub_len = ks->full[i].pub_len;
        }
        if (s.state == IFU_KEY_REVOKED) {
            ks->ring_revoked |= 1u << i;
        } else {
            valid++;
        }
    }
    if (ring != NULL) {
        *ring = &ks->ring;
    }
    if (revoked != NULL) {
        *revoked = ks->ring_revoked;
    }
    return valid;
}

/* see include/ifu/keys.h */
int ifu_keys_lock(const struct ifu_keystore *ks)
{
    if (ks == NULL) {
        return IFU_EINVAL;
    }
    return ks->lock != NULL ? ks->lock(ks->ctx) : 0;
}

static int rom_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    memcpy(buf, (const uint8_t *)ctx + off, len);
    return 0;
}

/* see include/ifu/keys.h */
int ifu_keys_init_rom(struct ifu_keystore *ks, const uint8_t *blob, uint32_t size,
                      uint32_t write_size, uint8_t erased_val, uint32_t slots)
{
    if (ks == NULL || blob == NULL) {
        return IFU_EINVAL;
    }
    memset(ks, 0, sizeof *ks);
    ks->read = rom_read;
    /* The table is const; rom_read only reads through ctx. */
    ks->ctx = (void *)(uintptr_t)blob;
    ks->size = size;
    ks->write_size = write_size;
    ks->erased_val = erased_val;
    ks->slots = slots;
    return ifu_keys_check(ks);
}

static int area_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    return ifu_area_read(ctx, off, buf, len);
}

static int area_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    int err = ifu_area_prog(ctx, off, buf, len);
    return err ? err : ifu_area_sync(ctx);
}

/* see include/ifu/keys.h */
int ifu_keys_init_area(struct ifu_keystore *ks, const struct ifu_area *a, uint32_t slots)
{
    if (ks == NULL || a == NULL) {
        return IFU_EINVAL;
    }
    memset(ks, 0, sizeof *ks);
    int err = ifu_area_check(a);
    if (err) {
        return err;
    }
    ks->read = area_read;
    ks->prog = area_prog;
    ks->ctx = (void *)(uintptr_t)a; /* area_read/prog pass it back as const */
    ks->size = a->size;
    ks->write_size = a->flash->write_size;
    ks->erased_val = a->flash->erased_val;
    ks->slots = slots;
    return ifu_keys_check(ks);
}
