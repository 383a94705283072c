/* The protected TLV area of `ifu sign` (imgtool's order: SEC_CNT, BOOT_RECORD,
 * DEPENDENCY..., UUID_VID, UUID_CID, custom TLVs) and the TLV writers that
 * build.c shares. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sign.h"

#define BOOT_RECORD_MAX_SW_TYPE 12u /* characters */

/* see sign.h */
void sign_put_tlv(struct cli_buf *b, uint8_t type, const void *v, size_t len, int big)
{
    cli_buf_put_u8(b, type);
    cli_buf_put_u8(b, 0);
    cli_buf_put_u16(b, (uint16_t)len, big);
    cli_buf_put(b, v, len);
}

/* Custom TLVs carry a 16-bit type (unlike sign_put_tlv's, in big-endian). */
static void put_tlv16(struct cli_buf *b, uint16_t type, const void *v, size_t len, int big)
{
    cli_buf_put_u16(b, type, big);
    cli_buf_put_u16(b, (uint16_t)len, big);
    cli_buf_put(b, v, len);
}

static void cbor_head(struct cli_buf *b, uint8_t major, size_t len)
{
    major = (uint8_t)(major << 5);
    if (len < 24) {
        cli_buf_put_u8(b, (uint8_t)(major | len));
    } else if (len < 0x100) {
        cli_buf_put_u8(b, (uint8_t)(major | 24));
        cli_buf_put_u8(b, (uint8_t)len);
    } else {
        cli_buf_put_u8(b, (uint8_t)(major | 25));
        cli_buf_put_u16(b, (uint16_t)len, 1);
    }
}

static void cbor_text(struct cli_buf *b, const char *s)
{
    cbor_head(b, 3, strlen(s));
    cli_buf_put(b, s, strlen(s));
}

static void cbor_bytes(struct cli_buf *b, const uint8_t *v, size_t len)
{
    cbor_head(b, 2, len);
    cli_buf_put(b, v, len);
}

/* The boot record: a CBOR map of PSA attestation software-component claims
 * {1: type, 4: version, 5: signer id, 6: measurement description,
 *  2: measurement value}. The measurement is zeros here; the bootloader
 * writes the real digest, which is why it must be the last item. */
static int boot_record(const struct sign_opts *o, enum ifu_hash_alg hash, const uint8_t *key_id,
                       size_t key_id_len, struct cli_buf *out)
{
    size_t chars = 0;
    for (const char *p = o->boot_record; *p != '\0'; p++) {
        chars += ((unsigned char)*p & 0xc0) != 0x80; /* UTF-8 characters, as Python counts */
    }
    if (chars > BOOT_RECORD_MAX_SW_TYPE) {
        return cli_fail(IFU_EINVAL, "--boot-record", "'%s' is %zu characters; at most %u",
                        o->boot_record, chars, BOOT_RECORD_MAX_SW_TYPE);
    }
    char version[32];
    snprintf(version, sizeof version, "%u.%u.%u", o->version.major, o->version.minor,
             o->version.revision);
    const char *desc = hash == IFU_HASH_SHA384   ? "SHA384"
                       : hash == IFU_HASH_SHA512 ? "SHA512"
                                                 : "SHA256";
    uint8_t zeros[IFU_HASH_MAX_SIZE] = {0};

    cbor_head(out, 5, 5);
    cbor_head(out, 0, 1);
    cbor_text(out, o->boot_record);
    cbor_head(out, 0, 4);
    cbor_text(out, version);
    cbor_head(out, 0, 5);
    cbor_bytes(out, key_id, key_id_len);
    cbor_head(out, 0, 6);
    cbor_text(out, desc);
    cbor_head(out, 0, 2);
    cbor_bytes(out, zeros, ifu_hash_size(hash));
    return 0;
}

