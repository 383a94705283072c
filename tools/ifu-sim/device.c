/* The simulated device: layouts, the flash file and its description, slots,
 * keys, and the flash wrapper that names the operation a power cut hit.
 * docs/SIM.md describes the files and the layouts. */
#define _POSIX_C_SOURCE 200809L /* strtok_r, stat, access, unlink */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_cli.h"

#define KIB 1024u

const char sim_layout_names[] = "uniform-4k, stm32f4, uniform-128k";

/* Description file format version (first line "ifu-sim-device 1"). */
#define DESC_VERSION 1

const char *sim_mode_name(enum ifu_boot_mode mode)
{
    switch (mode) {
    case IFU_BOOT_MODE_OVERWRITE:
        return "overwrite";
    case IFU_BOOT_MODE_SWAP:
        return "swap";
    case IFU_BOOT_MODE_XIP:
        return "xip";
    }
    return "unknown";
}

const char *sim_state_name(enum ifu_boot_state state)
{
    switch (state) {
    case IFU_BOOT_STATE_NONE:
        return "none";
    case IFU_BOOT_STATE_INSTALL_TEST:
        return "install-test";
    case IFU_BOOT_STATE_INSTALL_PERMANENT:
        return "install-permanent";
    case IFU_BOOT_STATE_TESTING:
        return "testing";
    case IFU_BOOT_STATE_CONFIRMED:
        return "confirmed";
    case IFU_BOOT_STATE_REVERTED:
        return "reverted";
    }
    return "unknown";
}

int sim_fail_ifu(int err, const char *what, const char *doing)
{
    return cli_fail(err, what, "%s: %s", doing, ifu_strerror(err));
}

/* Sector map and slots of a layout in a mode. Swap mode gives the secondary
 * one extra sector for the staged image's headroom (DESIGN.md §7.4) where
 * the layout has room for it. */
static int geometry(struct sim_dev *dev)
{
    uint32_t sector = 0;
    uint32_t primary_sectors = 0;
    uint32_t extra = dev->mode == IFU_BOOT_MODE_SWAP ? 1 : 0;

    dev->map_addr = 0;
    /* Set: parse_desc() succeeds only after a layout line (clang-tidy cannot see that cli_fail()
     * returns its negative code). NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
    if (strcmp(dev->layout, "uniform-4k") == 0) {
        sector = 4 * KIB;
        primary_sectors = 32;
    } else if (strcmp(dev->layout, "uniform-128k") == 0) {
        sector = 128 * KIB;
        primary_sectors = 4;
    } else if (strcmp(dev->layout, "stm32f4") == 0) {
        /* One 1 MiB STM32F4 bank; the primary's small sectors nest in the
         * secondary's 128 KiB ones, so one 128 KiB sector is the headroom. */
        static const struct ifu_sector_run f4[] = {{16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 7}};
        memcpy(dev->runs, f4, sizeof f4);
        dev->run_count = 3;
        dev->slot[0].off = 0;
        dev->slot[0].size = 512 * KIB;
        dev->slot[1].off = 512 * KIB;
        dev->slot[1].size = 512 * KIB;
        dev->map_addr = 0x08000000u;
        return 0;
    } else {
        return cli_fail(IFU_EINVAL, "--layout", "unknown layout '%s' (one of: %s)", dev->layout,
                        sim_layout_names);
    }
    dev->runs[0].size = sector;
    dev->runs[0].count = 2 * primary_sectors + extra;
    dev->run_count = 1;
    dev->slot[0].off = 0;
    dev->slot[0].size = primary_sectors * sector;
    dev->slot[1].off = primary_sectors * sector;
    dev->slot[1].size = (primary_sectors + extra) * sector;
    return 0;
}

static void flash_setup(struct sim_dev *dev);

static char *desc_path_of(const char *path)
{
    size_t n = strlen(path);
    char *p = cli_alloc(n + sizeof ".layout");
    snprintf(p, n + sizeof ".layout", "%s.layout", path);
    return p;
}

