/* The anti-rollback security counter and its two storage backends (OTP
 * thermometer, flash record ring). Layouts and the power-fail argument:
 * docs/ROLLBACK.md. See include/ifu/counter.h. */
#include <string.h>

#include "ifu/counter.h"
#include "ifu/errors.h"
#include "util_priv.h"

IFU_STATIC_ASSERT(IFU_COUNTER_RECORD_SIZE <= IFU_FLASH_MAX_WRITE_SIZE, record_fits_one_unit);

static int counter_ok(const struct ifu_counter *c)
{
    return c != NULL && c->ops != NULL && c->ops->read != NULL && c->ops->advance != NULL &&
           c->backend != NULL;
}

/* see include/ifu/counter.h */
int ifu_counter_get(const struct ifu_counter *c, struct ifu_counter_state *st)
{
    uint32_t v = 0;

    if (st == NULL) {
        return IFU_EINVAL;
    }
    memset(st, 0, sizeof *st);
    if (!counter_ok(c)) {
        return IFU_EINVAL;
    }
    int err = c->ops->read(c, &v);
    if (err) {
        return err;
    }
    /* A value above max is storage the configuration does not describe
     * (an OTP region declared smaller than it was written): fail closed,
     * never wrap remaining. */
    if (v > c->max) {
        return IFU_ECOUNTER;
    }
    st->value = v;
    st->max = c->max;
    st->remaining = c->max - v;
    return 0;
}

/* see include/ifu/counter.h */
int ifu_counter_check(const struct ifu_counter *c, uint32_t sec_cnt)
{
    struct ifu_counter_state st;

    int err = ifu_counter_get(c, &st);
    if (err) {
        return err;
    }
    /* Stops a downgrade to an image of an older security epoch. */
    if (sec_cnt < st.value) {
        return IFU_EROLLBACK;
    }
    /* Stops accepting an image whose counter could never be committed. */
    if (sec_cnt > st.max) {
        return IFU_ECOUNTER;
    }
    return 0;
}

/* see include/ifu/counter.h */
int ifu_counter_advance(const struct ifu_counter *c, uint32_t value)
{
    struct ifu_counter_state st;

    int err = ifu_counter_get(c, &st);
    if (err) {
        return err;
    }
    if (value <= st.value) {
        return 0; /* monotonic: never lowered, and equal is already done */
    }
    if (value > st.max) {
        return IFU_ECOUNTER;
    }
    err = c->ops->advance(c, value);
    if (err) {
        return err;
    }
    /* Read back: a write the storage dropped must not pass as done. */
    err = ifu_counter_get(c, &st);
    if (!err && st.value < value) {
        err = IFU_EIO;
    }
    return err;
}

/* ---- OTP thermometer: value v = bits 0..v-1 programmed ---- */

#define OTP_CHUNK 16u

/* Logical bit i (1 = programmed) of OTP byte raw. */
static uint8_t otp_logical(const struct ifu_counter_otp *o, uint8_t raw)
{
    return (uint8_t)(raw ^ o->blank);
}

/* Programmed bits from bit 0 of the byte upwards, before the first blank. */
static uint32_t leading_ones(uint8_t b)
{
    uint32_t n = 0;
    while (n < 8 && (b & (1u << n)) != 0) {
        n++;
    }
    return n;
}

static int otp_read(const struct ifu_counter *c, uint32_t *value)
{
    const struct ifu_counter_otp *o = c->backend;
    uint8_t buf[OTP_CHUNK];

    /* The value ends at the first blank bit: a bit above it (from a torn
     * program) counts only once every bit below it is programmed too. */
    for (uint32_t pos = 0; pos < o->size; pos += OTP_CHUNK) {
        uint32_t n = IFU_MIN(OTP_CHUNK, o->size - pos);
        int err = o->read(o->ctx, o->off + pos, buf, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b = otp_logical(o, buf[i]);
            if (b != 0xffu) {
                *value = (pos + i) * 8u + leading_ones(b);
                return 0;
            }
        }
    }
    *value = o->size * 8u;
    return 0;
}

