/* Commands that make and fill the device: init, flash (factory programming),
 * stage (the application writing an update), show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_cli.h"

enum {
    O_HELP = 1,
    O_FLASH,
    O_LAYOUT,
    O_WRITE_SIZE,
    O_ERASED,
    O_FORCE,
    O_KEY,
};

#define KIB 1024u

static void version_text(const struct ifu_image_version *v, char *out, size_t size)
{
    snprintf(out, size, "%u.%u.%u+%u", (unsigned)v->major, (unsigned)v->minor,
             (unsigned)v->revision, (unsigned)v->build);
}

/* "version 1.2.3+4" of an image file's header, or "no image header". */
static void file_version(const struct cli_buf *img, char *out, size_t size)
{
    struct ifu_image_header hdr;
    char v[40];
    if (img->len >= IFU_IMAGE_HEADER_SIZE && ifu_image_parse_header(&hdr, img->data) == 0) {
        version_text(&hdr.version, v, sizeof v);
        snprintf(out, size, "version %s", v);
    } else {
        snprintf(out, size, "no image header");
    }
}

static const char *slot_name(const struct sim_dev *dev, unsigned s)
{
    if (dev->mode == IFU_BOOT_MODE_XIP) {
        return s ? "slot B" : "slot A";
    }
    return s ? "secondary" : "primary";
}

/* ---- init ---- */

static const struct cli_opt init_table[] = {
    {"help", 'h', 0, O_HELP},
    {"flash", 'f', 1, O_FLASH},
    {"layout", 'l', 1, O_LAYOUT},
    {"write-size", 'w', 1, O_WRITE_SIZE},
    {"erased", 0, 1, O_ERASED},
    {"force", 0, 0, O_FORCE},
    {NULL, 0, 0, 0},
};

static const char init_help[] =
    "usage: ifu-sim init --flash FILE [--layout L] [--write-size N] [--erased 0xff|0x00] "
    "[--force]\n"
    "\n"
    "Create FILE as an erased flash holding a primary and a secondary slot, and FILE.layout,\n"
    "which tells later commands the geometry. Prints the slots, the headroom and the largest\n"
    "image, and the `ifu sign` options that fit.\n"
    "\n"
    "  -f, --flash FILE        the flash file to create\n"
    "  -l, --layout L          uniform-4k (default): 4 KiB sectors, 128 KiB primary\n"
    "                          stm32f4: one 1 MiB STM32F4 bank, 16/64/128 KiB sectors\n"
    "                          uniform-128k: 128 KiB sectors, 512 KiB primary\n"
    "  -w, --write-size N      program unit in bytes, a power of two 1..32 (default 8)\n"
    "      --erased V          erased value: 0xff (NOR, default) or 0x00\n"
    "      --force             replace an existing FILE (it starts over, erased)\n";

static void print_slots(const struct sim_dev *dev, const struct ifu_boot_layout *lay)
{
    for (unsigned s = 0; s < 2; s++) {
        const struct ifu_area *a = &dev->slot[s];
        printf("  %-9s 0x%08x, %u KiB (%d sectors), trailer %u bytes%s\n", slot_name(dev, s),
               (unsigned)a->off, (unsigned)(a->size / KIB), ifu_area_sector_count(a),
               (unsigned)(s ? lay->secondary_trailer : lay->primary_trailer),
               s && dev->mode != IFU_BOOT_MODE_XIP ? " (with the journal)" : "");
    }
}

