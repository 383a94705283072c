/* Fuzz target: the SMP serial transport of examples/smp_uart (docs/SMP.md):
 * the frame decoder, the bounded CBOR reader, and the SMP server behind them,
 * over the simulator (swap mode, the test keys of fuzz_keys.h).
 *
 * The input is the byte stream a UART delivers. Every byte goes through
 * smp_frame_rx_feed; every packet that comes out is
 *  - skipped and read as a CBOR map with the upload request's fields (the
 *    reader on its own),
 *  - framed again with smp_frame_encode and decoded again: the same packet
 *    must come back (the encoder and decoder agree),
 *  - handled by the SMP server; its response must be one well-formed CBOR
 *    map that fits the buffer, with a header naming the request's group,
 *    sequence number and command.
 * Oracles besides: no crash, no out-of-bounds access (ASan), no misuse of the
 * flash, and the primary slot's image area is never changed (only a
 * bootloader may; confirm programs the trailer in its last sector). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu_sim.h"
#include "smp_cbor.h"
#include "smp_frame.h"
#include "smp_server.h"

#include "fuzz_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR   512u
#define PRI_SECS 8u
#define SEC_SECS 9u

static struct smp_frame_rx rx;
static struct smp_frame_rx rx2;
static struct smp_server server;
static uint8_t rsp[SMP_SERVER_RSP_MAX];
/* The primary without its last sector: confirm programs the trailer there. */
static uint8_t primary_before[(PRI_SECS - 1) * SECTOR];

struct sink {
    struct smp_frame_rx *rx;
    const uint8_t *want;
    uint32_t want_len;
    int got;
};

static int refeed(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct sink *s = ctx;
    for (uint32_t i = 0; i < len; i++) {
        int r = smp_frame_rx_feed(s->rx, buf[i]);
        if (r < 0) {
            fprintf(stderr, "re-framed packet refused: %d\n", r);
            abort();
        }
        if (r > 0) {
            if ((uint32_t)r != s->want_len || memcmp(s->rx->pkt, s->want, s->want_len) != 0) {
                fprintf(stderr, "re-framed packet differs\n");
                abort();
            }
            s->got = 1;
        }
    }
    return 0;
}

static void check_reader(const uint8_t *pkt, uint32_t len)
{
    struct smp_cbor_dec d;
    uint64_t u = 0;
    int b = 0;
    struct smp_cbor_str s1, s2;
    struct smp_cbor_field f[] = {
        {"off", SMP_CBOR_T_UINT, &u, 0},
        {"data", SMP_CBOR_T_BSTR, &s1, 0},
        {"rsn", SMP_CBOR_T_TSTR, &s2, 0},
        {"upgrade", SMP_CBOR_T_BOOL, &b, 0},
    };
    smp_cbor_dec_init(&d, pkt, len);
    while (d.p < d.end && smp_cbor_skip(&d) == 0) {
    }
    uint32_t start = len > SMP_HDR_SIZE ? SMP_HDR_SIZE : 0;
    smp_cbor_dec_init(&d, pkt + start, len - start);
    if (smp_cbor_read_map(&d, f, 4) == 0) {
        if (f[1].found && (s1.p < pkt || s1.p + s1.len > pkt + len)) {
            abort(); /* a string must lie inside the buffer */
        }
    }
}

static void check_response(const uint8_t *req, int n)
{
    if (n == 0) {
        return;
    }
    if (n < (int)SMP_HDR_SIZE || n > (int)sizeof rsp) {
        abort();
    }
    uint32_t body = (uint32_t)rsp[2] << 8 | rsp[3];
    if (body != (uint32_t)n - SMP_HDR_SIZE || memcmp(rsp + 4, req + 4, 4) != 0 ||
        (rsp[0] & 7u) != (req[0] & 7u) + 1u) {
        fprintf(stderr, "bad response header\n");
        abort();
    }
    struct smp_cbor_dec d;
    uint32_t pairs;
    smp_cbor_dec_init(&d, rsp + SMP_HDR_SIZE, body);
    struct smp_cbor_dec m = d;
    if (smp_cbor_get_map(&m, &pairs) != 0 || smp_cbor_skip(&d) != 0 || d.p != d.end) {
        fprintf(stderr, "response body is not one CBOR map\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ifu_sector_run runs[] = {{SECTOR, PRI_SECS + SEC_SECS}};
    struct ifu_sim_config sc;
    struct ifu_sim sim;
    memset(&sc, 0, sizeof sc);
    sc.sectors = runs;
    sc.sector_runs = 1;
    sc.write_size = 8;
    sc.erased_val = 0xff;
    sc.seed = 1;
    if (ifu_sim_init(&sim, &sc) != 0) {
        return 0;
    }
    struct ifu_boot_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.primary.flash = &sim.flash;
    cfg.primary.off = 0;
    cfg.primary.size = PRI_SECS * SECTOR;
    cfg.secondary.flash = &sim.flash;
    cfg.secondary.off = PRI_SECS * SECTOR;
    cfg.secondary.size = SEC_SECS * SECTOR;
    cfg.keys = &fuzz_keyring;
    cfg.hashset = IFU_HASHSET_ALL;
    struct smp_server_config scfg = {&cfg, NULL, SMP_UART_MTU};
    if (smp_server_init(&server, &scfg) != 0) {
        ifu_sim_free(&sim);
        return 0;
    }
    memcpy(primary_before, sim.mem, sizeof primary_before);
    smp_frame_rx_init(&rx);
    for (size_t i = 0; i < size; i++) {
        int len = smp_frame_rx_feed(&rx, data[i]);
        if (len <= 0) {
            continue;
        }
        if ((uint32_t)len > SMP_UART_MTU) {
            abort(); /* the receiver holds at most SMP_UART_MTU bytes */
        }
        const uint8_t *pkt = rx.pkt;
        check_reader(pkt, (uint32_t)len);
        struct sink s = {&rx2, pkt, (uint32_t)len, 0};
        smp_frame_rx_init(&rx2);
        if (len <= 0xffff - 2) {
            if (smp_frame_encode(pkt, (uint32_t)len, 0, refeed, &s) <= 0 || !s.got) {
                abort();
            }
        }
        int n = smp_server_handle(&server, pkt, (uint32_t)len, rsp, sizeof rsp);
        check_response(pkt, n);
        if (smp_server_reset_pending(&server)) {
            (void)smp_server_init(&server, &scfg); /* the application starts again */
        }
    }
    if (sim.stats.prog_over != 0 || sim.stats.misuse != 0) {
        fprintf(stderr, "flash misuse: %llu over, %llu misuse\n",
                (unsigned long long)sim.stats.prog_over, (unsigned long long)sim.stats.misuse);
        abort();
    }
    if (memcmp(primary_before, sim.mem, sizeof primary_before) != 0) {
        fprintf(stderr, "the SMP server changed the primary image area\n");
        abort();
    }
    ifu_sim_free(&sim);
    return 0;
}
