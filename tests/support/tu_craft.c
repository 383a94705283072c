/* see tu_craft.h */
#include "tu_craft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/crypto.h"
#include "ifu/image.h"
#include "util_priv.h"

static void need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "tu_craft: %s\n", what);
        abort();
    }
}

static uint32_t put_tlv(uint8_t *p, uint16_t type, uint16_t len, const uint8_t *val)
{
    ifu_put_le16(p, type);
    ifu_put_le16(p + 2, len);
    if (val != NULL) {
        memcpy(p + 4, val, len);
    } else {
        memset(p + 4, 0xa5, len);
    }
    return 4u + len;
}

static uint32_t area_size(const struct tu_tlv *t, size_t n)
{
    uint32_t size = 4;
    for (size_t i = 0; i < n; i++) {
        size += 4u + t[i].len;
    }
    return size;
}

/* The unprotected area after the signed_end bytes at img; returns the image's length. */
static uint32_t put_unprot(uint8_t *img, uint32_t signed_end, const struct tu_tlv *unprot, size_t n,
                           uint16_t magic)
{
    uint32_t info = signed_end;
    uint32_t off = signed_end + 4;
    for (size_t i = 0; i < n; i++) {
        const struct tu_tlv *t = &unprot[i];
        if (t->type == TU_AUTO_HASH) {
            static const uint16_t types[] = {IFU_TLV_SHA256, IFU_TLV_SHA384, IFU_TLV_SHA512};
            static const enum ifu_hash_alg algs[] = {IFU_HASH_SHA256, IFU_HASH_SHA384,
                                                     IFU_HASH_SHA512};
            size_t a = t->len == 32 ? 0 : t->len == 48 ? 1 : 2;
            uint8_t d[IFU_HASH_MAX_SIZE];
            need(t->len == 32 || t->len == 48 || t->len == 64, "TU_AUTO_HASH of another length");
            need(ifu_hash_oneshot(algs[a], img, signed_end, d) == 0, "image hash");
            off += put_tlv(img + off, types[a], t->len, d);
        } else {
            off += put_tlv(img + off, t->type, t->len, t->val);
        }
    }
    ifu_put_le16(img + info, magic ? magic : IFU_TLV_INFO_MAGIC);
    ifu_put_le16(img + info + 2, (uint16_t)(off - info));
    return off;
}

uint32_t tu_craft(uint8_t *img, uint32_t cap, const struct tu_craft *s)
{
    uint16_t hdr_size = s->hdr_size ? s->hdr_size : 32;
    uint32_t prot_size = s->n_prot != 0 ? area_size(s->prot, s->n_prot) : 0;

    need((uint64_t)hdr_size + s->img_size + prot_size + area_size(s->unprot, s->n_unprot) <= cap,
         "image larger than its buffer");
    memset(img, 0, cap);
    ifu_put_le32(img, s->magic ? s->magic : IFU_IMAGE_MAGIC);
    ifu_put_le16(img + 8, hdr_size);
    ifu_put_le16(img + 10, (uint16_t)prot_size);
    ifu_put_le32(img + 12, s->img_size);
    ifu_put_le32(img + 16, s->flags);
    img[20] = 1; /* version 1.2.3+4 */
    img[21] = 2;
    ifu_put_le16(img + 22, 3);
    ifu_put_le32(img + 24, 4);
    for (uint32_t i = 0; i < s->img_size; i++) {
        img[hdr_size + i] = (uint8_t)(i * 7 + 1);
    }
    uint32_t off = hdr_size + s->img_size;
    if (s->n_prot != 0) {
        ifu_put_le16(img + off, IFU_TLV_PROT_INFO_MAGIC);
        ifu_put_le16(img + off + 2, (uint16_t)(prot_size + (uint32_t)s->prot_tot_delta));
        off += 4;
        for (size_t i = 0; i < s->n_prot; i++) {
            off += put_tlv(img + off, s->prot[i].type, s->prot[i].len, s->prot[i].val);
        }
    }
    return put_unprot(img, off, s->unprot, s->n_unprot, s->unprot_magic);
}

/* The signed part of a well-formed image: its length, or 0. */
static uint32_t signed_len(const uint8_t *img, uint32_t len)
{
    struct ifu_image_header h;
    if (len < IFU_IMAGE_HEADER_SIZE || ifu_image_parse_header(&h, img) != 0 ||
        ifu_image_tlv_off(&h) + IFU_TLV_INFO_SIZE > len) {
        return 0;
    }
    return ifu_image_tlv_off(&h);
}

uint32_t tu_craft_retlv(uint8_t *out, uint32_t cap, const uint8_t *img, uint32_t len,
                        const struct tu_tlv *unprot, size_t n)
{
    uint32_t end = signed_len(img, len);
    need(end != 0, "tu_craft_retlv: not an image");
    need((uint64_t)end + area_size(unprot, n) <= cap, "image larger than its buffer");
    memset(out, 0, cap);
    memcpy(out, img, end);
    return put_unprot(out, end, unprot, n, 0);
}

const uint8_t *tu_craft_tlv(const uint8_t *img, uint32_t len, uint16_t type, uint16_t *vlen)
{
    uint32_t off = signed_len(img, len);
    need(off != 0, "tu_craft_tlv: not an image");
    uint32_t end = off + ifu_get_le16(img + off + 2);
    need(end <= len, "tu_craft_tlv: TLV area past the image");
    for (off += 4; off + 4 <= end; off += 4u + ifu_get_le16(img + off + 2)) {
        if (ifu_get_le16(img + off) == type) {
            *vlen = ifu_get_le16(img + off + 2);
            need(off + 4u + *vlen <= end, "tu_craft_tlv: TLV past its area");
            return img + off + 4;
        }
    }
    need(0, "tu_craft_tlv: no such TLV");
    return NULL;
}
