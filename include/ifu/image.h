/* MCUboot-compatible images: header parsing and streaming verification.
 *
 * The byte layout is specified in docs/FORMAT.md. An image is
 *   header (hdr_size bytes, the first 32 defined) | payload (img_size bytes)
 *   | protected TLV area (prot_tlv_size bytes, may be absent)
 *   | unprotected TLV area (its own length in its info header)
 * The image digest covers header, payload and protected TLV area; the
 * signature covers the digest (or, for Ed25519 "pure", those bytes).
 *
 * The verifier streams: bytes are fed in order, in chunks of any size, and no
 * buffer of the image's size is ever needed. */
#ifndef IFU_IMAGE_H
#define IFU_IMAGE_H

#include <stdint.h>

#include "ifu/config.h"
#include "ifu/crypto.h"
#include "ifu/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IFU_IMAGE_MAGIC       0x96f3b83du
#define IFU_IMAGE_HEADER_SIZE 32u /* bytes of the header that carry fields */

/* Header flags (ih_flags). */
#define IFU_IMAGE_F_PIC              0x00000001u
#define IFU_IMAGE_F_ENCRYPTED_AES128 0x00000004u
#define IFU_IMAGE_F_ENCRYPTED_AES256 0x00000008u
#define IFU_IMAGE_F_NON_BOOTABLE     0x00000010u
#define IFU_IMAGE_F_RAM_LOAD         0x00000020u
#define IFU_IMAGE_F_ROM_FIXED        0x00000100u
#define IFU_IMAGE_F_COMPRESSED_LZMA1 0x00000200u
#define IFU_IMAGE_F_COMPRESSED_LZMA2 0x00000400u
#define IFU_IMAGE_F_COMPRESSED_ARM   0x00000800u
#define IFU_IMAGE_F_DEFINED          0x00000f3du /* every flag above */

/* TLV area magics and TLV types. */
#define IFU_TLV_INFO_MAGIC      0x6907u
#define IFU_TLV_PROT_INFO_MAGIC 0x6908u
#define IFU_TLV_INFO_SIZE       4u
#define IFU_TLV_HDR_SIZE        4u

#define IFU_TLV_KEYHASH           0x01u
#define IFU_TLV_PUBKEY            0x02u
#define IFU_TLV_SHA256            0x10u
#define IFU_TLV_SHA384            0x11u
#define IFU_TLV_SHA512            0x12u
#define IFU_TLV_RSA2048_PSS       0x20u
#define IFU_TLV_ECDSA224          0x21u
#define IFU_TLV_ECDSA_SIG         0x22u
#define IFU_TLV_RSA3072_PSS       0x23u
#define IFU_TLV_ED25519           0x24u
#define IFU_TLV_SIG_PURE          0x25u
#define IFU_TLV_ENC_RSA2048       0x30u
#define IFU_TLV_ENC_KW            0x31u
#define IFU_TLV_ENC_EC256         0x32u
#define IFU_TLV_ENC_X25519        0x33u
#define IFU_TLV_ENC_X25519_SHA512 0x34u
#define IFU_TLV_DEPENDENCY        0x40u
#define IFU_TLV_SEC_CNT           0x50u
#define IFU_TLV_BOOT_RECORD       0x60u
#define IFU_TLV_DECOMP_SIZE       0x70u
#define IFU_TLV_DECOMP_SHA        0x71u
#define IFU_TLV_DECOMP_SIGNATURE  0x72u
#define IFU_TLV_COMP_DEC_SIZE     0x73u
#define IFU_TLV_UUID_VID          0x74u
#define IFU_TLV_UUID_CID          0x75u

struct ifu_image_version {
    uint8_t major;
    uint8_t minor;
    uint16_t revision;
    uint32_t build;
};

/* The decoded 32-byte header. */
struct ifu_image_header {
    uint32_t magic;
    uint32_t load_addr;
    uint16_t hdr_size;      /* bytes before the payload, >= 32 */
    uint16_t prot_tlv_size; /* bytes of the protected TLV area, 0 if none */
    uint32_t img_size;      /* payload bytes */
    uint32_t flags;         /* IFU_IMAGE_F_* */
    struct ifu_image_version version;
};

