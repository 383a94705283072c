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

/* ---- OTP thermometer: value = programmed bits, lowest first ---- */

#define OTP_CHUNK 16u

/* Logical bits of OTP byte raw: 1 = programmed. */
static uint8_t otp_logical(const struct ifu_counter_otp *o, uint8_t raw)
{
    return (uint8_t)(raw ^ o->blank);
}

static uint32_t popcount8(uint8_t b)
{
    uint32_t n = 0;
    for (; b != 0; b &= (uint8_t)(b - 1u)) {
        n++;
    }
    return n;
}

/* The value is the number of programmed bits, wherever they are: a raise
 * programs exactly the bits it adds, so a bit a torn write left above a
 * blank one is counted once and never makes a later raise overshoot. */
static int otp_read(const struct ifu_counter *c, uint32_t *value)
{
    const struct ifu_counter_otp *o = c->backend;
    uint8_t buf[OTP_CHUNK];
    uint32_t v = 0;

    for (uint32_t pos = 0; pos < o->size; pos += OTP_CHUNK) {
        uint32_t n = IFU_MIN(OTP_CHUNK, o->size - pos);
        int err = o->read(o->ctx, o->off + pos, buf, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            v += popcount8(otp_logical(o, buf[i]));
        }
    }
    *value = v;
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
    /* Program the value - cur lowest blank bits, 16 bytes per prog, lowest
     * bytes first (from a clean start: bits cur..value-1, a thermometer). A
     * cut lands any subset of them: the count is in [cur, value]. */
    uint32_t need = value - cur;
    for (uint32_t pos = 0; need > 0 && pos < o->size; pos += OTP_CHUNK) {
        uint32_t n = IFU_MIN(OTP_CHUNK, o->size - pos);
        uint32_t changed = 0;
        err = o->read(o->ctx, o->off + pos, buf, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b = otp_logical(o, buf[i]);
            for (uint32_t k = 0; k < 8 && need > 0; k++) {
                if ((b & (1u << k)) == 0) {
                    b = (uint8_t)(b | (1u << k));
                    need--;
                    changed = 1;
                }
            }
            buf[i] = (uint8_t)(b ^ o->blank);
        }
        if (changed) {
            err = o->prog(o->ctx, o->off + pos, buf, n);
            if (err) {
                return err;
            }
        }
    }
    /* need > 0 here means the bits ran out under us: the read-back in
     * ifu_counter_advance reports it. */
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
        ifu_get_le32(rec + 12) != ifu_crc32(rec, 12)) {
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
    ifu_put_le32(rec + 12, ifu_crc32(rec, 12));
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
