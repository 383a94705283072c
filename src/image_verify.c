/* Streaming image verification.
 *
 * The verifier is a byte-driven state machine. It never buffers more than one
 * fixed-size field (header, TLV info, TLV header, a small TLV value) plus the
 * key and signature it will need at the end, so an image of any size is
 * verified in O(1) memory: docs/DESIGN.md, invariant V1.
 *
 *   HEADER --32 B--> BODY --payload--> INFO(prot)? --> TLV_HDR <-> TLV_VALUE
 *                                      INFO(unprot) --> TLV_HDR <-> TLV_VALUE --> DONE
 *
 * Every byte before the end of the protected TLV area goes into the image
 * hashes as it passes; the hash TLV is compared and the signature checked in
 * ifu_verify_finish(). */
#include <string.h>

#include "ifu/errors.h"
#include "ifu/image.h"

#include "fault_priv.h"
#include "image_priv.h"
#include "util_priv.h"

/* Bits of struct ifu_verify.seen: TLVs that may appear at most once
 * (docs/FORMAT.md 4.4). Two of any of them would let an attacker choose which
 * one a check reads. */
#define SEEN_HASH    0x001u /* one hash TLV, whatever its algorithm */
#define SEEN_SEC_CNT 0x002u
#define SEEN_PURE    0x004u
#define SEEN_ENC     0x008u /* one key-wrap TLV, whatever its kind */
#define SEEN_BOOTREC 0x010u
#define SEEN_UUIDV   0x020u
#define SEEN_UUIDC   0x040u
#define SEEN_DSIZE   0x080u
#define SEEN_DSHA    0x100u
#define SEEN_DSIG    0x200u
#define SEEN_CDSIZE  0x400u

/* Largest chunk ifu_image_verify() and the pure-signature pass read at once. */
#define READ_CHUNK 256u

/* Where the signed bytes can be read again (the Ed25519 pure pass): a
 * reader, or an area and the image's offset in it. */
struct src {
    const struct ifu_image_reader *reader;
    const struct ifu_area *a;
    uint32_t off;
};

static int fail(struct ifu_verify *v, int err)
{
    v->err = err;
    v->state = IFU_VS_FAILED;
    return err;
}

/* End of the bytes covered by the image digest. */
static uint32_t signed_end(const struct ifu_verify *v)
{
    return ifu_image_tlv_off(&v->hdr);
}

static enum ifu_hash_alg hash_alg_of_tlv(uint16_t type)
{
    switch (type) {
    case IFU_TLV_SHA256:
        return IFU_HASH_SHA256;
    case IFU_TLV_SHA384:
        return IFU_HASH_SHA384;
    case IFU_TLV_SHA512:
        return IFU_HASH_SHA512;
    default:
        return IFU_HASH_NONE;
    }
}

/* A key hash names its algorithm by its length (imgtool hashes the key with
 * the image's hash algorithm). */
static enum ifu_hash_alg hash_alg_of_len(uint32_t len)
{
    switch (len) {
    case 32:
        return IFU_HASH_SHA256;
    case 48:
        return IFU_HASH_SHA384;
    case 64:
        return IFU_HASH_SHA512;
    default:
        return IFU_HASH_NONE;
    }
}

static int is_sig_tlv(uint16_t type)
{
    return type == IFU_TLV_RSA2048_PSS || type == IFU_TLV_RSA3072_PSS ||
           type == IFU_TLV_ECDSA_SIG || type == IFU_TLV_ED25519 || type == IFU_TLV_ECDSA224;
}

/* TLVs that describe how to check the image rather than what it is. They
 * cannot be covered by the digest they carry, so they live in the unprotected
 * area, and nothing else may: an attacker can edit that area at will, so a
 * policy TLV (security counter, dependency, boot record, ...) found there
 * would be unauthenticated. */
static int is_unprot_tlv(uint16_t type)
{
    switch (type) {
    case IFU_TLV_KEYHASH:
    case IFU_TLV_PUBKEY:
    case IFU_TLV_SHA256:
    case IFU_TLV_SHA384:
    case IFU_TLV_SHA512:
    case IFU_TLV_SIG_PURE:
    case IFU_TLV_ENC_RSA2048:
    case IFU_TLV_ENC_KW:
    case IFU_TLV_ENC_EC256:
    case IFU_TLV_ENC_X25519:
    case IFU_TLV_ENC_X25519_SHA512:
        return 1;
    default:
        return is_sig_tlv(type);
    }
}

/* Length constraint of a TLV whose value the verifier reads; 0 = any. */
static int check_tlv_len(uint16_t type, uint16_t len)
{
    enum ifu_hash_alg alg = hash_alg_of_tlv(type);

    if (alg != IFU_HASH_NONE) {
        return len == ifu_hash_size(alg) ? 0 : IFU_ETLVLEN;
    }
    switch (type) {
    case IFU_TLV_KEYHASH:
        return hash_alg_of_len(len) != IFU_HASH_NONE ? 0 : IFU_ETLVLEN;
    case IFU_TLV_SEC_CNT:
        return len == 4 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_SIG_PURE:
        return len == 1 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_PUBKEY:
        return len != 0 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_DEPENDENCY:
        return len == 12 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_UUID_VID:
    case IFU_TLV_UUID_CID:
        return len == 16 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_RSA2048_PSS:
        return len == 256 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_RSA3072_PSS:
        return len == 384 ? 0 : IFU_ETLVLEN;
    case IFU_TLV_ECDSA_SIG:
        return len >= 8 && len <= 104 ? 0 : IFU_ETLVLEN; /* DER of two P-384 integers at most */
    case IFU_TLV_ED25519:
        return len == 64 ? 0 : IFU_ETLVLEN;
    default:
        return is_sig_tlv(type) && len == 0 ? IFU_ETLVLEN : 0;
    }
}