/* Decode and check the first 32 bytes of an image.
 * Returns 0; IFU_EMAGIC for a wrong magic; IFU_EHEADER if hdr_size < 32, if a
 * non-empty protected area is shorter than its 4-byte info header, if the
 * declared end of the protected area does not fit in 32 bits, or if the flags
 * are contradictory or undefined (docs/FORMAT.md 2.3). */
int ifu_image_parse_header(struct ifu_image_header *hdr, const uint8_t raw[IFU_IMAGE_HEADER_SIZE]);

/* Offset of the unprotected TLV info header: hdr_size + img_size +
 * prot_tlv_size. Valid only for a header ifu_image_parse_header accepted. */
uint32_t ifu_image_tlv_off(const struct ifu_image_header *hdr);

/* Order two versions by major, minor, revision (build numbers are ignored, as
 * MCUboot does). Returns <0, 0 or >0. */
int ifu_image_version_cmp(const struct ifu_image_version *a, const struct ifu_image_version *b);

/* A trust anchor: a public key the device accepts signatures from.
 * Either pub (the key in PUBKEY-TLV encoding, see ifu/crypto.h) is set, or
 * only pub_sha256 (SHA-256 of that encoding; then the image must carry the
 * key in a PUBKEY TLV). The memory is the caller's and must outlive every
 * verification that uses it. */
struct ifu_key {
    const uint8_t *pub;        /* NULL if only the hash is held */
    uint32_t pub_len;          /* bytes at pub */
    const uint8_t *pub_sha256; /* 32 bytes, or NULL if pub is set */
};

struct ifu_keyring {
    const struct ifu_key *keys;
    uint32_t count;
};

/* Verification flag: accept an image on its digest alone (no key, no signature). */
#define IFU_VERIFY_F_HASH_ONLY 0x1u

/* Hash-algorithm set for ifu_verify_begin(): which digests to compute while
 * bytes stream by. An image whose hash TLV names an algorithm outside the set
 * is rejected with IFU_EUNSUPPORTED. */
#define IFU_HASHSET(alg) (1u << (alg))
#define IFU_HASHSET_ALL                                                                            \
    (IFU_HASHSET(IFU_HASH_SHA256) | IFU_HASHSET(IFU_HASH_SHA384) | IFU_HASHSET(IFU_HASH_SHA512))

/* What a finished verification learnt about the image. */
struct ifu_image_info {
    struct ifu_image_header hdr;
    uint32_t total_size;        /* header through the end of the unprotected TLV area */
    enum ifu_hash_alg hash_alg; /* from the hash TLV */
    uint8_t digest[IFU_HASH_MAX_SIZE];
    enum ifu_sig_alg sig_alg; /* of the signature that verified; NONE if hash-only */
    int32_t key_index;        /* index in the keyring of the key that verified, or -1 */
    uint8_t has_sec_cnt;      /* 1 if a SEC_CNT TLV is present */
    uint8_t sig_pure;         /* 1 if the image carries SIG_PURE */
    uint32_t sec_cnt;         /* value of SEC_CNT, 0 if absent */
};

/* Observer of TLVs as the verifier parses them (for tools such as `ifu info`).
 * prot is 1 for the protected area. off is the absolute offset of the value
 * inside the image. Called once per TLV, before its value is fed. */
struct ifu_tlv_observer {
    void (*on_tlv)(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off);
    void *ctx;
};

/* Private parser states; see src/image_verify.c. */
enum ifu_verify_state {
    IFU_VS_IDLE = 0,
    IFU_VS_HEADER,
    IFU_VS_BODY,
    IFU_VS_INFO,
    IFU_VS_TLV_HDR,
    IFU_VS_TLV_VALUE,
    IFU_VS_DONE,
    IFU_VS_FAILED,
};

