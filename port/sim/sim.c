/* Host flash simulator: see port/sim/ifu_sim.h for the rules it enforces.
 *
 * Counting: stats.ops counts every prog, erase and OTP prog that passed its
 * checks, including the one a cut falls on. Requests refused for misuse or
 * for programming over programmed bytes are not operations. stats.erases,
 * stats.progs, stats.prog_bytes and the per-sector counters count what was
 * performed at least partly (so not an operation cut CLEAN).
 *
 * File backing: the flash content lives in memory and every change is
 * written through to the file with pwrite before the callback returns. The
 * OTP file is mapped shared, so each OTP store reaches the page cache at once;
 * either way a killed process loses nothing that returned. */
#define _POSIX_C_SOURCE 200809L /* pread, pwrite, ftruncate, mmap */

#include "ifu_sim.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ifu/errors.h"

struct ifu_sim_snapshot {
    uint32_t size;
    uint32_t otp_size;
    uint8_t data[]; /* size flash bytes, then otp_size OTP bytes */
};

/* splitmix64: one 64-bit state, a fixed sequence per seed. */
static uint64_t rng_next(struct ifu_sim *sim)
{
    uint64_t z = (sim->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint8_t rng_byte(struct ifu_sim *sim)
{
    return (uint8_t)(rng_next(sim) >> 56);
}

static struct ifu_sim *sim_of(const struct ifu_flash *fl)
{
    return fl->ctx;
}

/* The sector holding off: its index, first byte and size. -1 past the end. */
static int sector_find(const struct ifu_sim *sim, uint32_t off, uint32_t *start, uint32_t *size)
{
    uint64_t base = 0;
    uint32_t index = 0;
    for (uint32_t i = 0; i < sim->flash.sector_runs; i++) {
        const struct ifu_sector_run *r = &sim->runs[i];
        uint64_t run_len = (uint64_t)r->size * r->count;
        if (off < base + run_len) {
            uint32_t k = (uint32_t)((off - base) / r->size);
            *start = (uint32_t)(base + (uint64_t)k * r->size);
            *size = r->size;
            return (int)(index + k);
        }
        base += run_len;
        index += r->count;
    }
    return -1;
}

/* Write [off, off+len) of mem through to the backing file, if any. */
static int persist(struct ifu_sim *sim, uint32_t off, uint32_t len)
{
    while (sim->fd >= 0 && len > 0) {
        ssize_t n = pwrite(sim->fd, sim->mem + off, len, (off_t)off);
        if (n <= 0) {
            return IFU_EIO;
        }
        off += (uint32_t)n;
        len -= (uint32_t)n;
    }
    return 0;
}

/* Count one operation. Returns the cut mode if the armed cut falls on it
 * (power is then off), else -1. */
static int op_count(struct ifu_sim *sim)
{
    sim->stats.ops++;
    if (sim->cut_at != 0 && sim->stats.ops >= sim->cut_at) {
        sim->cut_at = 0;
        sim->powered = 0;
        sim->cut_happened = 1;
        return (int)sim->cut_mode;
    }
    return -1;
}

static int misuse(struct ifu_sim *sim)
{
    sim->stats.misuse++;
    return IFU_EINVAL;
}

static int in_range(const struct ifu_sim *sim, uint32_t off, uint32_t len)
{
    return (uint64_t)off + len <= sim->size;
}

static int sim_read(const struct ifu_flash *fl, uint32_t off, void *buf, uint32_t len)
{
    struct ifu_sim *sim = sim_of(fl);
    if (!sim->powered) {
        return IFU_EIO;
    }
    if (!in_range(sim, off, len) || (buf == NULL && len > 0)) {
        return misuse(sim);
    }
    sim->stats.reads++;
    sim->stats.read_bytes += len;
    if (len > 0) {
        memcpy(buf, sim->mem + off, len);
    }
    return 0;
}

static int sim_prog(const struct ifu_flash *fl, uint32_t off, const void *buf, uint32_t len)
{
    struct ifu_sim *sim = sim_of(fl);
    const uint8_t *src = buf;
    uint8_t ev = sim->flash.erased_val;
    uint32_t mask = sim->flash.write_size - 1;

    if (!sim->powered) {
        return IFU_EIO;
    }
    if (!in_range(sim, off, len) || (off & mask) != 0 || (len & mask) != 0 ||
        (buf == NULL && len > 0)) {
        return misuse(sim);
    }
    if (len == 0) {
        return 0;
    }
    for (uint32_t i = 0; i < len; i++) {
        /* NOR cannot move a bit back without an erase; ECC flash forbids it. */
        if (sim->mem[off + i] != ev) {
            sim->stats.prog_over++;
            return IFU_EIO;
        }
    }

    int cut = op_count(sim);
    if (cut == IFU_SIM_CUT_CLEAN) {
        return IFU_EIO;
    }
    for (uint32_t i = 0; i < len; i++) {
        uint8_t moved = (uint8_t)(ev ^ src[i]);
        if (cut == IFU_SIM_CUT_TORN) {
            moved &= rng_byte(sim);
        }
        sim->mem[off + i] = (uint8_t)(ev ^ moved);
    }
    sim->stats.progs++;
    sim->stats.prog_bytes += len;
    uint32_t start;
    uint32_t size;
    int first = sector_find(sim, off, &start, &size);
    int last = sector_find(sim, off + len - 1, &start, &size);
    for (int s = first; s <= last; s++) {
        sim->sector_progs[s]++;
    }
    int err = persist(sim, off, len);
    return cut >= 0 ? IFU_EIO : err;
}

static int sim_erase(const struct ifu_flash *fl, uint32_t off, uint32_t len)
{
    struct ifu_sim *sim = sim_of(fl);
    uint32_t start;
    uint32_t size;

    if (!sim->powered) {
        return IFU_EIO;
    }
    int index = sector_find(sim, off, &start, &size);
    if (index < 0 || start != off || len != size) {
        return misuse(sim);
    }

    int cut = op_count(sim);
    if (cut == IFU_SIM_CUT_CLEAN) {
        return IFU_EIO;
    }
    if (cut == IFU_SIM_CUT_TORN) {
        for (uint32_t i = 0; i < len; i++) {
            sim->mem[off + i] = rng_byte(sim);
        }
    } else {
        memset(sim->mem + off, sim->flash.erased_val, len);
    }
    sim->stats.erases++;
    sim->sector_erases[index]++;
    int err = persist(sim, off, len);
    return cut >= 0 ? IFU_EIO : err;
}

static int sim_sync(const struct ifu_flash *fl)
{
    struct ifu_sim *sim = sim_of(fl);
    if (!sim->powered) {
        return IFU_EIO;
    }
    sim->stats.syncs++;
    return 0;
}

/* see port/sim/ifu_sim.h */
int ifu_sim_init(struct ifu_sim *sim, const struct ifu_sim_config *cfg)
{
    if (sim == NULL) {
        return IFU_EINVAL;
    }
    memset(sim, 0, sizeof *sim);
    sim->fd = -1;
    if (cfg == NULL || cfg->sectors == NULL || cfg->sector_runs == 0) {
        return IFU_EINVAL;
    }

    /* ifu_flash_check validates the geometry the sim will enforce. */
    struct ifu_flash *fl = &sim->flash;
    fl->ctx = sim;
    fl->read = sim_read;
    fl->prog = sim_prog;
    fl->erase = sim_erase;
    fl->sync = sim_sync;
    fl->write_size = cfg->write_size;
    fl->erased_val = cfg->erased_val;
    fl->sectors = cfg->sectors;
    fl->sector_runs = cfg->sector_runs;
    if (ifu_flash_check(fl) != 0) {
        memset(sim, 0, sizeof *sim);
        sim->fd = -1;
        return IFU_EINVAL;
    }

    sim->size = ifu_flash_size(fl);
    uint64_t sectors = 0;
    for (uint32_t i = 0; i < cfg->sector_runs; i++) {
        sectors += cfg->sectors[i].count;
    }
    if (sectors > 0x7fffffffu) {
        memset(sim, 0, sizeof *sim);
        sim->fd = -1;
        return IFU_EINVAL;
    }
    sim->sector_count = (uint32_t)sectors;
    sim->runs = malloc(cfg->sector_runs * sizeof *sim->runs);
    sim->mem = malloc(sim->size);
    sim->sector_erases = calloc(sim->sector_count, sizeof *sim->sector_erases);
    sim->sector_progs = calloc(sim->sector_count, sizeof *sim->sector_progs);
    sim->otp_size = cfg->otp_size;
    sim->otp = cfg->otp_size > 0 ? calloc(cfg->otp_size, 1) : NULL;
    if (sim->runs == NULL || sim->mem == NULL || sim->sector_erases == NULL ||
        sim->sector_progs == NULL || (cfg->otp_size > 0 && sim->otp == NULL)) {
        ifu_sim_free(sim);
        return IFU_ENOSPC;
    }
    memcpy(sim->runs, cfg->sectors, cfg->sector_runs * sizeof *sim->runs);
    fl->sectors = sim->runs;
    memset(sim->mem, cfg->erased_val, sim->size);
    sim->rng = cfg->seed;
    sim->powered = 1;
    return 0;
}

/* Read all of fd into buf; 0 or IFU_EIO. */
static int read_all(int fd, uint8_t *buf, uint32_t len)
{
    uint32_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, (off_t)done);
        if (n <= 0) {
            return IFU_EIO;
        }
        done += (uint32_t)n;
    }
    return 0;
}

