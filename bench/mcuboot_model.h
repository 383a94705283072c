/* Flash-operation model of MCUboot's three swap algorithms, for comparing
 * against ifu's offset swap (docs/DESIGN.md §7.4). Host only. Our own code:
 * it reproduces counts derived from MCUboot's documentation and sources, it
 * contains none of MCUboot's code. See mcuboot_model.c for every formula and
 * its derivation, and docs/notes-mcuboot-swap.md for a summary.
 *
 * Source read: github.com/mcu-tools/mcuboot at commit
 * 2d4bacc3c15ebb6f91c28807fe6eb38b4ba98f77 — docs/design.md and
 * boot/bootutil/src/{swap_scratch,swap_move,swap_offset,swap_misc,loader,
 * bootutil_misc,bootutil_public,bootutil_area}.c.
 *
 * Scope: one image pair, no encryption, a flash that needs erasing
 * (MCUboot's device_requires_erase() true), no interruption, uniform sectors
 * of one size in both slots and in the scratch. */
#ifndef IFU_BENCH_MCUBOOT_MODEL_H
#define IFU_BENCH_MCUBOOT_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum mcuboot_alg {
    MCUBOOT_SWAP_SCRATCH = 0, /* MCUBOOT_SWAP_USING_SCRATCH */
    MCUBOOT_SWAP_MOVE = 1,    /* MCUBOOT_SWAP_USING_MOVE */
    MCUBOOT_SWAP_OFFSET = 2,  /* MCUBOOT_SWAP_USING_OFFSET */
};

/* The operation being modelled. TEST and PERM are upgrades (design.md
 * "Image trailers", states II and III); REVERT is the swap back after an
 * unconfirmed test image (state IV, and state I for swap-offset). All three
 * algorithms define a revert: it is another full swap. */
enum mcuboot_op {
    MCUBOOT_OP_TEST = 0,
    MCUBOOT_OP_PERM = 1,
    MCUBOOT_OP_REVERT = 2,
};

enum mcuboot_area {
    MCUBOOT_AREA_PRIMARY = 0,
    MCUBOOT_AREA_SECONDARY = 1,
    MCUBOOT_AREA_SCRATCH = 2,
};

/* Uniform geometry. Zero in an optional field picks the default noted. */
struct mcuboot_geom {
    uint32_t sector_size;       /* erase sector, bytes (every area) */
    uint32_t write_size;        /* flash program unit, 1..32, power of two */
    uint32_t slot_sectors;      /* primary slot size in sectors */
    uint32_t secondary_sectors; /* 0: the algorithm's optimum (scratch: equal,
                                   move: slot_sectors - 1, offset: + 1) */
    uint32_t scratch_sectors;   /* swap-scratch only; 0: 1 sector */
    uint32_t max_img_sectors;   /* MCUBOOT_MAX_IMG_SECTORS; 0: 128 */
};

/* Counts for one uninterrupted operation. "meta" is everything that is not
 * image data: swap-status records and trailer fields (magic, swap_info,
 * swap_size, image_ok, copy_done, swap-offset's TLV sizes). */
struct mcuboot_counts {
    uint32_t erases; /* sector erases, all areas */
    uint32_t erases_primary;
    uint32_t erases_secondary;
    uint32_t erases_scratch;
    uint32_t max_erases_one_sector; /* highest erase count of a single sector */
    enum mcuboot_area max_area;     /* an area holding such a sector (first of
                                       scratch, primary, secondary) */
    uint32_t trailer_sectors;       /* T: sectors the slot trailer spans */
    uint32_t regions;               /* swap steps: sectors (move/offset) or
                                       scratch-sized regions (scratch) */
    uint64_t prog_data;             /* image bytes programmed (sector copies) */
    uint64_t prog_meta;             /* status and trailer bytes programmed */
    uint64_t prog_total;
    uint64_t read_data; /* image bytes read by the copies */
    uint64_t read_meta; /* trailer reads inside the operation (approximate,
                           see mcuboot_model.c "Reads") */
    uint64_t read_total;
};

enum mcuboot_model_err {
    MCUBOOT_MODEL_OK = 0,
    MCUBOOT_MODEL_EARG = 1,     /* zero/invalid field, n == 0 */
    MCUBOOT_MODEL_ESECTORS = 2, /* a slot has more sectors than max_img_sectors */
    MCUBOOT_MODEL_ESLOTS = 3,   /* slot sector counts or sizes not compatible */
    MCUBOOT_MODEL_ESCRATCH = 4, /* a swap region does not fit the scratch */
    MCUBOOT_MODEL_ETOOBIG = 5,  /* image does not fit beside the trailer */
    MCUBOOT_MODEL_EUNIFORM = 6, /* move/offset: sectors not all one size */
};

/* One operation of n image sectors: n = ceil(max(|old|, |new|) / sector)
 * with |x| the image size including header and TLVs (MCUboot swaps the
 * larger of the two images, loader.c boot_swap_image). Returns
 * MCUBOOT_MODEL_OK and fills *out, or an mcuboot_model_err. */
int mcuboot_model_swap_scratch(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                               struct mcuboot_counts *out);
int mcuboot_model_swap_move(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                            struct mcuboot_counts *out);
int mcuboot_model_swap_offset(const struct mcuboot_geom *g, uint32_t n, enum mcuboot_op op,
                              struct mcuboot_counts *out);
/* Dispatch on alg. */
int mcuboot_model_run(enum mcuboot_alg alg, const struct mcuboot_geom *g, uint32_t n,
                      enum mcuboot_op op, struct mcuboot_counts *out);

/* Bytes of one slot trailer (boot_trailer_sz) and the largest image n the
 * algorithm accepts for g, in sectors (0 if none). */
uint32_t mcuboot_model_trailer_size(enum mcuboot_alg alg, uint32_t write_size,
                                    uint32_t max_img_sectors);
uint32_t mcuboot_model_max_image_sectors(enum mcuboot_alg alg, const struct mcuboot_geom *g);

/* General sector maps, as runs of equal sectors (like ifu's flash map). */
struct mcuboot_run {
    uint32_t size;  /* bytes */
    uint32_t count; /* sectors */
};
struct mcuboot_map {
    const struct mcuboot_run *runs;
    size_t n_runs;
};
struct mcuboot_layout {
    struct mcuboot_map primary;
    struct mcuboot_map secondary;
    struct mcuboot_map scratch; /* swap-scratch only; may be empty otherwise */
    uint32_t write_size;
    uint32_t max_img_sectors; /* 0: 128 */
};

/* Whether MCUboot's alg can swap images between these slots at all (the
 * checks MCUboot makes before a swap, plus the documented uniform-sector
 * requirement). Returns MCUBOOT_MODEL_OK or an mcuboot_model_err. Image
 * size limits are separate: mcuboot_model_max_image_sectors. */
int mcuboot_model_supports(enum mcuboot_alg alg, const struct mcuboot_layout *l);

/* Reproduce the measured anchors (one upgrade, 60-sector image, 4 KiB
 * sectors): scratch 183 erases / 61 on the scratch sector, move 182 / 2,
 * offset 122 / 1. Returns 0 when all hold, else the number of mismatches. */
int mcuboot_model_selfcheck(void);

#endif /* IFU_BENCH_MCUBOOT_MODEL_H */
