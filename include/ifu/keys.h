/* The keystore: trust anchors in bootloader-owned storage, with revocation.
 *
 * A keystore is a fixed number of key slots in a small store whose bits move
 * one way only (OTP/eFuse, a reserved flash page never erased in the field,
 * or a read-only table compiled into the bootloader). Each slot holds the
 * SHA-256 of a public key in its PUBKEY-TLV encoding (ifu/crypto.h), a
 * commit mark, and a revocation mark. Provisioning and revocation only
 * program bytes that are still erased, so a power cut at any instant leaves
 * every slot either as it was or as it was going to be (docs/KEYS.md §4).
 *
 * The byte layout is in docs/KEYS.md §3. The store is reached only through
 * the callbacks below; the application gets the same read-only view through
 * ifu_keys_count() and ifu_keys_get(), never by address. */
#ifndef IFU_KEYS_H
#define IFU_KEYS_H

#include <stdint.h>

#include "ifu/config.h"
#include "ifu/flash.h"
#include "ifu/image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IFU_KEYS_ANCHOR_SIZE 32u  /* SHA-256 of the key's PUBKEY-TLV encoding */
#define IFU_KEYS_BODY_SIZE   40u  /* tag (4) + anchor (32) + CRC-32 (4) */
#define IFU_KEYS_TAG         0x4b /* 'K': first byte of a provisioned record */
#define IFU_KEYS_KIND_SHA256 0x01 /* second byte: the anchor is a SHA-256 */

/* State of one slot (docs/KEYS.md §3.2). */
enum ifu_key_state {
    IFU_KEY_EMPTY = 0,   /* every byte erased: free for provisioning */
    IFU_KEY_VALID = 1,   /* committed anchor with a good CRC: trusted */
    IFU_KEY_REVOKED = 2, /* revocation mark set: never trusted again */
    IFU_KEY_INVALID = 3, /* neither: a provisioning cut short, or damage; not trusted, not reused */
};

/* The application's view of one slot. */
struct ifu_key_slot {
    enum ifu_key_state state;
    uint8_t hash[IFU_KEYS_ANCHOR_SIZE]; /* the anchor; zero unless it reads back intact */
    uint8_t full;                       /* 1 if the bootloader also holds the full key */
};

/* Keystore flags. */
/* Nordic-style rotation policy: when the bootloader boots a confirmed image
 * whose key is in slot N, it revokes every valid slot below N first. */
#define IFU_KEYS_F_REVOKE_BELOW 0x1u

/* A keystore: its storage backend, and a cache of the anchors it holds.
 * Zero it, fill the public fields (or use one of the ifu_keys_init_*
 * helpers), and keep it alive as long as any configuration points to it.
 * The private fields point into the struct itself: do not copy it after
 * ifu_keys_load(). */
struct ifu_keystore {
    /* Read len bytes at byte offset off of the store. Any alignment. */
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    /* Program len bytes at off; off and len are multiples of write_size and
     * only erased bytes are programmed. Returns once they are durable.
     * NULL for a read-only store (the application's view, a compiled-in
     * table): provisioning and revocation then fail with IFU_EUNSUPPORTED. */
    int (*prog)(void *ctx, uint32_t off, const void *buf, uint32_t len);
    /* Optional: make the store read-only until the next reset (MPU region,
     * flash write protection, OTP lock bit). ifu_boot_go calls it through
     * ifu_keys_lock() after its last keystore write, right before it names
     * the image to jump to. NULL if the port has nothing to lock. */
    int (*lock)(void *ctx);
    void *ctx;           /* handed back to every callback */
    uint32_t size;       /* bytes of the store; >= slots * ifu_keys_record_size() */
    uint32_t write_size; /* programming unit, bytes: power of two, 1..32 */
    uint8_t erased_val;  /* 0xff (NOR flash), 0x00 (OTP, eFuse) */
    uint32_t slots;      /* key slots, 1..IFU_KEYS_MAX_SLOTS */
    uint32_t flags;      /* IFU_KEYS_F_* */
    /* Optional, for a compiled-in table: full keys, `slots` entries, index =
     * slot (pub NULL where only the hash is held). A full key lets images name
     * their key by KEYHASH; with only the hash they must carry a PUBKEY TLV.
     * A full key whose SHA-256 is not the slot's anchor makes the slot INVALID. */
    const struct ifu_key *full;

    /* Private: the keyring the verifier reads, refreshed by ifu_keys_load. */
    struct ifu_key ring_keys[IFU_KEYS_MAX_SLOTS];
    uint8_t ring_hash[IFU_KEYS_MAX_SLOTS][IFU_KEYS_ANCHOR_SIZE];
    struct ifu_keyring ring;
    uint32_t ring_revoked; /* bit i: slot i is REVOKED */
};

