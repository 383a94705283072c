/* The anti-rollback counter (include/ifu/counter.h, docs/ROLLBACK.md) on its
 * own: the OTP thermometer and the flash record ring over the simulator
 * (port/sim), their limits, and a power cut at every operation of a bump.
 * The boot engine and update API with a counter: tests/test_rollback.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "ifu/counter.h"
#include "ifu/errors.h"
#include "ifu_sim.h"

/* ---- a simulator with a small flash and an OTP ---- */

struct ctr_sim {
    struct ifu_sim sim;
    struct ifu_area area;       /* the flash counter's area */
    struct ifu_counter_otp otp; /* the OTP counter's storage */
    struct ifu_counter c;       /* the counter under test */
    int inverted;               /* OTP presented as blank 0xff */
};

static int otp_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ctr_sim *s = ctx;
    int err = ifu_sim_otp_read(&s->sim, off, buf, len);
    if (!err && s->inverted) {
        for (uint32_t i = 0; i < len; i++) {
            ((uint8_t *)buf)[i] ^= 0xffu;
        }
    }
    return err;
}

static int otp_prog(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ctr_sim *s = ctx;
    uint8_t tmp[64];
    assert_true(len <= sizeof tmp);
    memcpy(tmp, buf, len);
    if (s->inverted) {
        for (uint32_t i = 0; i < len; i++) {
            tmp[i] ^= 0xffu;
        }
    }
    return ifu_sim_otp_prog(&s->sim, off, tmp, len);
}

enum backend { BE_OTP, BE_FLASH };

/* Flash: `sectors` sectors of sector_size bytes (the counter's area is the
 * whole device); OTP: otp_size bytes at OTP offset 3 (not aligned on
 * purpose). */
static void ctr_sim_init(struct ctr_sim *s, enum backend be, uint32_t sector_size, uint32_t sectors,
                         uint32_t write_size, uint8_t erased, uint32_t otp_size, int inverted)
{
    memset(s, 0, sizeof *s);
    struct ifu_sector_run run = {sector_size, sectors};
    struct ifu_sim_config cfg = {
        .sectors = &run,
        .sector_runs = 1,
        .write_size = write_size,
        .erased_val = erased,
        .otp_size = otp_size + 3,
        .seed = 0x5eedc0de,
    };
    assert_ifu(ifu_sim_init(&s->sim, &cfg), 0);
    s->area = (struct ifu_area){&s->sim.flash, 0, sector_size * sectors};
    s->otp = (struct ifu_counter_otp){otp_read, otp_prog, s,
                                      3,        otp_size, (uint8_t)(inverted ? 0xff : 0x00)};
    s->inverted = inverted;
    if (be == BE_OTP) {
        assert_ifu(ifu_counter_otp_init(&s->c, &s->otp), 0);
    } else {
        assert_ifu(ifu_counter_flash_init(&s->c, &s->area), 0);
    }
}

static uint32_t value_of(const struct ctr_sim *s)
{
    struct ifu_counter_state st;
    assert_ifu(ifu_counter_get(&s->c, &st), 0);
    assert_int_equal(st.remaining, st.max - st.value);
    return st.value;
}

/* ---- OTP thermometer ---- */

static void test_counter_otp_counts_bits_and_reports_remaining_bumps(void **state)
{
    struct ctr_sim s;
    struct ifu_counter_state st;
    (void)state;
    for (int inv = 0; inv < 2; inv++) {
        ctr_sim_init(&s, BE_OTP, 64, 2, 8, 0xff, 4, inv);
        assert_ifu(ifu_counter_get(&s.c, &st), 0);
        assert_int_equal(st.value, 0);
        assert_int_equal(st.max, 32);
        assert_int_equal(st.remaining, 32);
        assert_ifu(ifu_counter_advance(&s.c, 3), 0);
        assert_int_equal(value_of(&s), 3);
        /* Thermometer: exactly bits 0..2 of the first byte (sim OTP: 1 = blown). */
        assert_int_equal(s.sim.otp[3], 0x07);
        assert_int_equal(s.sim.otp[4], 0x00);
        assert_ifu(ifu_counter_advance(&s.c, 11), 0);
        assert_int_equal(s.sim.otp[3], 0xff);
        assert_int_equal(s.sim.otp[4], 0x07);
        assert_int_equal(s.sim.otp[5], 0x00);
        assert_ifu(ifu_counter_get(&s.c, &st), 0);
        assert_int_equal(st.remaining, 21);
        /* Lower and equal values write nothing. */
        ifu_sim_reset_stats(&s.sim);
        assert_ifu(ifu_counter_advance(&s.c, 11), 0);
        assert_ifu(ifu_counter_advance(&s.c, 2), 0);
        assert_int_equal(s.sim.stats.ops, 0);
        assert_int_equal(value_of(&s), 11);
        ifu_sim_free(&s.sim);
    }
}

