/* Fuzz target: `ifu info` over an image file's bytes (tools/ifu/info.c,
 * cli_info_show): the header and TLV walk of the device library in
 * hash-only mode with a TLV observer, then the host-side summary and the
 * text and JSON printers, which index the file by the offsets the walk
 * reported. Output goes to /dev/null.
 * Checks: no crash, no leak, no hang; text and JSON give the same verdict,
 * and it is the device verifier's (cli_image_verify, hash only). */
#define _POSIX_C_SOURCE 200809L /* dup, dup2 */

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* stdout to /dev/null while the printers run (and back, so that the replay
 * program's summary is seen). */
static int mute(void)
{
    static int null_fd = -1;
    if (null_fd < 0) {
        null_fd = open("/dev/null", O_WRONLY);
    }
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (null_fd < 0 || saved < 0 || dup2(null_fd, STDOUT_FILENO) < 0) {
        abort();
    }
    return saved;
}

static void unmute(int saved)
{
    fflush(stdout);
    if (dup2(saved, STDOUT_FILENO) < 0) {
        abort();
    }
    close(saved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) {
        return 0;
    }
    struct cli_buf img = {0};
    cli_buf_put(&img, data, size);
    struct ifu_image_info info;
    int verdict = cli_verdict(cli_image_verify(&img, NULL, IFU_VERIFY_F_HASH_ONLY, NULL, &info));
    int saved = mute();
    int text = cli_info_show("fuzz.bin", &img, 0, NULL);
    int json = cli_info_show("fuzz.bin", &img, 1, NULL);
    unmute(saved);
    if (text != verdict || json != verdict) {
        abort();
    }
    cli_buf_free(&img);
    return 0;
}
