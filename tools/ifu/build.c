/* The image builder behind `ifu sign`: byte-for-byte what imgtool 2.4.0
 * writes for the same input, key and options (docs/FORMAT.md has the layout,
 * docs/CLI.md the differences, if any).
 *
 *   header (hdr_size) | payload | protected TLVs | unprotected TLVs | [pad + trailer]
 *
 * Protected TLVs, in this order: SEC_CNT, BOOT_RECORD, DEPENDENCY..., UUID_VID,
 * UUID_CID, custom TLVs. Unprotected: the hash, SIG_PURE, KEYHASH or PUBKEY,
 * the signature. The digest covers header, payload and protected TLVs; RSA and
 * ECDSA sign the digest, Ed25519 signs the digest (or, with --pure, the bytes
 * themselves). Everything is checked before OUTFILE is written, and it is
 * written atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sign.h"

#define DEFAULT_MAX_SECTORS 128u
#define DEFAULT_MAX_ALIGN   8u
#define TRAILER_MAGIC_SIZE  16u

/* MCUboot's boot trailer magic for max_align 8, and the tail of the magic
 * used with other alignments (preceded by max_align as a 16-bit value). */
static const uint8_t magic_default[TRAILER_MAGIC_SIZE] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};
static const uint8_t magic_aligned_tail[TRAILER_MAGIC_SIZE - 2] = {
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
};

/* Everything sign_build holds; released in one place. */
struct build {
    const struct sign_opts *o;
    struct cli_buf img; /* header + payload, then + TLVs */
    int has_base;
    uint64_t base; /* Intel HEX address of img[0] */
    struct cli_key key;
    int have_key;
    struct cli_key fix_pub;
    int have_fix_pub;
    struct cli_buf fixed_sig;
    enum ifu_hash_alg hash;
    const char *md_name;
    size_t digest_len;
    uint8_t key_id[IFU_HASH_MAX_SIZE]; /* hash of the public key ("pubbytes") */
    size_t key_id_len;
    uint8_t *sig;
    size_t sig_len;
    uint32_t max_align;
};

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* ---- input ---- */

static int load_input(struct build *bd)
{
    const struct sign_opts *o = bd->o;
    struct cli_buf raw = {0};
    int err;

    if (cli_is_hex_path(o->infile)) {
        err = cli_hex_read(o->infile, &raw, &bd->base, &bd->has_base);
    } else {
        err = cli_file_read(o->infile, &raw);
    }
    if (err) {
        cli_buf_free(&raw);
        return err;
    }
    if (o->pad_header) {
        cli_buf_fill(&bd->img, o->erased_val, o->header_size);
        /* As imgtool: the header goes in front of the HEX data, unless the
         * data starts at address 0. */
        if (bd->has_base && bd->base != 0) {
            if (bd->base < o->header_size) {
                cli_buf_free(&raw);
                return cli_fail(IFU_EINVAL, o->infile,
                                "HEX data starts at 0x%llx, no room for "
                                "a 0x%x-byte header before it",
                                (unsigned long long)bd->base, (unsigned)o->header_size);
            }
            bd->base -= o->header_size;
        }
    }
    cli_buf_put(&bd->img, raw.data, raw.len);
    cli_buf_free(&raw);

    if (bd->img.len < o->header_size) {
        return cli_fail(IFU_EINVAL, o->infile,
                        "%zu bytes, shorter than the 0x%x-byte header "
                        "(use --pad-header)",
                        bd->img.len, (unsigned)o->header_size);
    }
    if (bd->img.len - o->header_size > UINT32_MAX) {
        return cli_fail(IFU_ENOSPC, o->infile, "larger than 4 GiB");
    }
    if (!o->pad_header) {
        for (uint32_t i = 0; i < o->header_size; i++) {
            if (bd->img.data[i] != 0) {
                return cli_fail(IFU_EINVAL, o->infile,
                                "does not start with 0x%x zero bytes "
                                "for the header (use --pad-header)",
                                (unsigned)o->header_size);
            }
        }
    }
    return 0;
}

/* ---- keys and the hash algorithm ---- */

