/* Internal interface of ifu-sim (tools/ifu-sim), a host program that plays a
 * device whose flash lives in a file. Not installed.
 *
 * It links the `ifu` CLI's helpers (tools/ifu: option parsing, files, keys,
 * cli_main), so every message reads "ifu-sim: <what>: <why>". Conventions
 * as in tools/ifu/cli.h: fallible functions return 0 or a negative code, the
 * function that detects a failure prints the one line the user sees, main()
 * turns the code into the exit status (docs/SIM.md "Exit status"). */
#ifndef IFU_SIM_CLI_H
#define IFU_SIM_CLI_H

#include <stdint.h>

#include "cli.h" /* tools/ifu */
#include "ifu/boot.h"
#include "ifu/flash.h"
#include "ifu_sim.h"

/* Exit statuses (docs/SIM.md). */
#define SIM_EXIT_OK      0
#define SIM_EXIT_REFUSED 1 /* no bootable image; a call not valid in the flash's state */
#define SIM_EXIT_USAGE   2 /* bad command line, an image too large, a mode that cannot */
#define SIM_EXIT_IO      3 /* a file or key cannot be used; the flash file is inconsistent */
#define SIM_EXIT_CRYPTO  4 /* the crypto backend or OpenSSL failed */
#define SIM_EXIT_CUT     5 /* boot --cut-at: the power was cut before an image booted */

/* A boot that ended in the requested power cut. Outside the ifu_err range. */
#define SIM_ECUT (-1001)

/* What was cut, or last done: kinds of flash operation. */
enum sim_op_kind {
    SIM_OP_NONE = 0,
    SIM_OP_PROG,
    SIM_OP_ERASE,
};

/* One device: the flash file, its description (the ".layout" sidecar) and
 * the slots. Lives at a fixed address while open: flash.ctx points to it. */
struct sim_dev {
    const char *path;   /* the flash file (caller's string) */
    char *desc_path;    /* path + ".layout" */
    const char *layout; /* layout name, see sim_layout_names */
    char *layout_owned; /* layout's memory when read from the description */
    enum ifu_boot_mode mode;
    uint32_t write_size; /* bytes */
    uint8_t erased;      /* 0xff or 0x00 */
    uint64_t seed;       /* of the torn bytes of a power cut */
    unsigned running;    /* direct-XIP: slot the application runs from (0 A, 1 B) */
    struct ifu_sector_run runs[4];
    uint32_t run_count;
    uint32_t map_addr;
    struct ifu_area slot[2]; /* 0 primary (XIP: A), 1 secondary (XIP: B) */
    struct ifu_sim sim;
    /* Every ifu call goes through this flash: it forwards to sim.flash and
     * remembers the last program or erase, to name the one a cut hit. */
    struct ifu_flash flash;
    enum sim_op_kind last_kind;
    uint32_t last_off;
    uint32_t last_len;
    int open;
};

/* ---- device.c ---- */

/* "uniform-4k, stm32f4, uniform-128k" for messages. */
extern const char sim_layout_names[];

/* Fill dev (not yet opened) for a new device: layout name, write size,
 * erased value, with this program's boot mode. Fails with IFU_EINVAL and a
 * message for an unknown layout or a bad value. */
int sim_dev_describe(struct sim_dev *dev, const char *path, const char *layout, uint32_t write_size,
                     uint8_t erased);

/* Create the flash file (all erased) and its description. Refuses an
 * existing flash file unless force. */
int sim_dev_create(struct sim_dev *dev, int force);

/* Open an existing device: read the description, check the file's size,
 * map it. seed: of the torn bytes of a power cut (>= 1). Fails with a message (IFU_EIO: missing or
 * inconsistent files, IFU_EUNSUPPORTED: made for another boot mode). */
int sim_dev_open(struct sim_dev *dev, const char *path, uint64_t seed);

/* The description part of sim_dev_open: parse text (the ".layout" file's
 * contents, NUL-terminated; modified) into dev, whose path, desc_path, seed
 * and mode are set, and compute the geometry and the flash dev->slot uses
 * (its callbacks reach dev->sim once that is open). Fails with IFU_EIO or
 * IFU_EUNSUPPORTED and a message. dev->layout_owned is set either way
 * (sim_dev_close frees it). */
int sim_dev_read_desc(struct sim_dev *dev, char *text);

/* Write the description again (after `running` changed). */
int sim_dev_save(const struct sim_dev *dev);

void sim_dev_close(struct sim_dev *dev);

/* The boot configuration. app: as the application sees it (direct-XIP: the
 * running slot as primary); else as the bootloader does. keys may be NULL. */
void sim_dev_config(const struct sim_dev *dev, int app, const struct ifu_keyring *keys,
                    struct ifu_boot_config *cfg);

/* ifu_boot_layout for the device, with a message on failure. */
int sim_dev_layout(const struct sim_dev *dev, struct ifu_boot_layout *lay);

/* Refuse (IFU_ESTATE, with a message) while an interrupted install or revert
 * awaits the bootloader: the application does not run then. */
int sim_dev_require_idle(const struct sim_dev *dev, const char *cmd);

/* "swap", "overwrite", "xip". */
const char *sim_mode_name(enum ifu_boot_mode mode);
const char *sim_state_name(enum ifu_boot_state state);

/* Print a one-line description of the last flash operation into out. */
void sim_dev_last_op(const struct sim_dev *dev, char *out, size_t size);

/* Read an image file; *len is the bytes to write: up to the end of the
 * unprotected TLV area when the file holds a parsable image (padding and a
 * trailer after it are left out, with a note), else the whole file. */
int sim_image_file(const char *path, struct cli_buf *img, uint32_t *len);

/* What sim_area_write erases before it programs. */
enum sim_erase {
    SIM_ERASE_NONE = 0,     /* the caller erased the range */
    SIM_ERASE_RANGE,        /* every sector the range touches */
    SIM_ERASE_WITH_TRAILER, /* those and the area's last sector (its trailer) */
};

/* Write len >= 1 bytes of data at area offset off, erasing first as erase
 * says. The last write unit is padded with the erased value. */
int sim_area_write(const struct ifu_area *a, uint32_t off, const uint8_t *data, uint32_t len,
                   enum sim_erase erase, const char *what);

/* A message for a failed ifu call: "<what>: <ifu_strerror>". Returns err. */
int sim_fail_ifu(int err, const char *what, const char *doing);

/* Trusted key for the verifier, from a private or public PEM. */
struct sim_key {
    struct cli_key key;
    struct ifu_key tk;
    struct ifu_keyring ring;
    char id[17]; /* first 8 bytes of SHA-256 of the key bytes, hex */
};
int sim_key_load(const char *path, struct sim_key *k);
void sim_key_free(struct sim_key *k);

/* ---- commands ---- */

int sim_cmd_init(int argc, char **argv);
int sim_cmd_flash(int argc, char **argv);
int sim_cmd_stage(int argc, char **argv);
int sim_cmd_request(int argc, char **argv);
int sim_cmd_confirm(int argc, char **argv);
int sim_cmd_state(int argc, char **argv);
int sim_cmd_boot(int argc, char **argv);
int sim_cmd_show(int argc, char **argv);

#endif /* IFU_SIM_CLI_H */
