/* The anti-rollback security counter: a monotonic number the bootloader owns.
 *
 * An image carries its security counter in the SEC_CNT TLV (imgtool's
 * --security-counter). The boot engine refuses an image whose SEC_CNT is
 * below the counter, and raises the counter to an image's SEC_CNT only once
 * that image is confirmed, so a test boot can still revert (the rule, the
 * revert case and the budget: docs/ROLLBACK.md).
 *
 * The counter sits behind a small storage interface (struct
 * ifu_counter_ops) with two backends here:
 * - OTP thermometer code (ifu_counter_otp_init): one OTP bit per unit of
 *   value; bits move one way only, so the value can never go down, and a
 *   device has a finite number of bumps (ifu_counter_get reports them);
 * - a flash counter in an ifu_area of at least two sectors
 *   (ifu_counter_flash_init): an append-only ring of CRC-checked records,
 *   safe against a power cut at any instant.
 * Everything is caller-owned; nothing allocates. The application may read the
 * counter (ifu_counter_get) through the same configuration; only the
 * bootloader should raise it, and on a real part the storage is
 * write-protected before the bootloader jumps. */
#ifndef IFU_COUNTER_H
#define IFU_COUNTER_H

#include <stdint.h>

#include "ifu/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ifu_counter;

/* A storage backend. Each callback gets the counter it was installed in. */
struct ifu_counter_ops {
    /* Read the current value into *value. Returns 0 or a negative IFU_E*. */
    int (*read)(const struct ifu_counter *c, uint32_t *value);
    /* Raise the stored value to value, which is greater than the current
     * one and no greater than the counter's max. Must be power-fail safe:
     * after a cut at any instant, read gives a value >= the old and
     * <= value. Returns 0 or a negative IFU_E*. */
    int (*advance)(const struct ifu_counter *c, uint32_t value);
};

/* Bits of struct ifu_counter.flags. */
/* Also refuse to install, in overwrite and swap mode, an image whose version
 * (major.minor.revision, ifu_image_version_cmp) is below the running
 * image's; the update API then refuses it at the header. Direct-XIP always
 * refuses a trial no newer than the other image. */
#define IFU_COUNTER_F_VERSION 0x1u

/* A counter: backend, its state, and the largest value it holds. Filled by
 * ifu_counter_otp_init or ifu_counter_flash_init (or by hand for a backend of
 * the port's own). Caller-owned; backend must outlive it. */
struct ifu_counter {
    const struct ifu_counter_ops *ops;
    const void *backend; /* struct ifu_counter_otp / ifu_counter_flash, or the port's */
    uint32_t max;        /* largest value the storage can represent */
    uint32_t flags;      /* IFU_COUNTER_F_* */
};

/* ---- OTP thermometer backend ---- */

/* OTP (eFuse) access. prog sets bits: every bit of buf that differs from the
 * OTP's blank value is programmed, the others are left as they are (on the
 * simulator: ifu_sim_otp_prog). Both return 0 or a negative IFU_E*. */
struct ifu_counter_otp {
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    int (*prog)(void *ctx, uint32_t off, const void *buf, uint32_t len);
    void *ctx;     /* handed back to read and prog */
    uint32_t off;  /* first OTP byte of the counter */
    uint32_t size; /* bytes; the counter holds values 0..8*size (at most 8*65535) */
    uint8_t blank; /* value of an unprogrammed byte: 0x00 (eFuse) or 0xff */
};

/* Largest OTP region, bytes: 65535 B = 524,280 bumps of one. */
#define IFU_COUNTER_OTP_MAX_SIZE 65535u

/* Make c an OTP thermometer counter over otp (which must outlive c): the
 * value is the number of programmed bits, and a raise programs the lowest
 * blank bits, so value v is normally bits 0..v-1 (bit 0 = least significant
 * bit of the first byte). max = 8 * otp->size. Returns 0 or IFU_EINVAL (no callbacks, size 0
 * or above IFU_COUNTER_OTP_MAX_SIZE, blank not 0x00/0xff). Touches nothing. */
int ifu_counter_otp_init(struct ifu_counter *c, const struct ifu_counter_otp *otp);

/* ---- Flash backend ---- */

/* Bytes of one flash counter record before padding to the write size
 * (layout: docs/ROLLBACK.md). */
#define IFU_COUNTER_RECORD_SIZE 16u

/* Make c a flash counter in area (which must outlive c): an append-only ring
 * of records over the area's sectors. The area needs at least two sectors,
 * each holding at least one record, and must not overlap an image slot.
 * max = 0xffffffff. A blank area reads as 0.
 * Returns 0 or IFU_EINVAL. Touches nothing. */
int ifu_counter_flash_init(struct ifu_counter *c, const struct ifu_area *area);

/* ---- Using a counter ---- */

struct ifu_counter_state {
    uint32_t value;     /* current value */
    uint32_t max;       /* largest value the storage can hold */
    uint32_t remaining; /* max - value: how far it can still be raised. For
                         * OTP, each unit is one OTP bit, so this is the
                         * number of bumps of one that are left. */
};

/* Read the counter. Flash/OTP: reads only. Returns 0, IFU_EINVAL, or the
 * storage's error. */
int ifu_counter_get(const struct ifu_counter *c, struct ifu_counter_state *st);

/* Would an image with this SEC_CNT be admitted? Returns 0 if value <= sec_cnt
 * <= max; IFU_EROLLBACK if sec_cnt is below the counter (an older security
 * epoch: the downgrade the counter exists to stop); IFU_ECOUNTER if sec_cnt is
 * above what the storage can ever hold (it would need more bumps than remain,
 * so the image could never be committed). Reads only. */
int ifu_counter_check(const struct ifu_counter *c, uint32_t sec_cnt);

/* Raise the counter to value. A value at or below the current one is a no-op
 * (returns 0, writes nothing); a value above max is refused with
 * IFU_ECOUNTER and writes nothing. Power-fail safe: a cut at any instant
 * leaves a counter >= the old value and <= value; calling again finishes.
 * Flash/OTP: programs (flash: may erase one sector of the area). The value is
 * read back after the write; a mismatch gives IFU_EIO. Normally only the
 * boot engine calls this (after an image is confirmed); a product may also
 * call it, from the bootloader, to revoke old images explicitly. */
int ifu_counter_advance(const struct ifu_counter *c, uint32_t value);

#ifdef __cplusplus
}
#endif

#endif /* IFU_COUNTER_H */