/* Bytes one slot takes for a write size: align_up(40, A) + 2A, with
 * A = max(write_size, 4). 48 for write sizes 1..4, 56 for 8. */
uint32_t ifu_keys_record_size(uint32_t write_size);

/* Backend (a): a read-only table compiled into the bootloader, e.g. the
 * array `ifu provision --format c` writes. blob must outlive ks; write_size
 * and erased_val are those the table was made for. Revocation is not
 * possible (IFU_EUNSUPPORTED): ship a new bootloader, or use (b) or (c).
 * Returns 0 or IFU_EINVAL. */
int ifu_keys_init_rom(struct ifu_keystore *ks, const uint8_t *blob, uint32_t size,
                      uint32_t write_size, uint8_t erased_val, uint32_t slots);

/* Backend (c): a reserved flash area (one or more sectors) that the
 * bootloader write-protects before it jumps (ks->lock). a must outlive ks.
 * The area is never erased by ifu. Returns 0 or IFU_EINVAL. Backend (b),
 * OTP/eFuse, is a driver that fills read/prog/ctx itself, erased_val 0x00
 * (port/sim's OTP in tests; docs/KEYS.md §2.2). */
int ifu_keys_init_area(struct ifu_keystore *ks, const struct ifu_area *a, uint32_t slots);

/* Check the public fields. Returns 0 or IFU_EINVAL. */
int ifu_keys_check(const struct ifu_keystore *ks);

/* Number of slots (the application's API), or IFU_EINVAL. */
int ifu_keys_count(const struct ifu_keystore *ks);

/* Read slot i. Reads only. Returns 0, IFU_EINVAL (bad slot), or a read error. */
int ifu_keys_get(const struct ifu_keystore *ks, uint32_t slot, struct ifu_key_slot *out);

/* Slot holding the anchor hash as VALID or REVOKED (the lowest if several),
 * or IFU_ENOKEY, or a read error. Reads only. */
int ifu_keys_find(const struct ifu_keystore *ks, const uint8_t hash[IFU_KEYS_ANCHOR_SIZE]);

/* Bootloader/factory: trust a new anchor. Returns the slot it is in (>= 0):
 * the slot already holding it VALID (nothing written), else the lowest EMPTY
 * slot, programmed as record body, then commit mark. IFU_EREVOKED if the
 * anchor is revoked in some slot (a revoked key never comes back);
 * IFU_ENOSPC if no slot is EMPTY; IFU_EUNSUPPORTED if read-only; or a flash
 * error. Flash: at most two programs, inside one EMPTY slot. */
int ifu_keys_provision(struct ifu_keystore *ks, const uint8_t hash[IFU_KEYS_ANCHOR_SIZE]);

/* Bootloader: revoke slot i for good. Idempotent (0 if already revoked).
 * Returns 0, IFU_EINVAL (bad slot), IFU_ESTATE (slot EMPTY: nothing to
 * revoke), IFU_EUNSUPPORTED (read-only), or a flash error. Flash: at most
 * one program of the slot's revocation mark. */
int ifu_keys_revoke(struct ifu_keystore *ks, uint32_t slot);

/* Bootloader: revoke every VALID slot below slot (the rotation policy).
 * Returns the number of slots revoked now (>= 0) or an error as for revoke. */
int ifu_keys_revoke_below(struct ifu_keystore *ks, uint32_t slot);

/* Read every slot and rebuild the keyring in ks: entry i is slot i (so an
 * ifu_image_info.key_index is a slot number); VALID slots are trusted,
 * REVOKED slots are listed and flagged in *revoked (bit i: slot i), which
 * the caller hands to ifu_verify_set_revoked() so that an image naming one
 * fails with IFU_EREVOKED; EMPTY and INVALID slots match nothing.
 * Returns the number of VALID slots (>= 0), IFU_EINVAL, or a read error;
 * *ring and *revoked (both optional) receive the keyring, which lives in ks,
 * and the mask. */
int ifu_keys_load(struct ifu_keystore *ks, const struct ifu_keyring **ring, uint32_t *revoked);

/* Call the lock hook, if any. Returns 0 or its error. */
int ifu_keys_lock(const struct ifu_keystore *ks);

/* Parse a keystore image held in memory (a blob made by `ifu provision`, an
 * OTP dump) without a backend: fills out[0..slots) like ifu_keys_get.
 * Returns 0 or IFU_EINVAL (geometry, or size too small). For tools and the
 * fuzz target. */
int ifu_keys_parse(const uint8_t *blob, uint32_t size, uint32_t write_size, uint8_t erased_val,
                   uint32_t slots, struct ifu_key_slot *out);

#ifdef __cplusplus
}
#endif

#endif /* IFU_KEYS_H */
