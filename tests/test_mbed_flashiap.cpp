/* port/mbed/ifu_flashiap.cpp, ifu's adapter over Mbed's FlashIAP, driven
 * through ifu over the stand-in FlashIAP of port/mbed/test (a RAM model with
 * NOR rules and error injection, flashiap_ram.h) with the sector map of an
 * STM32F4 bank: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB at 0x08000000, program
 * unit 4 bytes. One program per boot mode (test_mbed_flashiap_<mode>).
 *
 * This is not a test on Mbed: it shows that the adapter describes FlashIAP's
 * geometry to ifu as docs/PORTING.md says, calls FlashIAP within its rules,
 * maps its failures to IFU_EIO, and that a whole update (streamed, verified,
 * installed by the boot engine) goes through it; and that a FlashIAP program
 * or erase that fails at any call of that update loses nothing installed,
 * and that a power cut at any of them comes back running v1 or v2.
 *
 * IFU_PL_SAMPLE=N fails only every N-th call in the sweeps (slow builds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern "C" { /* this cmocka's header declares its functions without C linkage for C++ */
#include <cmocka.h>
}

#include "drivers/FlashIAP.h"
#include "flashiap_ram.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/flash.h"
#include "ifu/update.h"
#include "ifu_flashiap.h"

extern "C" {
#include "support/tu_assert.h"
#include "tu_boot.h"
#include "tu_faulty.h"
#include "tu_image.h"
}

#define KIB       1024u
#define F4_START  0x08000000u
#define F4_PAGE   4u
#define CHUNK     1000u /* bytes per ifu_update_write call: not a unit or sector multiple */
#define MAX_ZEROS 64    /* consecutive 0-byte takes before a test gives up */

/* Slots on the bank (device offsets); sectors 0-3 would hold the
 * bootloader. Overwrite and XIP: primary = sectors 4-6 (64 KiB, then
 * 128 KiB: images cross a change of sector size), secondary = 7-9. Swap:
 * primary = 5-7, secondary = 8-11: the offset swap moves images by the
 * secondary's first sector (128 KiB), which a primary starting with the
 * 64 KiB sector does not allow (DESIGN.md §7.4; ifu_boot_layout says
 * IFU_ELAYOUT). */
static int swap_mode(void)
{
    return ifu_boot_mode() == IFU_BOOT_MODE_SWAP;
}

static uint32_t pri_off(void)
{
    return swap_mode() ? 0x20000u : 0x10000u;
}

static uint32_t pri_size(void)
{
    return swap_mode() ? 0x60000u : 0x50000u;
}

static uint32_t sec_off(void)
{
    return pri_off() + pri_size();
}

static uint32_t sec_size(void)
{
    return swap_mode() ? 0x80000u : 0x60000u;
}

static void f4_geometry(struct flashiap_ram *m)
{
    memset(m, 0, sizeof *m);
    m->start = F4_START;
    m->page_size = F4_PAGE;
    m->erase_value = 0xff;
    m->runs[0] = {16 * KIB, 4};
    m->runs[1] = {64 * KIB, 1};
    m->runs[2] = {128 * KIB, 7};
    m->run_count = 3;
}

/* The running image (v1, crosses the 64 KiB / 128 KiB boundary of the
 * primary) and the update (v2). */
static const struct tu_image *img_v1(void)
{
    return tu_image(90000, "1.0.0");
}

static const struct tu_image *img_v2(void)
{
    return tu_image(120000, "2.0.0");
}

struct rig {
    struct flashiap_ram m;
    mbed::FlashIAP iap;
    struct ifu_flashiap fi;
    struct ifu_boot_config cfg; /* the bootloader's, and the application's (it runs v1 from A) */
    struct ifu_boot boot;
    struct ifu_update up;
};

/* A bank with v1 programmed in the primary through the adapter, the
 * counters and the injection cleared. */
static struct rig *rig_new(const struct ifu_flashiap_config *fc)
{
    struct rig *r = new struct rig();
    f4_geometry(&r->m);
    assert_int_equal(flashiap_ram_setup(&r->m), 0);
    assert_int_equal(r->iap.init(), 0);
    assert_ifu(ifu_flashiap_init(&r->fi, &r->iap, fc), 0);
    r->cfg.primary = {&r->fi.flash, pri_off(), pri_size()};
    r->cfg.secondary = {&r->fi.flash, sec_off(), sec_size()};
    r->cfg.keys = tu_image_keyring();
    struct ifu_boot_layout lay;
    assert_ifu(ifu_boot_layout(&r->cfg, &lay), 0);
    assert_ifu(tu_area_stage(&r->cfg.primary, 0, img_v1()), 0);
    flashiap_ram_clear(&r->m);
    return r;
}