/* Image hashes imgtool allows for a key, preferred first (0-terminated). */
static void allowed_hashes(const struct cli_key *k, int pure, unsigned out[3])
{
    memset(out, 0, 3 * sizeof out[0]);
    if (pure) {
        if (k->type == CLI_KEY_ED25519 && k->is_private) {
            out[0] = 512;
        }
        return;
    }
    switch (k->type) {
    case CLI_KEY_RSA2048:
    case CLI_KEY_RSA3072:
        out[0] = 256;
        break;
    case CLI_KEY_P256:
        out[0] = 256;
        out[1] = k->is_private ? 0 : 512;
        break;
    case CLI_KEY_P384:
        out[0] = 384;
        break;
    case CLI_KEY_ED25519:
        out[0] = 256;
        out[1] = 512;
        break;
    case CLI_KEY_X25519:
        if (k->is_private) {
            out[0] = 256;
            out[1] = 512;
        }
        break;
    }
}

static int choose_hash(struct build *bd)
{
    const struct sign_opts *o = bd->o;
    const struct cli_key *k = bd->have_key ? &bd->key : (bd->have_fix_pub ? &bd->fix_pub : NULL);
    unsigned sha = o->sha == 0 ? 256 : o->sha;

    if (o->pure && o->sha != 0) {
        return cli_fail(IFU_EINVAL, "--pure", "the hash of a pure signature is fixed; drop --sha");
    }
    if (k != NULL) {
        unsigned allowed[3];
        allowed_hashes(k, o->pure, allowed);
        if (allowed[0] == 0 && o->pure) {
            return cli_fail(IFU_EINVAL, "--pure", "needs an ed25519 private key, not an %s %s key",
                            cli_key_type_name(k->type), k->is_private ? "private" : "public");
        }
        if (allowed[0] == 0) {
            return cli_fail(IFU_EINVAL, "--key", "%s %s keys cannot sign images",
                            cli_key_type_name(k->type), k->is_private ? "private" : "public");
        }
        if (o->sha == 0 || o->pure) {
            sha = allowed[0];
        } else if (sha != allowed[0] && sha != allowed[1]) {
            char list[32];
            if (allowed[1] != 0) {
                snprintf(list, sizeof list, "%u or %u", allowed[0], allowed[1]);
            } else {
                snprintf(list, sizeof list, "%u", allowed[0]);
            }
            return cli_fail(IFU_EINVAL, "--sha", "%s %s keys allow --sha %s, not %u",
                            cli_key_type_name(k->type), k->is_private ? "private" : "public", list,
                            sha);
        }
    }
    switch (sha) {
    case 384:
        bd->hash = IFU_HASH_SHA384;
        bd->md_name = "SHA384";
        bd->digest_len = 48;
        break;
    case 512:
        bd->hash = IFU_HASH_SHA512;
        bd->md_name = "SHA512";
        bd->digest_len = 64;
        break;
    default:
        bd->hash = IFU_HASH_SHA256;
        bd->md_name = "SHA256";
        bd->digest_len = 32;
        break;
    }
    /* The key id: hash of the public key with the image's algorithm; 32
     * zero bytes without a key (imgtool's boot record then names no signer). */
    if (k != NULL) {
        return cli_digest(bd->md_name, k->pub, k->pub_len, bd->key_id, &bd->key_id_len);
    }
    memset(bd->key_id, 0, 32);
    bd->key_id_len = 32;
    return 0;
}

static int load_keys(struct build *bd)
{
    const struct sign_opts *o = bd->o;
    int err;

    if (o->key_path != NULL) {
        err = cli_key_load(o->key_path, &bd->key);
        if (err) {
            return err;
        }
        bd->have_key = 1;
        if (!bd->key.is_private) {
            return cli_fail(IFU_ENOKEY, o->key_path,
                            "is a public key; signing needs the "
                            "private key");
        }
        if (bd->key.type == CLI_KEY_X25519) {
            return cli_fail(IFU_ENOKEY, o->key_path, "x25519 keys cannot sign");
        }
    }
    if (o->fix_sig != NULL) {
        struct cli_buf text = {0};
        err = cli_file_read(o->fix_sig, &text);
        if (!err && (cli_base64_decode((const char *)text.data, text.len, &bd->fixed_sig) != 0 ||
                     bd->fixed_sig.len == 0)) {
            err = cli_fail(IFU_EIO, o->fix_sig, "not a base64 signature");
        }
        cli_buf_free(&text);
        if (err) {
            return err;
        }
        if (o->fix_sig_pubkey == NULL) {
            return cli_fail(IFU_EINVAL, "--fix-sig",
                            "needs --fix-sig-pubkey (the signer's "
                            "public key)");
        }
        err = cli_key_load(o->fix_sig_pubkey, &bd->fix_pub);
        if (err) {
            return err;
        }
        bd->have_fix_pub = 1;
        if (bd->fix_pub.type == CLI_KEY_X25519) {
            return cli_fail(IFU_ENOKEY, o->fix_sig_pubkey, "x25519 keys do not sign");
        }
        if (bd->fixed_sig.len > 0xffff) {
            return cli_fail(IFU_EINVAL, o->fix_sig, "signature longer than 65535 bytes");
        }
    }
    if (o->sig_out != NULL && o->vector == VECTOR_NONE && !bd->have_key && o->fix_sig == NULL) {
        return cli_fail(IFU_EINVAL, "--sig-out", "an unsigned image has no signature to write");
    }
    if (o->sig_out != NULL && o->vector != VECTOR_NONE) {
        return cli_fail(IFU_EINVAL, "--sig-out", "nothing is signed with --vector-to-sign");
    }
    if (o->vector == VECTOR_NONE && bd->have_key && o->fix_sig != NULL) {
        return cli_fail(IFU_EINVAL, "--fix-sig",
                        "cannot be used with -k/--key (sign with one "
                        "or insert the other)");
    }
    return choose_hash(bd);
}