static int hex_digit(char c)
{
    const char *d = "0123456789abcdef";
    const char *p = strchr(d, c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    return c != '\0' && p != NULL ? (int)(p - d) : -1;
}

/* --vid / --cid: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", 32 hex digits, or a
 * printable name hashed into a version-5 UUID under namespace ns. */
static int parse_uuid(const char *opt, const char *text, const uint8_t *ns, uint8_t out[16])
{
    size_t len = strlen(text);
    int dashed = len == 36;
    for (size_t i = 0; dashed && i < len; i++) {
        int want_dash = i == 8 || i == 13 || i == 18 || i == 23;
        dashed = want_dash ? text[i] == '-' : hex_digit(text[i]) >= 0;
    }
    int plain = len == 32;
    for (size_t i = 0; plain && i < len; i++) {
        plain = hex_digit(text[i]) >= 0;
    }
    if (dashed || plain) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (text[i] != '-') {
                int v = hex_digit(text[i]);
                if (n % 2 == 0) {
                    out[n / 2] = (uint8_t)(v << 4);
                } else {
                    out[n / 2] |= (uint8_t)v;
                }
                n++;
            }
        }
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            return cli_fail(IFU_EINVAL, opt, "'%s' is not a UUID or a printable name", text);
        }
    }
    if (ns == NULL) {
        return cli_fail(IFU_EINVAL, opt, "a name needs --vid to give its namespace");
    }
    struct cli_buf in = {0};
    uint8_t sha1[64];
    cli_buf_put(&in, ns, 16);
    cli_buf_put(&in, text, len);
    int err = cli_digest("SHA1", in.data, in.len, sha1, NULL);
    cli_buf_free(&in);
    if (err) {
        return err;
    }
    memcpy(out, sha1, 16);
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x50); /* version 5 (RFC 4122 4.3) */
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return 0;
}

/* see sign.h */
int sign_protected_tlvs(const struct sign_opts *o, enum ifu_hash_alg hash, const uint8_t *key_id,
                        size_t key_id_len, struct cli_buf *prot)
{
    /* RFC 4122 appendix C: the DNS name space. */
    static const uint8_t ns_dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                       0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    const int big = o->big_endian;
    struct cli_buf body = {0};
    int err = 0;

    if (o->sec_cnt_mode != SEC_CNT_NONE) {
        uint32_t v = o->sec_cnt;
        if (o->sec_cnt_mode == SEC_CNT_AUTO) {
            v = (uint32_t)o->version.major << 24 | (uint32_t)o->version.minor << 16 |
                o->version.revision;
        }
        struct cli_buf val = {0};
        cli_buf_put_u32(&val, v, big);
        sign_put_tlv(&body, IFU_TLV_SEC_CNT, val.data, val.len, big);
        cli_buf_free(&val);
    }
    if (o->boot_record != NULL) {
        struct cli_buf rec = {0};
        err = boot_record(o, hash, key_id, key_id_len, &rec);
        if (!err) {
            sign_put_tlv(&body, IFU_TLV_BOOT_RECORD, rec.data, rec.len, big);
        }
        cli_buf_free(&rec);
    }
    for (size_t i = 0; !err && i < o->ndeps; i++) {
        struct cli_buf val = {0};
        const struct ifu_image_version *v = &o->deps[i].version;
        cli_buf_put_u8(&val, o->deps[i].image_id);
        cli_buf_fill(&val, 0, 3);
        cli_buf_put_u8(&val, v->major);
        cli_buf_put_u8(&val, v->minor);
        cli_buf_put_u16(&val, v->revision, big);
        cli_buf_put_u32(&val, v->build, big);
        sign_put_tlv(&body, IFU_TLV_DEPENDENCY, val.data, val.len, big);
        cli_buf_free(&val);
    }
    uint8_t vid[16];
    if (!err && o->vid != NULL) {
        err = parse_uuid("--vid", o->vid, ns_dns, vid);
        if (!err) {
            sign_put_tlv(&body, 0x74, vid, sizeof vid, big);
        }
    }
    if (!err && o->cid != NULL) {
        uint8_t cid[16];
        err = parse_uuid("--cid", o->cid, o->vid != NULL ? vid : NULL, cid);
        if (!err) {
            sign_put_tlv(&body, 0x75, cid, sizeof cid, big);
        }
    }
    for (size_t i = 0; !err && i < o->ncustom; i++) {
        put_tlv16(&body, o->custom[i].tag, o->custom[i].value, o->custom[i].len, big);
    }
    if (!err && body.len > 0) {
        if (body.len + IFU_TLV_INFO_SIZE > 0xffff) {
            err = cli_fail(IFU_EINVAL, "sign",
                           "protected TLVs take %zu bytes; the header "
                           "field holds at most 65535",
                           body.len + IFU_TLV_INFO_SIZE);
        } else {
            cli_buf_put_u16(prot, IFU_TLV_PROT_INFO_MAGIC, big);
            cli_buf_put_u16(prot, (uint16_t)(body.len + IFU_TLV_INFO_SIZE), big);
            cli_buf_put(prot, body.data, body.len);
        }
    }
    cli_buf_free(&body);
    return err;
}