static void rig_free(struct rig *r)
{
    assert_int_equal(r->iap.deinit(), 0);
    flashiap_ram_free(&r->m);
    delete r;
}

/* 1 if the device holds img at device offset off (read from the model). */
static int holds(const struct rig *r, uint32_t off, const struct tu_image *img)
{
    return off + img->len <= r->m.size && memcmp(r->m.mem + off, img->data, img->len) == 0;
}

/* The application's side: stream img, finish, request the install.
 * Returns 0 or the first error (the context is aborted then). */
static int app_update(struct rig *r, const struct tu_image *img)
{
    int err = ifu_update_begin(&r->up, &r->cfg, NULL, NULL, NULL);
    unsigned zeros = 0;
    for (uint32_t off = 0; !err && off < img->len;) {
        uint32_t n = img->len - off < CHUNK ? img->len - off : CHUNK;
        int got = ifu_update_write(&r->up, off, img->data + off, n);
        if (got < 0) {
            err = got;
            break;
        }
        zeros = got == 0 ? zeros + 1 : 0;
        if (zeros > MAX_ZEROS) {
            fail_msg("write makes no progress at %u", off);
        }
        off += (uint32_t)got;
    }
    if (!err) {
        err = ifu_update_finish(&r->up, NULL);
    }
    if (!err) {
        err = ifu_update_install(&r->up, IFU_BOOT_REQ_PERMANENT);
    }
    if (err) {
        (void)ifu_update_abort(&r->up);
    }
    return err;
}

/* The bootloader's side, once: 0 and *res, or ifu_boot_go's error. */
static int boot(struct rig *r, struct ifu_boot_result *res)
{
    int err = ifu_boot_go(&r->boot, &r->cfg, res);
    if (!err) {
        err = ifu_boot_check(res);
    }
    return err;
}

/* Boot (no injection armed) and require img to be the verified image run. */
static void assert_boots(struct rig *r, const struct tu_image *img, const char *what)
{
    struct ifu_boot_result res;
    int err = boot(r, &res);
    if (err) {
        fail_msg("%s: boot: %s", what, ifu_strerror(err));
    }
    if (res.info.hdr.version.major != img->spec.version[0] - '0' || !holds(r, res.image_off, img)) {
        fail_msg("%s: booted %u.%u.%u from slot %u, want %s", what, res.info.hdr.version.major,
                 res.info.hdr.version.minor, res.info.hdr.version.revision, res.slot,
                 img->spec.version);
    }
}

/* ---- geometry ------------------------------------------------------------------------------ */

static void test_flashiap_describes_the_stm32f4_bank(void **state)
{
    (void)state;
    struct flashiap_ram m;
    f4_geometry(&m);
    assert_int_equal(flashiap_ram_setup(&m), 0);
    mbed::FlashIAP iap;
    assert_int_equal(iap.init(), 0);

    static struct ifu_flashiap fi; /* as a product would: static */
    assert_ifu(ifu_flashiap_init(&fi, &iap, NULL), 0);
    assert_ifu(ifu_flash_check(&fi.flash), 0);
    assert_int_equal(fi.flash.sector_runs, 3);
    assert_int_equal(fi.flash.sectors[0].size, 16 * KIB);
    assert_int_equal(fi.flash.sectors[0].count, 4);
    assert_int_equal(fi.flash.sectors[1].size, 64 * KIB);
    assert_int_equal(fi.flash.sectors[1].count, 1);
    assert_int_equal(fi.flash.sectors[2].size, 128 * KIB);
    assert_int_equal(fi.flash.sectors[2].count, 7);
    assert_int_equal(ifu_flash_size(&fi.flash), 1024 * KIB);
    assert_int_equal(fi.flash.write_size, F4_PAGE);
    assert_int_equal(fi.flash.erased_val, 0xff);
    assert_int_equal(fi.flash.map_addr, F4_START);
    assert_null(fi.flash.sync);

    /* A window: sector 4 and two 128 KiB sectors; offset 0 is 0x08010000. */
    struct ifu_flashiap_config fc = {};
    fc.addr = F4_START + 0x10000;
    fc.size = 0x50000;
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), 0);
    assert_int_equal(fi.flash.sector_runs, 2);
    assert_int_equal(fi.flash.sectors[0].size, 64 * KIB);
    assert_int_equal(fi.flash.sectors[0].count, 1);
    assert_int_equal(fi.flash.sectors[1].size, 128 * KIB);
    assert_int_equal(fi.flash.sectors[1].count, 2);
    assert_int_equal(fi.flash.map_addr, F4_START + 0x10000);
    uint32_t start;
    uint32_t size;
    assert_ifu(ifu_flash_sector(&fi.flash, 0x10000, &start, &size), 0);
    assert_int_equal(start, 0x10000);
    assert_int_equal(size, 128 * KIB);

    /* Reads and erases land at base + offset. */
    struct ifu_area a = {&fi.flash, 0, 0x10000};
    m.mem[0x10000] = 0x00;
    assert_ifu(ifu_area_erase(&a, 0, 0x10000), 0);
    assert_int_equal(m.mem[0x10000], 0xff);
    assert_int_equal(m.erases, 1);
    assert_int_equal(m.refused, 0);

    assert_int_equal(iap.deinit(), 0);
    flashiap_ram_free(&m);
}

