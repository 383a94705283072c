/* `ifu info`: every header field and TLV of an image, as text or JSON.
 *
 * The image is parsed by the device library (ifu_image_parse_header, and the
 * streaming verifier in hash-only mode with a TLV observer), so what info
 * shows is what a device sees; this file only formats. The hash check result
 * comes with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_TLVS 256

struct seen_tlv {
    int prot;
    uint16_t type;
    uint16_t len;
    uint32_t off;
};

struct info_ctx {
    struct seen_tlv tlvs[MAX_TLVS];
    size_t count;
    size_t dropped;
};

static void on_tlv(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off)
{
    struct info_ctx *c = ctx;
    if (c->count == MAX_TLVS) {
        c->dropped++;
        return;
    }
    c->tlvs[c->count++] = (struct seen_tlv){prot, type, len, off};
}

/* What the TLVs say, for the summary. */
struct summary {
    enum ifu_hash_alg hash;
    enum ifu_sig_alg sig;
    const char *keyfmt; /* "hash", "full" or "-" */
    const uint8_t *key_tlv;
    uint16_t key_tlv_len;
    uint8_t key_sha256[32]; /* of the PUBKEY value, if one */
    int has_sec_cnt;
    uint32_t sec_cnt;
    int pure;
};

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Length of a DER INTEGER at p (inside a SEQUENCE of r and s), or 0. */
static size_t der_int_len(const uint8_t *p, size_t avail)
{
    if (avail < 2 || p[0] != 0x02 || p[1] >= 0x80) {
        return 0;
    }
    return p[1];
}

/* ECDSA_SIG serves both curves. A P-384 (r, s) needs more than 33 bytes per
 * integer in all but a negligible share of signatures; otherwise the image
 * hash decides, as MCUboot pairs P-384 with SHA-384. */
static enum ifu_sig_alg ecdsa_curve(const uint8_t *sig, size_t len, enum ifu_hash_alg hash)
{
    if (len > 4 && sig[0] == 0x30 && sig[1] < 0x80) {
        size_t r = der_int_len(sig + 2, len - 2);
        size_t s = r + 4 < len ? der_int_len(sig + 4 + r, len - 4 - r) : 0;
        if (r > 33 || s > 33) {
            return IFU_SIG_ECDSA_P384;
        }
    }
    return hash == IFU_HASH_SHA384 ? IFU_SIG_ECDSA_P384 : IFU_SIG_ECDSA_P256;
}

