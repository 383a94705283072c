/* Fuzz target: the anti-rollback counter's storage parsers (src/counter.c).
 *
 * The input plants arbitrary bytes in a flash counter's record ring or in an
 * OTP thermometer, then the counter is read and raised to a value from the
 * input, once with a power cut armed at an operation the input names. The
 * oracle (docs/ROLLBACK.md):
 *   - a read never fails on any content, and never exceeds max;
 *   - advance(t) is a no-op for t <= value and refused (IFU_ECOUNTER, no
 *     write) for t > max; otherwise the value afterwards is exactly t;
 *   - after a cut the value is >= the old and <= t, and advancing again
 *     lands on t;
 *   - the simulator never sees a program over programmed bytes or a
 *     misaligned request.
 *
 * Input: [cfg] [cut] [cut_mode] [t0 t1 t2 t3] then the planted bytes.
 * cfg bit 0: flash (1) or OTP (0); bits 1-2: write size 1, 8, 16, 32;
 * bit 3: erased 0x00; bit 4: OTP blank 0xff; bit 5: three sectors.
 * t (little-endian) is taken modulo 2 * max + 2, so both sides of max occur. */
#include <stdlib.h>
#include <string.h>

#include "ifu/counter.h"
#include "ifu/errors.h"
#include "ifu_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR   128u
#define OTP_SIZE 24u

struct fz {
    struct ifu_sim sim;
    int inverted;
};

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct fz *f = ctx;
    int err = ifu_sim_otp_read(&f->sim, off, buf, len);
    for (uint32_t i = 0; !err && f->inverted && i < len; i++) {
        ((uint8_t *)buf)[i] ^= 0xffu;
    }
    return err;
}

static int otp_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct fz *f = ctx;
    uint8_t tmp[OTP_SIZE];
    if (len > sizeof tmp) {
        abort(); /* the backend programs at most 16 bytes at a time */
    }
    for (uint32_t i = 0; i < len; i++) {
        tmp[i] = (uint8_t)(((const uint8_t *)buf)[i] ^ (f->inverted ? 0xffu : 0u));
    }
    return ifu_sim_otp_prog(&f->sim, off, tmp, len);
}

static uint32_t value_or_die(const struct ifu_counter *c)
{
    struct ifu_counter_state st;
    if (ifu_counter_get(c, &st) != 0 || st.value > st.max || st.remaining != st.max - st.value) {
        abort();
    }
    return st.value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t writes[] = {1, 8, 16, 32};
    struct fz f;
    struct ifu_counter c;
    struct ifu_counter_otp otp;

    if (size < 7 || size > 7 + 3 * SECTOR) {
        return 0;
    }
    uint8_t cfg = data[0];
    int flash = cfg & 1u;
    uint32_t sectors = (cfg & 0x20u) ? 3u : 2u;
    struct ifu_sector_run run = {SECTOR, sectors};
    struct ifu_sim_config sc = {
        .sectors = &run,
        .sector_runs = 1,
        .write_size = writes[(cfg >> 1) & 3u],
        .erased_val = (cfg & 0x08u) ? 0x00 : 0xff,
        .otp_size = OTP_SIZE,
        .seed = size,
    };
    memset(&f, 0, sizeof f);
    if (ifu_sim_init(&f.sim, &sc) != 0) {
        abort();
    }
    f.inverted = (cfg & 0x10u) != 0;
    const struct ifu_area area = {&f.sim.flash, 0, SECTOR * sectors};
    otp = (struct ifu_counter_otp){otp_read, otp_prog, &f,
                                   0,        OTP_SIZE, (uint8_t)(f.inverted ? 0xff : 0x00)};
    int err = flash ? ifu_counter_flash_init(&c, &area) : ifu_counter_otp_init(&c, &otp);
    if (err) {
        abort();
    }
    /* Plant the rest of the input as the storage's content. */
    const uint8_t *plant = data + 7;
    size_t n = size - 7;
    if (flash) {
        ifu_sim_poke(&f.sim, 0, plant, (uint32_t)(n < area.size ? n : area.size));
    } else {
        uint8_t tmp[OTP_SIZE];
        uint32_t m = (uint32_t)(n < OTP_SIZE ? n : OTP_SIZE);
        memcpy(tmp, plant, m);
        /* Blown fuses as the backend would see them programmed. */
        for (uint32_t i = 0; i < m; i++) {
            tmp[i] = (uint8_t)(tmp[i] ^ (f.inverted ? 0xffu : 0u));
        }
        if (m > 0 && ifu_sim_otp_prog(&f.sim, 0, tmp, m) != 0) {
            abort();
        }
    }
    uint32_t v0 = value_or_die(&c);
    uint64_t span = 2ull * c.max + 2ull;
    uint32_t t = (uint32_t)(((uint64_t)data[3] | (uint64_t)data[4] << 8 | (uint64_t)data[5] << 16 |
                             (uint64_t)data[6] << 24) %
                            span);
    if (span > 0xffffffffull) {
        /* The flash counter's max is 0xffffffff: any 32-bit t. */
        t = (uint32_t)data[3] | (uint32_t)data[4] << 8 | (uint32_t)data[5] << 16 |
            (uint32_t)data[6] << 24;
    }
    struct ifu_sim_snapshot *snap = ifu_sim_save(&f.sim);
    if (snap == NULL) {
        abort();
    }
    /* Uncut. */
    ifu_sim_reset_stats(&f.sim);
    err = ifu_counter_advance(&c, t);
    uint32_t v1 = value_or_die(&c);
    if (t <= v0) {
        if (err != 0 || v1 != v0 || f.sim.stats.ops != 0) {
            abort();
        }
    } else if (t > c.max) {
        if (err != IFU_ECOUNTER || v1 != v0 || f.sim.stats.ops != 0) {
            abort();
        }
    } else if (err != 0 || v1 != t) {
        abort();
    }
    uint64_t ops = f.sim.stats.ops;
    /* Cut at an operation of the same advance. */
    if (ops > 0 && data[1] != 0) {
        ifu_sim_restore(&f.sim, snap);
        ifu_sim_arm_cut(&f.sim, 1u + data[1] % ops,
                        (enum ifu_sim_cut)(data[2] % IFU_SIM_CUT_MODES));
        err = ifu_counter_advance(&c, t);
        ifu_sim_power_on(&f.sim);
        uint32_t vc = value_or_die(&c);
        if (err != IFU_EIO || vc < v0 || vc > t) {
            abort();
        }
        if (ifu_counter_advance(&c, t) != 0 || value_or_die(&c) != t) {
            abort();
        }
    }
    if (f.sim.stats.prog_over != 0 || f.sim.stats.misuse != 0) {
        abort();
    }
    ifu_sim_snapshot_free(snap);
    ifu_sim_free(&f.sim);
    return 0;
}