int sim_dev_describe(struct sim_dev *dev, const char *path, const char *layout, uint32_t write_size,
                     uint8_t erased)
{
    memset(dev, 0, sizeof *dev);
    dev->path = path;
    dev->seed = 1;
    dev->layout = layout;
    dev->mode = ifu_boot_mode();
    dev->write_size = write_size;
    dev->erased = erased;
    if (write_size == 0 || write_size > IFU_FLASH_MAX_WRITE_SIZE ||
        (write_size & (write_size - 1)) != 0) {
        return cli_fail(IFU_EINVAL, "--write-size", "%u is not a power of two in 1..32",
                        (unsigned)write_size);
    }
    int err = geometry(dev);
    if (!err) {
        flash_setup(dev);
        dev->desc_path = desc_path_of(path);
    }
    return err;
}

/* Forwarders: ifu sees dev->flash, the simulator keeps its own. */
static struct sim_dev *dev_of(const struct ifu_flash *fl)
{
    return fl->ctx;
}

static int fwd_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct sim_dev *d = dev_of(fl);
    return d->sim.flash.read(&d->sim.flash, off, buf, len);
}

static int fwd_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    struct sim_dev *d = dev_of(fl);
    d->last_kind = SIM_OP_PROG;
    d->last_off = off;
    d->last_len = len;
    return d->sim.flash.prog(&d->sim.flash, off, buf, len);
}

static int fwd_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    struct sim_dev *d = dev_of(fl);
    d->last_kind = SIM_OP_ERASE;
    d->last_off = off;
    d->last_len = len;
    return d->sim.flash.erase(&d->sim.flash, off, len);
}

static int fwd_sync(const struct ifu_flash *fl)
{
    struct sim_dev *d = dev_of(fl);
    return d->sim.flash.sync != NULL ? d->sim.flash.sync(&d->sim.flash) : 0;
}

static int map_file(struct sim_dev *dev)
{
    struct ifu_sim_config sc;
    memset(&sc, 0, sizeof sc);
    sc.sectors = dev->runs;
    sc.sector_runs = dev->run_count;
    sc.write_size = dev->write_size;
    sc.erased_val = dev->erased;
    sc.seed = dev->seed;
    int err = ifu_sim_open_file(&dev->sim, &sc, dev->path);
    if (err) {
        return cli_fail(err == IFU_ENOSPC ? IFU_ECRYPTO : IFU_EIO, dev->path,
                        "cannot open the flash file: %s", ifu_strerror(err));
    }
    dev->sim.flash.map_addr = dev->map_addr;
    dev->open = 1;
    return 0;
}

/* The flash ifu sees: the geometry of the description, callbacks that
 * forward to the simulator once the file is open. */
static void flash_setup(struct sim_dev *dev)
{
    memset(&dev->flash, 0, sizeof dev->flash);
    dev->flash.ctx = dev;
    dev->flash.read = fwd_read;
    dev->flash.prog = fwd_prog;
    dev->flash.erase = fwd_erase;
    dev->flash.sync = fwd_sync;
    dev->flash.write_size = dev->write_size;
    dev->flash.erased_val = dev->erased;
    dev->flash.sectors = dev->runs;
    dev->flash.sector_runs = dev->run_count;
    dev->flash.map_addr = dev->map_addr;
    dev->slot[0].flash = &dev->flash;
    dev->slot[1].flash = &dev->flash;
}

static uint32_t device_size(const struct sim_dev *dev)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < dev->run_count; i++) {
        total += dev->runs[i].size * dev->runs[i].count;
    }
    return total;
}

