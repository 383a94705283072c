/* The host flash simulator (port/sim): NOR rules, counters, power cuts with
 * each tear mode, OTP, snapshots and the file-backed variant. */
#define _POSIX_C_SOURCE 200809L /* getpid, pread, unlink */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "ifu/errors.h"
#include "ifu/flash.h"
#include "ifu_sim.h"

#define KIB 1024u

static const struct ifu_sector_run stm32f4[] = {{16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 7}};
static const struct ifu_sector_run small[] = {{4 * KIB, 8}};
#define SMALL_SIZE (32 * KIB)
#define SECTOR     (4 * KIB)

static struct ifu_sim sim;

static void sim_small(uint32_t write_size, uint8_t erased_val)
{
    struct ifu_sim_config cfg = {
        .sectors = small,
        .sector_runs = 1,
        .write_size = write_size,
        .erased_val = erased_val,
        .otp_size = 64,
        .seed = 0x1234,
    };
    assert_int_equal(ifu_sim_init(&sim, &cfg), 0);
}

static int teardown(void **state)
{
    (void)state;
    ifu_sim_free(&sim);
    return 0;
}

static int sim_read(uint32_t off, void *buf, uint32_t len)
{
    return sim.flash.read(&sim.flash, off, buf, len);
}

static int sim_prog(uint32_t off, const void *buf, uint32_t len)
{
    return sim.flash.prog(&sim.flash, off, buf, len);
}

static int sim_erase(uint32_t off, uint32_t len)
{
    return sim.flash.erase(&sim.flash, off, len);
}

static int sim_sync(void)
{
    return sim.flash.sync(&sim.flash);
}

/* 1 if every byte of [off, off+len) equals v. */
static int all_equal(uint32_t off, uint32_t len, uint8_t v)
{
    for (uint32_t i = 0; i < len; i++) {
        if (sim.mem[off + i] != v) {
            return 0;
        }
    }
    return 1;
}

static unsigned popcount(unsigned v)
{
    unsigned n = 0;
    for (; v != 0; v &= v - 1) {
        n++;
    }
    return n;
}

static void test_sim_init_rejects_bad_config(void **state)
{
    (void)state;
    static const struct ifu_sector_run odd[] = {{4100, 2}};
    struct ifu_sim_config good = {.sectors = small, .sector_runs = 1, .write_size = 8};
    good.erased_val = 0xff;
    struct ifu_sim_config cfg = good;
    cfg.sectors = NULL;
    assert_int_equal(ifu_sim_init(&sim, &cfg), IFU_EINVAL);
    cfg = good, cfg.write_size = 3;
    assert_int_equal(ifu_sim_init(&sim, &cfg), IFU_EINVAL);
    cfg = good, cfg.write_size = 64;
    assert_int_equal(ifu_sim_init(&sim, &cfg), IFU_EINVAL);
    cfg = good, cfg.erased_val = 0x7f;
    assert_int_equal(ifu_sim_init(&sim, &cfg), IFU_EINVAL);
    cfg = good, cfg.sectors = odd;
    assert_int_equal(ifu_sim_init(&sim, &cfg), IFU_EINVAL);
    assert_int_equal(ifu_sim_init(&sim, &good), 0);
}

static void test_sim_starts_erased_and_passes_flash_check(void **state)
{
    (void)state;
    static const uint8_t evs[] = {0xff, 0x00};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        sim_small(8, evs[i]);
        assert_int_equal(ifu_flash_check(&sim.flash), 0);
        assert_int_equal(ifu_flash_size(&sim.flash), SMALL_SIZE);
        assert_true(all_equal(0, SMALL_SIZE, evs[i]));
        uint8_t otp[64];
        assert_int_equal(ifu_sim_otp_read(&sim, 0, otp, sizeof otp), 0);
        for (size_t k = 0; k < sizeof otp; k++) {
            assert_int_equal(otp[k], 0);
        }
        ifu_sim_free(&sim);
    }
}

