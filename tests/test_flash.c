/* The flash layer (src/flash.c): geometry checks, sector lookup, and the
 * guarantee that a driver never sees a request off its grid. A counting fake
 * driver records every call and checks each one against the contract in
 * include/ifu/flash.h; any violation fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/flash.h"

#define KIB 1024u

/* STM32F4 bank: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB = 1 MiB. */
static const struct ifu_sector_run stm32f4[] = {{16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 7}};
#define STM32F4_SIZE (1024u * KIB)

struct fake {
    uint8_t mem[STM32F4_SIZE];
    unsigned reads, progs, erases, syncs;
    uint32_t max_read_len;
    uint32_t last_off, last_len;
    unsigned violations; /* requests the contract says ifu never makes */
    int fail_with;       /* returned by every callback when non-zero */
};

static struct fake fk;

static struct fake *fake_of(const struct ifu_flash *fl)
{
    return fl->ctx;
}

static int fake_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct fake *f = fake_of(fl);
    f->reads++;
    f->last_off = off;
    f->last_len = len;
    if (len > f->max_read_len) {
        f->max_read_len = len;
    }
    if ((uint64_t)off + len > ifu_flash_size(fl) || len == 0) {
        f->violations++;
        return IFU_EIO;
    }
    if (f->fail_with) {
        return f->fail_with;
    }
    memcpy(buf, f->mem + off, len);
    return 0;
}

static int fake_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    struct fake *f = fake_of(fl);
    f->progs++;
    f->last_off = off;
    f->last_len = len;
    if ((uint64_t)off + len > ifu_flash_size(fl) || len == 0 || off % fl->write_size != 0 ||
        len % fl->write_size != 0) {
        f->violations++;
        return IFU_EIO;
    }
    if (f->fail_with) {
        return f->fail_with;
    }
    memcpy(f->mem + off, buf, len);
    return 0;
}

static int fake_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    struct fake *f = fake_of(fl);
    uint32_t start;
    uint32_t size;
    f->erases++;
    f->last_off = off;
    f->last_len = len;
    if (ifu_flash_sector(fl, off, &start, &size) != 0 || start != off || size != len) {
        f->violations++;
        return IFU_EIO;
    }
    if (f->fail_with) {
        return f->fail_with;
    }
    memset(f->mem + off, fl->erased_val, len);
    return 0;
}

static int fake_sync(const struct ifu_flash *fl)
{
    struct fake *f = fake_of(fl);
    f->syncs++;
    return f->fail_with;
}

/* A valid STM32F4 flash over the fake, all erased, counters zero. */
static struct ifu_flash fake_flash(uint32_t write_size, uint8_t erased_val)
{
    memset(&fk, 0, sizeof fk);
    memset(fk.mem, erased_val, sizeof fk.mem);
    struct ifu_flash fl = {
        .ctx = &fk,
        .read = fake_read,
        .prog = fake_prog,
        .erase = fake_erase,
        .sync = fake_sync,
        .write_size = write_size,
        .erased_val = erased_val,
        .sectors = stm32f4,
        .sector_runs = 3,
    };
    return fl;
}

static unsigned driver_calls(void)
{
    return fk.reads + fk.progs + fk.erases + fk.syncs;
}

static void assert_no_violation(void)
{
    assert_int_equal(fk.violations, 0);
}

static void test_flash_check_accepts_write_sizes_1_to_32_and_both_erased_values(void **state)
{
    (void)state;
    static const uint32_t sizes[] = {1, 2, 4, 8, 16, 32};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct ifu_flash fl = fake_flash(sizes[i], 0xff);
        assert_int_equal(ifu_flash_check(&fl), 0);
        fl.erased_val = 0x00;
        assert_int_equal(ifu_flash_check(&fl), 0);
    }
    assert_int_equal(driver_calls(), 0);
}

