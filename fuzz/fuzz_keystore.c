/* Fuzz target: the keystore record parser and its write paths
 * (include/ifu/keys.h, docs/KEYS.md §3).
 *
 * Input: byte 0 picks the geometry (bits 0-2: write size 1..32, bit 3:
 * erased 0x00 as OTP or 0xff as flash), byte 1 the slot count, the rest is
 * the store's content (shorter input is padded with the erased value).
 * Checks, beyond no crash and no hang: ifu_keys_parse and ifu_keys_get agree
 * on every slot; the keyring marks exactly the REVOKED slots; provision,
 * revoke and revoke-below keep their promises on whatever the store holds:
 * a REVOKED slot stays REVOKED with its anchor, a VALID slot not targeted
 * keeps its anchor, provision returns a slot that then holds the anchor
 * VALID, revoke leaves the slot REVOKED, and no write lands on a byte that
 * is not erased (flash) or clears a bit (OTP). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/errors.h"
#include "ifu/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STORE_MAX (IFU_KEYS_MAX_SLOTS * 128u)

struct store {
    uint8_t mem[STORE_MAX];
    uint32_t size;
    uint8_t erased;
};

static int st_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct store *s = ctx;
    if ((uint64_t)off + len > s->size) {
        abort(); /* the library read outside the store it was given */
    }
    memcpy(buf, s->mem + off, len);
    return 0;
}

static int st_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct store *s = ctx;
    const uint8_t *b = buf;
    if ((uint64_t)off + len > s->size) {
        abort();
    }
    for (uint32_t i = 0; i < len; i++) {
        if (s->erased == 0x00) {
            s->mem[off + i] |= b[i]; /* OTP: bits only go 0 -> 1 */
        } else if (s->mem[off + i] != 0xff) {
            abort(); /* NOR: the library must never program over programmed bytes */
        } else {
            s->mem[off + i] = b[i];
        }
    }
    return 0;
}

static void snapshot(const struct ifu_keystore *ks, struct ifu_key_slot *out)
{
    for (uint32_t i = 0; i < ks->slots; i++) {
        if (ifu_keys_get(ks, i, &out[i]) != 0) {
            abort();
        }
    }
}

/* Nothing revoked comes back; a VALID slot other than `except` keeps its anchor. */
static void check_kept(const struct ifu_keystore *ks, const struct ifu_key_slot *before, int except)
{
    struct ifu_key_slot now[IFU_KEYS_MAX_SLOTS];
    snapshot(ks, now);
    for (uint32_t i = 0; i < ks->slots; i++) {
        if (before[i].state == IFU_KEY_REVOKED &&
            (now[i].state != IFU_KEY_REVOKED || memcmp(now[i].hash, before[i].hash, 32) != 0)) {
            abort();
        }
        if ((int)i != except && before[i].state == IFU_KEY_VALID &&
            (now[i].state != IFU_KEY_VALID || memcmp(now[i].hash, before[i].hash, 32) != 0)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct store st;
    struct ifu_keystore ks;
    struct ifu_key_slot parsed[IFU_KEYS_MAX_SLOTS];
    struct ifu_key_slot before[IFU_KEYS_MAX_SLOTS];
    static const uint8_t anchor[32] = {0x4b, 0x01, 0x00, 0x00, 0xfa, 0xce, 0x17, 0x00};

    if (size < 2) {
        return 0;
    }
    uint32_t ws = 1u << (data[0] & 7u) % 6u;
    st.erased = (data[0] & 8u) != 0 ? 0x00 : 0xff;
    uint32_t slots = 1u + data[1] % IFU_KEYS_MAX_SLOTS;
    st.size = slots * ifu_keys_record_size(ws);
    memset(st.mem, st.erased, sizeof st.mem);
    size_t n = size - 2 < st.size ? size - 2 : st.size;
    memcpy(st.mem, data + 2, n);

    if (ifu_keys_parse(st.mem, st.size, ws, st.erased, slots, parsed) != 0) {
        abort(); /* a well-formed geometry always parses */
    }
    memset(&ks, 0, sizeof ks);
    ks.read = st_read;
    ks.prog = st_prog;
    ks.ctx = &st;
    ks.size = st.size;
    ks.write_size = ws;
    ks.erased_val = st.erased;
    ks.slots = slots;
    snapshot(&ks, before);
    for (uint32_t i = 0; i < slots; i++) {
        if (before[i].state != parsed[i].state || memcmp(before[i].hash, parsed[i].hash, 32) != 0) {
            abort();
        }
    }
    const struct ifu_keyring *ring;
    uint32_t revoked = 0;
    int valid = ifu_keys_load(&ks, &ring, &revoked);
    int want_valid = 0;
    for (uint32_t i = 0; i < slots; i++) {
        want_valid += before[i].state == IFU_KEY_VALID;
        if (((revoked >> i) & 1u) != (before[i].state == IFU_KEY_REVOKED) ||
            (ring->keys[i].pub_sha256 != NULL) !=
                (before[i].state == IFU_KEY_VALID || before[i].state == IFU_KEY_REVOKED)) {
            abort();
        }
    }
    if (valid != want_valid) {
        abort();
    }

    /* Provision a fixed anchor. */
    int got = ifu_keys_provision(&ks, anchor);
    check_kept(&ks, before, -1);
    if (got >= 0) {
        struct ifu_key_slot s;
        if (ifu_keys_get(&ks, (uint32_t)got, &s) != 0 || s.state != IFU_KEY_VALID ||
            memcmp(s.hash, anchor, 32) != 0) {
            abort();
        }
    } else if (got != IFU_ENOSPC && got != IFU_EREVOKED) {
        abort();
    }
    /* Revoke the slot the input names, then everything below the last. */
    snapshot(&ks, before);
    uint32_t target = size > 2 ? data[2] % slots : 0;
    int err = ifu_keys_revoke(&ks, target);
    check_kept(&ks, before, (int)target);
    struct ifu_key_slot s;
    if (ifu_keys_get(&ks, target, &s) != 0) {
        abort();
    }
    if (err == 0 ? s.state != IFU_KEY_REVOKED
                 : err != IFU_ESTATE || before[target].state != IFU_KEY_EMPTY) {
        abort();
    }
    snapshot(&ks, before);
    int count = ifu_keys_revoke_below(&ks, slots - 1);
    if (count < 0) {
        abort();
    }
    for (uint32_t i = 0; i + 1 < slots; i++) {
        if (ifu_keys_get(&ks, i, &s) != 0 ||
            (before[i].state == IFU_KEY_VALID && s.state != IFU_KEY_REVOKED)) {
            abort();
        }
    }
    return 0;
}