/* Hash the part of [pos, pos + len) that lies inside the signed region. */
static int absorb(struct ifu_verify *v, const uint8_t *data, uint32_t len)
{
    uint32_t end = v->state == IFU_VS_HEADER ? v->pos + len : signed_end(v);
    if (v->pos >= end) {
        return 0;
    }
    uint32_t n = IFU_MIN(len, end - v->pos);
    for (uint32_t i = 0; i < IFU_VERIFY_MAX_HASHES; i++) {
        if (v->hash_alg[i] != IFU_HASH_NONE) {
            int err = ifu_hash_update(&v->hash[i], data, n);
            if (err) {
                return err;
            }
        }
    }
    return 0;
}

/* Consume bytes into v->buf until it holds want bytes. Returns the number of
 * bytes taken from data. */
static uint32_t gather(struct ifu_verify *v, const uint8_t *data, uint32_t len, uint32_t want)
{
    uint32_t n = IFU_MIN(len, want - v->have);
    memcpy(v->buf + v->have, data, n);
    v->have = (uint8_t)(v->have + n);
    return n;
}

/* Enter the TLV area that starts at v->pos: protected if the header declares
 * one and we have not passed it, else unprotected. */
static void start_area(struct ifu_verify *v)
{
    v->in_prot = v->hdr.prot_tlv_size != 0 && v->pos < signed_end(v);
    v->state = IFU_VS_INFO;
    v->have = 0;
}

static int on_header(struct ifu_verify *v)
{
    int err = ifu_image_parse_header(&v->hdr, v->buf);
    if (err) {
        return err;
    }
    /* Encrypted or compressed payloads are hashed in a form this verifier
     * does not see, and position-independent images need a loader ifu does
     * not have; refusing them beats a verdict on the wrong bytes. */
    const uint32_t unsupported = IFU_IMAGE_F_ENCRYPTED_AES128 | IFU_IMAGE_F_ENCRYPTED_AES256 |
                                 IFU_IMAGE_F_COMPRESSED_LZMA1 | IFU_IMAGE_F_COMPRESSED_LZMA2 |
                                 IFU_IMAGE_F_COMPRESSED_ARM | IFU_IMAGE_F_PIC;
    if (v->hdr.flags & unsupported) {
        return IFU_EUNSUPPORTED;
    }
    /* Header first: an image that cannot fit is refused before its payload
     * is read, let alone written (the smallest unprotected area is its info). */
    if (v->max_size != 0 && (uint64_t)signed_end(v) + IFU_TLV_INFO_SIZE > v->max_size) {
        return IFU_ENOSPC;
    }
    v->flow += IFU_FI_STEP_HEADER;
    v->state = IFU_VS_BODY;
    return 0;
}

/* After a TLV or an area's info header: the next TLV header, the next area,
 * or the end. */
static int after_tlv(struct ifu_verify *v)
{
    v->have = 0;
    if (v->pos == v->area_end) {
        if (v->in_prot) {
            start_area(v);
        } else {
            v->state = IFU_VS_DONE;
        }
        return 0;
    }
    /* Between 1 and 3 bytes left cannot hold a TLV header: the area's length
     * and its TLVs disagree. */
    if (v->area_end - v->pos < IFU_TLV_HDR_SIZE) {
        return IFU_ETLVBOUNDS;
    }
    v->state = IFU_VS_TLV_HDR;
    return 0;
}

static int on_info(struct ifu_verify *v)
{
    uint16_t magic = ifu_get_le16(v->buf);
    uint16_t tot = ifu_get_le16(v->buf + 2);
    uint32_t start = v->pos - IFU_TLV_INFO_SIZE;

    if (v->in_prot) {
        /* The protected area's length is stated twice; both must agree. */
        if (magic != IFU_TLV_PROT_INFO_MAGIC || tot != v->hdr.prot_tlv_size) {
            return IFU_ETLVINFO;
        }
    } else {
        if (magic != IFU_TLV_INFO_MAGIC || tot < IFU_TLV_INFO_SIZE) {
            return IFU_ETLVINFO;
        }
        if (v->max_size != 0 && (uint64_t)start + tot > v->max_size) {
            return IFU_ENOSPC;
        }
    }
    v->area_end = start + tot;
    return after_tlv(v);
}

static int on_tlv_header(struct ifu_verify *v)
{
    uint16_t type = ifu_get_le16(v->buf);
    uint16_t len = ifu_get_le16(v->buf + 2);

    /* A TLV may not spill into the next area or past the image: a reader that
     * trusted it would parse attacker bytes as TLVs (MCUboot tlv.c does the same). */
    if ((uint64_t)v->pos + len > v->area_end) {
        return IFU_ETLVBOUNDS;
    }
    if (is_unprot_tlv(type) != !v->in_prot) {
        return IFU_ETLVAREA;
    }
    int err = check_tlv_len(type, len);
    if (err) {
        return err;
    }
    if (v->observer != NULL && v->observer->on_tlv != NULL) {
        v->observer->on_tlv(v->observer->ctx, v->in_prot, type, len, v->pos);
    }
    v->tlv_type = type;
    v->tlv_len = len;
    v->tlv_end = v->pos + len;
    v->state = IFU_VS_TLV_VALUE;
    v->have = 0;
    return 0;
}