static void test_flash_check_rejects_each_bad_field(void **state)
{
    (void)state;
    static const struct ifu_sector_run zero_size[] = {{0, 4}};
    static const struct ifu_sector_run zero_count[] = {{4096, 0}};
    static const struct ifu_sector_run not_multiple[] = {{4100, 1}};
    static const struct ifu_sector_run four_gib[] = {{0x80000000u, 2}};
    static const struct ifu_sector_run wraps[] = {{0xffffffffu, 0xffffffffu}, {1, 1}};
    struct ifu_flash fl;

    assert_int_equal(ifu_flash_check(NULL), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.read = NULL;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.prog = NULL;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.erase = NULL;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sync = NULL; /* optional */
    assert_int_equal(ifu_flash_check(&fl), 0);
    fl = fake_flash(0, 0xff);
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(3, 0xff);
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(64, 0xff);
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0x7f);
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sectors = NULL;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sector_runs = 0;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sectors = zero_size, fl.sector_runs = 1;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sectors = zero_count, fl.sector_runs = 1;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(8, 0xff), fl.sectors = not_multiple, fl.sector_runs = 1;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(1, 0xff), fl.sectors = four_gib, fl.sector_runs = 1;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    fl = fake_flash(1, 0xff), fl.sectors = wraps, fl.sector_runs = 2;
    assert_int_equal(ifu_flash_check(&fl), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
}

static void test_flash_check_accepts_device_of_4_gib_minus_1(void **state)
{
    (void)state;
    static const struct ifu_sector_run max[] = {{0xffffffffu, 1}};
    struct ifu_flash fl = fake_flash(1, 0xff);
    fl.sectors = max;
    fl.sector_runs = 1;
    assert_int_equal(ifu_flash_check(&fl), 0);
    assert_int_equal(ifu_flash_size(&fl), 0xffffffffu);
}

static void test_flash_sector_lookup_on_stm32f4_map(void **state)
{
    (void)state;
    static const struct {
        uint32_t off, start, size;
    } cases[] = {
        {0, 0, 16 * KIB},
        {16 * KIB - 1, 0, 16 * KIB},
        {16 * KIB, 16 * KIB, 16 * KIB},
        {48 * KIB + 5, 48 * KIB, 16 * KIB},
        {64 * KIB, 64 * KIB, 64 * KIB},
        {128 * KIB - 1, 64 * KIB, 64 * KIB},
        {128 * KIB, 128 * KIB, 128 * KIB},
        {300 * KIB, 256 * KIB, 128 * KIB},
        {STM32F4_SIZE - 1, STM32F4_SIZE - 128 * KIB, 128 * KIB},
    };
    struct ifu_flash fl = fake_flash(4, 0xff);
    assert_int_equal(ifu_flash_size(&fl), STM32F4_SIZE);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t start = 1;
        uint32_t size = 1;
        assert_int_equal(ifu_flash_sector(&fl, cases[i].off, &start, &size), 0);
        assert_int_equal(start, cases[i].start);
        assert_int_equal(size, cases[i].size);
    }
    uint32_t start;
    uint32_t size;
    assert_int_equal(ifu_flash_sector(&fl, STM32F4_SIZE, &start, &size), IFU_EINVAL);
    assert_int_equal(ifu_flash_sector(&fl, 0xffffffffu, &start, &size), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
}

static void test_area_check_requires_sector_boundaries_inside_device(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area ok[] = {
        {&fl, 0, 16 * KIB},
        {&fl, 0, STM32F4_SIZE},
        {&fl, 16 * KIB, 112 * KIB},                 /* three 16K and the 64K */
        {&fl, STM32F4_SIZE - 128 * KIB, 128 * KIB}, /* the last sector */
    };
    struct ifu_area bad[] = {
        {&fl, 0, 0},                              /* empty */
        {&fl, 8, 16 * KIB},                       /* start off a boundary */
        {&fl, 0, 20 * KIB},                       /* end off a boundary */
        {&fl, 64 * KIB, 96 * KIB},                /* end inside a 128K sector */
        {&fl, 0, STM32F4_SIZE + 128 * KIB},       /* past the device */
        {&fl, STM32F4_SIZE, 128 * KIB},           /* starts at the end */
        {&fl, 128 * KIB, 0xffffffffu - 64 * KIB}, /* end wraps 32 bits */
        {NULL, 0, 16 * KIB},                      /* no flash */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(ifu_area_check(&ok[i]), 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ifu_area_check(&bad[i]), IFU_EINVAL);
    }
    assert_int_equal(ifu_area_check(NULL), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
}

static void test_area_sector_count_spans_runs(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area whole = {&fl, 0, STM32F4_SIZE};
    struct ifu_area mid = {&fl, 32 * KIB, 32 * KIB + 64 * KIB + 256 * KIB};
    struct ifu_area bad = {&fl, 8, 16 * KIB};
    assert_int_equal(ifu_area_sector_count(&whole), 12);
    assert_int_equal(ifu_area_sector_count(&mid), 2 + 1 + 2);
    assert_int_equal(ifu_area_sector_count(&bad), IFU_EINVAL);
}

static void test_area_sector_returns_area_relative_offsets(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 32 * KIB, 32 * KIB + 64 * KIB + 128 * KIB};
    uint32_t start;
    uint32_t size;
    assert_int_equal(ifu_area_sector(&a, 0, &start, &size), 0);
    assert_int_equal(start, 0);
    assert_int_equal(size, 16 * KIB);
    assert_int_equal(ifu_area_sector(&a, 20 * KIB, &start, &size), 0);
    assert_int_equal(start, 16 * KIB);
    assert_int_equal(size, 16 * KIB);
    assert_int_equal(ifu_area_sector(&a, 40 * KIB, &start, &size), 0);
    assert_int_equal(start, 32 * KIB);
    assert_int_equal(size, 64 * KIB);
    assert_int_equal(ifu_area_sector(&a, a.size - 1, &start, &size), 0);
    assert_int_equal(start, 96 * KIB);
    assert_int_equal(size, 128 * KIB);
    assert_int_equal(ifu_area_sector(&a, a.size, &start, &size), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
}

static void test_area_read_rejects_range_leaving_area_before_calling_driver(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 16 * KIB, 16 * KIB};
    uint8_t buf[16];
    assert_int_equal(ifu_area_read(&a, 16 * KIB - 8, buf, 9), IFU_EINVAL);
    assert_int_equal(ifu_area_read(&a, 16 * KIB, buf, 1), IFU_EINVAL);
    assert_int_equal(ifu_area_read(&a, 0xfffffff8u, buf, 16), IFU_EINVAL); /* wraps */
    assert_int_equal(ifu_area_read(&a, 8, NULL, 4), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
    /* Any alignment is fine for reads, up to the last byte. */
    assert_int_equal(ifu_area_read(&a, 16 * KIB - 3, buf, 3), 0);
    assert_int_equal(fk.reads, 1);
    assert_int_equal(fk.last_off, 32 * KIB - 3);
    assert_no_violation();
}

static void test_area_prog_rejects_unaligned_offset_before_calling_driver(void **state)
{
    (void)state;
    static const uint8_t data[64] = {0};
    static const uint32_t sizes[] = {1, 8, 32};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t ws = sizes[i];
        struct ifu_flash fl = fake_flash(ws, 0xff);
        struct ifu_area a = {&fl, 64 * KIB, 64 * KIB};
        for (uint32_t off = 1; off < ws; off++) {
            assert_int_equal(ifu_area_prog(&a, off, data, ws), IFU_EINVAL);
        }
        assert_int_equal(driver_calls(), 0);
        assert_int_equal(ifu_area_prog(&a, ws, data, ws), 0);
        assert_int_equal(fk.progs, 1);
        assert_int_equal(fk.last_off, 64 * KIB + ws);
        assert_no_violation();
    }
}

static void test_area_prog_rejects_unaligned_length_before_calling_driver(void **state)
{
    (void)state;
    static const uint8_t data[64] = {0};
    static const uint32_t sizes[] = {8, 32};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t ws = sizes[i];
        struct ifu_flash fl = fake_flash(ws, 0xff);
        struct ifu_area a = {&fl, 64 * KIB, 64 * KIB};
        for (uint32_t len = 1; len < 2 * ws; len++) {
            if (len != ws) {
                assert_int_equal(ifu_area_prog(&a, 0, data, len), IFU_EINVAL);
            }
        }
        assert_int_equal(driver_calls(), 0);
    }
}

