/* The SMP serial line, host side: MCUmgr's console framing (start bytes
 * 0x06 0x09, continuation 0x04 0x14, base64 lines of at most 127 bytes,
 * big-endian total length, CRC-16/XMODEM), the 8-byte SMP header, and CBOR
 * bodies through libcbor. docs/SMP.md cites the specifications. */
#define _DEFAULT_SOURCE /* cfmakeraw */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "smp.h"

#define LINE_MAX_BYTES 127u                              /* marker + base64 + newline */
#define RAW_PER_LINE   ((LINE_MAX_BYTES - 3u) / 4u * 3u) /* 93 raw bytes per frame */
#define SMP_HDR        8u

static uint16_t crc16_xmodem(const uint8_t *p, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (uint16_t)((crc & 0x8000u) ? ((unsigned)crc << 1) ^ 0x1021u : (unsigned)crc << 1);
        }
    }
    return crc;
}

size_t smp_wire_size(size_t len)
{
    size_t raw = len + 4;
    size_t frames = (raw + RAW_PER_LINE - 1) / RAW_PER_LINE;
    size_t last = raw - (frames - 1) * RAW_PER_LINE;
    return (frames - 1) * LINE_MAX_BYTES + 3 + (last + 2) / 3 * 4;
}

int smp_link_open(struct smp_link *l, const char *port, int timeout_ms)
{
    struct termios t;

    memset(l, 0, sizeof *l);
    l->port = port;
    l->timeout_ms = timeout_ms;
    l->fd = open(port, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (l->fd < 0) {
        return cli_fail(IFU_EIO, port, "%s", strerror(errno));
    }
    if (tcgetattr(l->fd, &t) != 0) {
        int err = cli_fail(IFU_EIO, port, "not a serial line: %s", strerror(errno));
        close(l->fd);
        return err;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(l->fd, TCSANOW, &t) != 0) {
        int err = cli_fail(IFU_EIO, port, "cannot set raw mode: %s", strerror(errno));
        close(l->fd);
        return err;
    }
    (void)tcflush(l->fd, TCIFLUSH); /* answers to an earlier client are not ours */
    return 0;
}

void smp_link_close(struct smp_link *l)
{
    if (l->fd >= 0) {
        close(l->fd);
    }
    l->fd = -1;
    free(l->rx);
    l->rx = NULL;
}

static int write_all(struct smp_link *l, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(l->fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pfd = {l->fd, POLLOUT, 0};
            (void)poll(&pfd, 1, 100);
            continue;
        }
        if (n <= 0) {
            return cli_fail(IFU_EIO, l->port, "write failed: %s", strerror(errno));
        }
        p += n;
        len -= (size_t)n;
        l->sent += (uint64_t)n;
    }
    return 0;
}