int sim_dev_save(const struct sim_dev *dev)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "ifu-sim-device %d\n"
                     "# written by `ifu-sim init`, read by every other ifu-sim command\n"
                     "layout %s\n"
                     "mode %s\n"
                     "write-size %u\n"
                     "erased 0x%02x\n"
                     "running %u\n",
                     DESC_VERSION, dev->layout, sim_mode_name(dev->mode), (unsigned)dev->write_size,
                     (unsigned)dev->erased, dev->running);
    return cli_file_write_atomic(dev->desc_path, text, (size_t)n, 0644);
}

int sim_dev_create(struct sim_dev *dev, int force)
{
    struct stat st;
    if (stat(dev->path, &st) == 0) {
        if (!force) {
            return cli_fail(IFU_EINVAL, dev->path, "exists (use --force to start it over, erased)");
        }
        if (unlink(dev->path) != 0) {
            return cli_fail(IFU_EIO, dev->path, "cannot remove: %s", strerror(errno));
        }
    }
    int err = sim_dev_save(dev);
    if (!err) {
        err = map_file(dev);
    }
    return err;
}

/* Parse the description file's "key value" lines. */
static int parse_desc(struct sim_dev *dev, char *text, char **layout)
{
    int version = 0;
    int have = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char key[32];
        char val[64];
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (sscanf(line, "%31s %63s", key, val) != 2) {
            return cli_fail(IFU_EIO, dev->desc_path, "malformed line '%s'", line);
        }
        char *end = NULL;
        unsigned long v = strtoul(val, &end, 0);
        int numeric = end != val && *end == '\0';
        if (strcmp(key, "ifu-sim-device") == 0 && numeric) {
            version = (int)v;
        } else if (strcmp(key, "layout") == 0) {
            free(*layout);
            *layout = cli_strdup(val);
            have |= 1;
        } else if (strcmp(key, "mode") == 0) {
            if (strcmp(val, sim_mode_name(dev->mode)) != 0) {
                return cli_fail(IFU_EUNSUPPORTED, dev->path,
                                "made for the %s boot mode; this ifu-sim is built for %s "
                                "(cmake -DIFU_BOOT_MODE=%s)",
                                val, sim_mode_name(dev->mode), val);
            }
            have |= 2;
        } else if (strcmp(key, "write-size") == 0 && numeric) {
            dev->write_size = (uint32_t)v;
            have |= 4;
        } else if (strcmp(key, "erased") == 0 && numeric && (v == 0 || v == 0xff)) {
            dev->erased = (uint8_t)v;
            have |= 8;
        } else if (strcmp(key, "running") == 0 && numeric && v <= 1) {
            dev->running = (unsigned)v;
        } else {
            return cli_fail(IFU_EIO, dev->desc_path, "unexpected line '%s'", line);
        }
    }
    if (version != DESC_VERSION || have != 15) {
        return cli_fail(IFU_EIO, dev->desc_path,
                        "not an ifu-sim device description (recreate with `ifu-sim init`)");
    }
    return 0;
}

int sim_dev_read_desc(struct sim_dev *dev, char *text)
{
    char *layout = NULL;
    int err = parse_desc(dev, text, &layout);
    dev->layout_owned = layout;
    if (!err) {
        dev->layout = layout;
        err = geometry(dev);
        if (err) {
            err = cli_fail(IFU_EIO, dev->desc_path, "describes an unknown layout");
        }
    }
    if (!err) {
        flash_setup(dev);
    }
    return err;
}