static void test_sim_prog_reads_back_and_counts_per_sector(void **state)
{
    (void)state;
    static const uint8_t evs[] = {0xff, 0x00};
    uint8_t data[64];
    uint8_t back[64];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 37 + 1);
    }
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        sim_small(32, evs[i]);
        /* A prog across a sector boundary counts once in each sector. */
        assert_int_equal(sim_prog(SECTOR - 32, data, 64), 0);
        assert_int_equal(sim_read(SECTOR - 32, back, 64), 0);
        assert_memory_equal(back, data, 64);
        assert_int_equal(sim.stats.ops, 1);
        assert_int_equal(sim.stats.progs, 1);
        assert_int_equal(sim.stats.prog_bytes, 64);
        assert_int_equal(sim.stats.reads, 1);
        assert_int_equal(sim.stats.read_bytes, 64);
        assert_int_equal(sim.sector_progs[0], 1);
        assert_int_equal(sim.sector_progs[1], 1);
        assert_int_equal(sim.sector_progs[2], 0);
        ifu_sim_free(&sim);
    }
}

static void test_sim_refuses_prog_over_programmed_bytes(void **state)
{
    (void)state;
    static const uint8_t ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t zeros[16] = {0};
    sim_small(8, 0xff);
    assert_int_equal(sim_prog(8, zeros, 8), 0);
    /* Even data that would not change a bit is refused: ECC flash forbids it. */
    assert_int_equal(sim_prog(8, zeros, 8), IFU_EIO);
    assert_int_equal(sim_prog(8, ones, 8), IFU_EIO);
    /* One programmed unit inside a longer range refuses the whole prog. */
    assert_int_equal(sim_prog(0, zeros, 16), IFU_EIO);
    assert_true(all_equal(0, 8, 0xff));
    assert_int_equal(sim.stats.prog_over, 3);
    assert_int_equal(sim.stats.progs, 1);
    assert_int_equal(sim.stats.ops, 1);
    /* After an erase the same bytes program again. */
    assert_int_equal(sim_erase(0, SECTOR), 0);
    assert_int_equal(sim_prog(0, zeros, 16), 0);
}

static void test_sim_refuses_misaligned_prog_for_write_sizes_1_8_32(void **state)
{
    (void)state;
    static const uint8_t data[64] = {0};
    static const uint32_t sizes[] = {1, 8, 32};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t ws = sizes[i];
        sim_small(ws, 0xff);
        uint64_t refused = 0;
        for (uint32_t k = 1; k < ws; k++) {
            assert_int_equal(sim_prog(k, data, ws), IFU_EINVAL); /* offset */
            assert_int_equal(sim_prog(0, data, k), IFU_EINVAL);  /* length */
            refused += 2;
        }
        assert_int_equal(sim.stats.misuse, refused);
        assert_int_equal(sim.stats.ops, 0);
        assert_true(all_equal(0, SMALL_SIZE, 0xff));
        assert_int_equal(sim_prog(ws, data, ws), 0);
        ifu_sim_free(&sim);
    }
}

static void test_sim_erase_must_cover_exactly_one_sector(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    sim_small(8, 0xff);
    assert_int_equal(sim_prog(SECTOR, data, 8), 0);
    assert_int_equal(sim_erase(SECTOR, SECTOR / 2), IFU_EINVAL);
    assert_int_equal(sim_erase(SECTOR, 2 * SECTOR), IFU_EINVAL);
    assert_int_equal(sim_erase(SECTOR + 8, SECTOR), IFU_EINVAL);
    assert_int_equal(sim_erase(SMALL_SIZE, SECTOR), IFU_EINVAL);
    assert_int_equal(sim.stats.misuse, 4);
    assert_int_equal(sim.mem[SECTOR], 0x00);
    assert_int_equal(sim_erase(SECTOR, SECTOR), 0);
    assert_true(all_equal(SECTOR, SECTOR, 0xff));
    assert_int_equal(sim.stats.erases, 1);
    assert_int_equal(sim.sector_erases[1], 1);
    assert_int_equal(sim.sector_erases[0], 0);
}

