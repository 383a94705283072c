/* Image header decoding. Layout: docs/FORMAT.md "Image header". */
#include <stddef.h>

#include "ifu/errors.h"
#include "ifu/image.h"

#include "util_priv.h"

/* see include/ifu/image.h */
int ifu_image_parse_header(struct ifu_image_header *hdr, const uint8_t raw[IFU_IMAGE_HEADER_SIZE])
{
    if (hdr == NULL || raw == NULL) {
        return IFU_EINVAL;
    }
    hdr->magic = ifu_get_le32(raw + 0x00);
    hdr->load_addr = ifu_get_le32(raw + 0x04);
    hdr->hdr_size = ifu_get_le16(raw + 0x08);
    hdr->prot_tlv_size = ifu_get_le16(raw + 0x0a);
    hdr->img_size = ifu_get_le32(raw + 0x0c);
    hdr->flags = ifu_get_le32(raw + 0x10);
    hdr->version.major = raw[0x14];
    hdr->version.minor = raw[0x15];
    hdr->version.revision = ifu_get_le16(raw + 0x16);
    hdr->version.build = ifu_get_le32(raw + 0x18);

    if (hdr->magic != IFU_IMAGE_MAGIC) {
        return IFU_EMAGIC;
    }
    /* The payload may not start inside the 32 bytes that hold the fields. */
    if (hdr->hdr_size < IFU_IMAGE_HEADER_SIZE) {
        return IFU_EHEADER;
    }
    /* A protected area must at least hold its own info header. */
    if (hdr->prot_tlv_size != 0 && hdr->prot_tlv_size < IFU_TLV_INFO_SIZE) {
        return IFU_EHEADER;
    }
    /* Two key sizes at once, or two meanings of load_addr at once. */
    const uint32_t enc = IFU_IMAGE_F_ENCRYPTED_AES128 | IFU_IMAGE_F_ENCRYPTED_AES256;
    const uint32_t addr = IFU_IMAGE_F_RAM_LOAD | IFU_IMAGE_F_ROM_FIXED;
    if ((hdr->flags & enc) == enc || (hdr->flags & addr) == addr) {
        return IFU_EHEADER;
    }
    /* A flag defined later may change how the payload is to be read: an
     * unknown bit fails closed. */
    if (hdr->flags & ~IFU_IMAGE_F_DEFINED) {
        return IFU_EHEADER;
    }
    /* Offsets are 32-bit: the largest unprotected area (0xffff bytes) must
     * still end below 4 GiB, so no later sum can wrap. */
    uint64_t end = (uint64_t)hdr->hdr_size + hdr->img_size + hdr->prot_tlv_size + 0xffffu;
    if (end > UINT32_MAX) {
        return IFU_EHEADER;
    }
    return 0;
}

/* see include/ifu/image.h */
uint32_t ifu_image_tlv_off(const struct ifu_image_header *hdr)
{
    return (uint32_t)hdr->hdr_size + hdr->img_size + hdr->prot_tlv_size;
}

/* see include/ifu/image.h */
int ifu_image_version_cmp(const struct ifu_image_version *a, const struct ifu_image_version *b)
{
    if (a->major != b->major) {
        return a->major < b->major ? -1 : 1;
    }
    if (a->minor != b->minor) {
        return a->minor < b->minor ? -1 : 1;
    }
    if (a->revision != b->revision) {
        return a->revision < b->revision ? -1 : 1;
    }
    return 0;
}