/* Map path + ".otp" shared, zero-filled if new or of another size. */
static uint8_t *otp_map(const char *path, uint32_t otp_size)
{
    size_t n = strlen(path);
    char *name = malloc(n + sizeof ".otp");
    if (name == NULL) {
        return NULL;
    }
    snprintf(name, n + sizeof ".otp", "%s.otp", path);
    int fd = open(name, O_RDWR | O_CREAT, 0644);
    free(name);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0) {
        /* OTP starts all zero, which is what ftruncate fills with. */
        if (st.st_size == (off_t)otp_size ||
            (ftruncate(fd, 0) == 0 && ftruncate(fd, (off_t)otp_size) == 0)) {
            map = mmap(NULL, otp_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
    }
    close(fd); /* the mapping keeps the file */
    return map == MAP_FAILED ? NULL : map;
}

/* see port/sim/ifu_sim.h */
int ifu_sim_open_file(struct ifu_sim *sim, const struct ifu_sim_config *cfg, const char *path)
{
    if (path == NULL) {
        return IFU_EINVAL;
    }
    int err = ifu_sim_init(sim, cfg);
    if (err) {
        return err;
    }
    uint8_t *otp = NULL;
    if (sim->otp_size > 0) {
        otp = otp_map(path, sim->otp_size);
        if (otp == NULL) {
            ifu_sim_free(sim);
            return IFU_EIO;
        }
    }
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    struct stat st;
    err = fd < 0 || fstat(fd, &st) != 0 ? IFU_EIO : 0;
    if (!err && st.st_size == (off_t)sim->size) {
        err = read_all(fd, sim->mem, sim->size);
    } else if (!err) {
        /* Missing or of another geometry: start erased. */
        sim->fd = fd;
        err = ftruncate(fd, 0) == 0 ? persist(sim, 0, sim->size) : IFU_EIO;
        sim->fd = -1;
    }
    if (err) {
        if (fd >= 0) {
            close(fd);
        }
        if (otp != NULL) {
            munmap(otp, sim->otp_size);
        }
        ifu_sim_free(sim);
        return err;
    }
    if (otp != NULL) {
        free(sim->otp);
        sim->otp = otp;
    }
    sim->fd = fd;
    return 0;
}

/* see port/sim/ifu_sim.h */
void ifu_sim_free(struct ifu_sim *sim)
{
    if (sim == NULL) {
        return;
    }
    if (sim->fd >= 0) {
        /* File-backed: the OTP is the mapped file. */
        if (sim->otp != NULL) {
            munmap(sim->otp, sim->otp_size);
        }
        close(sim->fd);
    } else {
        free(sim->otp);
    }
    free(sim->mem);
    free(sim->runs);
    free(sim->sector_erases);
    free(sim->sector_progs);
    memset(sim, 0, sizeof *sim);
    sim->fd = -1;
}

/* see port/sim/ifu_sim.h */
void ifu_sim_arm_cut(struct ifu_sim *sim, uint64_t k, enum ifu_sim_cut mode)
{
    sim->cut_at = k == 0 ? 0 : sim->stats.ops + k;
    sim->cut_mode = mode;
}

/* see port/sim/ifu_sim.h */
int ifu_sim_cut_fired(const struct ifu_sim *sim)
{
    return sim->cut_happened;
}

/* see port/sim/ifu_sim.h */
void ifu_sim_power_on(struct ifu_sim *sim)
{
    sim->powered = 1;
    sim->cut_happened = 0;
    sim->cut_at = 0;
}

/* see port/sim/ifu_sim.h */
struct ifu_sim_snapshot *ifu_sim_save(const struct ifu_sim *sim)
{
    struct ifu_sim_snapshot *snap = malloc(sizeof *snap + (size_t)sim->size + sim->otp_size);
    if (snap == NULL) {
        return NULL;
    }
    snap->size = sim->size;
    snap->otp_size = sim->otp_size;
    memcpy(snap->data, sim->mem, sim->size);
    if (sim->otp_size > 0) {
        memcpy(snap->data + sim->size, sim->otp, sim->otp_size);
    }
    return snap;
}

/* A test that restores a snapshot of another geometry, or whose backing file
 * fails, has a bug: stop loudly rather than run on wrong content. */
static void fatal(const char *what)
{
    fprintf(stderr, "ifu_sim: %s\n", what);
    abort();
}

/* see port/sim/ifu_sim.h */
void ifu_sim_restore(struct ifu_sim *sim, const struct ifu_sim_snapshot *snap)
{
    if (snap == NULL || snap->size != sim->size || snap->otp_size != sim->otp_size) {
        fatal("restore: snapshot of another geometry");
    }
    memcpy(sim->mem, snap->data, sim->size);
    if (sim->otp_size > 0) {
        memcpy(sim->otp, snap->data + sim->size, sim->otp_size);
    }
    if (persist(sim, 0, sim->size) != 0) {
        fatal("restore: cannot write the backing file");
    }
}

/* see port/sim/ifu_sim.h */
void ifu_sim_snapshot_free(struct ifu_sim_snapshot *snap)
{
    free(snap);
}

/* see port/sim/ifu_sim.h */
void ifu_sim_reset_stats(struct ifu_sim *sim)
{
    /* An armed cut stays the same number of operations away. */
    if (sim->cut_at != 0) {
        sim->cut_at -= sim->stats.ops;
    }
    memset(&sim->stats, 0, sizeof sim->stats);
}

/* see port/sim/ifu_sim.h */
int ifu_sim_sector_index(const struct ifu_sim *sim, uint32_t off)
{
    uint32_t start;
    uint32_t size;
    return sector_find(sim, off, &start, &size);
}

/* see port/sim/ifu_sim.h */
int ifu_sim_otp_read(struct ifu_sim *sim, uint32_t off, void *buf, uint32_t len)
{
    if (!sim->powered) {
        return IFU_EIO;
    }
    if ((uint64_t)off + len > sim->otp_size || (buf == NULL && len > 0)) {
        return misuse(sim);
    }
    if (len > 0) {
        memcpy(buf, sim->otp + off, len);
    }
    return 0;
}

/* see port/sim/ifu_sim.h */
int ifu_sim_otp_prog(struct ifu_sim *sim, uint32_t off, const void *buf, uint32_t len)
{
    const uint8_t *src = buf;
    if (!sim->powered) {
        return IFU_EIO;
    }
    if ((uint64_t)off + len > sim->otp_size || (buf == NULL && len > 0)) {
        return misuse(sim);
    }
    if (len == 0) {
        return 0;
    }
    int cut = op_count(sim);
    if (cut == IFU_SIM_CUT_CLEAN) {
        return IFU_EIO;
    }
    for (uint32_t i = 0; i < len; i++) {
        /* A fuse, once blown, stays blown: only 0 -> 1. */
        uint8_t blow = (uint8_t)(src[i] & ~sim->otp[off + i]);
        if (cut == IFU_SIM_CUT_TORN) {
            blow &= rng_byte(sim);
        }
        sim->otp[off + i] |= blow;
    }
    sim->stats.otp_progs++;
    return cut >= 0 ? IFU_EIO : 0;
}

/* see port/sim/ifu_sim.h */
void ifu_sim_poke(struct ifu_sim *sim, uint32_t off, const void *buf, uint32_t len)
{
    if (!in_range(sim, off, len)) {
        fatal("poke: range outside the flash");
    }
    if (len == 0) {
        return;
    }
    memcpy(sim->mem + off, buf, len);
    if (persist(sim, off, len) != 0) {
        fatal("poke: cannot write the backing file");
    }
}

/* see port/sim/ifu_sim.h */
void ifu_sim_set_mapped(struct ifu_sim *sim, int on)
{
    sim->flash.map = on ? sim->mem : NULL;
}