static void test_sim_erase_fills_sector_with_erased_value_00(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0xa5, 0x5a, 1, 2, 3, 4, 5, 6};
    sim_small(8, 0x00);
    assert_int_equal(sim_prog(0, data, 8), 0);
    assert_memory_equal(sim.mem, data, 8);
    assert_int_equal(sim_erase(0, SECTOR), 0);
    assert_true(all_equal(0, SECTOR, 0x00));
}

static void test_sim_rejects_out_of_range_read_prog_erase(void **state)
{
    (void)state;
    uint8_t buf[16] = {0};
    sim_small(8, 0xff);
    assert_int_equal(sim_read(SMALL_SIZE - 8, buf, 16), IFU_EINVAL);
    assert_int_equal(sim_read(0xfffffff8u, buf, 16), IFU_EINVAL);
    assert_int_equal(sim_prog(SMALL_SIZE, buf, 8), IFU_EINVAL);
    assert_int_equal(sim_prog(0xfffffff8u, buf, 16), IFU_EINVAL);
    assert_int_equal(sim_erase(0xfffff000u, SECTOR), IFU_EINVAL);
    assert_int_equal(sim.stats.misuse, 5);
    assert_int_equal(sim.stats.ops, 0);
    assert_int_equal(sim_read(SMALL_SIZE - 8, buf, 8), 0);
}

static void test_sim_sector_index_on_stm32f4_map(void **state)
{
    (void)state;
    struct ifu_sim_config cfg = {
        .sectors = stm32f4, .sector_runs = 3, .write_size = 4, .erased_val = 0xff};
    assert_int_equal(ifu_sim_init(&sim, &cfg), 0);
    assert_int_equal(sim.size, 1024 * KIB);
    assert_int_equal(sim.sector_count, 12);
    assert_int_equal(ifu_sim_sector_index(&sim, 0), 0);
    assert_int_equal(ifu_sim_sector_index(&sim, 48 * KIB), 3);
    assert_int_equal(ifu_sim_sector_index(&sim, 64 * KIB), 4);
    assert_int_equal(ifu_sim_sector_index(&sim, 128 * KIB - 1), 4);
    assert_int_equal(ifu_sim_sector_index(&sim, 128 * KIB), 5);
    assert_int_equal(ifu_sim_sector_index(&sim, 1024 * KIB - 1), 11);
    assert_int_equal(ifu_sim_sector_index(&sim, 1024 * KIB), -1);
    /* The 64K sector erases as one unit, not as four 16K ones. */
    assert_int_equal(sim_erase(64 * KIB, 16 * KIB), IFU_EINVAL);
    assert_int_equal(sim_erase(64 * KIB, 64 * KIB), 0);
    assert_int_equal(sim.sector_erases[4], 1);
}

static void test_sim_cut_clean_leaves_operation_undone(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    sim_small(8, 0xff);
    ifu_sim_arm_cut(&sim, 2, IFU_SIM_CUT_CLEAN);
    assert_int_equal(sim_prog(0, data, 8), 0);
    assert_int_equal(ifu_sim_cut_fired(&sim), 0);
    assert_int_equal(sim_prog(8, data, 8), IFU_EIO);
    assert_int_equal(ifu_sim_cut_fired(&sim), 1);
    assert_true(all_equal(8, 8, 0xff));
    assert_int_equal(sim.stats.ops, 2);
    assert_int_equal(sim.stats.progs, 1);
}

static void test_sim_cut_done_completes_operation_but_reports_eio(void **state)
{
    (void)state;
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    sim_small(8, 0xff);
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_DONE);
    assert_int_equal(sim_prog(0, data, 8), IFU_EIO);
    assert_memory_equal(sim.mem, data, 8);
    ifu_sim_power_on(&sim);
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_DONE);
    assert_int_equal(sim_erase(0, SECTOR), IFU_EIO);
    assert_true(all_equal(0, SECTOR, 0xff));
}