/* Does the key encoded as key/key_len hash to want (its length names the algorithm)? */
static int key_hash_matches(const uint8_t *key, uint32_t key_len, const uint8_t *want,
                            uint32_t want_len, int *match)
{
    uint8_t got[IFU_HASH_MAX_SIZE];
    int err = ifu_hash_oneshot(hash_alg_of_len(want_len), key, key_len, got);
    if (err) {
        return err;
    }
    *match = ifu_ct_memcmp(got, want, want_len) == 0;
    return 0;
}

static int is_revoked(const struct ifu_verify *v, uint32_t i)
{
    return i < 32 && (v->revoked >> i & 1u) != 0;
}

/* Arm key i (or nothing, -1) after a key TLV; in_tlv says where its bytes are.
 * A revoked match wins over any valid entry for the same key: the key is
 * remembered only to name the refusal and never arms a signature, so no
 * signature by it is ever checked (an anchor revoked in one slot and still
 * listed in another stays revoked). */
static void arm_key(struct ifu_verify *v, int32_t i, int revoked, uint8_t in_tlv)
{
    if (revoked) {
        v->saw_revoked = 1;
        return;
    }
    if (i >= 0) {
        v->key_index = i;
        v->key_armed = 1;
        v->key_in_tlv = in_tlv;
    }
}

/* KEYHASH: find the trusted key whose encoding hashes to the TLV value. Only
 * keys held in full can match; a key held as a hash needs a PUBKEY TLV. */
static int on_keyhash(struct ifu_verify *v, uint16_t len)
{
    int32_t found = -1;
    int revoked = 0;

    v->saw_key = 1;
    if (v->keys == NULL || v->key_index >= 0) {
        return 0;
    }
    for (uint32_t i = 0; i < v->keys->count; i++) {
        const struct ifu_key *k = &v->keys->keys[i];
        int match = 0;
        if (k->pub == NULL) {
            continue;
        }
        int err = key_hash_matches(k->pub, k->pub_len, v->buf, len, &match);
        if (err) {
            return err;
        }
        if (IFU_FI(VERIFY_KEY_REVOKED, match && is_revoked(v, i))) {
            revoked = 1;
        } else if (IFU_FI(VERIFY_KEYHASH_MATCH, match) && found < 0) {
            /* Stops an image that names a key the device does not trust. */
            found = (int32_t)i;
        }
    }
    arm_key(v, found, revoked, 0);
    return 0;
}

/* PUBKEY: the image carries its key; trust it only if it equals a trusted key
 * or hashes to a trusted key hash. */
static int on_pubkey(struct ifu_verify *v, uint16_t len)
{
    int32_t found = -1;
    int revoked = 0;

    v->saw_key = 1;
    if (v->keys == NULL || v->key_index >= 0 || len > IFU_MAX_PUBKEY_SIZE) {
        return 0;
    }
    for (uint32_t i = 0; i < v->keys->count; i++) {
        const struct ifu_key *k = &v->keys->keys[i];
        int match = 0;
        if (k->pub != NULL) {
            match = k->pub_len == len && ifu_ct_memcmp(k->pub, v->pub, len) == 0;
        } else if (k->pub_sha256 != NULL) {
            int err = key_hash_matches(v->pub, len, k->pub_sha256, 32, &match);
            if (err) {
                return err;
            }
        }
        if (IFU_FI(VERIFY_KEY_REVOKED, match && is_revoked(v, i))) {
            revoked = 1;
        } else if (IFU_FI(VERIFY_PUBKEY_MATCH, match) && found < 0) {
            /* Stops an image that carries a key the device does not trust. */
            found = (int32_t)i;
        }
    }
    if (found >= 0 && !revoked) {
        v->pub_len = len;
    }
    arm_key(v, found, revoked, 1);
    return 0;
}

/* A signature TLV belongs to the key TLV just before it (imgtool writes key,
 * then signature). Keep the first one that follows a trusted key. */
static void on_signature(struct ifu_verify *v, uint16_t type, uint16_t len)
{
    if (!v->key_armed) {
        return;
    }
    v->key_armed = 0;
    if (len > IFU_MAX_SIG_SIZE) {
        return; /* larger than any supported signature: cannot be the key's */
    }
    v->sig_len = len;
    switch (type) {
    case IFU_TLV_RSA2048_PSS:
        v->sig_alg = IFU_SIG_RSA2048_PSS;
        break;
    case IFU_TLV_RSA3072_PSS:
        v->sig_alg = IFU_SIG_RSA3072_PSS;
        break;
    case IFU_TLV_ED25519:
        v->sig_alg = IFU_SIG_ED25519;
        break;
    case IFU_TLV_ECDSA_SIG:
        /* One TLV type for both curves; the curve follows the digest size,
         * as in MCUboot (P-256 with SHA-256, P-384 with SHA-384). Resolved
         * in finish, when the hash TLV is known for certain. */
        v->sig_alg = IFU_SIG_ECDSA_P256;
        break;
    default:
        v->sig_alg = IFU_SIG_NONE; /* ECDSA224: deprecated, never accepted */
        break;
    }
}

/* Where the value of the current TLV is kept, or NULL if it is only hashed
 * (protected area) and skipped. */
