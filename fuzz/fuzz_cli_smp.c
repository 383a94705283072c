/* Fuzz target: the receiving half of `ifu smp` (tools/ifu/smp_link.c,
 * smp_rx_line): what a device, or anything else on the serial line, sends
 * back. The input is the byte stream the host reads; it is cut into lines at
 * '\n' as smp_link_call cuts it, and each line goes through MCUmgr's console
 * framing (markers, base64, total length, CRC-16), the SMP header match
 * (a read request of group 1, id 0, sequence 0: `ifu smp list`) and the CBOR
 * decoding of the body (libcbor).
 * Checks: no crash, no leak, no hang; the result is 0 (wait), 1 or IFU_EIO;
 * a response is a CBOR map, whose keys the commands look up. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "smp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smp_rx r;
    cbor_item_t *rsp = NULL;
    int done = 0;

    if (size > (1u << 18)) {
        return 0;
    }
    memset(&r, 0, sizeof r);
    for (size_t pos = 0; pos < size && done == 0;) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        if (nl == NULL) {
            break; /* a line without its end is never taken */
        }
        size_t len = (size_t)(nl - (data + pos));
        done = smp_rx_line(&r, data + pos, len, 0, 1, 0, 0, "fuzz", &rsp);
        pos += len + 1;
    }
    if (done != 0 && done != 1 && done != IFU_EIO) {
        abort();
    }
    if (done == 1) {
        if (rsp == NULL || !cbor_isa_map(rsp)) {
            abort();
        }
        static const char *const keys[] = {"rc", "images", "off", "match", "rsn"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            (void)smp_map_get(rsp, keys[i]);
        }
        cbor_decref(&rsp);
    } else if (rsp != NULL) {
        abort(); /* a body handed out without success */
    }
    cli_buf_free(&r.pkt);
    return 0;
}