static void test_sim_torn_prog_lands_subset_of_bits(void **state)
{
    (void)state;
    static const uint8_t evs[] = {0xff, 0x00};
    uint8_t data[256];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 151 + 7);
    }
    for (size_t e = 0; e < sizeof evs / sizeof evs[0]; e++) {
        uint8_t ev = evs[e];
        sim_small(8, ev);
        ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_TORN);
        assert_int_equal(sim_prog(SECTOR, data, sizeof data), IFU_EIO);
        unsigned moved = 0;
        unsigned stayed = 0;
        for (size_t i = 0; i < sizeof data; i++) {
            uint8_t want = (uint8_t)(ev ^ data[i]);
            uint8_t got = (uint8_t)(ev ^ sim.mem[SECTOR + i]);
            assert_int_equal(got & ~want, 0); /* no bit moved that should not */
            moved += popcount(got);
            stayed += popcount(want & ~got);
        }
        /* About half of each: both outcomes happen. */
        assert_true(moved > 100);
        assert_true(stayed > 100);
        assert_true(all_equal(0, SECTOR, ev));
        ifu_sim_free(&sim);
    }
}

static void test_sim_torn_erase_leaves_random_sector(void **state)
{
    (void)state;
    static const uint8_t data[SECTOR] = {0};
    sim_small(8, 0xff);
    assert_int_equal(sim_prog(SECTOR, data, SECTOR), 0);
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_TORN);
    assert_int_equal(sim_erase(SECTOR, SECTOR), IFU_EIO);
    assert_false(all_equal(SECTOR, SECTOR, 0xff));
    assert_false(all_equal(SECTOR, SECTOR, 0x00));
    assert_true(all_equal(0, SECTOR, 0xff));
    assert_true(all_equal(2 * SECTOR, SMALL_SIZE - 2 * SECTOR, 0xff));
}

static void test_sim_torn_result_replays_from_seed(void **state)
{
    (void)state;
    static const uint8_t data[64] = {0};
    uint8_t first[64];
    for (int run = 0; run < 2; run++) {
        sim_small(8, 0xff);
        ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_TORN);
        assert_int_equal(sim_prog(0, data, sizeof data), IFU_EIO);
        if (run == 0) {
            memcpy(first, sim.mem, sizeof first);
        } else {
            assert_memory_equal(sim.mem, first, sizeof first);
        }
        ifu_sim_free(&sim);
    }
}

static void test_sim_cut_fails_every_later_op_until_power_on(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    uint8_t buf[8];
    sim_small(8, 0xff);
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_CLEAN);
    assert_int_equal(sim_erase(0, SECTOR), IFU_EIO);
    assert_int_equal(sim_read(0, buf, 8), IFU_EIO);
    assert_int_equal(sim_prog(0, data, 8), IFU_EIO);
    assert_int_equal(sim_erase(0, SECTOR), IFU_EIO);
    assert_int_equal(sim_sync(), IFU_EIO);
    assert_int_equal(ifu_sim_otp_read(&sim, 0, buf, 8), IFU_EIO);
    assert_int_equal(ifu_sim_otp_prog(&sim, 0, data, 8), IFU_EIO);
    assert_int_equal(sim.stats.ops, 1);
    assert_true(all_equal(0, 8, 0xff));

    ifu_sim_power_on(&sim);
    assert_int_equal(ifu_sim_cut_fired(&sim), 0);
    assert_int_equal(sim_read(0, buf, 8), 0);
    assert_int_equal(sim_prog(0, data, 8), 0);
    assert_int_equal(sim_sync(), 0);
    /* The cut was disarmed: nothing more fails. */
    for (uint32_t s = 1; s < 8; s++) {
        assert_int_equal(sim_erase(s * SECTOR, SECTOR), 0);
    }
}