static uint8_t *value_dest(struct ifu_verify *v)
{
    uint16_t type = v->tlv_type;

    if (hash_alg_of_tlv(type) != IFU_HASH_NONE) {
        return v->tlv_digest;
    }
    switch (type) {
    case IFU_TLV_KEYHASH:
    case IFU_TLV_SEC_CNT:
    case IFU_TLV_SIG_PURE:
        return v->buf; /* check_tlv_len() bounded these to 64 bytes */
    case IFU_TLV_PUBKEY:
        return v->tlv_len <= IFU_MAX_PUBKEY_SIZE && v->key_index < 0 ? v->pub : NULL;
    default:
        if (is_sig_tlv(type) && v->key_armed && v->tlv_len <= IFU_MAX_SIG_SIZE) {
            return v->sig;
        }
        return NULL;
    }
}

/* The SEEN_* bit of a TLV type that may appear once, or 0. */
static uint32_t unique_bit(uint16_t type)
{
    switch (type) {
    case IFU_TLV_SHA256:
    case IFU_TLV_SHA384:
    case IFU_TLV_SHA512:
        return SEEN_HASH;
    case IFU_TLV_SEC_CNT:
        return SEEN_SEC_CNT;
    case IFU_TLV_SIG_PURE:
        return SEEN_PURE;
    case IFU_TLV_ENC_RSA2048:
    case IFU_TLV_ENC_KW:
    case IFU_TLV_ENC_EC256:
    case IFU_TLV_ENC_X25519:
    case IFU_TLV_ENC_X25519_SHA512:
        return SEEN_ENC;
    case IFU_TLV_BOOT_RECORD:
        return SEEN_BOOTREC;
    case IFU_TLV_UUID_VID:
        return SEEN_UUIDV;
    case IFU_TLV_UUID_CID:
        return SEEN_UUIDC;
    case IFU_TLV_DECOMP_SIZE:
        return SEEN_DSIZE;
    case IFU_TLV_DECOMP_SHA:
        return SEEN_DSHA;
    case IFU_TLV_DECOMP_SIGNATURE:
        return SEEN_DSIG;
    case IFU_TLV_COMP_DEC_SIZE:
        return SEEN_CDSIZE;
    default:
        return 0;
    }
}