static void test_flashiap_init_refuses_what_ifu_cannot_use(void **state)
{
    (void)state;
    static struct ifu_flashiap fi;
    struct ifu_flashiap_config fc = {};
    struct flashiap_ram m;
    f4_geometry(&m);
    assert_int_equal(flashiap_ram_setup(&m), 0);
    mbed::FlashIAP iap;

    /* Not initialised: FlashIAP answers 0 for its page size. */
    assert_ifu(ifu_flashiap_init(&fi, &iap, NULL), IFU_EINVAL);
    assert_ifu(ifu_flash_check(&fi.flash), IFU_EINVAL); /* zeroed on failure */
    assert_ifu(ifu_flashiap_init(&fi, NULL, NULL), IFU_EINVAL);
    assert_ifu(ifu_flashiap_init(NULL, &iap, NULL), IFU_EINVAL);
    assert_int_equal(iap.init(), 0);

    fc.addr = F4_START + 0x2000; /* inside sector 0 */
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), IFU_EINVAL);
    fc.addr = F4_START + 0x10000;
    fc.size = 0x18000; /* ends inside sector 5 */
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), IFU_EINVAL);
    fc.size = 0x100000; /* past the end */
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), IFU_EINVAL);
    fc.addr = F4_START - 0x4000; /* before the start */
    fc.size = 0;
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), IFU_EINVAL);
    assert_int_equal(m.refused, 0);
    assert_int_equal(iap.deinit(), 0);
    flashiap_ram_free(&m);

    /* Page sizes ifu cannot program in (RP2040 pages are 256 bytes), erase
     * values that are neither NOR nor zero-erased. */
    struct {
        uint32_t page;
        uint8_t ev;
        int want;
    } const cases[] = {
        {256, 0xff, IFU_EUNSUPPORTED},
        {64, 0xff, IFU_EUNSUPPORTED},
        {12, 0xff, IFU_EUNSUPPORTED},
        {4, 0x5a, IFU_EUNSUPPORTED},
        {32, 0x00, 0},
        {1, 0xff, 0},
    };
    for (const auto &c : cases) {
        f4_geometry(&m);
        m.page_size = c.page;
        m.erase_value = c.ev;
        assert_int_equal(flashiap_ram_setup(&m), 0);
        assert_int_equal(iap.init(), 0);
        int got = ifu_flashiap_init(&fi, &iap, NULL);
        if (got != c.want) {
            fail_msg("page %u, erase value 0x%02x: got %s, want %s", c.page, c.ev,
                     ifu_strerror(got), ifu_strerror(c.want));
        }
        assert_int_equal(iap.deinit(), 0);
        flashiap_ram_free(&m);
    }

    /* More runs than the context holds: sizes alternate. A window over
     * fewer sectors fits. */
    static_assert(FLASHIAP_RAM_MAX_RUNS > IFU_FLASHIAP_MAX_RUNS, "the model holds the case");
    memset(&m, 0, sizeof m);
    m.start = F4_START;
    m.page_size = 4;
    m.erase_value = 0xff;
    m.run_count = IFU_FLASHIAP_MAX_RUNS + 1;
    for (uint32_t i = 0; i < m.run_count; i++) {
        m.runs[i] = {i % 2 == 0 ? 4 * KIB : 8 * KIB, 1};
    }
    assert_int_equal(flashiap_ram_setup(&m), 0);
    assert_int_equal(iap.init(), 0);
    assert_ifu(ifu_flashiap_init(&fi, &iap, NULL), IFU_ENOSPC);
    fc = {};
    fc.size = m.size - 4 * KIB; /* all but the last sector */
    assert_ifu(ifu_flashiap_init(&fi, &iap, &fc), 0);
    assert_int_equal(fi.flash.sector_runs, IFU_FLASHIAP_MAX_RUNS);
    assert_int_equal(iap.deinit(), 0);
    flashiap_ram_free(&m);
}