/* Frame and send one packet. */
static int send_packet(struct smp_link *l, const uint8_t *pkt, size_t len)
{
    struct cli_buf raw = {0};
    struct cli_buf wire = {0};
    uint16_t crc = crc16_xmodem(pkt, len);
    cli_buf_put_u16(&raw, (uint16_t)(len + 2), 1);
    cli_buf_put(&raw, pkt, len);
    cli_buf_put_u16(&raw, crc, 1);
    for (size_t at = 0; at < raw.len; at += RAW_PER_LINE) {
        size_t n = raw.len - at < RAW_PER_LINE ? raw.len - at : RAW_PER_LINE;
        cli_buf_put_u8(&wire, at == 0 ? 0x06 : 0x04);
        cli_buf_put_u8(&wire, at == 0 ? 0x09 : 0x14);
        cli_base64_encode(raw.data + at, n, &wire);
        cli_buf_put_u8(&wire, '\n');
    }
    int err = write_all(l, wire.data, wire.len);
    cli_buf_free(&raw);
    cli_buf_free(&wire);
    return err;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what the line has, waiting at most until deadline. */
static int fill(struct smp_link *l, long long deadline, const char *what)
{
    long long left = deadline - now_ms();
    if (left <= 0) {
        return cli_fail(IFU_EIO, what, "no response from the device on %s within %d ms", l->port,
                        l->timeout_ms);
    }
    struct pollfd pfd = {l->fd, POLLIN, 0};
    int r = poll(&pfd, 1, (int)left);
    if (r < 0 && errno != EINTR) {
        return cli_fail(IFU_EIO, l->port, "poll failed: %s", strerror(errno));
    }
    if (r <= 0) {
        return 0;
    }
    if (l->rx_cap - l->rx_len < 1024) {
        l->rx_cap = l->rx_cap * 2 + 4096;
        l->rx = cli_realloc(l->rx, l->rx_cap);
    }
    ssize_t n = read(l->fd, l->rx + l->rx_len, l->rx_cap - l->rx_len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return 0;
    }
    if (n < 0) {
        return cli_fail(IFU_EIO, l->port, "read failed: %s", strerror(errno));
    }
    l->rx_len += (size_t)n;
    l->received += (uint64_t)n;
    return 0;
}

/* One received line (without its newline). Returns 1 when a packet with a
 * good CRC is complete in r->pkt (CRC removed), else 0. */
static int take_line(struct smp_rx *r, const uint8_t *line, size_t len)
{
    struct cli_buf raw = {0};
    int initial = len >= 2 && line[0] == 0x06 && line[1] == 0x09;
    int cont = len >= 2 && line[0] == 0x04 && line[1] == 0x14;
    if (!initial && !(cont && r->started)) {
        return 0; /* console text, or a continuation of nothing */
    }
    if (cli_base64_decode((const char *)line + 2, len - 2, &raw) != 0) {
        r->started = 0;
        cli_buf_free(&raw);
        return 0;
    }
    size_t skip = 0;
    if (initial) {
        if (raw.len < 2) {
            cli_buf_free(&raw);
            return 0;
        }
        r->pkt.len = 0;
        r->want = (size_t)raw.data[0] << 8 | raw.data[1];
        r->started = 1;
        skip = 2;
    }
    if (raw.len > skip) { /* an empty frame has no buffer (raw.data is NULL) */
        cli_buf_put(&r->pkt, raw.data + skip, raw.len - skip);
    }
    cli_buf_free(&raw);
    if (r->pkt.len < r->want) {
        return 0;
    }
    r->started = 0;
    if (r->pkt.len != r->want || r->want < 2 + SMP_HDR) {
        return 0;
    }
    size_t n = r->want - 2;
    uint16_t got = (uint16_t)(r->pkt.data[n] << 8 | r->pkt.data[n + 1]);
    if (crc16_xmodem(r->pkt.data, n) != got) {
        return 0;
    }
    r->pkt.len = n;
    return 1;
}

int smp_rx_line(struct smp_rx *r, const uint8_t *line, size_t line_len, uint8_t op, uint16_t group,
                uint8_t seq, uint8_t id, const char *what, cbor_item_t **rsp)
{
    if (!take_line(r, line, line_len)) {
        return 0;
    }
    const uint8_t *h = r->pkt.data;
    uint16_t len = (uint16_t)(h[2] << 8 | h[3]);
    /* Answers to other requests (a retry's first answer) are skipped. */
    if ((h[0] & 7u) != op + 1u || (uint16_t)(h[4] << 8 | h[5]) != group || h[6] != seq ||
        h[7] != id) {
        return 0;
    }
    if (len != r->pkt.len - SMP_HDR) {
        return cli_fail(IFU_EIO, what, "response length %u in a %zu-byte packet", len, r->pkt.len);
    }
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(h + SMP_HDR, len, &res);
    if (item == NULL || res.error.code != CBOR_ERR_NONE || res.read != len || !cbor_isa_map(item)) {
        if (item != NULL) {
            cbor_decref(&item);
        }
        return cli_fail(IFU_EIO, what, "the response is not a CBOR map");
    }
    *rsp = item;
    return 1;
}

int smp_link_call(struct smp_link *l, const char *what, uint8_t op, uint16_t group, uint8_t id,
                  cbor_item_t *body, cbor_item_t **rsp)
{
    unsigned char *cb = NULL;
    size_t cb_size = 0;
    size_t cb_len = 0;
    struct cli_buf pkt = {0};
    struct smp_rx r = {{0}, 0, 0};
    int err;

    *rsp = NULL;
    if (body != NULL) {
        cb_len = cbor_serialize_alloc(body, &cb, &cb_size);
        if (cb_len == 0) {
            return cli_fail(IFU_ECRYPTO, what, "cannot encode the request");
        }
    }
    uint8_t seq = l->seq++;
    cli_buf_put_u8(&pkt, op);
    cli_buf_put_u8(&pkt, 0);
    cli_buf_put_u16(&pkt, (uint16_t)(cb_len ? cb_len : 1), 1);
    cli_buf_put_u16(&pkt, group, 1);
    cli_buf_put_u8(&pkt, seq);
    cli_buf_put_u8(&pkt, id);
    if (cb_len) {
        cli_buf_put(&pkt, cb, cb_len);
    } else {
        cli_buf_put_u8(&pkt, 0xa0); /* {} */
    }
    free(cb);
    err = send_packet(l, pkt.data, pkt.len);
    cli_buf_free(&pkt);
    long long deadline = now_ms() + l->timeout_ms;
    while (!err) {
        uint8_t *nl = l->rx_len ? memchr(l->rx, '\n', l->rx_len) : NULL;
        if (nl == NULL) {
            err = fill(l, deadline, what);
            continue;
        }
        size_t line_len = (size_t)(nl - l->rx);
        int done = smp_rx_line(&r, l->rx, line_len, op, group, seq, id, what, rsp);
        memmove(l->rx, nl + 1, l->rx_len - line_len - 1);
        l->rx_len -= line_len + 1;
        if (done < 0) {
            err = done;
        } else if (done) {
            l->requests++;
            break;
        }
    }
    cli_buf_free(&r.pkt);
    return err;
}

cbor_item_t *smp_map_get(const cbor_item_t *map, const char *key)
{
    size_t n = cbor_map_size(map);
    struct cbor_pair *pairs = cbor_map_handle(map);
    size_t klen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        cbor_item_t *k = pairs[i].key;
        if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == klen &&
            memcmp(cbor_string_handle(k), key, klen) == 0) {
            return pairs[i].value;
        }
    }
    return NULL;
}

cbor_item_t *smp_build_uint(uint64_t v)
{
    if (v <= UINT8_MAX) {
        return cbor_build_uint8((uint8_t)v);
    }
    if (v <= UINT16_MAX) {
        return cbor_build_uint16((uint16_t)v);
    }
    if (v <= UINT32_MAX) {
        return cbor_build_uint32((uint32_t)v);
    }
    return cbor_build_uint64(v);
}

void smp_map_put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
    struct cbor_pair p;
    p.key = cbor_move(cbor_build_string(key));
    p.value = cbor_move(value);
    if (!cbor_map_add(map, p)) {
        fputs("ifu: out of memory\n", stderr);
        exit(CLI_EXIT_CRYPTO);
    }
}