static void test_counter_otp_refuses_value_beyond_its_bits_with_ecounter(void **state)
{
    struct ctr_sim s;
    struct ifu_counter_state st;
    (void)state;
    ctr_sim_init(&s, BE_OTP, 64, 2, 8, 0xff, 1, 0);
    assert_ifu(ifu_counter_check(&s.c, 8), 0);
    assert_ifu(ifu_counter_check(&s.c, 9), IFU_ECOUNTER);
    ifu_sim_reset_stats(&s.sim);
    assert_ifu(ifu_counter_advance(&s.c, 9), IFU_ECOUNTER);
    assert_int_equal(s.sim.stats.ops, 0);
    assert_int_equal(value_of(&s), 0);
    /* The edge: the last bit. */
    assert_ifu(ifu_counter_advance(&s.c, 8), 0);
    assert_ifu(ifu_counter_get(&s.c, &st), 0);
    assert_int_equal(st.value, 8);
    assert_int_equal(st.remaining, 0);
    assert_ifu(ifu_counter_advance(&s.c, 9), IFU_ECOUNTER);
    assert_ifu(ifu_counter_check(&s.c, 7), IFU_EROLLBACK);
    assert_ifu(ifu_counter_check(&s.c, 8), 0);
    ifu_sim_free(&s.sim);
}

static void test_counter_otp_stray_bits_count_and_raise_lands_exactly(void **state)
{
    struct ctr_sim s;
    (void)state;
    ctr_sim_init(&s, BE_OTP, 64, 2, 8, 0xff, 4, 0);
    uint8_t stray[2] = {0x0b, 0x80}; /* bits 0,1,3 and 15: as a torn program leaves them */
    assert_ifu(ifu_sim_otp_prog(&s.sim, 3, stray, 2), 0);
    assert_int_equal(value_of(&s), 4);
    assert_ifu(ifu_counter_advance(&s.c, 5), 0);
    assert_int_equal(value_of(&s), 5);
    assert_int_equal(s.sim.otp[3], 0x0f); /* the lowest blank bit: 2 */
    /* The stray bit 15 never makes a raise overshoot. */
    assert_ifu(ifu_counter_advance(&s.c, 15), 0);
    assert_int_equal(value_of(&s), 15);
    assert_ifu(ifu_counter_advance(&s.c, 16), 0);
    assert_int_equal(value_of(&s), 16);
    assert_int_equal(s.sim.otp[3], 0xff);
    assert_int_equal(s.sim.otp[4], 0xff);
    assert_int_equal(s.sim.otp[5], 0x00);
    ifu_sim_free(&s.sim);
}

static void test_counter_init_refuses_bad_configurations_with_einval(void **state)
{
    struct ctr_sim s;
    struct ifu_counter c;
    struct ifu_counter_otp o;
    struct ifu_counter_state st;
    (void)state;
    ctr_sim_init(&s, BE_FLASH, 64, 4, 8, 0xff, 4, 0);
    o = s.otp;
    o.size = 0;
    assert_ifu(ifu_counter_otp_init(&c, &o), IFU_EINVAL);
    o = s.otp;
    o.size = IFU_COUNTER_OTP_MAX_SIZE + 1;
    assert_ifu(ifu_counter_otp_init(&c, &o), IFU_EINVAL);
    o = s.otp;
    o.blank = 0x0f;
    assert_ifu(ifu_counter_otp_init(&c, &o), IFU_EINVAL);
    o = s.otp;
    o.prog = NULL;
    assert_ifu(ifu_counter_otp_init(&c, &o), IFU_EINVAL);
    assert_ifu(ifu_counter_otp_init(NULL, &s.otp), IFU_EINVAL);
    /* Flash: one sector cannot keep the old record while writing the new. */
    struct ifu_area one = {&s.sim.flash, 0, 64};
    assert_ifu(ifu_counter_flash_init(&c, &one), IFU_EINVAL);
    struct ifu_area odd = {&s.sim.flash, 0, 100};
    assert_ifu(ifu_counter_flash_init(&c, &odd), IFU_EINVAL);
    assert_ifu(ifu_counter_flash_init(&c, NULL), IFU_EINVAL);
    /* A counter that was never initialised is no counter. */
    memset(&c, 0, sizeof c);
    assert_ifu(ifu_counter_get(&c, &st), IFU_EINVAL);
    assert_ifu(ifu_counter_advance(&c, 1), IFU_EINVAL);
    assert_ifu(ifu_counter_check(NULL, 1), IFU_EINVAL);
    ifu_sim_free(&s.sim);
    /* Sectors smaller than one record (16 B) are refused. */
    ctr_sim_init(&s, BE_OTP, 8, 4, 8, 0xff, 4, 0);
    struct ifu_area tiny = {&s.sim.flash, 0, 32};
    assert_ifu(ifu_counter_flash_init(&c, &tiny), IFU_EINVAL);
    ifu_sim_free(&s.sim);
}