/* A streaming verification. Caller-owned; every field is private and its
 * layout may change. Holds no pointer into itself, so it may be copied. */
struct ifu_verify {
    const struct ifu_keyring *keys;
    const struct ifu_tlv_observer *observer;
    uint32_t flags;
    uint32_t max_size;
    int err; /* sticky: the first error, returned by every later call */
    enum ifu_verify_state state;
    uint32_t pos;      /* image bytes consumed */
    uint32_t area_end; /* end of the TLV area being parsed */
    uint32_t tlv_end;  /* end of the TLV value being fed */
    uint16_t tlv_type;
    uint16_t tlv_len;
    uint8_t in_prot;
    uint8_t have;                   /* bytes gathered in buf for a fixed-size field */
    uint8_t buf[IFU_HASH_MAX_SIZE]; /* header, info, TLV header or a small TLV value */
    struct ifu_image_header hdr;
    uint32_t hashset;
    struct ifu_hash hash[IFU_VERIFY_MAX_HASHES];
    enum ifu_hash_alg hash_alg[IFU_VERIFY_MAX_HASHES];
    /* What the TLV areas said. */
    uint32_t seen;        /* bit per unique TLV kind already seen */
    uint8_t keyhash_lens; /* bit 0/1/2: a KEYHASH of 32/48/64 bytes was seen */
    uint8_t tlv_digest[IFU_HASH_MAX_SIZE];
    enum ifu_hash_alg image_hash_alg;
    uint8_t sig_pure;
    uint32_t sec_cnt;
    int32_t key_index;   /* trusted key named by the last KEYHASH/PUBKEY, -1 if none */
    uint8_t key_armed;   /* 1 while the next signature TLV belongs to key_index */
    uint8_t key_in_tlv;  /* 1 if the key bytes are the PUBKEY TLV's (pub), 0 if the keyring's */
    uint8_t saw_key;     /* 1 once any KEYHASH or PUBKEY TLV was seen */
    uint8_t saw_revoked; /* 1 once a KEYHASH or PUBKEY TLV named a revoked key */
    uint32_t revoked;    /* bit i: keys->keys[i] is revoked (ifu_verify_set_revoked) */
    enum ifu_sig_alg sig_alg;
    uint16_t sig_len; /* of the signature kept for key_index; 0 if none */
    uint16_t pub_len;
    uint8_t sig[IFU_MAX_SIG_SIZE];
    uint8_t pub[IFU_MAX_PUBKEY_SIZE];
    /* Fault-injection hardening (docs/SECURITY.md §5): the step tally, and
     * the verdict finish derives from it (a constant that is neither 0 nor 1). */
    uint32_t flow;
    uint32_t verdict;
};

/* Start verifying an image in v.
 * keys: trusted keys (caller keeps them alive until finish); may be NULL only
 *   with IFU_VERIFY_F_HASH_ONLY.
 * hashset: IFU_HASHSET(...) bits of the digests to compute (at most
 *   IFU_VERIFY_MAX_HASHES of them); IFU_HASHSET_ALL on a host.
 * max_size: largest acceptable image (header through TLVs), e.g. the slot
 *   size; 0 for no limit. A header that declares more fails with IFU_ENOSPC.
 * observer: optional, may be NULL.
 * Returns 0, IFU_EINVAL, or a crypto backend error. Touches no flash. */
int ifu_verify_begin(struct ifu_verify *v, const struct ifu_keyring *keys, uint32_t flags,
                     uint32_t hashset, uint32_t max_size, const struct ifu_tlv_observer *observer);

/* Mark keyring entries as revoked, right after ifu_verify_begin() and before
 * the first byte is fed: bit i of mask stands for keys->keys[i] (entries
 * from 32 on cannot be marked). A revoked key never verifies anything, even
 * if another entry holds the same key; an image that names one and no
 * trusted key fails in finish with IFU_EREVOKED instead of IFU_ENOKEY, so
 * the two can be told apart. include/ifu/keys.h does this for a keystore.
 * Returns 0, or IFU_ESTATE if bytes were already fed. */