/* ---- the flash layer ------------------------------------------------------------------------ */

static void test_flashiap_round_trip_through_the_flash_layer(void **state)
{
    (void)state;
    struct rig *r = rig_new(NULL);
    /* Sectors 3 (16 KiB), 4 (64 KiB) and 5 (128 KiB). */
    const struct ifu_area a = {&r->fi.flash, 0xC000, 0x34000};
    assert_int_equal(ifu_area_sector_count(&a), 3);
    memset(r->m.mem + 0xC000, 0x00, 0x34000); /* programmed */
    assert_ifu(ifu_area_erase(&a, 0, a.size), 0);
    assert_int_equal(r->m.erases, 3);
    assert_int_equal(ifu_area_is_erased(&a, 0, a.size), 1);

    /* Program across the 16 KiB / 64 KiB boundary, read back off the grid. */
    uint8_t data[64];
    for (unsigned i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7 + 1);
    }
    const uint32_t at = 0x4000 - 24;
    assert_ifu(ifu_area_prog(&a, at, data, sizeof data), 0);
    assert_int_equal(memcmp(r->m.mem + 0xC000 + at, data, sizeof data), 0);
    uint8_t back[64];
    assert_ifu(ifu_area_read(&a, at + 3, back, 41), 0);
    assert_int_equal(memcmp(back, data + 3, 41), 0);
    assert_int_equal(ifu_area_is_erased(&a, 0, at), 1);
    assert_int_equal(ifu_area_is_erased(&a, at, 4), 0);

    /* ifu checks the grid before the adapter is called. */
    assert_ifu(ifu_area_prog(&a, at + 2, data, 4), IFU_EINVAL);
    assert_ifu(ifu_area_erase(&a, 0x4000, 0x1000), IFU_EINVAL);

    /* The model enforces NOR: a second program of the same bytes fails, and
     * the adapter reports IFU_EIO with FlashIAP's status kept. */
    assert_int_equal(r->m.refused, 0);
    assert_ifu(r->fi.flash.prog(&r->fi.flash, 0xC000 + at, data, 8), IFU_EIO);
    assert_int_equal(r->fi.last_status, -1);
    assert_int_equal(r->m.refused, 1);
    /* And a request outside the window never reaches FlashIAP. */
    assert_ifu(r->fi.flash.read(&r->fi.flash, 0xFFFF0, back, 32), IFU_EINVAL);
    assert_int_equal(r->m.refused, 1);

    /* Injected failures of each kind come back as IFU_EIO. */
    r->m.fail_read_at = r->m.reads + 1;
    r->m.fail_status = -3;
    assert_ifu(ifu_area_read(&a, 0, back, 8), IFU_EIO);
    assert_int_equal(r->fi.last_status, -3);
    r->m.fail_erase_at = r->m.erases + 1;
    assert_ifu(ifu_area_erase(&a, 0, 0x4000), IFU_EIO);
    r->m.fail_program_at = r->m.programs + 1;
    assert_ifu(ifu_area_prog(&a, 0x8000, data, 8), IFU_EIO);
    assert_int_equal(ifu_area_is_erased(&a, 0x8000, 8), 1);
    assert_int_equal(r->m.fired, 3);
    rig_free(r);
}