static void test_area_prog_rejects_range_leaving_area_before_calling_driver(void **state)
{
    (void)state;
    static const uint8_t data[32] = {0};
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, 16 * KIB};
    assert_int_equal(ifu_area_prog(&a, 16 * KIB - 8, data, 16), IFU_EINVAL);
    assert_int_equal(ifu_area_prog(&a, 16 * KIB, data, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_prog(&a, 0xfffffff8u, data, 16), IFU_EINVAL); /* wraps */
    assert_int_equal(driver_calls(), 0);
}

static void test_area_prog_reaches_last_write_unit_of_area(void **state)
{
    (void)state;
    static const uint8_t data[32] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, STM32F4_SIZE - 128 * KIB, 128 * KIB};
    assert_int_equal(ifu_area_prog(&a, a.size - 8, data, 8), 0);
    assert_memory_equal(fk.mem + STM32F4_SIZE - 8, data, 8);
    assert_no_violation();
}

static void test_area_zero_length_calls_no_driver(void **state)
{
    (void)state;
    uint8_t buf[1];
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, 16 * KIB};
    assert_int_equal(ifu_area_read(&a, 16 * KIB, buf, 0), 0);
    assert_int_equal(ifu_area_prog(&a, 16 * KIB, buf, 0), 0);
    assert_int_equal(ifu_area_erase(&a, 0, 0), 0);
    assert_int_equal(ifu_area_is_erased(&a, 16 * KIB, 0), 1);
    assert_int_equal(driver_calls(), 0);
}