int ifu_verify_set_revoked(struct ifu_verify *v, uint32_t mask);

/* Feed the next len bytes of the image; chunks must arrive in order and may
 * have any size, from 1 byte to the whole image. Bytes past the end of the
 * unprotected TLV area (padding, boot trailer) are ignored.
 * Returns 0 or a negative IFU_E*; after an error every later call returns the
 * same error (the context is failed until a new begin). */
int ifu_verify_update(struct ifu_verify *v, const uint8_t *data, uint32_t len);

/* 1 when every byte of the image up to the end of its TLV area has been fed,
 * 0 before, negative IFU_E* if failed. */
int ifu_verify_done(const struct ifu_verify *v);

/* Bytes still missing to reach the end of the TLV area, if known (0 when done
 * or failed; an estimate of at least 1 while the unprotected info header has
 * not yet been read). */
uint32_t ifu_verify_remaining(const struct ifu_verify *v);

/* Abandon a verification: wipe the hash state; later calls fail with
 * IFU_ESTATE (or the error that stopped it). Never fails. */
void ifu_verify_abort(struct ifu_verify *v);

/* Read callback for a second pass over the signed bytes, needed only by
 * Ed25519 "pure" images: read len bytes at image offset off into buf. */
struct ifu_image_reader {
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    void *ctx;
};

/* Finish: check the digest, the key and the signature.
 * reader: needed only for SIG_PURE images (else may be NULL; a pure image
 *   without a reader fails with IFU_EUNSUPPORTED).
 * info: optional; filled on success, and with what is known on failure.
 * Returns 0 if and only if the image is intact and signed by a trusted key
 * (or, with IFU_VERIFY_F_HASH_ONLY, intact); else IFU_ETRUNC, IFU_ENOHASH,
 * IFU_EHASH, IFU_ENOKEY, IFU_EREVOKED (the image names a key the keyring
 * holds only as revoked), IFU_ENOSIG, IFU_ESIG, IFU_EUNSUPPORTED, the sticky
 * error of update(), a reader error, or IFU_EFAULT if its redundant checks
 * disagree (a fault is suspected; docs/SECURITY.md §5). Wipes the hash state. */
int ifu_verify_finish(struct ifu_verify *v, const struct ifu_image_reader *reader,
                      struct ifu_image_info *info);

/* Verify a whole image reachable through reader (a file, a flash slot):
 * begin, feed the image in chunks through a 256-byte stack buffer, finish.
 * Reads stop at the end of the unprotected TLV area, so a slot's padding
 * and trailer are never read. size bounds the bytes read: an image that
 * does not end within size bytes fails with IFU_ETRUNC. (A caller that wants
 * a header-first IFU_ENOSPC for an oversized image uses ifu_verify_begin()
 * with max_size.) */
int ifu_image_verify(const struct ifu_image_reader *reader, uint32_t size,
                     const struct ifu_keyring *keys, uint32_t flags, uint32_t hashset,
                     struct ifu_image_info *info);

/* ifu_image_verify() for an image stored at offset off of a flash area (a
 * slot): size bounds the bytes read from off, as for ifu_image_verify, and
 * off + size must lie inside the area (else IFU_EINVAL). Reads stop at the
 * end of the unprotected TLV area. If the area's flash is memory-mapped
 * (struct ifu_flash.map), the bytes are hashed in place through
 * ifu_area_map(), each state of the format in one span (the payload in one
 * hash update), also for the second pass of an Ed25519 pure signature;
 * otherwise they are read with ifu_area_read() through a 256-byte stack
 * buffer. Either way the verdict, the error and info are those
 * ifu_image_verify() gives for the same bytes. Reads flash, never writes. */
int ifu_image_verify_area(const struct ifu_area *a, uint32_t off, uint32_t size,
                          const struct ifu_keyring *keys, uint32_t flags, uint32_t hashset,
                          struct ifu_image_info *info);

#ifdef __cplusplus
}
#endif

#endif /* IFU_IMAGE_H */