int sim_cmd_init(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *path = NULL;
    const char *layout = "uniform-4k";
    uint64_t write_size = 8;
    uint64_t erased = 0xff;
    int force = 0;
    int id;

    cli_opt_init(&p, "init", argc, argv);
    while ((id = cli_opt_next(&p, init_table, vals)) != CLI_OPT_END) {
        int err = 0;
        switch (id) {
        case O_HELP:
            fputs(init_help, stdout);
            return 0;
        case O_FLASH:
            path = vals[0];
            break;
        case O_LAYOUT:
            layout = vals[0];
            break;
        case O_WRITE_SIZE:
            err = cli_parse_uint(vals[0], 32, "--write-size", &write_size);
            break;
        case O_ERASED:
            err = cli_parse_uint(vals[0], 0xff, "--erased", &erased);
            if (!err && erased != 0 && erased != 0xff) {
                err = cli_fail(IFU_EINVAL, "--erased", "'%s' is neither 0xff nor 0x00", vals[0]);
            }
            break;
        case O_FORCE:
            force = 1;
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, "init", "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
        if (err) {
            return err;
        }
    }
    if (path == NULL) {
        return cli_fail(IFU_EINVAL, "init", "missing option -f/--flash");
    }
    struct sim_dev dev;
    struct ifu_boot_layout lay;
    int err = sim_dev_describe(&dev, path, layout, (uint32_t)write_size, (uint8_t)erased);
    /* Check the layout before any file is made. */
    if (!err) {
        err = sim_dev_layout(&dev, &lay);
    }
    if (!err) {
        err = sim_dev_create(&dev, force);
    }
    if (err) {
        sim_dev_close(&dev);
        return err;
    }
    uint32_t total = dev.slot[1].off + dev.slot[1].size;
    printf("created %s: %u KiB flash, layout %s, %s mode, write size %u, erased 0x%02x\n", path,
           (unsigned)(total / KIB), dev.layout, sim_mode_name(dev.mode), (unsigned)dev.write_size,
           (unsigned)dev.erased);
    print_slots(&dev, &lay);
    if (dev.mode == IFU_BOOT_MODE_SWAP) {
        printf("  staged images start at secondary +0x%x (headroom)\n", (unsigned)lay.headroom);
    }
    printf("  largest image: %u bytes (header through TLVs)\n", (unsigned)lay.max_image_size);
    printf("  sign with: ifu sign -H 0x200 --pad-header -S 0x%x --align %u%s ...\n",
           (unsigned)dev.slot[0].size, (unsigned)dev.write_size, dev.erased == 0 ? " -R 0" : "");
    sim_dev_close(&dev);
    return 0;
}

/* ---- flash, stage ---- */

static const struct cli_opt write_table[] = {
    {"help", 'h', 0, O_HELP},
    {"flash", 'f', 1, O_FLASH},
    {NULL, 0, 0, 0},
};

static const char flash_help[] =
    "usage: ifu-sim flash --flash FILE IMAGE\n"
    "\n"
    "Factory-program IMAGE into the primary slot (direct-XIP: slot A), as a programmer does:\n"
    "the whole slot is erased, then the image is written. Bytes after the image's TLV area\n"
    "(padding, a trailer from `ifu sign --pad`) are left out. No check of the image is made:\n"
    "the bootloader verifies it at the next `ifu-sim boot`.\n";

static const char stage_help[] =
    "usage: ifu-sim stage --flash FILE IMAGE\n"
    "\n"
    "Write IMAGE where the bootloader looks for an update, as the application's update code\n"
    "does through ifu_area_erase/ifu_area_prog: the secondary slot at the layout's headroom\n"
    "(direct-XIP: the slot the application does not run from). The sectors the image covers\n"
    "and the slot's last sector (its trailer) are erased first. Nothing is requested: see\n"
    "`ifu-sim request`. The image is not checked here; the bootloader verifies it.\n";

/* flash (stage = 0) and stage (stage = 1). */
static int write_cmd(int argc, char **argv, int stage)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *path = NULL;
    const char *image = NULL;
    const char *cmd = stage ? "stage" : "flash";
    int id;

    cli_opt_init(&p, cmd, argc, argv);
    while ((id = cli_opt_next(&p, write_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case O_HELP:
            fputs(stage ? stage_help : flash_help, stdout);
            return 0;
        case O_FLASH:
            path = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            if (image != NULL) {
                return cli_fail(IFU_EINVAL, cmd, "unexpected argument '%s'", vals[0]);
            }
            image = vals[0];
            break;
        default:
            return id;
        }
    }
    if (path == NULL) {
        return cli_fail(IFU_EINVAL, cmd, "missing option -f/--flash");
    }
    if (image == NULL) {
        return cli_fail(IFU_EINVAL, cmd, "missing argument IMAGE");
    }

    struct sim_dev dev;
    struct ifu_boot_layout lay;
    struct cli_buf img = {0};
    uint32_t len = 0;
    char ver[64];
    int err = sim_dev_open(&dev, path, 1);
    if (err) {
        return err;
    }
    err = sim_dev_layout(&dev, &lay);
    if (!err && stage) {
        err = sim_dev_require_idle(&dev, cmd);
    }
    if (!err) {
        err = sim_image_file(image, &img, &len);
    }
    unsigned s = stage ? (dev.mode == IFU_BOOT_MODE_XIP ? 1 - dev.running : 1) : 0;
    uint32_t off = stage ? lay.headroom : 0;
    const struct ifu_area *a = &dev.slot[s];
    uint32_t limit = stage ? lay.max_image_size : a->size - lay.primary_trailer;
    if (!err && len > limit) {
        err = cli_fail(IFU_ENOSPC, image, "%u bytes do not fit: the %s slot takes at most %u",
                       (unsigned)len, slot_name(&dev, s), (unsigned)limit);
    }
    if (!err) {
        ifu_sim_reset_stats(&dev.sim);
        if (!stage) {
            err = ifu_area_erase(a, 0, a->size);
            if (err) {
                err = sim_fail_ifu(err, cmd, "erase failed");
            }
        }
    }
    if (!err) {
        err = sim_area_write(a, off, img.data, len, stage ? SIM_ERASE_WITH_TRAILER : SIM_ERASE_NONE,
                             cmd);
    }
    if (!err) {
        file_version(&img, ver, sizeof ver);
        printf("%s %s (%u bytes, %s) at %s +0x%x: %llu erases, %llu bytes programmed\n",
               stage ? "staged" : "factory-programmed", image, (unsigned)len, ver,
               slot_name(&dev, s), (unsigned)off, (unsigned long long)dev.sim.stats.erases,
               (unsigned long long)dev.sim.stats.prog_bytes);
    }
    cli_buf_free(&img);
    sim_dev_close(&dev);
    return err;
}

int sim_cmd_flash(int argc, char **argv)
{
    return write_cmd(argc, argv, 0);
}

int sim_cmd_stage(int argc, char **argv)
{
    return write_cmd(argc, argv, 1);
}

/* ---- show ---- */

static const struct cli_opt show_table[] = {
    {"help", 'h', 0, O_HELP},
    {"flash", 'f', 1, O_FLASH},
    {"key", 'k', 1, O_KEY},
    {NULL, 0, 0, 0},
};

static const char show_help[] =
    "usage: ifu-sim show --flash FILE [--key KEY]\n"
    "\n"
    "Print what the flash holds: for each slot the images found by their header (version,\n"
    "size), the trailer flags, and the journal of an install or revert in progress. With\n"
    "--key (a private or public PEM), each image is also verified as the bootloader would.\n";

struct area_reader {
    const struct ifu_area *a;
    uint32_t base;
};

static int area_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct area_reader *r = ctx;
    if (off > r->a->size - r->base || len > r->a->size - r->base - off) {
        return IFU_ETRUNC;
    }
    return ifu_area_read(r->a, r->base + off, buf, len);
}