/* ---- flash ring ---- */

static void test_counter_flash_ring_wraps_and_keeps_the_highest_value(void **state)
{
    static const struct {
        uint32_t sector, sectors, write;
        uint8_t erased;
    } geo[] = {{64, 2, 8, 0xff}, {64, 3, 1, 0x00}, {96, 2, 32, 0xff}, {4096, 2, 8, 0xff}};
    (void)state;
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        struct ctr_sim s;
        ctr_sim_init(&s, BE_FLASH, geo[g].sector, geo[g].sectors, geo[g].write, geo[g].erased, 4,
                     0);
        assert_int_equal(value_of(&s), 0);
        uint32_t v = 0;
        /* Enough bumps to go round the ring several times. */
        for (int i = 0; i < 40; i++) {
            v += 1u + (uint32_t)(i % 3) * 1000u;
            assert_ifu(ifu_counter_advance(&s.c, v), 0);
            assert_int_equal(value_of(&s), v);
        }
        assert_ifu(ifu_counter_advance(&s.c, 0xffffffffu), 0);
        assert_int_equal(value_of(&s), 0xffffffffu);
        struct ifu_counter_state st;
        assert_ifu(ifu_counter_get(&s.c, &st), 0);
        assert_int_equal(st.remaining, 0);
        assert_int_equal(s.sim.stats.prog_over, 0);
        assert_int_equal(s.sim.stats.misuse, 0);
        ifu_sim_free(&s.sim);
    }
}

static void test_counter_flash_corrupt_newest_record_falls_back_to_previous(void **state)
{
    struct ctr_sim s;
    (void)state;
    ctr_sim_init(&s, BE_FLASH, 64, 2, 8, 0xff, 4, 0);
    assert_ifu(ifu_counter_advance(&s.c, 7), 0);
    assert_ifu(ifu_counter_advance(&s.c, 9), 0);
    /* Record 2 (value 9) at offset 16: flip one bit of its value. */
    s.sim.mem[16 + 4] ^= 0x10;
    assert_int_equal(value_of(&s), 7);
    /* The damaged slot is skipped; the next record goes after it. */
    assert_ifu(ifu_counter_advance(&s.c, 12), 0);
    assert_int_equal(value_of(&s), 12);
    assert_int_equal(s.sim.stats.prog_over, 0);
    /* Random bytes everywhere are no record: the value reads 0, never a
     * random number (magic, complement and CRC must all agree). */
    for (uint32_t i = 0; i < s.area.size; i++) {
        s.sim.mem[i] = (uint8_t)(i * 37u + 11u);
    }
    assert_int_equal(value_of(&s), 0);
    assert_ifu(ifu_counter_advance(&s.c, 3), 0);
    assert_int_equal(value_of(&s), 3);
    ifu_sim_free(&s.sim);
}

static void test_counter_flash_erases_one_sector_per_sector_of_records(void **state)
{
    struct ctr_sim s;
    (void)state;
    /* 64-byte sectors, 16-byte records: 4 per sector. */
    ctr_sim_init(&s, BE_FLASH, 64, 2, 8, 0xff, 4, 0);
    ifu_sim_reset_stats(&s.sim);
    for (uint32_t v = 1; v <= 16; v++) {
        assert_ifu(ifu_counter_advance(&s.c, v), 0);
    }
    /* The first record erases sector 0 (blank area), then every 4th record
     * starts the other sector: 1 + 3 erases for 16 records. */
    assert_int_equal(s.sim.stats.erases, 4);
    assert_int_equal(s.sim.stats.progs, 16);
    ifu_sim_free(&s.sim);
}

/* ---- power loss ---- */

/* Bumps the power-loss case makes, from a start value reached uncut. */
static const uint32_t pl_start = 5;
static const uint32_t pl_bumps[] = {6, 9, 40, 41, 64};