static void test_flashiap_verify_flag_catches_silent_failures(void **state)
{
    (void)state;
    uint8_t data[16];
    memset(data, 0x42, sizeof data);
    for (int verify = 0; verify <= 1; verify++) {
        struct ifu_flashiap_config fc = {};
        fc.flags = verify ? IFU_FLASHIAP_F_VERIFY : 0;
        struct rig *r = rig_new(&fc);
        const struct ifu_area a = {&r->fi.flash, 0xC000, 0x4000};
        r->m.silent_erase_at = 1;
        int want = verify ? IFU_EIO : 0;
        assert_ifu(ifu_area_erase(&a, 0, a.size), want);
        assert_int_equal(ifu_area_is_erased(&a, 0, a.size), 0);
        flashiap_ram_clear(&r->m);
        assert_ifu(ifu_area_erase(&a, 0, a.size), 0);
        r->m.silent_program_at = 1;
        assert_ifu(ifu_area_prog(&a, 0, data, sizeof data), want);
        assert_int_equal(r->m.fired, 1);
        rig_free(r);
    }
}

/* ---- an update through the adapter ------------------------------------------------------------
 */

static int sync_calls;

static int count_sync(void *arg)
{
    assert_ptr_equal(arg, &sync_calls);
    sync_calls++;
    return 0;
}

static void test_flashiap_update_installs_through_the_adapter(void **state)
{
    (void)state;
    struct ifu_flashiap_config fc = {};
    fc.sync = count_sync;
    fc.sync_arg = &sync_calls;
    sync_calls = 0;
    struct rig *r = rig_new(&fc);
    assert_boots(r, img_v1(), "before");
    assert_ifu(app_update(r, img_v2()), 0);
    assert_true(holds(r, pri_off(), img_v1())); /* the application never touches it */
    unsigned long app_programs = r->m.programs;
    unsigned long app_erases = r->m.erases;
    assert_boots(r, img_v2(), "after the install");
    assert_boots(r, img_v2(), "the next reset");
    if (ifu_boot_mode() != IFU_BOOT_MODE_XIP) {
        assert_true(holds(r, pri_off(), img_v2()));
    }
    assert_int_equal(r->m.refused, 0);
    assert_true(sync_calls > 0);
    printf("mbed-flashiap %s: update %lu programs, %lu erases; install %lu programs, %lu erases;"
           " %d syncs\n",
           ifu_boot_mode() == IFU_BOOT_MODE_SWAP  ? "swap"
           : ifu_boot_mode() == IFU_BOOT_MODE_XIP ? "xip"
                                                  : "overwrite",
           app_programs, app_erases, r->m.programs - app_programs, r->m.erases - app_erases,
           sync_calls);
    rig_free(r);
}

/* Fail the k-th FlashIAP program (or erase) of an update and its install,
 * once. Whatever failed must say IFU_EIO; v1 must still boot if the
 * application's side failed (then a second try installs v2), and v2 must
 * boot after a reset if the bootloader's side failed. */
static void sweep(int erase_kind)
{
    struct rig *r = rig_new(NULL);
    assert_ifu(app_update(r, img_v2()), 0);
    unsigned long app_ops = erase_kind ? r->m.erases : r->m.programs;
    struct ifu_boot_result res;
    assert_ifu(boot(r, &res), 0);
    unsigned long total = erase_kind ? r->m.erases : r->m.programs;
    rig_free(r);

    unsigned long step = tu_faulty_sample_step();
    unsigned long cases = 0;
    for (unsigned long k = 1; k <= total; k += step, cases++) {
        r = rig_new(NULL);
        r->m.fail_status = -7; /* a HAL's own code: the adapter must still say IFU_EIO */
        if (erase_kind) {
            r->m.fail_erase_at = k;
        } else {
            r->m.fail_program_at = k;
        }
        int err = app_update(r, img_v2());
        if (k <= app_ops) {
            if (err != IFU_EIO || r->m.fired != 1) {
                fail_msg("%s %lu (update): got %s, fired %d", erase_kind ? "erase" : "program", k,
                         ifu_strerror(err), r->m.fired);
            }
            assert_true(holds(r, pri_off(), img_v1()));
            assert_boots(r, img_v1(), "after a failed update");
            assert_ifu(app_update(r, img_v2()), 0);
            assert_boots(r, img_v2(), "after the second try");
        } else {
            assert_ifu(err, 0);
            err = boot(r, &res);
            if (err != IFU_EIO || r->m.fired != 1) {
                fail_msg("%s %lu (install): got %s, fired %d", erase_kind ? "erase" : "program", k,
                         ifu_strerror(err), r->m.fired);
            }
            assert_boots(r, img_v2(), "after a failed install and a reset");
        }
        assert_int_equal(r->m.refused, 0);
        rig_free(r);
    }
    printf("mbed-flashiap: %lu of %lu FlashIAP %s calls failed in turn (%lu in the update), "
           "0 failures\n",
           cases, total, erase_kind ? "erase" : "program", app_ops);
}

