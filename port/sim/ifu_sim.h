/* Host flash simulator with NOR semantics and power-loss injection.
 *
 * Host code (tests, fuzzers, benchmarks, the ifu-sim program): it allocates.
 * A struct ifu_sim carries a ready struct ifu_flash (sim->flash) whose
 * callbacks enforce what real NOR flash does and what drivers get wrong:
 * - prog only moves bits away from the erased value; programming a byte that
 *   is not erased is refused with IFU_EIO and counted (stats.prog_over), and
 *   nothing is written;
 * - prog must be aligned to write_size in offset and length, erase must
 *   cover exactly one sector; otherwise IFU_EINVAL, counted (stats.misuse);
 * - every erase and prog counts as one operation; per-sector erase and
 *   program counters.
 *
 * Power loss: ifu_sim_arm_cut(sim, k, mode) cuts power at the k-th operation
 * (prog or erase) from now, k >= 1. That operation is
 *   IFU_SIM_CUT_CLEAN: not performed;
 *   IFU_SIM_CUT_DONE:  performed completely;
 *   IFU_SIM_CUT_TORN:  prog: each bit that should have moved moved with
 *                      probability 1/2; erase: the sector is left with random
 *                      bytes;
 * and it and every later read, prog, erase and sync fail with IFU_EIO until
 * ifu_sim_power_on(). Randomness comes from the seed, so a failing case
 * replays exactly.
 *
 * OTP: an optional separate array (otp_size bytes) whose bits move one way
 * only, 0 -> 1 (eFuse); it starts all zero. Programming ORs the data in.
 * OTP operations count as operations for the cut too (a torn OTP program
 * lands a random subset of the new 1 bits). */
#ifndef IFU_SIM_H
#define IFU_SIM_H

#include <stdint.h>

#include "ifu/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ifu_sim_cut {
    IFU_SIM_CUT_CLEAN = 0,
    IFU_SIM_CUT_DONE = 1,
    IFU_SIM_CUT_TORN = 2,
};
#define IFU_SIM_CUT_MODES 3

struct ifu_sim_config {
    const struct ifu_sector_run *sectors; /* copied */
    uint32_t sector_runs;
    uint32_t write_size; /* 1..32, power of two */
    uint8_t erased_val;  /* 0xff or 0x00 */
    uint32_t otp_size;   /* bytes of OTP; 0 for none */
    uint64_t seed;       /* for torn operations */
};

struct ifu_sim_stats {
    uint64_t ops;        /* progs + erases + otp progs since the last reset_stats */
    uint64_t erases;     /* sector erases */
    uint64_t progs;      /* prog calls */
    uint64_t prog_bytes; /* bytes programmed */
    uint64_t reads;      /* read calls */
    uint64_t read_bytes; /* bytes read */
    uint64_t syncs;
    uint64_t otp_progs;
    uint64_t prog_over; /* refused progs over non-erased bytes */
    uint64_t misuse;    /* refused misaligned / out-of-range requests */
};

struct ifu_sim {
    struct ifu_flash flash; /* hand &sim->flash to ifu; flash.ctx is the sim */
    /* Everything below is the simulator's. */
    uint8_t *mem;
    uint32_t size;
    struct ifu_sector_run *runs;
    uint32_t sector_count;
    uint32_t *sector_erases; /* per sector, since creation */
    uint32_t *sector_progs;  /* per sector, since creation */
    uint8_t *otp;
    uint32_t otp_size;
    struct ifu_sim_stats stats;
    uint64_t rng;
    uint64_t cut_at; /* stats.ops value at which to cut; 0 = not armed */
    enum ifu_sim_cut cut_mode;
    int powered;      /* 0 after a cut until ifu_sim_power_on */
    int cut_happened; /* 1 once the armed cut fired */
    int fd;           /* file-backed: the image file, else -1 */
};

/* Create a simulator with every byte erased (or, file-backed, the file's
 * content). Returns 0, IFU_EINVAL for a bad config, IFU_ENOSPC if memory runs
 * out. */
int ifu_sim_init(struct ifu_sim *sim, const struct ifu_sim_config *cfg);

/* Same, backed by a file: the flash content is the file's (created erased if
 * missing or of another size), and every prog and erase is written through,
 * so another process sees it and a killed process loses nothing that
 * returned. The OTP, if any, is kept in a second file, path + ".otp". */
int ifu_sim_open_file(struct ifu_sim *sim, const struct ifu_sim_config *cfg, const char *path);

void ifu_sim_free(struct ifu_sim *sim);

/* Arm a power cut at the k-th operation from now (k >= 1). k = 0 disarms. */
void ifu_sim_arm_cut(struct ifu_sim *sim, uint64_t k, enum ifu_sim_cut mode);

/* 1 if the armed cut has fired (power is off), else 0. */
int ifu_sim_cut_fired(const struct ifu_sim *sim);

/* Power back on after a cut (a "reboot"): operations work again, the cut is
 * disarmed. The flash keeps whatever the cut left. */
void ifu_sim_power_on(struct ifu_sim *sim);

/* Snapshot and restore the flash and OTP content (not counters). The snapshot
 * is allocated by ifu_sim_save; free it with ifu_sim_snapshot_free. */
struct ifu_sim_snapshot;
struct ifu_sim_snapshot *ifu_sim_save(const struct ifu_sim *sim);
void ifu_sim_restore(struct ifu_sim *sim, const struct ifu_sim_snapshot *snap);
void ifu_sim_snapshot_free(struct ifu_sim_snapshot *snap);

/* Zero stats (not the per-sector counters). */
void ifu_sim_reset_stats(struct ifu_sim *sim);

/* Index of the sector holding offset off, or -1. */
int ifu_sim_sector_index(const struct ifu_sim *sim, uint32_t off);

/* OTP access (bits 0 -> 1 only). Return 0, IFU_EINVAL out of range, IFU_EIO
 * after a cut. */
int ifu_sim_otp_read(struct ifu_sim *sim, uint32_t off, void *buf, uint32_t len);
int ifu_sim_otp_prog(struct ifu_sim *sim, uint32_t off, const void *buf, uint32_t len);

/* Expose the simulated flash as memory-mapped (on = 1) or not (on = 0, the
 * default after init): sets sim->flash.map to the simulator's own array, so
 * ifu reads image bytes in place (include/ifu/flash.h). The array is the
 * flash: every prog, erase, torn operation, poke and restore shows in it at
 * once, as it does through read. Unlike read, a mapped read still works
 * after a power cut (memory does not fail; the next prog or erase does).
 * Mapped reads are not counted in stats. */
void ifu_sim_set_mapped(struct ifu_sim *sim, int on);

/* Direct access for tests that plant content, bypassing NOR rules and
 * counters: copy len bytes into flash at off. */
void ifu_sim_poke(struct ifu_sim *sim, uint32_t off, const void *buf, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* IFU_SIM_H */