static void summarise(const struct cli_buf *img, const struct info_ctx *c, struct summary *s)
{
    memset(s, 0, sizeof *s);
    s->keyfmt = "-";
    if (img->data == NULL) {
        return; /* an empty file: no TLV to look at */
    }
    for (size_t i = 0; i < c->count; i++) {
        const struct seen_tlv *t = &c->tlvs[i];
        if ((uint64_t)t->off + t->len > img->len) {
            continue;
        }
        const uint8_t *v = img->data + t->off;
        switch (t->type) {
        case IFU_TLV_SHA256:
            s->hash = IFU_HASH_SHA256;
            break;
        case IFU_TLV_SHA384:
            s->hash = IFU_HASH_SHA384;
            break;
        case IFU_TLV_SHA512:
            s->hash = IFU_HASH_SHA512;
            break;
        case IFU_TLV_KEYHASH:
        case IFU_TLV_PUBKEY:
            if (s->key_tlv == NULL) {
                s->keyfmt = t->type == IFU_TLV_KEYHASH ? "hash" : "full";
                s->key_tlv = v;
                s->key_tlv_len = t->len;
                if (t->type == IFU_TLV_PUBKEY) {
                    cli_digest("SHA256", v, t->len, s->key_sha256, NULL);
                }
            }
            break;
        case IFU_TLV_SEC_CNT:
            if (t->len == 4) {
                s->has_sec_cnt = 1;
                s->sec_cnt = le32(v);
            }
            break;
        case IFU_TLV_SIG_PURE:
            s->pure = 1;
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < c->count && s->sig == IFU_SIG_NONE; i++) {
        const struct seen_tlv *t = &c->tlvs[i];
        const uint8_t *v = (uint64_t)t->off + t->len <= img->len ? img->data + t->off : NULL;
        switch (t->type) {
        case IFU_TLV_RSA2048_PSS:
            s->sig = IFU_SIG_RSA2048_PSS;
            break;
        case IFU_TLV_RSA3072_PSS:
            s->sig = IFU_SIG_RSA3072_PSS;
            break;
        case IFU_TLV_ED25519:
            s->sig = IFU_SIG_ED25519;
            break;
        case IFU_TLV_ECDSA_SIG:
            s->sig = ecdsa_curve(v, v != NULL ? t->len : 0, s->hash);
            break;
        default:
            break;
        }
    }
}

static const struct {
    uint32_t bit;
    const char *name;
} flag_names[] = {
    {IFU_IMAGE_F_PIC, "PIC"},
    {IFU_IMAGE_F_ENCRYPTED_AES128, "ENCRYPTED_AES128"},
    {IFU_IMAGE_F_ENCRYPTED_AES256, "ENCRYPTED_AES256"},
    {IFU_IMAGE_F_NON_BOOTABLE, "NON_BOOTABLE"},
    {IFU_IMAGE_F_RAM_LOAD, "RAM_LOAD"},
    {IFU_IMAGE_F_ROM_FIXED, "ROM_FIXED"},
    {IFU_IMAGE_F_COMPRESSED_LZMA1, "COMPRESSED_LZMA1"},
    {IFU_IMAGE_F_COMPRESSED_LZMA2, "COMPRESSED_LZMA2"},
    {IFU_IMAGE_F_COMPRESSED_ARM, "COMPRESSED_ARM_THUMB"},
};

#define FLAG_COUNT (sizeof flag_names / sizeof flag_names[0])

static void print_hex(FILE *out, const uint8_t *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fprintf(out, "%02x", v[i]);
    }
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

static void version_string(const struct ifu_image_version *v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u.%u+%lu", v->major, v->minor, v->revision, (unsigned long)v->build);
}

/* A TLV's decoded value (text) into out; "" when it has none beyond hex. */
static void decode_tlv(const struct seen_tlv *t, const uint8_t *v, char *out, size_t size)
{
    out[0] = '\0';
    if (v == NULL) {
        return;
    }
    switch (t->type) {
    case IFU_TLV_SEC_CNT:
        if (t->len == 4) {
            snprintf(out, size, "%lu", (unsigned long)le32(v));
        }
        break;
    case IFU_TLV_DEPENDENCY:
        if (t->len == 12) {
            struct ifu_image_version ver = {v[4], v[5], (uint16_t)le16(v + 6), le32(v + 8)};
            char vs[48];
            version_string(&ver, vs, sizeof vs);
            snprintf(out, size, "image %u >= %s", v[0], vs);
        }
        break;
    case IFU_TLV_SIG_PURE:
        if (t->len == 1) {
            snprintf(out, size, "%s", v[0] ? "true" : "false");
        }
        break;
    default:
        if (t->type >= 0xa0 && t->len > 0 && t->len < 64) {
            int printable = 1;
            for (size_t i = 0; i < t->len; i++) {
                printable &= v[i] >= 0x20 && v[i] < 0x7f;
            }
            if (printable) {
                snprintf(out, size, "\"%.*s\"", (int)t->len, (const char *)v);
            }
        }
        break;
    }
}

static void print_text(const char *file, const struct cli_buf *img, int have_hdr,
                       const struct ifu_image_header *h, const struct info_ctx *c,
                       const struct summary *s, int err, const struct ifu_image_info *info)
{
    char vs[48];
    char dec[160];
    printf("file:             %s\n", file);
    printf("size:             %zu bytes\n", img->len);
    if (!have_hdr) {
        printf("header:           (none)\n");
    } else {
        version_string(&h->version, vs, sizeof vs);
        printf("header:\n");
        printf("  magic:          0x%08lx\n", (unsigned long)h->magic);
        printf("  load_addr:      0x%08lx\n", (unsigned long)h->load_addr);
        printf("  hdr_size:       0x%x (%u)\n", h->hdr_size, h->hdr_size);
        printf("  prot_tlv_size:  0x%x (%u)\n", h->prot_tlv_size, h->prot_tlv_size);
        printf("  img_size:       0x%lx (%lu)\n", (unsigned long)h->img_size,
               (unsigned long)h->img_size);
        printf("  flags:          0x%08lx", (unsigned long)h->flags);
        int any = 0;
        for (size_t i = 0; i < FLAG_COUNT; i++) {
            if (h->flags & flag_names[i].bit) {
                printf("%s%s", any ? " | " : " (", flag_names[i].name);
                any = 1;
            }
        }
        printf("%s\n", any ? ")" : "");
        printf("  version:        %s\n", vs);
    }
    int last_prot = -1;
    for (size_t i = 0; i < c->count; i++) {
        const struct seen_tlv *t = &c->tlvs[i];
        int whole = (uint64_t)t->off + t->len <= img->len;
        const uint8_t *v = whole ? img->data + t->off : NULL;
        if (t->prot != last_prot) {
            uint32_t start = t->off - IFU_TLV_HDR_SIZE - IFU_TLV_INFO_SIZE;
            if (t->prot) {
                printf("protected TLVs (area at 0x%lx, %u bytes):\n", (unsigned long)start,
                       h->prot_tlv_size);
            } else if (err == 0 && info->total_size > start) {
                printf("unprotected TLVs (area at 0x%lx, %lu bytes):\n", (unsigned long)start,
                       (unsigned long)(info->total_size - start));
            } else {
                printf("unprotected TLVs (area at 0x%lx):\n", (unsigned long)start);
            }
            last_prot = t->prot;
        }
        printf("  0x%02x %-16s len %-5u ", t->type, cli_tlv_name(t->type), t->len);
        decode_tlv(t, v, dec, sizeof dec);
        if (!whole) {
            printf("(truncated)\n");
            continue;
        }
        if (dec[0] != '\0') {
            printf("%s  ", dec);
        }
        print_hex(stdout, v, t->len);
        printf("\n");
    }
    if (c->dropped > 0) {
        printf("  ... %zu more TLVs not shown\n", c->dropped);
    }
    printf("summary:\n");
    printf("  hash:           %s (%s)\n", cli_hash_name(s->hash),
           err == 0 ? "ok" : ifu_strerror(err));
    if (err == 0) {
        printf("  digest:         ");
        print_hex(stdout, info->digest, ifu_hash_size(info->hash_alg));
        printf("\n  image size:     0x%lx (%lu) bytes, header to the end of the TLVs\n",
               (unsigned long)info->total_size, (unsigned long)info->total_size);
    }
    printf("  signature:      %s%s\n", cli_sig_name(s->sig), s->pure ? " (pure)" : "");
    if (s->key_tlv != NULL && strcmp(s->keyfmt, "hash") == 0) {
        printf("  key:            KEYHASH ");
        print_hex(stdout, s->key_tlv, s->key_tlv_len);
        printf(" (%s of the public key)\n", s->key_tlv_len == 32   ? "sha256"
                                            : s->key_tlv_len == 48 ? "sha384"
                                                                   : "sha512");
    } else if (s->key_tlv != NULL) {
        printf("  key:            PUBKEY, sha256 ");
        print_hex(stdout, s->key_sha256, 32);
        printf("\n");
    } else {
        printf("  key:            -\n");
    }
    if (s->has_sec_cnt) {
        printf("  security_counter: %lu\n", (unsigned long)s->sec_cnt);
    } else {
        printf("  security_counter: -\n");
    }
}

static void print_json(const char *file, const struct cli_buf *img, int have_hdr,
                       const struct ifu_image_header *h, const struct info_ctx *c,
                       const struct summary *s, int err, const struct ifu_image_info *info)
{
    char vs[48];
    char dec[160];
    printf("{\n  \"file\": ");
    json_string(stdout, file);
    printf(",\n  \"size\": %zu,\n", img->len);
    if (have_hdr) {
        version_string(&h->version, vs, sizeof vs);
        printf("  \"magic\": %lu,\n", (unsigned long)h->magic);
        printf("  \"version\": \"%s\",\n", vs);
        printf("  \"load_addr\": %lu,\n", (unsigned long)h->load_addr);
        printf("  \"hdr_size\": %u,\n", h->hdr_size);
        printf("  \"prot_tlv_size\": %u,\n", h->prot_tlv_size);
        printf("  \"img_size\": %lu,\n", (unsigned long)h->img_size);
        printf("  \"flags\": %lu,\n  \"flag_names\": [", (unsigned long)h->flags);
        const char *sep = "";
        for (size_t i = 0; i < FLAG_COUNT; i++) {
            if (h->flags & flag_names[i].bit) {
                printf("%s\"%s\"", sep, flag_names[i].name);
                sep = ", ";
            }
        }
        printf("],\n");
    } else {
        printf("  \"magic\": null,\n  \"version\": null,\n  \"load_addr\": null,\n"
               "  \"hdr_size\": null,\n  \"prot_tlv_size\": null,\n  \"img_size\": null,\n"
               "  \"flags\": null,\n  \"flag_names\": [],\n");
    }
    if (s->has_sec_cnt) {
        printf("  \"security_counter\": %lu,\n", (unsigned long)s->sec_cnt);
    } else {
        printf("  \"security_counter\": null,\n");
    }
    if (s->hash != IFU_HASH_NONE) {
        printf("  \"hash\": \"%s\",\n", cli_hash_name(s->hash));
    } else {
        printf("  \"hash\": null,\n");
    }
    printf("  \"sig\": \"%s\",\n  \"pure\": %s,\n", cli_sig_name(s->sig),
           s->pure ? "true" : "false");
    printf("  \"keyfmt\": \"%s\",\n", s->keyfmt);
    if (s->key_tlv != NULL && strcmp(s->keyfmt, "hash") == 0) {
        printf("  \"key_hash\": \"");
        print_hex(stdout, s->key_tlv, s->key_tlv_len);
        printf("\",\n");
    } else if (s->key_tlv != NULL) {
        printf("  \"key_hash\": \"");
        print_hex(stdout, s->key_sha256, 32);
        printf("\",\n");
    } else {
        printf("  \"key_hash\": null,\n");
    }
    if (err == 0) {
        printf("  \"digest\": \"");
        print_hex(stdout, info->digest, ifu_hash_size(info->hash_alg));
        printf("\",\n  \"total_size\": %lu,\n", (unsigned long)info->total_size);
    } else {
        printf("  \"digest\": null,\n  \"total_size\": null,\n");
    }
    printf("  \"hash_ok\": %s,\n", err == 0 ? "true" : "false");
    printf("  \"error\": ");
    if (err == 0) {
        printf("null");
    } else {
        json_string(stdout, ifu_strerror(err));
    }
    printf(",\n  \"tlvs\": [");
    for (size_t i = 0; i < c->count; i++) {
        const struct seen_tlv *t = &c->tlvs[i];
        int whole = (uint64_t)t->off + t->len <= img->len;
        const uint8_t *v = whole ? img->data + t->off : NULL;
        printf("%s\n    {\"protected\": %s, \"type\": %u, \"name\": \"%s\", \"len\": %u, "
               "\"off\": %lu, \"value\": ",
               i > 0 ? "," : "", t->prot ? "true" : "false", t->type, cli_tlv_name(t->type), t->len,
               (unsigned long)t->off);
        if (whole) {
            printf("\"");
            print_hex(stdout, v, t->len);
            printf("\"");
        } else {
            printf("null");
        }
        decode_tlv(t, v, dec, sizeof dec);
        if (dec[0] != '\0') {
            printf(", \"decoded\": ");
            json_string(stdout, dec);
        }
        printf("}");
    }
    printf("%s]\n}\n", c->count > 0 ? "\n  " : "");
}

enum { I_HELP = 1, I_JSON, I_KEYSTORE, I_SLOTS, I_WRITE_SIZE, I_ERASED };

static const struct cli_opt info_table[] = {
    {"help", 'h', 0, I_HELP},
    {"json", 0, 0, I_JSON},
    {"keystore", 0, 1, I_KEYSTORE},
    {"slots", 0, 1, I_SLOTS},
    {"write-size", 0, 1, I_WRITE_SIZE},
    {"erased", 0, 1, I_ERASED},
    {NULL, 0, 0, 0},
};

/* The SHA-256 anchor of the image's key (docs/KEYS.md), if the TLVs give it:
 * a PUBKEY's hash, or a 32-byte KEYHASH (imgtool hashes the key with the
 * image's algorithm, so a SHA-384/512 KEYHASH is not the anchor). */
static const uint8_t *anchor_of(const struct summary *s)
{
    if (s->key_tlv == NULL) {
        return NULL;
    }
    if (strcmp(s->keyfmt, "full") == 0) {
        return s->key_sha256;
    }
    return s->key_tlv_len == 32 ? s->key_tlv : NULL;
}

/* The line `keystore:` of the text output: which slot holds the key. */
static int print_keystore(const char *path, uint32_t slots, uint32_t ws, uint8_t erased,
                          const struct summary *s)
{
    const uint8_t *anchor = anchor_of(s);
    int slot = -1;
    enum ifu_key_state st = IFU_KEY_EMPTY;
    if (anchor == NULL) {
        printf("  keystore:       - (the image names no SHA-256 key hash)\n");
        return 0;
    }
    int err = cli_keystore_lookup(path, slots, ws, erased, anchor, &slot, &st);
    if (err) {
        return err;
    }
    if (slot < 0) {
        printf("  keystore:       not held (the device refuses the image: no trusted key)\n");
    } else if (st == IFU_KEY_REVOKED) {
        printf("  keystore:       slot %d, revoked (the device refuses the image)\n", slot);
    } else if (strcmp(s->keyfmt, "hash") == 0) {
        printf("  keystore:       slot %d, valid (needs the full key there: KEYHASH image)\n",
               slot);
    } else {
        printf("  keystore:       slot %d, valid\n", slot);
    }
    return 0;
}

static const char info_help[] =
    "usage: ifu info [--json] FILE\n"
    "\n"
    "Print every header field and TLV of FILE (binary, or Intel HEX by extension), the key\n"
    "the image names (KEYHASH, or the SHA-256 of its PUBKEY) and whether its hash is right.\n"
    "Parsing is done by the device library. Exit 0 if the image is well-formed and its hash\n"
    "matches, 1 if not (what could be parsed is still shown).\n"
    "\n"
    "  --json   one JSON object instead of text\n"
    "  --keystore FILE  also say which slot of this keystore image (`ifu provision`) holds\n"
    "                   the image's key, and its state; with --slots N (default 4),\n"
    "                   --write-size W (default 4), --erased V (default 0xff; 0x00 for OTP)\n";

/* see cli.h */
int cli_cmd_info(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *file = NULL;
    const char *keystore = NULL;
    uint64_t ks_slots = 4;
    uint64_t ks_ws = 4;
    uint64_t ks_erased = 0xff;
    int json = 0;
    int id;
    int perr = 0;

    cli_opt_init(&p, "info", argc, argv);
    while ((id = cli_opt_next(&p, info_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case I_HELP:
            fputs(info_help, stdout);
            return 0;
        case I_JSON:
            json = 1;
            break;
        case I_KEYSTORE:
            keystore = vals[0];
            break;
        case I_SLOTS:
            perr = cli_parse_uint(vals[0], 32, "--slots", &ks_slots);
            break;
        case I_WRITE_SIZE:
            perr = cli_parse_uint(vals[0], 32, "--write-size", &ks_ws);
            break;
        case I_ERASED:
            perr = cli_parse_uint(vals[0], 0xff, "--erased", &ks_erased);
            break;
        case CLI_OPT_POSITIONAL:
            if (file != NULL) {
                return cli_fail(IFU_EINVAL, "info", "unexpected argument '%s'", vals[0]);
            }
            file = vals[0];
            break;
        default:
            return id;
        }
        if (perr) {
            return perr;
        }
    }
    if (file == NULL) {
        return cli_fail(IFU_EINVAL, "info", "missing FILE (usage: ifu info [--json] FILE)");
    }
    if (keystore != NULL && json) {
        return cli_fail(IFU_EINVAL, "--keystore", "not available with --json");
    }

    struct cli_buf img = {0};
    int err = cli_image_load(file, &img);
    const struct cli_info_keystore ks = {keystore, (uint32_t)ks_slots, (uint32_t)ks_ws,
                                         (uint8_t)ks_erased};
    if (!err) {
        err = cli_info_show(file, &img, json, keystore != NULL ? &ks : NULL);
    }
    cli_buf_free(&img);
    return err;
}

/* see cli.h */
int cli_info_show(const char *file, const struct cli_buf *img, int json,
                  const struct cli_info_keystore *ks)
{
    int err;
    struct ifu_image_header hdr;
    memset(&hdr, 0, sizeof hdr);
    int have_hdr =
        img->len >= IFU_IMAGE_HEADER_SIZE && ifu_image_parse_header(&hdr, img->data) == 0;

    struct info_ctx *c = cli_alloc(sizeof *c);
    memset(c, 0, sizeof *c);
    struct ifu_tlv_observer obs = {on_tlv, c};
    struct ifu_image_info info;
    err = cli_image_verify(img, NULL, IFU_VERIFY_F_HASH_ONLY, &obs, &info);

    struct summary s;
    summarise(img, c, &s);
    if (json) {
        print_json(file, img, have_hdr, &hdr, c, &s, err, &info);
    } else {
        print_text(file, img, have_hdr, &hdr, c, &s, err, &info);
        if (ks != NULL) {
            int kerr = print_keystore(ks->path, ks->slots, ks->write_size, ks->erased, &s);
            if (kerr) {
                free(c);
                return kerr;
            }
        }
    }
    if (err) {
        cli_fail(err, file, "%s", ifu_strerror(err));
        err = cli_verdict(err);
    }
    free(c);
    return err;
}