static int otp_advance(const struct ifu_counter *c, uint32_t value)
{
    const struct ifu_counter_otp *o = c->backend;
    uint8_t buf[OTP_CHUNK];
    uint32_t cur = 0;

    int err = otp_read(c, &cur);
    if (err || value <= cur) {
        return err;
    }
    /* Program bits cur..value-1, ORed with bits 0..cur-1 already set: one
     * prog per 16 bytes, lowest bytes first, so a cut leaves bits 0..cur-1
     * plus some of cur..value-1: a value in [cur, value]. No bit at or
     * above value is ever programmed. */
    uint32_t first = cur / 8u;
    uint32_t last = (value - 1u) / 8u;
    for (uint32_t pos = first; pos <= last; pos += OTP_CHUNK) {
        uint32_t n = IFU_MIN(OTP_CHUNK, last + 1u - pos);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t bit0 = (pos + i) * 8u;
            uint32_t ones = value - bit0 >= 8u ? 8u : value - bit0;
            uint8_t logical = (uint8_t)((1u << ones) - 1u);
            buf[i] = (uint8_t)(logical ^ o->blank);
        }
        err = o->prog(o->ctx, o->off + pos, buf, n);
        if (err) {
            return err;
        }
    }
    return 0;
}

static const struct ifu_counter_ops otp_ops = {otp_read, otp_advance};

/* see include/ifu/counter.h */
int ifu_counter_otp_init(struct ifu_counter *c, const struct ifu_counter_otp *otp)
{
    if (c == NULL || otp == NULL || otp->read == NULL || otp->prog == NULL || otp->size == 0 ||
        otp->size > IFU_COUNTER_OTP_MAX_SIZE || (otp->blank != 0x00 && otp->blank != 0xff) ||
        (uint64_t)otp->off + otp->size > 0xffffffffu) {
        return IFU_EINVAL;
    }
    memset(c, 0, sizeof *c);
    c->ops = &otp_ops;
    c->backend = otp;
    c->max = otp->size * 8u;
    return 0;
}

/* ---- Flash: a ring of records over the area's sectors ---- */

#define REC_MAGIC 0x43554649u /* "IFUC" */

/* CRC-32 (IEEE 802.3, reflected), bit by bit: a check against torn and
 * random bytes, not against an attacker (the storage must be locked). */
static uint32_t crc32(const uint8_t *p, uint32_t len)
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

/* Bytes one record takes: 16, padded to the write size. */
static uint32_t rec_slot(const struct ifu_area *a)
{
    uint32_t w = a->flash->write_size;
    return (IFU_COUNTER_RECORD_SIZE + w - 1u) / w * w;
}

/* 1 and *value if rec is a valid record. */
static int rec_decode(const uint8_t rec[IFU_COUNTER_RECORD_SIZE], uint32_t *value)
{
    uint32_t v = ifu_get_le32(rec + 4);
    if (ifu_get_le32(rec) != REC_MAGIC || ifu_get_le32(rec + 8) != ~v ||
        ifu_get_le32(rec + 12) != crc32(rec, 12)) {
        return 0;
    }
    *value = v;
    return 1;
}

/* What a scan of the ring found. */
struct ring_scan {
    int found;          /* 1 if any valid record */
    uint32_t value;     /* the highest valid value, 0 if none */
    uint32_t sector;    /* area offset of the sector holding it */
    uint32_t next_free; /* area offset of the first blank slot after it in its
                         * sector, or 0 if none (slot 0 is never "after") */
};

