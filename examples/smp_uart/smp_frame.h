/* MCUmgr's SMP serial framing (docs/SMP.md "Framing"), device side.
 *
 * On a UART an SMP packet (8-byte header + CBOR body) travels as
 *   raw    = total length (2 bytes, big-endian: packet + 2) | packet | CRC16 (big-endian)
 *   frames = "\x06\x09" base64(first part of raw) "\n"
 *            "\x04\x14" base64(next part) "\n" ...
 * with at most SMP_FRAME_LINE_MAX bytes per frame including the two marker
 * bytes and the newline. CRC16 is CRC-16/XMODEM (polynomial 0x1021, initial
 * value 0) over the packet only.
 *
 * C99, no malloc, no OS: the receiver is fed one byte at a time (from a UART
 * interrupt or a polling loop) and keeps everything in its fixed buffers; the
 * sender hands finished frames to a callback. Bytes that are not part of a
 * frame (console text) are skipped. */
#ifndef SMP_FRAME_H
#define SMP_FRAME_H

#include <stdint.h>

/* Bytes per frame, marker and newline included: MCUmgr's limit. */
#define SMP_FRAME_LINE_MAX 127u

/* Largest SMP packet (header + CBOR body) the receiver reassembles, bytes.
 * This is the MTU a client may use (MCUmgr's buf_size). A smaller value
 * saves RAM (one byte per byte) and forces smaller upload chunks, which cost
 * more frames and requests per image byte (docs/SMP.md "Overhead"). */
#ifndef SMP_UART_MTU
#define SMP_UART_MTU 2048u
#endif

/* Errors of the framing layer (negative, outside the IFU_E* range). */
enum smp_frame_err {
    SMP_EFRAME = -100,  /* malformed frame: bad base64, continuation without a start, too long */
    SMP_ECRC = -101,    /* the reassembled packet's CRC16 does not match */
    SMP_ETOOBIG = -102, /* the announced packet is larger than SMP_UART_MTU */
};

/* Receiver state. Caller-owned; zero it (or call smp_frame_rx_init) once.
 * Fields are private. */
struct smp_frame_rx {
    uint8_t state;                    /* where in a frame the next byte falls */
    uint8_t started;                  /* 1 while a packet is being reassembled */
    uint16_t line_len;                /* base64 characters in line */
    uint32_t want;                    /* raw bytes announced: packet + 2 (CRC) */
    uint32_t have;                    /* raw bytes reassembled in pkt */
    uint32_t frames;                  /* frames accepted (statistics) */
    uint32_t errors;                  /* frames or packets dropped (statistics) */
    uint8_t line[SMP_FRAME_LINE_MAX]; /* base64 text of the current frame */
    uint8_t pkt[SMP_UART_MTU + 2u];   /* packet + CRC */
};

void smp_frame_rx_init(struct smp_frame_rx *rx);

/* Feed one received byte. Returns the length of a complete packet (> 0),
 * which is then at rx->pkt until the next call; 0 when more bytes are needed;
 * or a negative SMP_E* when a frame or packet was dropped (the receiver has
 * already resynchronised: keep feeding). Bounded work: O(frame) per byte. */
int smp_frame_rx_feed(struct smp_frame_rx *rx, uint8_t byte);

/* Receives frames as they are made: len bytes at buf (valid only during the
 * call). Returns 0, or a negative code that stops the encoder. */
typedef int (*smp_frame_put_fn)(void *ctx, const uint8_t *buf, uint32_t len);

/* Frame one packet of len bytes (1..65533) with frames of at most line_max
 * bytes (8..SMP_FRAME_LINE_MAX; 0 means SMP_FRAME_LINE_MAX) and hand each
 * frame to put. Uses one line buffer on the stack.
 * Returns the number of bytes put on the wire (> 0), SMP_ETOOBIG for a
 * bad len or line_max, or put's error. */
int32_t smp_frame_encode(const uint8_t *pkt, uint32_t len, uint32_t line_max, smp_frame_put_fn put,
                         void *ctx);

/* Bytes smp_frame_encode puts on the wire for a packet of len bytes. */
uint32_t smp_frame_wire_size(uint32_t len, uint32_t line_max);

/* CRC-16/XMODEM of len bytes, continuing from crc (0 to start). */
uint16_t smp_crc16(uint16_t crc, const uint8_t *data, uint32_t len);

#endif /* SMP_FRAME_H */
