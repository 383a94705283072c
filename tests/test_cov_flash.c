/* Two contracts of src/flash.c (include/ifu/flash.h) the other flash tests do not reach:
 * ifu_area_sector() refuses absent outputs, and ifu_area_sector_count() answers IFU_EINVAL,
 * never a wrapped negative or truncated count, for an area of more sectors than an int holds.
 * The device is a description only: no callback may run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/flash.h"

static int no_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)buf;
    (void)len;
    fail_msg("read called");
    return IFU_EIO;
}

static int no_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)buf;
    (void)len;
    fail_msg("prog called");
    return IFU_EIO;
}

static int no_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    (void)fl;
    (void)off;
    (void)len;
    fail_msg("erase called");
    return IFU_EIO;
}

static struct ifu_flash device(const struct ifu_sector_run *runs, uint32_t n, uint32_t ws)
{
    struct ifu_flash fl = {0};
    fl.read = no_read;
    fl.prog = no_prog;
    fl.erase = no_erase;
    fl.write_size = ws;
    fl.erased_val = 0xff;
    fl.sectors = runs;
    fl.sector_runs = n;
    return fl;
}

static void test_area_sector_refuses_absent_outputs(void **state)
{
    (void)state;
    static const struct ifu_sector_run runs[] = {{4096, 8}};
    struct ifu_flash fl = device(runs, 1, 8);
    const struct ifu_area a = {&fl, 4096, 4 * 4096};
    uint32_t start = 7;
    uint32_t size = 7;
    assert_int_equal(ifu_area_sector(&a, 5000, NULL, &size), IFU_EINVAL);
    assert_int_equal(ifu_area_sector(&a, 5000, &start, NULL), IFU_EINVAL);
    assert_int_equal(start, 7);
    assert_int_equal(size, 7);
    assert_int_equal(ifu_area_sector(&a, 5000, &start, &size), 0);
    assert_int_equal(start, 4096);
    assert_int_equal(size, 4096);
}

static void test_sector_count_past_int_is_einval(void **state)
{
    (void)state;
    /* A 4 GiB - 1 device of one-byte sectors: 2^32 - 1 of them in the whole device. */
    static const struct ifu_sector_run ones[] = {{1, 0xffffffffu}};
    struct ifu_flash fl = device(ones, 1, 1);
    assert_int_equal(ifu_flash_check(&fl), 0);
    const struct ifu_area whole = {&fl, 0, 0xffffffffu};
    assert_int_equal(ifu_area_check(&whole), 0);
    assert_int_equal(ifu_area_sector_count(&whole), IFU_EINVAL);
    /* INT_MAX sectors still count, one more does not. */
    const struct ifu_area most = {&fl, 5, 0x7fffffffu};
    assert_int_equal(ifu_area_sector_count(&most), 0x7fffffff);
    const struct ifu_area over = {&fl, 5, 0x80000000u};
    assert_int_equal(ifu_area_sector_count(&over), IFU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_area_sector_refuses_absent_outputs),
        cmocka_unit_test(test_sector_count_past_int_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