int sim_dev_open(struct sim_dev *dev, const char *path, uint64_t seed)
{
    struct cli_buf text = {0};
    struct stat st;

    memset(dev, 0, sizeof *dev);
    dev->path = path;
    dev->seed = seed;
    dev->mode = ifu_boot_mode();
    dev->desc_path = desc_path_of(path);
    int err = 0;
    if (stat(path, &st) != 0) {
        err = cli_fail(IFU_EIO, path, "%s (create it with `ifu-sim init --flash %s`)",
                       strerror(errno), path);
    } else if (access(dev->desc_path, F_OK) != 0) {
        err = cli_fail(IFU_EIO, dev->desc_path,
                       "missing: the flash file has no description (made by `ifu-sim init`)");
    }
    if (err) {
        sim_dev_close(dev);
        return err;
    }
    err = cli_file_read(dev->desc_path, &text);
    if (!err) {
        cli_buf_put_u8(&text, 0);
        err = sim_dev_read_desc(dev, (char *)text.data);
    }
    cli_buf_free(&text);
    if (!err && (uint64_t)st.st_size != device_size(dev)) {
        err = cli_fail(IFU_EIO, path,
                       "is %lld bytes, but its layout %s needs %u: not this device's flash",
                       (long long)st.st_size, dev->layout, (unsigned)device_size(dev));
    }
    if (!err) {
        err = map_file(dev);
    }
    if (err) {
        sim_dev_close(dev);
    }
    return err;
}

void sim_dev_close(struct sim_dev *dev)
{
    if (dev->open) {
        ifu_sim_free(&dev->sim);
    }
    dev->open = 0;
    free(dev->desc_path);
    free(dev->layout_owned);
    dev->desc_path = NULL;
    dev->layout_owned = NULL;
}

void sim_dev_config(const struct sim_dev *dev, int app, const struct ifu_keyring *keys,
                    struct ifu_boot_config *cfg)
{
    unsigned run = app && dev->mode == IFU_BOOT_MODE_XIP ? dev->running : 0;
    memset(cfg, 0, sizeof *cfg);
    cfg->primary = dev->slot[run];
    cfg->secondary = dev->slot[1 - run];
    cfg->keys = keys;
    cfg->hashset = IFU_HASHSET_ALL;
}

int sim_dev_layout(const struct sim_dev *dev, struct ifu_boot_layout *lay)
{
    struct ifu_boot_config cfg;
    sim_dev_config(dev, 0, NULL, &cfg);
    int err = ifu_boot_layout(&cfg, lay);
    if (err) {
        return cli_fail(err, dev->layout,
                        "the %s mode cannot use this layout with write size %u: %s",
                        sim_mode_name(dev->mode), (unsigned)dev->write_size, ifu_strerror(err));
    }
    return 0;
}

int sim_dev_require_idle(const struct sim_dev *dev, const char *cmd)
{
    struct ifu_boot_config cfg;
    struct ifu_boot_status st;
    sim_dev_config(dev, 1, NULL, &cfg);
    int err = ifu_boot_state(&cfg, &st);
    if (err) {
        return sim_fail_ifu(err, cmd, "cannot read the boot state");
    }
    if (st.in_progress) {
        return cli_fail(IFU_ESTATE, cmd,
                        "an interrupted install or revert awaits the bootloader; the application "
                        "cannot run until `ifu-sim boot` finishes it");
    }
    return 0;
}

void sim_dev_last_op(const struct sim_dev *dev, char *out, size_t size)
{
    unsigned s = dev->last_off >= dev->slot[1].off ? 1 : 0;
    const char *slot = s ? "secondary" : "primary";
    if (dev->mode == IFU_BOOT_MODE_XIP) {
        slot = s ? "slot B" : "slot A";
    }
    uint32_t rel = dev->last_off - dev->slot[s].off;
    if (dev->last_kind == SIM_OP_ERASE) {
        snprintf(out, size, "erase of the %u KiB sector at %s +0x%x",
                 (unsigned)(dev->last_len / KIB), slot, (unsigned)rel);
    } else if (dev->last_kind == SIM_OP_PROG) {
        snprintf(out, size, "program of %u bytes at %s +0x%x", (unsigned)dev->last_len, slot,
                 (unsigned)rel);
    } else {
        snprintf(out, size, "no operation");
    }
}