/* Boot after a power cut; 0 and *which (1 or 2) if v1 or v2 is the verified
 * image booted, else fail. */
static void boot_after_cut(struct rig *r, unsigned long cut, int *which)
{
    struct ifu_boot_result res;
    int err = boot(r, &res);
    if (err) {
        fail_msg("cut %lu: boot: %s", cut, ifu_strerror(err));
    }
    if (holds(r, res.image_off, img_v1()) && res.info.hdr.version.major == 1) {
        *which = 1;
    } else if (holds(r, res.image_off, img_v2()) && res.info.hdr.version.major == 2) {
        *which = 2;
    } else {
        fail_msg("cut %lu: booted neither v1 nor v2 (slot %u)", cut, res.slot);
    }
}

/* Cut the power at every FlashIAP program and erase of the update and its
 * install (the call is torn, the flash dead until power on), power on,
 * re-initialise FlashIAP and the adapter as a reset does, and boot: v1 or v2
 * must run; if v1, the application updates again and v2 must run. */
static void test_flashiap_power_cut_at_every_call_boots_v1_or_v2(void **state)
{
    (void)state;
    struct rig *r = rig_new(NULL);
    assert_ifu(app_update(r, img_v2()), 0);
    unsigned long app_ops = r->m.ops;
    struct ifu_boot_result res;
    assert_ifu(boot(r, &res), 0);
    unsigned long total = r->m.ops;
    rig_free(r);

    unsigned long step = tu_faulty_sample_step();
    unsigned long cuts = 0;
    unsigned long came_back[3] = {0, 0, 0};
    for (unsigned long k = 1; k <= total; k += step, cuts++) {
        r = rig_new(NULL);
        r->m.cut_at = k;
        if (app_update(r, img_v2()) == 0) {
            (void)boot(r, &res);
        }
        if (!r->m.dead) {
            fail_msg("cut %lu: the flash did not die", k);
        }
        flashiap_ram_power_on(&r->m);
        assert_int_equal(r->iap.deinit(), 0);
        assert_int_equal(r->iap.init(), 0);
        assert_ifu(ifu_flashiap_init(&r->fi, &r->iap, NULL), 0);
        int which = 0;
        boot_after_cut(r, k, &which);
        came_back[which]++;
        if (which == 1) {
            if (k > app_ops) {
                fail_msg("cut %lu (install): v1 came back after the request", k);
            }
            assert_ifu(app_update(r, img_v2()), 0);
            assert_boots(r, img_v2(), "the update after a cut");
        }
        assert_boots(r, img_v2(), "the next reset");
        assert_int_equal(r->m.refused, 0);
        rig_free(r);
    }
    printf("mbed-flashiap powerloss: %lu cuts of %lu FlashIAP programs and erases (%lu in the "
           "update), came back as v1 %lu, v2 %lu; 0 failures\n",
           cuts, total, app_ops, came_back[1], came_back[2]);
}

static void test_flashiap_program_failure_is_eio_and_loses_nothing(void **state)
{
    (void)state;
    sweep(0);
}

static void test_flashiap_erase_failure_is_eio_and_loses_nothing(void **state)
{
    (void)state;
    sweep(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flashiap_describes_the_stm32f4_bank),
        cmocka_unit_test(test_flashiap_init_refuses_what_ifu_cannot_use),
        cmocka_unit_test(test_flashiap_round_trip_through_the_flash_layer),
        cmocka_unit_test(test_flashiap_verify_flag_catches_silent_failures),
        cmocka_unit_test(test_flashiap_update_installs_through_the_adapter),
        cmocka_unit_test(test_flashiap_program_failure_is_eio_and_loses_nothing),
        cmocka_unit_test(test_flashiap_erase_failure_is_eio_and_loses_nothing),
        cmocka_unit_test(test_flashiap_power_cut_at_every_call_boots_v1_or_v2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
