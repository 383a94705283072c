/* Small contracts of src/flash.c and src/image_parse.c that the larger tests do not reach:
 * version ordering field by field (the downgrade check rests on it) and the IFU_EINVAL answers
 * to NULL arguments promised in include/ifu/flash.h and include/ifu/image.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/errors.h"
#include "ifu/flash.h"
#include "ifu/image.h"

/* ---- image versions ---- */

static int cmp(uint8_t ma, uint8_t mi, uint16_t rev, uint32_t build, uint8_t ma2, uint8_t mi2,
               uint16_t rev2, uint32_t build2)
{
    const struct ifu_image_version a = {ma, mi, rev, build};
    const struct ifu_image_version b = {ma2, mi2, rev2, build2};
    int r = ifu_image_version_cmp(&a, &b);
    /* Antisymmetric, whatever the pair. */
    assert_int_equal(ifu_image_version_cmp(&b, &a), -r);
    return r;
}

static void test_version_order_by_field(void **state)
{
    (void)state;
    /* Each field decides when the ones before it are equal, whatever the ones after say. */
    assert_int_equal(cmp(1, 0, 0, 0, 2, 0, 0, 0), -1);
    assert_int_equal(cmp(2, 0, 0, 0, 1, 255, 65535, 0), 1);
    assert_int_equal(cmp(1, 2, 0, 0, 1, 3, 0, 0), -1);
    assert_int_equal(cmp(1, 3, 0, 0, 1, 2, 65535, 0), 1);
    assert_int_equal(cmp(1, 2, 3, 0, 1, 2, 4, 0), -1);
    assert_int_equal(cmp(1, 2, 300, 0, 1, 2, 299, 0), 1);
    /* The build number is not part of the order (MCUboot ignores it too). */
    assert_int_equal(cmp(1, 2, 3, 7, 1, 2, 3, 9), 0);
    assert_int_equal(cmp(0, 0, 0, 0, 0, 0, 0, 0), 0);
}

static void test_parse_header_null(void **state)
{
    (void)state;
    uint8_t raw[IFU_IMAGE_HEADER_SIZE] = {0};
    struct ifu_image_header hdr;
    assert_int_equal(ifu_image_parse_header(NULL, raw), IFU_EINVAL);
    assert_int_equal(ifu_image_parse_header(&hdr, NULL), IFU_EINVAL);
}

/* ---- flash layer ---- */

static uint8_t mem[4 * 4096];
static unsigned calls;

static int ram_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    (void)fl;
    calls++;
    memcpy(buf, mem + off, len);
    return 0;
}

static int ram_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    (void)fl;
    calls++;
    memcpy(mem + off, buf, len);
    return 0;
}

static int ram_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    (void)fl;
    calls++;
    memset(mem + off, 0xff, len);
    return 0;
}

static const struct ifu_sector_run runs[] = {{4096, 4}};
static const struct ifu_flash fl = {.read = ram_read,
                                    .prog = ram_prog,
                                    .erase = ram_erase,
                                    .write_size = 8,
                                    .erased_val = 0xff,
                                    .sectors = runs,
                                    .sector_runs = 1};

static void test_flash_null_outputs(void **state)
{
    (void)state;
    uint32_t start = 0, size = 0;
    assert_int_equal(ifu_flash_sector(&fl, 4096, &start, &size), 0);
    assert_int_equal(start, 4096);
    assert_int_equal(size, 4096);
    assert_int_equal(ifu_flash_sector(&fl, 0, NULL, &size), IFU_EINVAL);
    assert_int_equal(ifu_flash_sector(&fl, 0, &start, NULL), IFU_EINVAL);
    assert_int_equal(ifu_flash_sector(NULL, 0, &start, &size), IFU_EINVAL);
}

/* A NULL buffer with a non-zero length is refused before the driver is called; with length 0
 * there is nothing to do and nothing is called either. */
static void test_area_null_buffers(void **state)
{
    (void)state;
    const struct ifu_area a = {&fl, 4096, 2 * 4096};
    calls = 0;
    assert_int_equal(ifu_area_prog(&a, 0, NULL, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_read(&a, 0, NULL, 8), IFU_EINVAL);
    assert_int_equal(ifu_area_prog(&a, 0, NULL, 0), 0);
    assert_int_equal(calls, 0);
    static const uint8_t unit[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(ifu_area_erase(&a, 0, 4096), 0);
    assert_int_equal(ifu_area_prog(&a, 8, unit, 8), 0);
    assert_memory_equal(mem + 4096 + 8, unit, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_order_by_field),
        cmocka_unit_test(test_parse_header_null),
        cmocka_unit_test(test_flash_null_outputs),
        cmocka_unit_test(test_area_null_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
