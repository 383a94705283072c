/* Fuzz target: the CLI's Intel HEX reader (tools/ifu/ihex.c, cli_hex_parse,
 * which `ifu sign`, `verify`, `info` and `smp upload` use for a .hex file).
 * Checks: no crash, no leak, no hang; a file read without error gives
 * consistent results (a base exactly when there are bytes); the same file
 * with "\r\n" line ends reads the same (universal newlines); and what
 * cli_hex_write writes for the bytes read back reads back identically. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Round trips through a file only for spans this small (a file per input). */
#define ROUND_TRIP_MAX 65536u

static char out_path[4096];

static const char *scratch_file(void)
{
    if (out_path[0] == '\0') {
        const char *base = getenv("TMPDIR");
        char dir[3000];
        snprintf(dir, sizeof dir, "%s/ifu-fuzz-hex-XXXXXX",
                 base != NULL && base[0] != '\0' ? base : "/tmp");
        if (mkdtemp(dir) == NULL) {
            abort();
        }
        snprintf(out_path, sizeof out_path, "%s/out.hex", dir);
    }
    return out_path;
}

static int same(const struct cli_buf *a, uint64_t abase, const struct cli_buf *b, uint64_t bbase)
{
    return a->len == b->len && abase == bbase &&
           (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cli_buf out = {0};
    uint64_t base = 0;
    int has_base = 0;

    if (size > (1u << 20)) {
        return 0;
    }
    int err = cli_hex_parse("fuzz.hex", data, size, &out, &base, &has_base);
    if (!err && has_base != (out.len > 0)) {
        abort(); /* a base without bytes, or bytes without a base */
    }

    /* "\r\n" for every "\n" (inputs without '\r' only, so the count of
     * line ends does not change). Not for spans above 1 MiB: two copies of
     * a span near the reader's 512 MiB limit would pass the fuzzer's memory
     * limit, a failure of this harness, not of the reader. */
    if (memchr(data, '\r', size) == NULL && out.len <= (1u << 20)) {
        struct cli_buf crlf = {0};
        struct cli_buf out2 = {0};
        uint64_t base2 = 0;
        int has2 = 0;
        for (size_t i = 0; i < size; i++) {
            if (data[i] == '\n') {
                cli_buf_put_u8(&crlf, '\r');
            }
            cli_buf_put_u8(&crlf, data[i]);
        }
        int err2 = cli_hex_parse("fuzz-crlf.hex", crlf.data, crlf.len, &out2, &base2, &has2);
        if ((err == 0) != (err2 == 0) ||
            (!err && (!same(&out, base, &out2, base2) || has2 != has_base))) {
            abort();
        }
        cli_buf_free(&out2);
        cli_buf_free(&crlf);
    }

    /* Writer and reader agree. */
    if (!err && has_base && out.len <= ROUND_TRIP_MAX && base + out.len <= UINT64_C(0x100000000)) {
        struct cli_hex_seg seg = {base, out.data, out.len};
        const char *path = scratch_file();
        if (cli_hex_write(path, &seg, 1) != 0) {
            abort();
        }
        struct cli_buf back = {0};
        uint64_t back_base = 0;
        int back_has = 0;
        if (cli_hex_read(path, &back, &back_base, &back_has) != 0 ||
            !same(&out, base, &back, back_base) || !back_has) {
            abort();
        }
        cli_buf_free(&back);
    }
    cli_buf_free(&out);
    return 0;
}