struct pl_case {
    enum backend be;
    uint32_t sector, sectors, write;
    uint8_t erased;
    uint32_t otp_size;
};

static unsigned pl_cuts;
static unsigned pl_failures;

/* Every bump of pl_bumps, uncut, to count its operations; then for every
 * operation k of that bump and every cut mode: restore, cut at k, check
 * old <= value <= new after power-on, bump again and check it lands. */
static void pl_run(const struct pl_case *pc)
{
    struct ctr_sim s;
    ctr_sim_init(&s, pc->be, pc->sector, pc->sectors, pc->write, pc->erased, pc->otp_size, 0);
    /* Records before the start fill part of the ring, so the bumps below
     * also cross a sector (flash) or a byte (OTP) boundary. */
    assert_ifu(ifu_counter_advance(&s.c, pl_start), 0);
    uint32_t old = pl_start;
    for (size_t b = 0; b < sizeof pl_bumps / sizeof pl_bumps[0]; b++) {
        uint32_t want = pl_bumps[b];
        struct ifu_sim_snapshot *snap = ifu_sim_save(&s.sim);
        assert_non_null(snap);
        ifu_sim_reset_stats(&s.sim);
        assert_ifu(ifu_counter_advance(&s.c, want), 0);
        uint64_t n = s.sim.stats.ops;
        assert_true(n >= 1);
        for (uint64_t k = 1; k <= n; k++) {
            for (int mode = 0; mode < IFU_SIM_CUT_MODES; mode++) {
                struct ifu_counter_state st;
                ifu_sim_restore(&s.sim, snap);
                ifu_sim_arm_cut(&s.sim, k, (enum ifu_sim_cut)mode);
                int err = ifu_counter_advance(&s.c, want);
                ifu_sim_power_on(&s.sim);
                pl_cuts++;
                int bad = 0;
                if (err != IFU_EIO) {
                    bad = 1; /* the cut must be reported */
                }
                if (ifu_counter_get(&s.c, &st) != 0 || st.value < old || st.value > want) {
                    bad = 1;
                }
                if (ifu_counter_advance(&s.c, want) != 0 || value_of(&s) != want) {
                    bad = 1;
                }
                if (s.sim.stats.prog_over != 0 || s.sim.stats.misuse != 0) {
                    bad = 1;
                }
                if (bad) {
                    pl_failures++;
                    print_error("counter %s sector %u x%u write %u: bump %u->%u cut %u mode %d: "
                                "err %d, read %u\n",
                                pc->be == BE_OTP ? "otp" : "flash", pc->sector, pc->sectors,
                                pc->write, old, want, (unsigned)k, mode, err, st.value);
                }
            }
        }
        ifu_sim_restore(&s.sim, snap);
        ifu_sim_snapshot_free(snap);
        assert_ifu(ifu_counter_advance(&s.c, want), 0);
        old = want;
    }
    ifu_sim_free(&s.sim);
}

static void test_counter_survives_cut_at_every_op_of_a_bump(void **state)
{
    static const struct pl_case cases[] = {
        {BE_OTP, 64, 2, 8, 0xff, 8},    {BE_OTP, 64, 2, 8, 0xff, 40},
        {BE_FLASH, 64, 2, 8, 0xff, 4},  {BE_FLASH, 64, 3, 1, 0x00, 4},
        {BE_FLASH, 96, 2, 32, 0xff, 4}, {BE_FLASH, 32, 2, 16, 0x00, 4},
    };
    (void)state;
    pl_cuts = 0;
    pl_failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pl_run(&cases[i]);
    }
    printf("powerloss counter: %u cuts, %u failures\n", pl_cuts, pl_failures);
    fflush(stdout);
    assert_int_equal(pl_failures, 0);
    assert_true(pl_cuts > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_otp_counts_bits_and_reports_remaining_bumps),
        cmocka_unit_test(test_counter_otp_refuses_value_beyond_its_bits_with_ecounter),
        cmocka_unit_test(test_counter_otp_stray_bits_count_and_raise_lands_exactly),
        cmocka_unit_test(test_counter_init_refuses_bad_configurations_with_einval),
        cmocka_unit_test(test_counter_flash_ring_wraps_and_keeps_the_highest_value),
        cmocka_unit_test(test_counter_flash_corrupt_newest_record_falls_back_to_previous),
        cmocka_unit_test(test_counter_flash_erases_one_sector_per_sector_of_records),
        cmocka_unit_test(test_counter_survives_cut_at_every_op_of_a_bump),
    };
    return cmocka_run_group_tests_name("counter", tests, NULL, NULL);
}