static void test_area_erase_issues_one_callback_per_sector(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, STM32F4_SIZE};
    memset(fk.mem, 0x5a, sizeof fk.mem);
    /* Two 16K sectors, the 64K one and two 128K ones. */
    assert_int_equal(ifu_area_erase(&a, 32 * KIB, 32 * KIB + 64 * KIB + 256 * KIB), 0);
    assert_int_equal(fk.erases, 5);
    assert_int_equal(fk.last_off, 256 * KIB);
    assert_int_equal(fk.last_len, 128 * KIB);
    assert_int_equal(fk.mem[32 * KIB - 1], 0x5a);
    assert_int_equal(fk.mem[32 * KIB], 0xff);
    assert_int_equal(fk.mem[384 * KIB - 1], 0xff);
    assert_int_equal(fk.mem[384 * KIB], 0x5a);
    assert_no_violation();
}

static void test_area_erase_rejects_ends_off_sector_boundaries_before_calling_driver(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 64 * KIB, 64 * KIB + 128 * KIB};
    assert_int_equal(ifu_area_erase(&a, 8, 64 * KIB - 8), IFU_EINVAL);       /* start */
    assert_int_equal(ifu_area_erase(&a, 0, 64 * KIB + 8), IFU_EINVAL);       /* end */
    assert_int_equal(ifu_area_erase(&a, 0, 128 * KIB), IFU_EINVAL);          /* end in 128K */
    assert_int_equal(ifu_area_erase(&a, 0, a.size + 128 * KIB), IFU_EINVAL); /* past area */
    assert_int_equal(ifu_area_erase(&a, 64 * KIB, 0xffffffffu), IFU_EINVAL); /* wraps */
    assert_int_equal(driver_calls(), 0);
    assert_int_equal(ifu_area_erase(&a, 64 * KIB, 128 * KIB), 0);
    assert_int_equal(fk.erases, 1);
    assert_int_equal(fk.last_off, 128 * KIB);
    assert_no_violation();
}

static void test_area_erase_stops_at_first_driver_error_and_returns_it(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, 64 * KIB};
    fk.fail_with = IFU_ESTATE; /* any code: ifu passes it back unchanged */
    assert_int_equal(ifu_area_erase(&a, 0, 64 * KIB), IFU_ESTATE);
    assert_int_equal(fk.erases, 1);
}

static void test_area_passes_driver_errors_back_unchanged(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    uint8_t buf[8];
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, 16 * KIB};
    fk.fail_with = IFU_ECRYPTO;
    assert_int_equal(ifu_area_read(&a, 0, buf, 8), IFU_ECRYPTO);
    assert_int_equal(ifu_area_prog(&a, 0, data, 8), IFU_ECRYPTO);
    assert_int_equal(ifu_area_sync(&a), IFU_ECRYPTO);
    assert_int_equal(ifu_area_is_erased(&a, 0, 8), IFU_ECRYPTO);
}