static void test_sim_cut_counts_only_progs_erases_and_otp_progs(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0x01};
    uint8_t buf[8];
    sim_small(8, 0xff);
    ifu_sim_arm_cut(&sim, 3, IFU_SIM_CUT_CLEAN);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(sim_read(0, buf, 8), 0);
        assert_int_equal(sim_sync(), 0);
        assert_int_equal(ifu_sim_otp_read(&sim, 0, buf, 8), 0);
    }
    assert_int_equal(sim_prog(0, data, 8), 0);               /* refused ones do not */
    assert_int_equal(sim_prog(0, data, 8), IFU_EIO);         /* count: prog_over */
    assert_int_equal(sim_prog(1, data, 8), IFU_EINVAL);      /* misuse */
    assert_int_equal(ifu_sim_otp_prog(&sim, 0, data, 1), 0); /* op 2 */
    assert_int_equal(sim_erase(SECTOR, SECTOR), IFU_EIO);    /* op 3: the cut */
    assert_int_equal(ifu_sim_cut_fired(&sim), 1);
    assert_int_equal(sim.stats.ops, 3);
    assert_int_equal(sim.stats.syncs, 10);
}

static void test_sim_reset_stats_keeps_armed_cut_distance(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    sim_small(8, 0xff);
    ifu_sim_arm_cut(&sim, 3, IFU_SIM_CUT_CLEAN);
    assert_int_equal(sim_prog(0, data, 8), 0);
    ifu_sim_reset_stats(&sim);
    assert_int_equal(sim.stats.ops, 0);
    assert_int_equal(sim.stats.progs, 0);
    assert_int_equal(sim.sector_progs[0], 1); /* not reset */
    assert_int_equal(sim_prog(8, data, 8), 0);
    assert_int_equal(sim_prog(16, data, 8), IFU_EIO);
}

static void test_sim_otp_only_sets_bits(void **state)
{
    (void)state;
    static const uint8_t lo[4] = {0x0f, 0x0f, 0x0f, 0x0f};
    static const uint8_t hi[4] = {0xf0, 0xf0, 0xf0, 0xf0};
    static const uint8_t clear[4] = {0};
    uint8_t buf[4];
    sim_small(8, 0xff);
    assert_int_equal(ifu_sim_otp_prog(&sim, 60, lo, 4), 0);
    assert_int_equal(ifu_sim_otp_prog(&sim, 60, clear, 4), 0);
    assert_int_equal(ifu_sim_otp_read(&sim, 60, buf, 4), 0);
    assert_memory_equal(buf, lo, 4);
    assert_int_equal(ifu_sim_otp_prog(&sim, 60, hi, 4), 0);
    assert_int_equal(ifu_sim_otp_read(&sim, 60, buf, 4), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(buf[i], 0xff);
    }
    assert_int_equal(ifu_sim_otp_prog(&sim, 61, lo, 4), IFU_EINVAL);
    assert_int_equal(ifu_sim_otp_read(&sim, 64, buf, 1), IFU_EINVAL);
    assert_int_equal(sim.stats.otp_progs, 3);
    assert_int_equal(sim.stats.ops, 3);
}

static void test_sim_torn_otp_prog_lands_subset_of_new_ones(void **state)
{
    (void)state;
    uint8_t data[64];
    uint8_t got[64];
    memset(data, 0xff, sizeof data);
    sim_small(8, 0xff);
    assert_int_equal(ifu_sim_otp_prog(&sim, 0, (const uint8_t[]){0x81}, 1), 0);
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_TORN);
    assert_int_equal(ifu_sim_otp_prog(&sim, 0, data, sizeof data), IFU_EIO);
    ifu_sim_power_on(&sim);
    assert_int_equal(ifu_sim_otp_read(&sim, 0, got, sizeof got), 0);
    assert_int_equal(got[0] & 0x81, 0x81); /* old ones stay */
    unsigned ones = 0;
    for (size_t i = 0; i < sizeof got; i++) {
        ones += popcount(got[i]);
    }
    assert_true(ones > 100 && ones < 412);
}

