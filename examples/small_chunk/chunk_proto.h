/* Wire format of the small-chunk link example: frames of a few bytes, as a
 * BLE characteristic (20 bytes with the default ATT MTU of 23), an I2C or a
 * SPI transaction carries them. Shared by the device side (chunk_rx.c) and
 * the host side (chunk_link.c). C99.
 *
 * Little-endian. Every frame starts with a kind byte. The sequence number of
 * a DATA frame counts bytes, as TCP's does: it is the low 16 bits of the
 * image offset of the frame's first payload byte. The receiver knows the
 * full offset it expects next and places a frame at the full offset nearest
 * to it, so the sender must keep every byte it sends within 32 KiB of the
 * receiver's position (its window plus any retransmission reach). A frame
 * placed wrongly anyway (a very late duplicate) can do no harm: the update
 * API refuses a gap and compares repeated bytes with what it took.
 *
 * host -> device
 *   START  [0] 0x01  [1..2] session id
 *   DATA   [0] 0x02  [1..2] seq = image offset & 0xffff  [3..] 1 or more image bytes
 *   END    [0] 0x03  [1..4] image size  [5] install: 0 none, 1 test, 2 permanent
 * device -> host, one per frame received (none for an empty frame)
 *   ACK    [0] 0x80  [1..2] session id (0: none)  [3..6] next image offset wanted
 *          [7] status: 0 or a negative IFU_E* (int8)  [8] receiver state (enum chunk_rx_state)
 *
 * Acks are cumulative: next is the offset of the first byte the device has
 * not taken. With 20-byte frames a DATA frame carries 17 image bytes. */
#ifndef CHUNK_PROTO_H
#define CHUNK_PROTO_H

#include <stdint.h>

#define CHUNK_START 0x01u
#define CHUNK_DATA  0x02u
#define CHUNK_END   0x03u
#define CHUNK_ACK   0x80u

#define CHUNK_BLE_FRAME  20u /* bytes: a BLE ATT MTU of 23 minus the 3-byte ATT header */
#define CHUNK_DATA_HDR   3u  /* kind + seq: a DATA frame carries frame length - 3 image bytes */
#define CHUNK_START_SIZE 3u
#define CHUNK_END_SIZE   6u
#define CHUNK_ACK_SIZE   9u

/* Largest distance, in bytes, between a DATA frame's offset and the
 * receiver's next offset for which the 16-bit sequence number is unambiguous. */
#define CHUNK_SEQ_REACH 0x8000u

/* Receiver states, as the ACK's last byte reports them. */
enum chunk_rx_state {
    CHUNK_RX_IDLE = 0,   /* no session: send START */
    CHUNK_RX_HEADER = 1, /* session open; gathering the image's first 32 bytes */
    CHUNK_RX_DATA = 2,   /* the update API has begun; taking image bytes */
    CHUNK_RX_DONE = 3,   /* verified (and installed, if END asked for it) */
    CHUNK_RX_FAILED = 4, /* refused for good; status says why; START a new session */
};

static inline void chunk_put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void chunk_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t chunk_get_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t chunk_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif /* CHUNK_PROTO_H */
