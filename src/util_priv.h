/* Small helpers shared inside src/. Never installed. */
#ifndef IFU_UTIL_PRIV_H
#define IFU_UTIL_PRIV_H

#include <stdint.h>

#define IFU_STATIC_ASSERT(cond, msg) typedef char ifu_static_assert_##msg[(cond) ? 1 : -1]

#define IFU_MIN(a, b) ((a) < (b) ? (a) : (b))

/* On-flash fields are little-endian; read them byte by byte, never by casting. */
static inline uint16_t ifu_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t ifu_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void ifu_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void ifu_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32), bit by bit: a check
 * against torn and random bytes in records ifu writes (journal, keystore, counter),
 * never against an attacker. */
static inline uint32_t ifu_crc32(const uint8_t *p, uint32_t len)
{
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

#endif /* IFU_UTIL_PRIV_H */
