/* see smp_frame.h */
#include "smp_frame.h"

#include <string.h>

enum {
    ST_HUNT = 0,  /* between frames: looking for a start marker */
    ST_START1,    /* saw 0x06 */
    ST_CONT1,     /* saw 0x04 */
    ST_TEXT,      /* inside the base64 text of an initial frame */
    ST_TEXT_CONT, /* inside the base64 text of a continuation frame */
    ST_SKIP,      /* dropping the rest of a bad or foreign line */
};

#define MARK_START0            0x06u
#define MARK_START1            0x09u
#define MARK_CONT0             0x04u
#define MARK_CONT1             0x14u
#define RAW_PER_LINE(line_max) (((line_max)-3u) / 4u * 3u)

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* see smp_frame.h */
uint16_t smp_crc16(uint16_t crc, const uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

static int is_b64_char(uint8_t c)
{
    return b64_value(c) >= 0 || c == '=';
}

/* Decode len characters (a multiple of 4, '=' only at the end) into out.
 * Returns the byte count or SMP_EFRAME. */
static int b64_decode(const uint8_t *in, uint32_t len, uint8_t *out)
{
    uint32_t n = 0;
    if (len == 0 || len % 4u != 0) {
        return SMP_EFRAME;
    }
    for (uint32_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            uint8_t c = in[i + (uint32_t)k];
            if (c == '=') {
                /* Padding: only in the last group, only in its last two places. */
                if (i + 4 != len || k < 2) {
                    return SMP_EFRAME;
                }
                pad++;
                v[k] = 0;
            } else {
                if (pad) {
                    return SMP_EFRAME;
                }
                v[k] = b64_value(c);
                if (v[k] < 0) {
                    return SMP_EFRAME;
                }
            }
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[n++] = (uint8_t)(w >> 16);
        if (pad < 2) {
            out[n++] = (uint8_t)(w >> 8);
        }
        if (pad < 1) {
            out[n++] = (uint8_t)w;
        }
    }
    return (int)n;
}

/* see smp_frame.h */
void smp_frame_rx_init(struct smp_frame_rx *rx)
{
    memset(rx, 0, sizeof *rx);
}

static int drop(struct smp_frame_rx *rx, int err, int skip_line)
{
    rx->errors++;
    rx->started = 0;
    rx->have = 0;
    rx->want = 0;
    rx->line_len = 0;
    rx->state = skip_line ? ST_SKIP : ST_HUNT;
    return err;
}

/* A frame's text is complete: decode it and add it to the packet. */
static int end_of_frame(struct smp_frame_rx *rx, int initial)
{
    uint8_t raw[RAW_PER_LINE(SMP_FRAME_LINE_MAX)];
    int n = b64_decode(rx->line, rx->line_len, raw);
    uint32_t pos = 0;

    rx->line_len = 0;
    rx->state = ST_HUNT;
    if (n < 0) {
        return drop(rx, n, 0);
    }
    if (initial) {
        /* A start frame always begins a new packet, even over a broken one. */
        if (n < 2) {
            return drop(rx, SMP_EFRAME, 0);
        }
        rx->want = (uint32_t)raw[0] << 8 | raw[1];
        rx->have = 0;
        rx->started = 1;
        pos = 2;
        /* Reject sizes the buffer cannot hold before copying a byte. */
        if (rx->want > sizeof rx->pkt) {
            return drop(rx, SMP_ETOOBIG, 0);
        }
        if (rx->want < 3) { /* a packet of at least one byte, plus the CRC */
            return drop(rx, SMP_EFRAME, 0);
        }
    } else if (!rx->started) {
        return drop(rx, SMP_EFRAME, 0);
    }
    uint32_t add = (uint32_t)n - pos;
    if (add > rx->want - rx->have) {
        return drop(rx, SMP_EFRAME, 0);
    }
    memcpy(rx->pkt + rx->have, raw + pos, add);
    rx->have += add;
    rx->frames++;
    if (rx->have < rx->want) {
        return 0;
    }
    rx->started = 0;
    uint32_t len = rx->want - 2;
    uint16_t got = (uint16_t)((uint16_t)rx->pkt[len] << 8 | rx->pkt[len + 1]);
    /* Line noise that still decodes as base64 stops here. */
    if (smp_crc16(0, rx->pkt, len) != got) {
        return drop(rx, SMP_ECRC, 0);
    }
    return (int)len;
}

/* see smp_frame.h */
int smp_frame_rx_feed(struct smp_frame_rx *rx, uint8_t byte)
{
    switch (rx->state) {
    case ST_HUNT:
        if (byte == MARK_START0) {
            rx->state = ST_START1;
        } else if (byte == MARK_CONT0) {
            rx->state = ST_CONT1;
        } else if (byte != '\n') {
            rx->state = ST_SKIP; /* console text: ignore the line */
        }
        return 0;
    case ST_START1:
    case ST_CONT1:
        if (rx->state == ST_START1 && byte == MARK_START1) {
            rx->state = ST_TEXT;
            rx->line_len = 0;
        } else if (rx->state == ST_CONT1 && byte == MARK_CONT1) {
            rx->state = ST_TEXT_CONT;
            rx->line_len = 0;
        } else {
            rx->state = byte == '\n' ? ST_HUNT : ST_SKIP;
        }
        return 0;
    case ST_TEXT:
    case ST_TEXT_CONT:
        if (byte == '\n') {
            return end_of_frame(rx, rx->state == ST_TEXT);
        }
        if (byte == MARK_START0) {
            /* A start marker inside a frame: the frame was cut; resynchronise on it. */
            (void)drop(rx, SMP_EFRAME, 0);
            rx->state = ST_START1;
            return SMP_EFRAME;
        }
        if (byte == '\r') {
            return 0;
        }
        /* The 124-character limit keeps one frame inside line[]. */
        if (!is_b64_char(byte) || rx->line_len >= SMP_FRAME_LINE_MAX - 3u) {
            return drop(rx, SMP_EFRAME, 1);
        }
        rx->line[rx->line_len++] = byte;
        return 0;
    case ST_SKIP:
    default:
        if (byte == '\n') {
            rx->state = ST_HUNT;
        } else if (byte == MARK_START0) {
            rx->state = ST_START1;
        }
        return 0;
    }
}

static uint8_t raw_at(const uint8_t *pkt, uint32_t len, uint16_t crc, uint32_t i)
{
    if (i < 2) {
        uint32_t total = len + 2;
        return (uint8_t)(i == 0 ? total >> 8 : total);
    }
    if (i < len + 2) {
        return pkt[i - 2];
    }
    return (uint8_t)(i == len + 2 ? crc >> 8 : crc);
}

/* see smp_frame.h */
int32_t smp_frame_encode(const uint8_t *pkt, uint32_t len, uint32_t line_max, smp_frame_put_fn put,
                         void *ctx)
{
    uint8_t line[SMP_FRAME_LINE_MAX];
    if (line_max == 0) {
        line_max = SMP_FRAME_LINE_MAX;
    }
    if (len == 0 || len > 0xffffu - 2u || line_max < 8 || line_max > SMP_FRAME_LINE_MAX) {
        return SMP_ETOOBIG;
    }
    uint16_t crc = smp_crc16(0, pkt, len);
    uint32_t raw_len = len + 4;
    uint32_t chunk = RAW_PER_LINE(line_max);
    int32_t wire = 0;
    for (uint32_t at = 0; at < raw_len; at += chunk) {
        uint32_t n = raw_len - at < chunk ? raw_len - at : chunk;
        uint32_t o = 0;
        line[o++] = at == 0 ? MARK_START0 : MARK_CONT0;
        line[o++] = at == 0 ? MARK_START1 : MARK_CONT1;
        for (uint32_t i = 0; i < n; i += 3) {
            uint32_t left = n - i;
            uint32_t w = (uint32_t)raw_at(pkt, len, crc, at + i) << 16;
            if (left > 1) {
                w |= (uint32_t)raw_at(pkt, len, crc, at + i + 1) << 8;
            }
            if (left > 2) {
                w |= raw_at(pkt, len, crc, at + i + 2);
            }
            line[o++] = (uint8_t)b64_alphabet[w >> 18 & 63u];
            line[o++] = (uint8_t)b64_alphabet[w >> 12 & 63u];
            line[o++] = left > 1 ? (uint8_t)b64_alphabet[w >> 6 & 63u] : (uint8_t)'=';
            line[o++] = left > 2 ? (uint8_t)b64_alphabet[w & 63u] : (uint8_t)'=';
        }
        line[o++] = '\n';
        int err = put(ctx, line, o);
        if (err) {
            return err;
        }
        wire += (int32_t)o;
    }
    return wire;
}

/* see smp_frame.h */
uint32_t smp_frame_wire_size(uint32_t len, uint32_t line_max)
{
    if (line_max == 0) {
        line_max = SMP_FRAME_LINE_MAX;
    }
    uint32_t chunk = RAW_PER_LINE(line_max);
    uint32_t raw = len + 4;
    uint32_t full = raw / chunk;
    uint32_t last = raw % chunk;
    uint32_t wire = full * (3 + chunk / 3 * 4);
    if (last) {
        wire += 3 + (last + 2) / 3 * 4;
    }
    return wire;
}