/* ---- header, signature, trailer ---- */

static void write_header(struct build *bd, uint16_t prot_size)
{
    const struct sign_opts *o = bd->o;
    const int big = o->big_endian;
    uint32_t flags = 0;
    if (o->load_addr != 0) {
        flags |= IFU_IMAGE_F_RAM_LOAD;
    }
    if (o->rom_fixed != 0) {
        flags |= IFU_IMAGE_F_ROM_FIXED;
    }
    if (o->non_bootable) {
        flags |= IFU_IMAGE_F_NON_BOOTABLE;
    }
    struct cli_buf h = {0};
    cli_buf_put_u32(&h, IFU_IMAGE_MAGIC, big);
    cli_buf_put_u32(&h, o->rom_fixed != 0 ? o->rom_fixed : o->load_addr, big);
    cli_buf_put_u16(&h, (uint16_t)o->header_size, big);
    cli_buf_put_u16(&h, prot_size, big);
    cli_buf_put_u32(&h, (uint32_t)(bd->img.len - o->header_size), big);
    cli_buf_put_u32(&h, flags, big);
    cli_buf_put_u8(&h, o->version.major);
    cli_buf_put_u8(&h, o->version.minor);
    cli_buf_put_u16(&h, o->version.revision, big);
    cli_buf_put_u32(&h, o->version.build, big);
    cli_buf_put_u32(&h, 0, big);
    memcpy(bd->img.data, h.data, IFU_IMAGE_HEADER_SIZE);
    cli_buf_free(&h);
}

static uint8_t sig_tlv_type(enum cli_key_type t)
{
    switch (t) {
    case CLI_KEY_RSA2048:
        return IFU_TLV_RSA2048_PSS;
    case CLI_KEY_RSA3072:
        return IFU_TLV_RSA3072_PSS;
    case CLI_KEY_P256:
    case CLI_KEY_P384:
        return IFU_TLV_ECDSA_SIG;
    default:
        return IFU_TLV_ED25519;
    }
}

static int sign_image(struct build *bd, const uint8_t *digest, size_t signed_len)
{
    const struct sign_opts *o = bd->o;
    int err;
    if (bd->key.type == CLI_KEY_ED25519) {
        err = o->pure ? cli_key_sign(&bd->key, bd->img.data, signed_len, &bd->sig, &bd->sig_len)
                      : cli_key_sign(&bd->key, digest, bd->digest_len, &bd->sig, &bd->sig_len);
    } else {
        err = cli_key_sign(&bd->key, digest, bd->digest_len, &bd->sig, &bd->sig_len);
    }
    if (!err && o->pad_sig && (bd->key.type == CLI_KEY_P256 || bd->key.type == CLI_KEY_P384)) {
        size_t want = bd->key.type == CLI_KEY_P256 ? 72 : 103;
        if (bd->sig_len < want) {
            bd->sig = cli_realloc(bd->sig, want);
            memset(bd->sig + bd->sig_len, 0, want - bd->sig_len);
            bd->sig_len = want;
        }
    }
    return err;
}

/* Bytes of the boot trailer at the slot end (MCUboot's layout). */
static uint64_t trailer_size(const struct build *bd)
{
    const struct sign_opts *o = bd->o;
    uint64_t magic = align_up(TRAILER_MAGIC_SIZE, bd->max_align);
    if (o->overwrite_only) {
        return (uint64_t)bd->max_align * 2 + magic;
    }
    uint64_t sectors = o->has_max_sectors ? o->max_sectors : DEFAULT_MAX_SECTORS;
    return sectors * 3 * o->align + (uint64_t)bd->max_align * 4 + magic;
}