static int ring_scan(const struct ifu_area *a, struct ring_scan *rs)
{
    uint8_t rec[IFU_FLASH_MAX_WRITE_SIZE];
    uint32_t slot = rec_slot(a);
    uint32_t start;
    uint32_t size;

    memset(rs, 0, sizeof *rs);
    for (uint32_t s = 0; s < a->size; s += size) {
        int err = ifu_area_sector(a, s, &start, &size);
        if (err) {
            return err;
        }
        for (uint32_t off = s; off + slot <= s + size; off += slot) {
            err = ifu_area_read(a, off, rec, slot);
            if (err) {
                return err;
            }
            uint32_t v;
            if (rec_decode(rec, &v) && (!rs->found || v > rs->value)) {
                rs->found = 1;
                rs->value = v;
                rs->sector = s;
                rs->next_free = 0;
                continue;
            }
            if (rs->found && rs->sector == s && rs->next_free == 0) {
                uint32_t i = 0;
                while (i < slot && rec[i] == a->flash->erased_val) {
                    i++;
                }
                if (i == slot) {
                    rs->next_free = off;
                }
            }
        }
    }
    return 0;
}

static int flash_read(const struct ifu_counter *c, uint32_t *value)
{
    struct ring_scan rs;
    int err = ring_scan(c->backend, &rs);
    if (!err) {
        *value = rs.value;
    }
    return err;
}

static int flash_advance(const struct ifu_counter *c, uint32_t value)
{
    const struct ifu_area *a = c->backend;
    struct ring_scan rs;
    uint8_t rec[IFU_FLASH_MAX_WRITE_SIZE];
    uint32_t slot = rec_slot(a);
    uint32_t start;
    uint32_t size;
    uint32_t at;

    int err = ring_scan(a, &rs);
    if (err || (rs.found && value <= rs.value)) {
        return err;
    }
    if (rs.found && rs.next_free != 0) {
        at = rs.next_free; /* append in the sector of the newest record */
    } else {
        /* The sector after the newest record's (the first one if there is
         * none) holds only older records, or nothing valid: erase it and
         * start there. The newest record is in another sector (the area has
         * two at least), so a cut during the erase or the write below
         * leaves it readable: the value is never lost. */
        at = 0;
        if (rs.found) {
            err = ifu_area_sector(a, rs.sector, &start, &size);
            if (err) {
                return err;
            }
            at = start + size < a->size ? start + size : 0;
        }
        err = ifu_area_sector(a, at, &start, &size);
        if (!err) {
            err = ifu_area_erase(a, start, size);
        }
        if (err) {
            return err;
        }
    }
    memset(rec, a->flash->erased_val, slot);
    ifu_put_le32(rec, REC_MAGIC);
    ifu_put_le32(rec + 4, value);
    ifu_put_le32(rec + 8, ~value);
    ifu_put_le32(rec + 12, crc32(rec, 12));
    /* One prog of one slot: a cut leaves it blank, torn (its CRC fails:
     * the old value stands) or complete (the new value). */
    err = ifu_area_prog(a, at, rec, slot);
    if (!err) {
        err = ifu_area_sync(a);
    }
    return err;
}

static const struct ifu_counter_ops flash_ops = {flash_read, flash_advance};

/* see include/ifu/counter.h */
int ifu_counter_flash_init(struct ifu_counter *c, const struct ifu_area *area)
{
    uint32_t start;
    uint32_t size;

    if (c == NULL || area == NULL) {
        return IFU_EINVAL;
    }
    int n = ifu_area_sector_count(area);
    if (n < 2) {
        return IFU_EINVAL; /* also a negative count: an invalid area */
    }
    uint32_t slot = rec_slot(area);
    for (uint32_t s = 0; s < area->size; s += size) {
        int err = ifu_area_sector(area, s, &start, &size);
        if (err) {
            return err;
        }
        if (size < slot) {
            return IFU_EINVAL;
        }
    }
    memset(c, 0, sizeof *c);
    c->ops = &flash_ops;
    c->backend = area;
    c->max = 0xffffffffu;
    return 0;
}