int sim_image_file(const char *path, struct cli_buf *img, uint32_t *len)
{
    struct ifu_image_header hdr;

    int err = cli_file_read(path, img);
    if (err) {
        return err;
    }
    if (img->len > UINT32_MAX) {
        return cli_fail(IFU_ENOSPC, path, "larger than 4 GiB");
    }
    if (img->len == 0) {
        return cli_fail(IFU_EINVAL, path, "empty file");
    }
    *len = (uint32_t)img->len;
    if (img->len < IFU_IMAGE_HEADER_SIZE || ifu_image_parse_header(&hdr, img->data) != 0) {
        return 0; /* not an image: the bootloader will say so; written as it is */
    }
    uint64_t tlv = ifu_image_tlv_off(&hdr);
    if (tlv + IFU_TLV_INFO_SIZE > img->len) {
        return 0;
    }
    const uint8_t *info = img->data + tlv;
    uint32_t magic = (uint32_t)info[0] | (uint32_t)info[1] << 8;
    uint64_t end = tlv + ((uint32_t)info[2] | (uint32_t)info[3] << 8);
    if (magic == IFU_TLV_INFO_MAGIC && end < img->len) {
        printf("note: %s: the %u bytes after the image's TLV area (padding, trailer) are not "
               "written\n",
               path, (unsigned)(img->len - end));
        *len = (uint32_t)end;
    }
    return 0;
}

int sim_area_write(const struct ifu_area *a, uint32_t off, const uint8_t *data, uint32_t len,
                   enum sim_erase erase, const char *what)
{
    uint32_t first;
    uint32_t first_size;
    uint32_t last;
    uint32_t last_size;
    uint32_t w = a->flash->write_size;
    uint8_t unit[IFU_FLASH_MAX_WRITE_SIZE];

    int err = ifu_area_sector(a, off, &first, &first_size);
    if (!err) {
        err = ifu_area_sector(a, off + len - 1, &last, &last_size);
    }
    if (err) {
        return sim_fail_ifu(err, what, "flash write failed");
    }
    /* Staging erases up to the slot's end, as the update API does: the
     * trailer and every journal sector (with write size 32 the journal can
     * span two) start clean, or the bootloader would refuse to begin. */
    if (erase != SIM_ERASE_NONE) {
        uint32_t end = erase == SIM_ERASE_WITH_TRAILER ? a->size : last + last_size;
        err = ifu_area_erase(a, first, end - first);
    }
    uint32_t whole = len / w * w;
    for (uint32_t done = 0; !err && done < whole;) {
        uint32_t n = whole - done < 4096 ? whole - done : 4096;
        err = ifu_area_prog(a, off + done, data + done, n);
        done += n;
    }
    if (!err && whole < len) {
        memset(unit, a->flash->erased_val, sizeof unit);
        memcpy(unit, data + whole, len - whole);
        err = ifu_area_prog(a, off + whole, unit, w);
    }
    if (!err) {
        err = ifu_area_sync(a);
    }
    if (err) {
        return sim_fail_ifu(err, what, "flash write failed");
    }
    return 0;
}

int sim_key_load(const char *path, struct sim_key *k)
{
    uint8_t hash[64];
    size_t hash_len = 0;

    memset(k, 0, sizeof *k);
    int err = cli_key_load(path, &k->key);
    if (err) {
        return err;
    }
    if (cli_key_sig_alg(k->key.type) == IFU_SIG_NONE) {
        return cli_fail(IFU_ENOKEY, path, "an %s key cannot sign images: give a signing key",
                        cli_key_type_name(k->key.type));
    }
    k->tk.pub = k->key.pub;
    k->tk.pub_len = (uint32_t)k->key.pub_len;
    k->ring.keys = &k->tk;
    k->ring.count = 1;
    err = cli_digest("SHA256", k->key.pub, k->key.pub_len, hash, &hash_len);
    if (err) {
        return err;
    }
    cli_hex_string(hash, 8, k->id);
    return 0;
}

void sim_key_free(struct sim_key *k)
{
    cli_key_free(&k->key);
}
