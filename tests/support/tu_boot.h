/* A boot-engine test rig: one simulated flash (port/sim) holding both slots,
 * the engine's configuration and hooks, and helpers to plant, stage and
 * compare images. Host only; allocates. */
#ifndef IFU_TU_BOOT_H
#define IFU_TU_BOOT_H

#include <stdint.h>

#include "ifu/boot.h"
#include "ifu_sim.h"
#include "tu_image.h"

#define TU_KIB 1024u

/* A device map and two slots on it. */
struct tu_geom {
    const char *name;
    struct ifu_sector_run runs[4]; /* the whole device */
    uint32_t run_count;
    uint32_t pri_off, pri_size; /* primary (XIP: slot A) */
    uint32_t sec_off, sec_size; /* secondary (XIP: slot B) */
    uint32_t write_size;
    uint8_t erased;
    uint32_t map_addr; /* flash.map_addr */
    uint32_t otp_size; /* bytes of simulated OTP; 0 for none */
    int mapped;        /* 1: flash.map set (ifu_sim_set_mapped); see also TU_MAPPED_ENV */
};

/* If this environment variable is "1", every rig maps its flash, whatever
 * tu_geom.mapped says: tests/map.cmake reruns whole boot test programs (and
 * a power-loss matrix) that way, to show the same verdicts with reads in
 * place. */
#define TU_MAPPED_ENV "IFU_TEST_FLASH_MAPPED"

/* 1 if the environment asks for mapped flash (TU_MAPPED_ENV). */
int tu_mapped_env(void);

/* The geometry most boot tests use: 40 sectors of 4 KiB; primary 16 sectors at 0, secondary 17
 * (one sector of headroom) right after it, sectors 33..39 spare; write size 8, erased 0xff, mapped
 * at 0x08000000. */
extern const struct tu_geom tu_geom_u4k;

/* A small uniform map: 4 KiB sectors, primary 8, secondary 9, three spare, then two
 * 256-byte sectors at TU_GEOM_SMALL_SPARE (room for a small flash counter ring); write size 8,
 * erased 0xff, mapped at 0x08000000. */
extern const struct tu_geom tu_geom_small;
#define TU_GEOM_SMALL_SPARE (20u * 4u * TU_KIB)

#define TU_EV_MAX 16

struct tu_rig {
    struct ifu_sim sim;
    struct ifu_boot_config cfg;
    struct ifu_boot_layout lay;
    int layout_err; /* ifu_boot_layout() of cfg */
    struct ifu_boot boot;
    /* Filled by the hooks, zeroed by tu_rig_go. */
    unsigned recovery_calls;
    unsigned ev_count[TU_EV_MAX];
    unsigned rejected_slots; /* bit per slot named by IFU_BOOT_EV_REJECTED */
};

/* "overwrite", "swap" or "xip": the mode the program is linked with, for test names. */
const char *tu_boot_mode_name(void);

/* Create the sim (every byte erased) and the configuration with the
 * keyring of tu_image_keyring(). Returns ifu_sim_init()'s error. */
int tu_rig_init(struct tu_rig *r, const struct tu_geom *g, uint64_t seed);
void tu_rig_free(struct tu_rig *r);

/* Slot 0 (primary / A) or 1 (secondary / B). */
const struct ifu_area *tu_rig_slot(const struct tu_rig *r, unsigned slot);

/* Where a staged image starts in slot 1: the layout's headroom (swap), else 0. */
uint32_t tu_rig_stage_off(const struct tu_rig *r);

/* Plant img at slot offset off, bypassing the NOR rules and the counters. */
void tu_rig_poke_image(struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img);

/* Stage img as an application does: erase the whole slot through the flash
 * layer, then program img at off (the last unit padded with the erased value).
 * Returns 0 or the first error. */
int tu_rig_stage(struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img);

/* The same on any area (any flash driver): erase all of a, then program img
 * at area offset off, the last unit padded with the erased value. Returns 0
 * or the first error. */
int tu_area_stage(const struct ifu_area *a, uint32_t off, const struct tu_image *img);

/* 1 if the slot's bytes at off are exactly img's. */
int tu_rig_holds(const struct tu_rig *r, unsigned slot, uint32_t off, const struct tu_image *img);

/* Pointer to the slot's bytes in the sim (for snapshots in tests). */
const uint8_t *tu_rig_bytes(const struct tu_rig *r, unsigned slot);

/* Run ifu_boot_go with the rig's configuration (hook counters reset first). */
int tu_rig_go(struct tu_rig *r, struct ifu_boot_result *res);

/* The configuration the application uses: the bootloader's, except that in
 * direct-XIP primary is the slot it runs from and secondary the other. */
void tu_rig_app_cfg(const struct tu_rig *r, unsigned running, struct ifu_boot_config *out);

#endif /* IFU_TU_BOOT_H */