static void test_area_sync_calls_sync_only_when_set(void **state)
{
    (void)state;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 0, 16 * KIB};
    assert_int_equal(ifu_area_sync(&a), 0);
    assert_int_equal(fk.syncs, 1);
    fl.sync = NULL;
    assert_int_equal(ifu_area_sync(&a), 0);
    assert_int_equal(fk.syncs, 1);
}

static void test_area_is_erased_reads_small_chunks_for_both_erased_values(void **state)
{
    (void)state;
    static const uint8_t evs[] = {0xff, 0x00};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        struct ifu_flash fl = fake_flash(8, evs[i]);
        struct ifu_area a = {&fl, 128 * KIB, 128 * KIB};
        assert_int_equal(ifu_area_is_erased(&a, 0, a.size), 1);
        assert_true(fk.max_read_len <= 64);
        /* One programmed byte anywhere, even the very last, is seen. */
        fk.mem[256 * KIB - 1] = (uint8_t)(evs[i] ^ 0x01);
        assert_int_equal(ifu_area_is_erased(&a, 0, a.size), 0);
        assert_int_equal(ifu_area_is_erased(&a, 0, a.size - 1), 1);
        assert_int_equal(ifu_area_is_erased(&a, a.size - 1, 1), 0);
        assert_int_equal(ifu_area_is_erased(&a, a.size - 1, 2), IFU_EINVAL);
        assert_no_violation();
    }
}

static void test_area_functions_reject_invalid_area_before_calling_driver(void **state)
{
    (void)state;
    static const uint8_t data[8] = {0};
    uint8_t buf[8];
    uint32_t start;
    uint32_t size;
    struct ifu_flash fl = fake_flash(8, 0xff);
    struct ifu_area a = {&fl, 8, 16 * KIB}; /* not on a sector boundary */
    assert_int_equal(ifu_area_read(&a, 0, buf, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_prog(&a, 0, data, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_erase(&a, 0, 16 * KIB), IFU_EINVAL);
    assert_int_equal(ifu_area_sync(&a), IFU_EINVAL);
    assert_int_equal(ifu_area_is_erased(&a, 0, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_sector(&a, 0, &start, &size), IFU_EINVAL);
    fl.write_size = 3; /* and an invalid flash under a valid-looking area */
    a.off = 0;
    assert_int_equal(ifu_area_read(&a, 0, buf, 8), IFU_EINVAL);
    assert_int_equal(driver_calls(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flash_check_accepts_write_sizes_1_to_32_and_both_erased_values),
        cmocka_unit_test(test_flash_check_rejects_each_bad_field),
        cmocka_unit_test(test_flash_check_accepts_device_of_4_gib_minus_1),
        cmocka_unit_test(test_flash_sector_lookup_on_stm32f4_map),
        cmocka_unit_test(test_area_check_requires_sector_boundaries_inside_device),
        cmocka_unit_test(test_area_sector_count_spans_runs),
        cmocka_unit_test(test_area_sector_returns_area_relative_offsets),
        cmocka_unit_test(test_area_read_rejects_range_leaving_area_before_calling_driver),
        cmocka_unit_test(test_area_prog_rejects_unaligned_offset_before_calling_driver),
        cmocka_unit_test(test_area_prog_rejects_unaligned_length_before_calling_driver),
        cmocka_unit_test(test_area_prog_rejects_range_leaving_area_before_calling_driver),
        cmocka_unit_test(test_area_prog_reaches_last_write_unit_of_area),
        cmocka_unit_test(test_area_zero_length_calls_no_driver),
        cmocka_unit_test(test_area_erase_issues_one_callback_per_sector),
        cmocka_unit_test(test_area_erase_rejects_ends_off_sector_boundaries_before_calling_driver),
        cmocka_unit_test(test_area_erase_stops_at_first_driver_error_and_returns_it),
        cmocka_unit_test(test_area_passes_driver_errors_back_unchanged),
        cmocka_unit_test(test_area_sync_calls_sync_only_when_set),
        cmocka_unit_test(test_area_is_erased_reads_small_chunks_for_both_erased_values),
        cmocka_unit_test(test_area_functions_reject_invalid_area_before_calling_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