static int all_is(const uint8_t *p, uint32_t n, uint8_t v)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != v) {
            return 0;
        }
    }
    return 1;
}

/* One line about what sits at area offset off. */
static int show_image(const struct sim_dev *dev, const struct ifu_area *a, uint32_t off,
                      const char *label, const struct sim_key *key)
{
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header hdr;
    char ver[40];

    int err = ifu_area_read(a, off, raw, sizeof raw);
    if (err) {
        return sim_fail_ifu(err, dev->path, "read failed");
    }
    printf("    +0x%05x %-8s ", (unsigned)off, label);
    if (all_is(raw, sizeof raw, dev->erased)) {
        printf("erased\n");
        return 0;
    }
    if (ifu_image_parse_header(&hdr, raw) != 0) {
        printf("no image header\n");
        return 0;
    }
    version_text(&hdr.version, ver, sizeof ver);
    printf("image %s, payload %u bytes", ver, (unsigned)hdr.img_size);
    if (key != NULL) {
        struct area_reader r = {a, off};
        struct ifu_image_reader reader = {area_read, &r};
        struct ifu_image_info info;
        err = ifu_image_verify(&reader, a->size - off, &key->ring, 0, IFU_HASHSET_ALL, &info);
        if (err == 0) {
            printf(", %u bytes in all, signature ok", (unsigned)info.total_size);
        } else {
            printf(", refused: %s", ifu_strerror(err));
        }
    }
    printf("\n");
    return 0;
}

/* One slot's trailer, and the journal under the secondary's, as the engine
 * decodes them (ifu_boot_inspect). */