static void test_sim_snapshot_restores_flash_and_otp_not_counters(void **state)
{
    (void)state;
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t otp[1];
    sim_small(8, 0xff);
    assert_int_equal(sim_prog(0, data, 8), 0);
    struct ifu_sim_snapshot *snap = ifu_sim_save(&sim);
    assert_non_null(snap);
    assert_int_equal(sim_erase(0, SECTOR), 0);
    assert_int_equal(sim_prog(SECTOR, data, 8), 0);
    assert_int_equal(ifu_sim_otp_prog(&sim, 3, data, 1), 0);
    ifu_sim_restore(&sim, snap);
    assert_memory_equal(sim.mem, data, 8);
    assert_true(all_equal(SECTOR, 8, 0xff));
    assert_int_equal(ifu_sim_otp_read(&sim, 3, otp, 1), 0);
    assert_int_equal(otp[0], 0);
    assert_int_equal(sim.stats.ops, 4);
    assert_int_equal(sim.sector_erases[0], 1);
    ifu_sim_snapshot_free(snap);
}

static void test_sim_poke_bypasses_rules_and_counters(void **state)
{
    (void)state;
    static const uint8_t data[3] = {0x11, 0x22, 0x33};
    sim_small(8, 0xff);
    ifu_sim_poke(&sim, 5, data, 3);
    ifu_sim_poke(&sim, 5, data, 3); /* over programmed bytes, unaligned */
    assert_memory_equal(sim.mem + 5, data, 3);
    assert_int_equal(sim.stats.ops, 0);
    assert_int_equal(sim.stats.prog_over, 0);
    assert_int_equal(sim.stats.misuse, 0);
    assert_int_equal(sim.sector_progs[0], 0);
}

static void test_sim_drives_ifu_area_calls_with_write_size_32_and_erased_00(void **state)
{
    (void)state;
    uint8_t data[96];
    uint8_t back[96];
    memset(data, 0x3c, sizeof data);
    sim_small(32, 0x00);
    struct ifu_area a = {&sim.flash, 2 * SECTOR, 4 * SECTOR};
    assert_int_equal(ifu_area_check(&a), 0);
    assert_int_equal(ifu_area_sector_count(&a), 4);
    assert_int_equal(ifu_area_prog(&a, SECTOR - 32, data, sizeof data), 0);
    assert_int_equal(ifu_area_read(&a, SECTOR - 32, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(ifu_area_is_erased(&a, 0, SECTOR - 32), 1);
    assert_int_equal(ifu_area_is_erased(&a, 0, SECTOR), 0);
    assert_int_equal(ifu_area_erase(&a, 0, 4 * SECTOR), 0);
    assert_int_equal(ifu_area_is_erased(&a, 0, a.size), 1);
    assert_int_equal(ifu_area_sync(&a), 0);
    assert_int_equal(sim.stats.erases, 4);
    assert_int_equal(sim.stats.syncs, 1);
    assert_int_equal(sim.stats.misuse + sim.stats.prog_over, 0);
}

/* A file name in the test's working directory (the build tree). */
static const char *scratch_name(char *buf, size_t size)
{
    snprintf(buf, size, "test_sim_%ld.flash", (long)getpid());
    return buf;
}

static void remove_scratch(const char *path)
{
    char otp[128];
    snprintf(otp, sizeof otp, "%s.otp", path);
    unlink(path);
    unlink(otp);
}

static void test_sim_file_backed_persists_across_close_and_reopen(void **state)
{
    (void)state;
    static const uint8_t data[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    static const uint8_t fuse[1] = {0x42};
    struct ifu_sim_config cfg = {
        .sectors = small, .sector_runs = 1, .write_size = 8, .erased_val = 0xff, .otp_size = 16};
    char path[64];
    uint8_t buf[8];
    scratch_name(path, sizeof path);
    remove_scratch(path);

    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_true(all_equal(0, SMALL_SIZE, 0xff));
    assert_int_equal(sim_prog(SECTOR, data, 8), 0);
    assert_int_equal(ifu_sim_otp_prog(&sim, 2, fuse, 1), 0);

    /* Written through: another reader sees it before close. */
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, 8, SECTOR), 8);
    close(fd);
    assert_memory_equal(buf, data, 8);

    ifu_sim_free(&sim);
    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_memory_equal(sim.mem + SECTOR, data, 8);
    assert_int_equal(ifu_sim_otp_read(&sim, 2, buf, 1), 0);
    assert_int_equal(buf[0], 0x42);
    /* A torn erase is what the file keeps too. */
    ifu_sim_arm_cut(&sim, 1, IFU_SIM_CUT_TORN);
    assert_int_equal(sim_erase(SECTOR, SECTOR), IFU_EIO);
    uint8_t torn[SECTOR];
    memcpy(torn, sim.mem + SECTOR, SECTOR);
    ifu_sim_free(&sim);
    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_memory_equal(sim.mem + SECTOR, torn, SECTOR);
    ifu_sim_free(&sim);
    remove_scratch(path);
}

static void test_sim_file_of_another_size_starts_erased(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    struct ifu_sim_config cfg = {
        .sectors = small, .sector_runs = 1, .write_size = 8, .erased_val = 0x00};
    static const struct ifu_sector_run bigger[] = {{4 * KIB, 16}};
    char path[64];
    scratch_name(path, sizeof path);
    remove_scratch(path);

    cfg.erased_val = 0xff;
    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_int_equal(sim_prog(0, data, 8), 0);
    ifu_sim_free(&sim);

    cfg.sectors = bigger;
    cfg.erased_val = 0x00;
    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_int_equal(sim.size, 64 * KIB);
    assert_true(all_equal(0, 64 * KIB, 0x00));
    ifu_sim_free(&sim);
    remove_scratch(path);
}

static void test_sim_file_snapshot_restore_reaches_the_file(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0x10, 0x20};
    struct ifu_sim_config cfg = {
        .sectors = small, .sector_runs = 1, .write_size = 8, .erased_val = 0xff};
    char path[64];
    scratch_name(path, sizeof path);
    remove_scratch(path);

    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    struct ifu_sim_snapshot *erased = ifu_sim_save(&sim);
    assert_non_null(erased);
    assert_int_equal(sim_prog(0, data, 8), 0);
    ifu_sim_restore(&sim, erased);
    ifu_sim_snapshot_free(erased);
    ifu_sim_free(&sim);
    assert_int_equal(ifu_sim_open_file(&sim, &cfg, path), 0);
    assert_true(all_equal(0, SMALL_SIZE, 0xff));
    ifu_sim_free(&sim);
    remove_scratch(path);
}

