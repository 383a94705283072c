/* Fuzz target: the header parser and the TLV walk of the streaming verifier
 * (hash-only, so every TLV rule is reachable without a valid signature).
 * Checks: no crash, no hang, and the verdict does not depend on chunking. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ifu/errors.h"
#include "ifu/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_tlv(void *ctx, int prot, uint16_t type, uint16_t len, uint32_t off)
{
    (void)prot;
    (void)type;
    (void)len;
    (void)off;
    (*(unsigned *)ctx)++;
}

static int run(const uint8_t *img, uint32_t len, uint32_t chunk, unsigned *tlvs)
{
    struct ifu_verify v;
    struct ifu_tlv_observer obs = {.on_tlv = count_tlv, .ctx = tlvs};
    int err = ifu_verify_begin(&v, NULL, IFU_VERIFY_F_HASH_ONLY, IFU_HASHSET_ALL, 0, &obs);
    for (uint32_t off = 0; !err && off < len; off += chunk) {
        err = ifu_verify_update(&v, img + off, len - off < chunk ? len - off : chunk);
    }
    if (err) {
        ifu_verify_abort(&v);
        return err;
    }
    return ifu_verify_finish(&v, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ifu_image_header hdr;
    unsigned tlvs_whole = 0, tlvs_split = 0;

    if (size < 1 || size > (1u << 20)) {
        return 0;
    }
    /* First byte: chunk size of the second run (1..256). */
    uint32_t chunk = (uint32_t)data[0] + 1;
    data++;
    size--;
    if (size >= IFU_IMAGE_HEADER_SIZE) {
        (void)ifu_image_parse_header(&hdr, data);
    }
    int whole = run(data, (uint32_t)size, (uint32_t)size ? (uint32_t)size : 1, &tlvs_whole);
    int split = run(data, (uint32_t)size, chunk, &tlvs_split);
    if (whole != split || tlvs_whole != tlvs_split) {
        abort(); /* chunking changed the verdict: a parser bug */
    }
    return 0;
}