/* The whole value of the current TLV has been fed. */
static int on_tlv_value(struct ifu_verify *v)
{
    uint16_t type = v->tlv_type;
    uint16_t len = v->tlv_len;
    enum ifu_hash_alg alg = hash_alg_of_tlv(type);
    uint32_t once = unique_bit(type);

    if (once != 0) {
        if (v->seen & once) {
            return IFU_ETLVDUP;
        }
        v->seen |= once;
    }
    if (alg != IFU_HASH_NONE) {
        v->image_hash_alg = alg;
        return 0;
    }
    switch (type) {
    case IFU_TLV_SEC_CNT:
        v->sec_cnt = ifu_get_le32(v->buf);
        return 0;
    case IFU_TLV_SIG_PURE:
        /* imgtool writes 1; any other byte is a corrupted or forged TLV, and
         * accepting it would leave bits of the image that no check covers. */
        if (v->buf[0] != 1) {
            return IFU_ETLVVALUE;
        }
        v->sig_pure = 1;
        return 0;
    case IFU_TLV_KEYHASH:
        /* check_tlv_len() let only 32, 48 or 64 through: the shift is 0..2.
         * NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
        v->keyhash_lens |= (uint8_t)(1u << (hash_alg_of_len(len) - IFU_HASH_SHA256));
        return on_keyhash(v, len);
    case IFU_TLV_PUBKEY:
        return on_pubkey(v, len);
    default:
        if (is_sig_tlv(type)) {
            on_signature(v, type, len);
        }
        return 0;
    }
}

/* Run the state machine over one chunk. Returns bytes consumed (> 0) or a
 * negative error. Consumes at least one byte unless the image is done. */
static int32_t step(struct ifu_verify *v, const uint8_t *data, uint32_t len)
{
    uint32_t n = 0;
    int err = 0;

    switch (v->state) {
    case IFU_VS_HEADER:
        n = gather(v, data, len, IFU_IMAGE_HEADER_SIZE);
        break;
    case IFU_VS_BODY:
        n = IFU_MIN(len, (uint32_t)v->hdr.hdr_size + v->hdr.img_size - v->pos);
        break;
    case IFU_VS_INFO:
    case IFU_VS_TLV_HDR:
        n = gather(v, data, len, IFU_TLV_HDR_SIZE);
        break;
    case IFU_VS_TLV_VALUE: {
        n = IFU_MIN(len, v->tlv_end - v->pos);
        uint8_t *dest = value_dest(v);
        if (dest != NULL) {
            memcpy(dest + (v->tlv_len - (v->tlv_end - v->pos)), data, n);
        }
        break;
    }
    default:
        return IFU_ESTATE;
    }

    err = absorb(v, data, n);
    if (err) {
        return err;
    }
    v->pos += n;

    switch (v->state) {
    case IFU_VS_HEADER:
        if (v->have == IFU_IMAGE_HEADER_SIZE) {
            err = on_header(v);
            if (!err && v->pos == (uint32_t)v->hdr.hdr_size + v->hdr.img_size) {
                start_area(v);
            }
        }
        break;
    case IFU_VS_BODY:
        if (v->pos == (uint32_t)v->hdr.hdr_size + v->hdr.img_size) {
            start_area(v);
        }
        break;
    case IFU_VS_INFO:
        if (v->have == IFU_TLV_INFO_SIZE) {
            err = on_info(v);
        }
        break;
    case IFU_VS_TLV_HDR:
        if (v->have == IFU_TLV_HDR_SIZE) {
            err = on_tlv_header(v);
            if (!err && v->tlv_len == 0) {
                err = on_tlv_value(v);
            }
            if (!err && v->tlv_len == 0) {
                err = after_tlv(v);
            }
        }
        break;
    default: /* IFU_VS_TLV_VALUE */
        if (v->pos == v->tlv_end) {
            err = on_tlv_value(v);
            if (!err) {
                err = after_tlv(v);
            }
        }
        break;
    }
    return err ? err : (int32_t)n;
}

/* see include/ifu/image.h */
int ifu_verify_begin(struct ifu_verify *v, const struct ifu_keyring *keys, uint32_t flags,
                     uint32_t hashset, uint32_t max_size, const struct ifu_tlv_observer *observer)
{
    if (v == NULL) {
        return IFU_EINVAL;
    }
    memset(v, 0, sizeof *v);
    v->key_index = -1;
    v->flow = IFU_FI_FLOW_INIT;
    v->verdict = IFU_FI_VERDICT_BAD;
    v->state = IFU_VS_FAILED;
    v->err = IFU_EINVAL;
    /* No keys and no explicit hash-only request is a provisioning bug, not a
     * licence to accept unsigned images. */
    if ((keys == NULL && !(flags & IFU_VERIFY_F_HASH_ONLY)) ||
        (keys != NULL && keys->count != 0 && keys->keys == NULL) ||
        (flags & ~IFU_VERIFY_F_HASH_ONLY) != 0 || hashset == 0 ||
        (hashset & ~(uint32_t)IFU_HASHSET_ALL) != 0) {
        return IFU_EINVAL;
    }
    uint32_t slot = 0;
    for (uint32_t alg = IFU_HASH_SHA256; alg <= IFU_HASH_SHA512; alg++) {
        if (!(hashset & IFU_HASHSET(alg))) {
            continue;
        }
        if (slot == IFU_VERIFY_MAX_HASHES) {
            ifu_verify_abort(v);
            return IFU_EINVAL;
        }
        int err = ifu_hash_init(&v->hash[slot], (enum ifu_hash_alg)alg);
        if (err) {
            ifu_verify_abort(v);
            return err;
        }
        v->hash_alg[slot++] = (enum ifu_hash_alg)alg;
    }
    v->keys = keys;
    v->observer = observer;
    v->flags = flags;
    v->hashset = hashset;
    v->max_size = max_size;
    v->err = 0;
    v->state = IFU_VS_HEADER;
    return 0;
}

/* see include/ifu/image.h */
int ifu_verify_set_revoked(struct ifu_verify *v, uint32_t mask)
{
    if (v == NULL) {
        return IFU_EINVAL;
    }
    if (v->err) {
        return v->err;
    }
    if (v->state != IFU_VS_HEADER || v->pos != 0) {
        return IFU_ESTATE;
    }
    v->revoked = mask;
    return 0;
}

/* see include/ifu/image.h */
int ifu_verify_update(struct ifu_verify *v, const uint8_t *data, uint32_t len)
{
    if (v == NULL || (data == NULL && len != 0)) {
        return IFU_EINVAL;
    }
    if (v->err) {
        return v->err;
    }
    while (len != 0 && v->state != IFU_VS_DONE) {
        int32_t n = step(v, data, len);
        if (n < 0) {
            return fail(v, (int)n);
        }
        data += n;
        len -= (uint32_t)n;
    }
    return 0;
}

/* see include/ifu/image.h */
int ifu_verify_done(const struct ifu_verify *v)
{
    if (v->err) {
        return v->err;
    }
    return v->state == IFU_VS_DONE;
}

/* see include/ifu/image.h */
uint32_t ifu_verify_remaining(const struct ifu_verify *v)
{
    switch (v->state) {
    case IFU_VS_HEADER:
        return IFU_IMAGE_HEADER_SIZE - v->have;
    case IFU_VS_BODY:
        return signed_end(v) + IFU_TLV_INFO_SIZE - v->pos;
    case IFU_VS_INFO:
        return v->in_prot ? signed_end(v) + IFU_TLV_INFO_SIZE - v->pos
                          : IFU_TLV_INFO_SIZE - v->have;
    case IFU_VS_TLV_HDR:
    case IFU_VS_TLV_VALUE:
        if (v->in_prot) {
            return signed_end(v) + IFU_TLV_INFO_SIZE - v->pos;
        }
        return v->area_end - v->pos;
    default:
        return 0;
    }
}

/* Forget every running hash; what they held is derived from the image only,
 * but a context must not leave state a later call could mistake for live. */
static void wipe_hashes(struct ifu_verify *v)
{
    for (uint32_t i = 0; i < IFU_VERIFY_MAX_HASHES; i++) {
        ifu_hash_wipe(&v->hash[i]);
        v->hash_alg[i] = IFU_HASH_NONE;
    }
}

/* see include/ifu/image.h */
void ifu_verify_abort(struct ifu_verify *v)
{
    if (v == NULL) {
        return;
    }
    wipe_hashes(v);
    if (v->err == 0) {
        v->err = IFU_ESTATE;
    }
    v->state = IFU_VS_FAILED;
}

static void fill_info(const struct ifu_verify *v, struct ifu_image_info *info,
                      const uint8_t *digest)
{
    if (info == NULL) {
        return;
    }
    memset(info, 0, sizeof *info);
    info->hdr = v->hdr;
    info->total_size = v->state == IFU_VS_DONE ? v->area_end : 0;
    info->hash_alg = v->image_hash_alg;
    if (digest != NULL) {
        memcpy(info->digest, digest, ifu_hash_size(v->image_hash_alg));
    }
    info->sig_alg = v->sig_alg;
    info->key_index = v->key_index;
    info->has_sec_cnt = (v->seen & SEEN_SEC_CNT) != 0;
    info->sec_cnt = v->sec_cnt;
    info->sig_pure = v->sig_pure;
}

/* Hash the image bytes [0, end) at area offset off of a: in place if the
 * flash is mapped, else through chunk (READ_CHUNK bytes). */
static int hash_area(struct ifu_hash *h, const struct ifu_area *a, uint32_t off, uint32_t end,
                     uint8_t *chunk)
{
    const uint8_t *p;

    if (off > a->size) {
        return IFU_EINVAL;
    }
    int err = ifu_area_map(a, off, end, &p);
    if (!err && p != NULL) {
        return ifu_hash_update(h, p, end);
    }
    for (uint32_t pos = 0; !err && pos < end;) {
        uint32_t n = IFU_MIN(end - pos, READ_CHUNK);
        err = ifu_area_read(a, off + pos, chunk, n);
        if (!err) {
            err = ifu_hash_update(h, chunk, n);
        }
        pos += n;
    }
    return err;
}

/* The same through a reader. */
static int hash_reader(struct ifu_hash *h, const struct ifu_image_reader *reader, uint32_t end,
                       uint8_t *chunk)
{
    int err = 0;

    for (uint32_t off = 0; !err && off < end;) {
        uint32_t n = IFU_MIN(end - off, READ_CHUNK);
        err = reader->read(reader->ctx, off, chunk, n);
        if (!err) {
            err = ifu_hash_update(h, chunk, n);
        }
        off += n;
    }
    return err;
}

/* The Ed25519 "pure" signature covers the signed bytes themselves: a second
 * pass over them from src, into the SHA-512 of the signature check. */
static int verify_pure(struct ifu_verify *v, struct ifu_hash *h, const uint8_t *key,
                       uint32_t key_len, const struct src *src)
{
    uint8_t chunk[READ_CHUNK]; /* one buffer for either source: one frame's worth of stack */
    uint32_t end = signed_end(v);

    if (v->sig_alg != IFU_SIG_ED25519 || v->sig_len != 64) {
        return IFU_ESIG; /* SIG_PURE is defined for Ed25519 only */
    }
    if (src->a == NULL && (src->reader == NULL || src->reader->read == NULL)) {
        return IFU_EUNSUPPORTED;
    }
    int err = ifu_ed25519_stream_begin(h, v->sig, key, key_len);
    if (!err) {
        err = src->a != NULL ? hash_area(h, src->a, src->off, end, chunk)
                             : hash_reader(h, src->reader, end, chunk);
    }
    if (!err) {
        err = ifu_ed25519_stream_finish(h, v->sig, key, key_len);
    }
    ifu_hash_wipe(h);
    return err;
}

/* imgtool --pad-sig appends zero bytes to an ECDSA signature so that every
 * signature TLV has the same length, and MCUboot reads only the DER sequence.
 * Accept exactly that: the DER sequence, then nothing but zeros. The crypto
 * port itself stays strict DER. */
static uint32_t sig_len_unpadded(const struct ifu_verify *v)
{
    if ((v->sig_alg != IFU_SIG_ECDSA_P256 && v->sig_alg != IFU_SIG_ECDSA_P384) || v->sig_len < 2 ||
        v->sig[1] >= 0x80 || (uint32_t)v->sig[1] + 2 >= v->sig_len) {
        return v->sig_len;
    }
    uint32_t der_len = (uint32_t)v->sig[1] + 2;
    for (uint32_t i = der_len; i < v->sig_len; i++) {
        if (v->sig[i] != 0) {
            return v->sig_len; /* not padding: the port rejects the trailing bytes */
        }
    }
    return der_len;
}

/* *port_rc receives the crypto port's own answer (left as is if the port is
 * not asked), for the step tally's second look. */
static int check_signature(struct ifu_verify *v, const uint8_t *digest, const struct src *src,
                           volatile int *port_rc)
{
    /* Stops an image with no signature by a trusted key. */
    if (!IFU_FI(VERIFY_SIG_PRESENT, v->sig_len != 0)) {
        /* No signature after a trusted key: a key TLV that matched nothing,
         * no key TLV at all, or a trusted key with no signature after it. */
        if (v->key_index >= 0 || !v->saw_key) {
            return IFU_ENOSIG;
        }
        return v->saw_revoked ? IFU_EREVOKED : IFU_ENOKEY;
    }
    /* Unreachable unless the check above was skipped: never index outside
     * the keyring. */
    if (v->keys == NULL || v->key_index < 0 || (uint32_t)v->key_index >= v->keys->count) {
        return IFU_ENOKEY;
    }
    if (v->sig_alg == IFU_SIG_NONE) {
        return IFU_EUNSUPPORTED;
    }
    if (v->sig_alg == IFU_SIG_ECDSA_P256) {
        if (v->image_hash_alg == IFU_HASH_SHA384) {
            v->sig_alg = IFU_SIG_ECDSA_P384;
        } else if (v->image_hash_alg != IFU_HASH_SHA256) {
            return IFU_EUNSUPPORTED;
        }
    }
    /* Only the first trusted key arms a signature, so the signature is key_index's. */
    const struct ifu_key *k = &v->keys->keys[v->key_index];
    const uint8_t *key = v->key_in_tlv ? v->pub : k->pub;
    uint32_t key_len = v->key_in_tlv ? v->pub_len : k->pub_len;

    int rc;
    if (v->sig_pure) {
        rc = verify_pure(v, &v->hash[0], key, key_len, src);
    } else {
        rc = ifu_sig_verify(v->sig_alg, key, key_len, digest, ifu_hash_size(v->image_hash_alg),
                            v->sig, sig_len_unpadded(v));
    }
    *port_rc = rc;
    /* Stops a forged or corrupted signature. */
    if (IFU_FI(VERIFY_SIG, rc == 0)) {
        return 0;
    }
    /* rc is 0 here only if the check above was faulted (IFU_FI in the fault
     * test build); cppcheck sees the production macro, where it cannot be. */
    /* cppcheck-suppress knownConditionTrueFalse ; reachable under a fault */
    return rc != 0 ? rc : IFU_ESIG;
}

/* Second look at the key the signature was checked with, for the tally:
 * inside the keyring, and, if it came from the image's PUBKEY TLV, equal to
 * that keyring entry (or hashing to it). A KEYHASH image is checked with the
 * keyring's own key, which is trusted by construction. 1 if trusted. */
static int key_trusted(const struct ifu_verify *v)
{
    uint8_t got[IFU_HASH_MAX_SIZE];

    if (v->keys == NULL || v->key_index < 0 || (uint32_t)v->key_index >= v->keys->count) {
        return 0;
    }
    if (is_revoked(v, (uint32_t)v->key_index)) {
        return 0;
    }
    const struct ifu_key *k = &v->keys->keys[v->key_index];
    if (!v->key_in_tlv) {
        return k->pub != NULL;
    }
    if (k->pub != NULL) {
        return k->pub_len == v->pub_len && ifu_ct_memcmp(k->pub, v->pub, v->pub_len) == 0;
    }
    if (k->pub_sha256 == NULL || ifu_hash_oneshot(IFU_HASH_SHA256, v->pub, v->pub_len, got) != 0) {
        return 0;
    }
    return ifu_ct_memcmp(got, k->pub_sha256, 32) == 0;
}

static int finish(struct ifu_verify *v, const struct src *src, struct ifu_image_info *info)
{
    uint8_t digest[IFU_HASH_MAX_SIZE];
    /* The crypto port's answer, "no" until it is asked. Volatile: the two
     * checks of it must stay two loads and two compares after optimisation. */
    volatile int port_rc = IFU_ESIG;
    int err;

    if (v == NULL) {
        return IFU_EINVAL;
    }
    memset(digest, 0, sizeof digest);
    err = v->err;
    /* Stops a truncated image. */
    if (!err && !IFU_FI(VERIFY_DONE, v->state == IFU_VS_DONE)) {
        err = IFU_ETRUNC;
    }
    if (!err && !(v->seen & SEEN_HASH)) {
        err = IFU_ENOHASH;
    }
    /* imgtool hashes the key with the image's algorithm; a key hash of
     * another size is malformed (MCUboot would prefix-match it). */
    if (!err && (v->keyhash_lens & ~(1u << (v->image_hash_alg - IFU_HASH_SHA256))) != 0) {
        err = IFU_ETLVLEN;
    }
    if (!err && !(v->hashset & IFU_HASHSET(v->image_hash_alg))) {
        err = IFU_EUNSUPPORTED;
    }
    for (uint32_t i = 0; !err && i < IFU_VERIFY_MAX_HASHES; i++) {
        if (v->hash_alg[i] == v->image_hash_alg) {
            err = ifu_hash_finish(&v->hash[i], digest);
            v->hash_alg[i] = IFU_HASH_NONE;
        }
    }
    wipe_hashes(v);
    uint32_t hash_len = ifu_hash_size(v->image_hash_alg);
    int need_sig = !(v->flags & IFU_VERIFY_F_HASH_ONLY);
    /* The digest the signature speaks for must be the digest of these bytes.
     * Stops a tampered payload, header or protected TLV. */
    if (!err && !IFU_FI(VERIFY_HASH, ifu_ct_memcmp(digest, v->tlv_digest, hash_len) == 0)) {
        err = IFU_EHASH;
    }
    /* Stops skipping the signature check. */
    if (!err && IFU_FI(VERIFY_SIGNED, need_sig)) {
        err = check_signature(v, digest, src, &port_rc);
    }
    /* Fault hardening (docs/SECURITY.md §5): every step is looked at a second
     * time, apart from the checks above, and counted in the tally; the
     * verdict is derived from the tally without a branch. One skipped or
     * inverted check above leaves err and the verdict disagreeing. */
    uint32_t flow = v->flow;
    IFU_FAULT_DELAY();
    flow += IFU_FI(VERIFY_FLOW_DONE, v->state == IFU_VS_DONE) ? IFU_FI_STEP_DONE : 0;
    flow += IFU_FI(VERIFY_FLOW_HASH,
                   hash_len != 0 && ifu_ct_memcmp(digest, v->tlv_digest, hash_len) == 0)
                ? IFU_FI_STEP_HASH
                : 0;
    if (need_sig) {
        flow += IFU_FI(VERIFY_FLOW_KEY, key_trusted(v)) ? IFU_FI_STEP_KEY : 0;
        flow += IFU_FI(VERIFY_FLOW_SIG, port_rc == 0) ? IFU_FI_STEP_SIG : 0;
    }
    v->verdict =
        IFU_FI_VERDICT_OK ^ (flow ^ (need_sig ? IFU_FI_FLOW_SIGNED : IFU_FI_FLOW_HASH_ONLY));
    IFU_FAULT_DELAY();
    if (IFU_FI(VERIFY_AGREE_ERR, err == 0) &&
        !IFU_FI(VERIFY_AGREE_VERDICT, v->verdict == IFU_FI_VERDICT_OK)) {
        err = IFU_EFAULT;
    }
    fill_info(v, info, err ? NULL : digest);
    if (!err && (v->flags & IFU_VERIFY_F_HASH_ONLY) && info != NULL) {
        info->sig_alg = IFU_SIG_NONE;
        info->key_index = -1;
    }
    ifu_wipe(digest, sizeof digest);
    if (err) {
        fail(v, err);
    } else {
        v->state = IFU_VS_IDLE;
        v->err = IFU_ESTATE; /* finished: a further update or finish is a caller bug */
    }
    return err;
}

/* see include/ifu/image.h */
int ifu_verify_finish(struct ifu_verify *v, const struct ifu_image_reader *reader,
                      struct ifu_image_info *info)
{
    const struct src src = {reader, NULL, 0};
    return finish(v, &src, info);
}

/* see src/image_priv.h */
int ifu_verify_finish_area(struct ifu_verify *v, const struct ifu_area *a, uint32_t off,
                           struct ifu_image_info *info)
{
    const struct src src = {NULL, a, off};
    if (a == NULL) {
        return IFU_EINVAL;
    }
    return finish(v, &src, info);
}

/* see include/ifu/image.h */
int ifu_image_verify(const struct ifu_image_reader *reader, uint32_t size,
                     const struct ifu_keyring *keys, uint32_t flags, uint32_t hashset,
                     struct ifu_image_info *info)
{
    struct ifu_verify v;
    uint8_t chunk[READ_CHUNK];

    if (reader == NULL || reader->read == NULL) {
        return IFU_EINVAL;
    }
    int err = ifu_verify_begin(&v, keys, flags, hashset, 0, NULL);
    for (uint32_t off = 0; !err && off < size && ifu_verify_done(&v) == 0;) {
        /* Read no further than the image's end once it is known, so a slot's
         * padding and trailer are never read. */
        uint32_t n = IFU_MIN(IFU_MIN(size - off, (uint32_t)sizeof chunk), ifu_verify_remaining(&v));
        if (n == 0) {
            err = IFU_ESTATE; /* unreachable: remaining() is >= 1 until done */
            break;
        }
        err = reader->read(reader->ctx, off, chunk, n);
        if (!err) {
            err = ifu_verify_update(&v, chunk, n);
        }
        off += n;
    }
    if (err) {
        ifu_verify_abort(&v);
        fill_info(&v, info, NULL);
        return err;
    }
    return ifu_verify_finish(&v, reader, info);
}

/* see src/image_priv.h */
int ifu_verify_feed_area(struct ifu_verify *v, const struct ifu_area *a, uint32_t off,
                         uint32_t max_size, uint8_t *buf, uint32_t buf_size)
{
    if (ifu_area_check(a) != 0 || buf == NULL || buf_size == 0 || off > a->size ||
        max_size > a->size - off) {
        return IFU_EINVAL;
    }
    uint32_t pos = 0;
    int err = ifu_verify_done(v);
    while (err == 0) {
        /* Never ask for bytes past the image's end once it is known, so a
         * slot's padding and trailer are never read (nor hashed). */
        uint32_t n = IFU_MIN(max_size - pos, ifu_verify_remaining(v));
        if (n == 0) {
            return IFU_ETRUNC; /* the image claims to run past max_size */
        }
        const uint8_t *p;
        err = ifu_area_map(a, off + pos, n, &p);
        if (!err && p == NULL) {
            /* Not mapped: copy, a buffer at a time. */
            n = IFU_MIN(n, buf_size);
            err = ifu_area_read(a, off + pos, buf, n);
            p = buf;
        }
        if (!err) {
            err = ifu_verify_update(v, p, n);
        }
        if (!err) {
            pos += n;
            err = ifu_verify_done(v);
        }
    }
    return err < 0 ? err : 0;
}

/* see include/ifu/image.h */
int ifu_image_verify_area(const struct ifu_area *a, uint32_t off, uint32_t size,
                          const struct ifu_keyring *keys, uint32_t flags, uint32_t hashset,
                          struct ifu_image_info *info)
{
    struct ifu_verify v;
    uint8_t chunk[READ_CHUNK];

    if (ifu_area_check(a) != 0 || off > a->size || size > a->size - off) {
        return IFU_EINVAL;
    }
    int err = ifu_verify_begin(&v, keys, flags, hashset, 0, NULL);
    if (!err) {
        err = ifu_verify_feed_area(&v, a, off, size, chunk, sizeof chunk);
    }
    if (err) {
        ifu_verify_abort(&v);
        fill_info(&v, info, NULL);
        return err;
    }
    return ifu_verify_finish_area(&v, a, off, info);
}