#define T(name) cmocka_unit_test_teardown(name, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sim_init_rejects_bad_config),
        T(test_sim_starts_erased_and_passes_flash_check),
        T(test_sim_prog_reads_back_and_counts_per_sector),
        T(test_sim_refuses_prog_over_programmed_bytes),
        T(test_sim_refuses_misaligned_prog_for_write_sizes_1_8_32),
        T(test_sim_erase_must_cover_exactly_one_sector),
        T(test_sim_erase_fills_sector_with_erased_value_00),
        T(test_sim_rejects_out_of_range_read_prog_erase),
        T(test_sim_sector_index_on_stm32f4_map),
        T(test_sim_cut_clean_leaves_operation_undone),
        T(test_sim_cut_done_completes_operation_but_reports_eio),
        T(test_sim_torn_prog_lands_subset_of_bits),
        T(test_sim_torn_erase_leaves_random_sector),
        T(test_sim_torn_result_replays_from_seed),
        T(test_sim_cut_fails_every_later_op_until_power_on),
        T(test_sim_cut_counts_only_progs_erases_and_otp_progs),
        T(test_sim_reset_stats_keeps_armed_cut_distance),
        T(test_sim_otp_only_sets_bits),
        T(test_sim_torn_otp_prog_lands_subset_of_new_ones),
        T(test_sim_snapshot_restores_flash_and_otp_not_counters),
        T(test_sim_poke_bypasses_rules_and_counters),
        T(test_sim_drives_ifu_area_calls_with_write_size_32_and_erased_00),
        T(test_sim_file_backed_persists_across_close_and_reopen),
        T(test_sim_file_of_another_size_starts_erased),
        T(test_sim_file_snapshot_restore_reaches_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