static void show_trailer(const struct ifu_boot_trailer_info *t,
                         const struct ifu_boot_journal_info *j)
{
    static const char *const types[] = {"?", "?", "test", "permanent", "revert"};
    static const char *const ops[] = {"?", "install-test", "install-permanent", "overwrite",
                                      "revert"};
    printf("    trailer: magic %s", t->magic == 1 ? "good" : t->magic == 0 ? "erased" : "bad");
    if (t->image_ok) {
        printf(", image_ok");
    }
    if (t->copy_done) {
        printf(", copy_done");
    }
    if (t->swap_type != 0) {
        printf(", swap_info %s", types[t->swap_type]);
    }
    if (t->trial) {
        printf(", trial");
    }
    if (t->rejected) {
        printf(", rejected (%s)", ifu_strerror(t->reject_err));
    }
    printf("\n");
    if (j == NULL) {
        return;
    }
    if (j->open) {
        printf("    journal: %s in progress (old %u bytes, new %u bytes), %u steps done\n",
               j->op <= 4 ? ops[j->op] : "?", (unsigned)j->old_size, (unsigned)j->new_size,
               (unsigned)j->steps_done);
    } else {
        printf("    journal: no operation in progress\n");
    }
}

int sim_cmd_show(int argc, char **argv)
{
    struct cli_optparse p;
    const char *vals[2];
    const char *path = NULL;
    const char *key_path = NULL;
    int id;

    cli_opt_init(&p, "show", argc, argv);
    while ((id = cli_opt_next(&p, show_table, vals)) != CLI_OPT_END) {
        switch (id) {
        case O_HELP:
            fputs(show_help, stdout);
            return 0;
        case O_FLASH:
            path = vals[0];
            break;
        case O_KEY:
            key_path = vals[0];
            break;
        case CLI_OPT_POSITIONAL:
            return cli_fail(IFU_EINVAL, "show", "unexpected argument '%s'", vals[0]);
        default:
            return id;
        }
    }
    if (path == NULL) {
        return cli_fail(IFU_EINVAL, "show", "missing option -f/--flash");
    }
    struct sim_key key;
    int have_key = 0;
    if (key_path != NULL) {
        int err = sim_key_load(key_path, &key);
        if (err) {
            sim_key_free(&key);
            return err;
        }
        have_key = 1;
    }
    struct sim_dev dev;
    struct ifu_boot_layout lay = {0};
    struct ifu_boot_config cfg;
    struct ifu_boot_status st = {0};
    int err = sim_dev_open(&dev, path, 1);
    if (!err) {
        err = sim_dev_layout(&dev, &lay);
    }
    if (!err) {
        printf("%s: layout %s, %s mode, write size %u, erased 0x%02x\n", path, dev.layout,
               sim_mode_name(dev.mode), (unsigned)dev.write_size, (unsigned)dev.erased);
    }
    struct ifu_boot_trailer_info trailers[2];
    struct ifu_boot_journal_info journal;
    if (!err) {
        sim_dev_config(&dev, 0, NULL, &cfg); /* the bootloader's view: A, then B */
        err = ifu_boot_inspect(&cfg, trailers, &journal);
        if (err) {
            err = sim_fail_ifu(err, "show", "cannot read the trailers");
        }
    }
    for (unsigned s = 0; !err && s < 2; s++) {
        const struct ifu_area *a = &dev.slot[s];
        printf("  %s at 0x%08x, %u KiB%s\n", slot_name(&dev, s), (unsigned)a->off,
               (unsigned)(a->size / KIB),
               dev.mode == IFU_BOOT_MODE_XIP && s == dev.running ? " (the application runs here)"
                                                                 : "");
        const struct sim_key *k = have_key ? &key : NULL;
        if (s == 1 && lay.headroom != 0) {
            err = show_image(&dev, a, 0, "saved", k);
            if (!err) {
                err = show_image(&dev, a, lay.headroom, "staged", k);
            }
        } else {
            const char *label = dev.mode == IFU_BOOT_MODE_XIP ? "image"
                                : s == 1                      ? "staged"
                                                              : "running";
            err = show_image(&dev, a, 0, label, k);
        }
        if (!err) {
            show_trailer(&trailers[s], s == 1 && dev.mode != IFU_BOOT_MODE_XIP ? &journal : NULL);
        }
    }
    if (!err) {
        sim_dev_config(&dev, 1, NULL, &cfg); /* the application's view */
        err = ifu_boot_state(&cfg, &st);
        if (err) {
            err = sim_fail_ifu(err, "show", "cannot read the boot state");
        }
    }
    if (!err) {
        if (st.staged_err != 0) {
            printf("  the bootloader refused the staged image: %s\n", ifu_strerror(st.staged_err));
        }
        printf("  state: running %s, pending %s%s\n", sim_state_name(st.running),
               sim_state_name(st.pending),
               st.in_progress ? ", an operation awaits the bootloader" : "");
    }
    if (have_key) {
        sim_key_free(&key);
    }
    sim_dev_close(&dev);
    return err;
}