static void trailer_magic(const struct build *bd, uint8_t out[TRAILER_MAGIC_SIZE])
{
    if (bd->max_align == DEFAULT_MAX_ALIGN) {
        memcpy(out, magic_default, TRAILER_MAGIC_SIZE);
        return;
    }
    uint8_t lo = (uint8_t)bd->max_align;
    uint8_t hi = (uint8_t)(bd->max_align >> 8);
    out[0] = bd->o->big_endian ? hi : lo;
    out[1] = bd->o->big_endian ? lo : hi;
    memcpy(out + 2, magic_aligned_tail, sizeof magic_aligned_tail);
}

/* ---- output ---- */

static int save(struct build *bd, const struct cli_buf *data)
{
    const struct sign_opts *o = bd->o;
    uint8_t magic[TRAILER_MAGIC_SIZE];
    uint64_t tsize = trailer_size(bd);
    uint64_t magic_area = align_up(TRAILER_MAGIC_SIZE, bd->max_align);
    int set_flag = (o->test || o->confirm) && !o->overwrite_only;
    trailer_magic(bd, magic);

    if (cli_is_hex_path(o->outfile)) {
        if (o->has_hex_addr) {
            bd->base = o->hex_addr;
        } else if (!bd->has_base) {
            return cli_fail(IFU_EINVAL, o->outfile,
                            "a .hex output needs an address: use "
                            "-x/--hex-addr (INFILE has none)");
        }
        struct cli_hex_seg segs[3] = {{bd->base, data->data, data->len}};
        size_t n = 1;
        uint8_t flag[32];
        if (o->pad) {
            /* Only the trailer's image_ok and magic are written; the gap
             * stays out of the HEX file, as imgtool leaves it. */
            uint64_t end = bd->base + o->slot_size;
            if (end < tsize || end - tsize < bd->base) {
                return cli_fail(IFU_ENOSPC, "--slot-size", "0x%x is smaller than the trailer",
                                (unsigned)o->slot_size);
            }
            if (set_flag) {
                memset(flag, o->erased_val, bd->max_align);
                if (o->confirm) {
                    flag[0] = 0x01;
                }
                segs[n++] =
                    (struct cli_hex_seg){end - (magic_area + bd->max_align), flag, bd->max_align};
            }
            segs[n++] = (struct cli_hex_seg){end - TRAILER_MAGIC_SIZE, magic, sizeof magic};
        }
        return cli_hex_write(o->outfile, segs, n);
    }

    if (!o->pad) {
        return cli_file_write_atomic(o->outfile, data->data, data->len, 0666);
    }
    struct cli_buf out = {0};
    cli_buf_put(&out, data->data, data->len);
    uint64_t used = data->len + tsize;
    uint64_t padding = o->slot_size > used ? o->slot_size - used : 0;
    cli_buf_fill(&out, o->erased_val, (size_t)(padding + tsize - TRAILER_MAGIC_SIZE));
    cli_buf_put(&out, magic, sizeof magic);
    if (set_flag && o->confirm) {
        out.data[out.len - (magic_area + bd->max_align)] = 0x01; /* image_ok */
    }
    int err = cli_file_write_atomic(o->outfile, out.data, out.len, 0666);
    cli_buf_free(&out);
    return err;
}

