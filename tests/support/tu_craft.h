/* Hand-made images for the verifier's TLV rules: a header, a payload of
 * deterministic bytes, an optional protected TLV area and an unprotected one,
 * laid out as docs/FORMAT.md says but with every field the test's to choose,
 * so that malformed areas (wrong lengths, order, duplicates, bad info
 * headers) can be built. The images carry no signature unless a test puts
 * signature TLVs in them. Host only; aborts the program if the image does not
 * fit the buffer. */
#ifndef IFU_TU_CRAFT_H
#define IFU_TU_CRAFT_H

#include <stddef.h>
#include <stdint.h>

/* Type of a TLV that stands for the correct image hash: a SHA-256, SHA-384
 * or SHA-512 TLV by its len (32, 48, 64) over the bytes built before it. */
#define TU_AUTO_HASH 0xffffu

/* A TLV to place in an image. */
struct tu_tlv {
    uint16_t type;
    uint16_t len;
    const uint8_t *val; /* NULL = len bytes of 0xa5 */
};

/* What to build. Zero the struct, then set fields. Version 1.2.3+4. */
struct tu_craft {
    uint32_t magic;    /* 0 = the right one */
    uint16_t hdr_size; /* 0 = 32 */
    uint32_t img_size;
    uint32_t flags;
    int32_t prot_tot_delta; /* added to the protected info length */
    uint16_t unprot_magic;  /* 0 = the right one */
    const struct tu_tlv *prot;
    size_t n_prot;
    const struct tu_tlv *unprot;
    size_t n_unprot;
};

/* Build s into img (cap bytes); returns the image's length. */
uint32_t tu_craft(uint8_t *img, uint32_t cap, const struct tu_craft *s);

/* Into out (cap bytes): the signed part of the well-formed image img (len
 * bytes: header, payload, protected TLVs, unchanged, so its hash and
 * signature still hold) followed by a new unprotected area of the n TLVs
 * unprot (TU_AUTO_HASH works there too). Returns the new image's length. */
uint32_t tu_craft_retlv(uint8_t *out, uint32_t cap, const uint8_t *img, uint32_t len,
                        const struct tu_tlv *unprot, size_t n);

/* The value of the first TLV of this type in img's unprotected area, and its
 * length in *vlen. Aborts if there is none. */
const uint8_t *tu_craft_tlv(const uint8_t *img, uint32_t len, uint16_t type, uint16_t *vlen);

#endif /* IFU_TU_CRAFT_H */
