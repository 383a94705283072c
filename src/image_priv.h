/* Verification of images stored in a flash area, for the library's own
 * callers (boot engine, update API, PSA FWU): the loops ifu_image_verify_area()
 * is made of, so that a caller with its own begin (keys, revocation) and its
 * own buffer reads the slot the same way. Private to src/. */
#ifndef IFU_IMAGE_PRIV_H
#define IFU_IMAGE_PRIV_H

#include <stdint.h>

#include "ifu/flash.h"
#include "ifu/image.h"

/* Feed v, begun and not yet fed, the image at area offset off of a until the
 * verifier has every byte up to the end of the TLV area, reading at most
 * max_size bytes from off (off + max_size must lie inside the area, else
 * IFU_EINVAL). Mapped flash: spans fed in place, whatever their size; else
 * chunks of at most buf_size bytes read into buf. Returns 0, IFU_ETRUNC if
 * the image runs past max_size, or the first read or verify error (the
 * caller aborts v). Reads flash, never writes. */
int ifu_verify_feed_area(struct ifu_verify *v, const struct ifu_area *a, uint32_t off,
                         uint32_t max_size, uint8_t *buf, uint32_t buf_size);

/* ifu_verify_finish() whose second pass (Ed25519 pure) reads the image at
 * area offset off of a, in place if the flash is mapped. */
int ifu_verify_finish_area(struct ifu_verify *v, const struct ifu_area *a, uint32_t off,
                           struct ifu_image_info *info);

#endif /* IFU_IMAGE_PRIV_H */