static int build(struct build *bd)
{
    const struct sign_opts *o = bd->o;
    const int big = o->big_endian;
    struct cli_buf prot = {0};
    struct cli_buf unprot = {0};
    struct cli_buf vec = {0};
    uint8_t digest[IFU_HASH_MAX_SIZE];
    int err;

    if (o->load_addr != 0 && o->rom_fixed != 0) {
        return cli_fail(IFU_EINVAL, "sign",
                        "-L/--load-addr and -F/--rom-fixed exclude each "
                        "other");
    }
    bd->max_align = o->max_align != 0
                        ? o->max_align
                        : (o->align > DEFAULT_MAX_ALIGN ? o->align : DEFAULT_MAX_ALIGN);
    err = load_input(bd);
    if (!err) {
        err = load_keys(bd);
    }
    if (!err) {
        err = sign_protected_tlvs(o, bd->hash, bd->key_id, bd->key_id_len, &prot);
    }
    if (err) {
        cli_buf_free(&prot);
        return err;
    }
    write_header(bd, (uint16_t)prot.len);
    cli_buf_put(&bd->img, prot.data, prot.len);
    cli_buf_free(&prot);
    size_t signed_len = bd->img.len;

    err = cli_digest(bd->md_name, bd->img.data, signed_len, digest, NULL);
    if (err) {
        return err;
    }
    uint8_t hash_type = bd->hash == IFU_HASH_SHA384   ? IFU_TLV_SHA384
                        : bd->hash == IFU_HASH_SHA512 ? IFU_TLV_SHA512
                                                      : IFU_TLV_SHA256;
    sign_put_tlv(&unprot, hash_type, digest, bd->digest_len, big);
    if (o->pure) {
        uint8_t one = 1;
        sign_put_tlv(&unprot, IFU_TLV_SIG_PURE, &one, 1, big);
    }

    if (o->vector != VECTOR_NONE) {
        /* Only the bytes an external signer needs; padded like an image. */
        if (o->vector == VECTOR_PAYLOAD) {
            cli_buf_put(&vec, bd->img.data, signed_len);
        } else {
            cli_buf_put(&vec, digest, bd->digest_len);
        }
        err = save(bd, &vec);
        cli_buf_free(&vec);
        cli_buf_free(&unprot);
        return err;
    }

    if (bd->have_key || o->fix_sig != NULL) {
        const struct cli_key *k = bd->have_key ? &bd->key : &bd->fix_pub;
        if (o->pubkey_full) {
            sign_put_tlv(&unprot, IFU_TLV_PUBKEY, k->pub, k->pub_len, big);
        } else {
            sign_put_tlv(&unprot, IFU_TLV_KEYHASH, bd->key_id, bd->key_id_len, big);
        }
        if (bd->have_key) {
            err = sign_image(bd, digest, signed_len);
        } else {
            bd->sig = cli_alloc(bd->fixed_sig.len);
            memcpy(bd->sig, bd->fixed_sig.data, bd->fixed_sig.len);
            bd->sig_len = bd->fixed_sig.len;
        }
        if (!err) {
            sign_put_tlv(&unprot, sig_tlv_type(k->type), bd->sig, bd->sig_len, big);
        }
    }
    if (!err && unprot.len + IFU_TLV_INFO_SIZE > 0xffff) {
        err = cli_fail(IFU_EINVAL, "sign", "unprotected TLVs take %zu bytes; at most 65535",
                       unprot.len + IFU_TLV_INFO_SIZE);
    }
    if (!err) {
        cli_buf_put_u16(&bd->img, IFU_TLV_INFO_MAGIC, big);
        cli_buf_put_u16(&bd->img, (uint16_t)(unprot.len + IFU_TLV_INFO_SIZE), big);
        cli_buf_put(&bd->img, unprot.data, unprot.len);
    }
    cli_buf_free(&unprot);
    if (err) {
        return err;
    }

    uint64_t tsize = trailer_size(bd);
    if (o->slot_size > 0 && bd->img.len + tsize > o->slot_size) {
        return cli_fail(IFU_ENOSPC, o->infile,
                        "image (0x%zx bytes) + trailer (0x%llx) is "
                        "larger than the slot (0x%x)",
                        bd->img.len, (unsigned long long)tsize, (unsigned)o->slot_size);
    }
    if (o->overwrite_only && o->slot_size > 0) {
        /* MCUboot's overwrite-only bootloader stops images at swap_info, 3 flag
         * fields + the magic area from the end: more than imgtool's model. */
        uint64_t limit = align_up(TRAILER_MAGIC_SIZE, bd->max_align) + 3ull * bd->max_align;
        if (bd->img.len + limit > o->slot_size) {
            fprintf(stderr,
                    "ifu: warning: %s: the image ends %llu bytes before the slot end; "
                    "MCUboot's overwrite-only bootloader needs %llu\n",
                    o->outfile, (unsigned long long)(o->slot_size - bd->img.len),
                    (unsigned long long)limit);
        }
    }
    err = save(bd, &bd->img);
    if (!err && o->sig_out != NULL) {
        struct cli_buf b64 = {0};
        cli_base64_encode(bd->sig, bd->sig_len, &b64);
        err = cli_file_write_atomic(o->sig_out, b64.data, b64.len, 0666);
        cli_buf_free(&b64);
    }
    return err;
}

/* see sign.h */
int sign_build(const struct sign_opts *o)
{
    struct build bd;
    memset(&bd, 0, sizeof bd);
    bd.o = o;
    int err = build(&bd);
    cli_buf_free(&bd.img);
    cli_buf_free(&bd.fixed_sig);
    free(bd.sig);
    if (bd.have_key) {
        cli_key_free(&bd.key);
    }
    if (bd.have_fix_pub) {
        cli_key_free(&bd.fix_pub);
    }
    return err;
}
