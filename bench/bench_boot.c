/* Flash cost of the boot engine, per geometry, for one update of an image
 * filling 90% of the largest image the layout allows: sector erases (total
 * and the most on one sector), bytes programmed, read calls and bytes, for
 * the install and (swap mode) the revert; and, for uniform maps, the same
 * figures for MCUboot's swap algorithms from bench/mcuboot_model.c, as
 * ratios. Also the engine's own time on a plain boot, without the
 * verification (boot time minus the time of verifying the same image alone).
 *
 * Built once per mode (bench_boot_swap, _overwrite, _xip).
 * Usage: bench_boot IFU_CLI WORKDIR
 * Signs its images with the ifu CLI (fresh Ed25519 key in WORKDIR). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_time.h"
#include "bench_util.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu_sim.h"
#include "mcuboot_model.h"

struct geometry {
    const char *name;
    struct ifu_sector_run pri[3];
    uint32_t pri_runs;
    struct ifu_sector_run sec[3];
    uint32_t sec_runs;
    uint32_t write_size;
    int uniform; /* comparable with MCUboot's move/offset models */
};

/* Secondary one sector larger in swap mode (the headroom). */
static const struct geometry geometries[] = {
    {"uniform-4k-64", {{4096, 64}}, 1, {{4096, 65}}, 1, 8, 1},
    {"uniform-4k-64-w32", {{4096, 64}}, 1, {{4096, 65}}, 1, 32, 1},
    {"stm32f4-mixed", {{16384, 4}, {65536, 1}, {131072, 3}}, 3, {{131072, 5}}, 1, 8, 0},
    {"uniform-128k-8", {{131072, 8}}, 1, {{131072, 9}}, 1, 8, 1},
};

struct counts {
    uint64_t erases;
    uint32_t max_one;
    uint64_t prog_bytes;
    uint64_t reads;
    uint64_t read_bytes;
};

/* Reads the primary image straight from the simulator's memory, for timing
 * the verification alone. */
struct mem_reader {
    const uint8_t *mem;
    uint32_t size;
};

static int mem_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const struct mem_reader *m = ctx;
    if (off > m->size || len > m->size - off) {
        return IFU_EIO;
    }
    memcpy(buf, m->mem + off, len);
    return 0;
}

static double min_of(const double *t, int n)
{
    double m = t[0];
    for (int i = 1; i < n; i++) {
        m = t[i] < m ? t[i] : m;
    }
    return m;
}

static const char *cli;
static const char *work;

/* A signed image of total size close to (never above) total, version major. */
static uint8_t *make_image(uint32_t total, unsigned major, uint32_t *len)
{
    char cmd[1024];
    char path[512];
    /* Ed25519 + SHA-256 + key hash: 32-byte header, 4 + 36 + 36 + 68 TLV bytes. */
    uint32_t payload = total - 32 - 4 - 36 - 36 - 68;
    snprintf(cmd, sizeof cmd,
             "head -c %u /dev/urandom > '%s/payload' && '%s' sign -k '%s/key.pem' --version %u.0.0 "
             "--header-size 32 --pad-header -S %u '%s/payload' '%s/v%u.bin' >/dev/null",
             payload, work, cli, work, major, total + 4096, work, work, major);
    if (bench_run("bench_boot", cmd) != 0) {
        return NULL;
    }
    snprintf(path, sizeof path, "%s/v%u.bin", work, major);
    return bench_read_file(path, len);
}

static void counters(const struct ifu_sim *sim, const uint32_t *before, struct counts *c)
{
    c->erases = sim->stats.erases;
    c->prog_bytes = sim->stats.prog_bytes;
    c->reads = sim->stats.reads;
    c->read_bytes = sim->stats.read_bytes;
    c->max_one = 0;
    for (uint32_t i = 0; i < sim->sector_count; i++) {
        uint32_t d = sim->sector_erases[i] - before[i];
        c->max_one = d > c->max_one ? d : c->max_one;
    }
}

/* verified: bytes the engine read to verify images during the operation
 * (each verification reads its image once); the rest are the copies and the
 * trailer/journal reads, the part MCUboot's model counts. */
static void print_counts(const char *mode, const char *geo, const char *op, uint32_t n,
                         struct counts *c, uint64_t verified)
{
    c->read_bytes -= verified;
    printf("boot %-9s %-18s %-8s N=%-3u erases=%-4llu max/sector=%u prog=%llu B reads=%llu calls, "
           "%llu B besides %llu B of verification\n",
           mode, geo, op, n, (unsigned long long)c->erases, c->max_one,
           (unsigned long long)c->prog_bytes, (unsigned long long)c->reads,
           (unsigned long long)c->read_bytes, (unsigned long long)verified);
}

static void compare_mcuboot(const struct geometry *g, uint32_t n, const struct counts *ifu,
                            enum mcuboot_op op, const char *what)
{
    static const char *names[] = {"swap-scratch", "swap-move", "swap-offset"};
    struct mcuboot_geom mg = {.sector_size = g->pri[0].size,
                              .write_size = g->write_size,
                              .slot_sectors = g->pri[0].count};
    for (int a = 0; a < 3; a++) {
        struct mcuboot_counts mc;
        int why = mcuboot_model_run((enum mcuboot_alg)a, &mg, n, op, &mc);
        if (why != 0) {
            printf("  vs MCUboot %-12s %s: cannot do it: %s\n", names[a], what,
                   why == MCUBOOT_MODEL_ETOOBIG    ? "the image does not fit beside its trailer"
                   : why == MCUBOOT_MODEL_EUNIFORM ? "sectors differ in size"
                                                   : "slot geometry not supported");
            continue;
        }
        printf("  vs MCUboot %-12s %s: erases %u (ifu/mcuboot %.3f), max/sector %u, prog %llu B "
               "(%.3f), reads %llu B (%.3f)\n",
               names[a], what, mc.erases, (double)ifu->erases / mc.erases, mc.max_erases_one_sector,
               (unsigned long long)mc.prog_total, (double)ifu->prog_bytes / (double)mc.prog_total,
               (unsigned long long)mc.read_total, (double)ifu->read_bytes / (double)mc.read_total);
    }
}

static int stage(const struct ifu_boot_config *cfg, uint32_t at, const uint8_t *img, uint32_t len)
{
    uint32_t start;
    uint32_t size;
    for (uint32_t off = at; off < cfg->secondary.size; off = start + size) {
        if (ifu_area_sector(&cfg->secondary, off, &start, &size) != 0 ||
            ifu_area_erase(&cfg->secondary, start, size) != 0) {
            return -1;
        }
    }
    uint32_t w = cfg->secondary.flash->write_size;
    uint32_t padded = (len + w - 1) / w * w;
    uint8_t *buf = malloc(padded);
    memset(buf, 0xff, padded);
    memcpy(buf, img, len);
    int err = ifu_area_prog(&cfg->secondary, at, buf, padded);
    free(buf);
    return err;
}

static const char *mode_name(void)
{
    switch (ifu_boot_mode()) {
    case IFU_BOOT_MODE_OVERWRITE:
        return "overwrite";
    case IFU_BOOT_MODE_SWAP:
        return "swap";
    default:
        return "xip";
    }
}

static int bench_geometry(const struct geometry *g, const struct ifu_keyring *ring)
{
    struct ifu_sector_run runs[6];
    uint32_t nruns = 0;
    uint32_t pri_size = 0;
    uint32_t sec_size = 0;
    for (uint32_t i = 0; i < g->pri_runs; i++) {
        runs[nruns++] = g->pri[i];
        pri_size += g->pri[i].size * g->pri[i].count;
    }
    for (uint32_t i = 0; i < g->sec_runs; i++) {
        runs[nruns] = g->sec[i];
        /* Overwrite and XIP need no headroom sector. */
        if (ifu_boot_mode() != IFU_BOOT_MODE_SWAP && i == g->sec_runs - 1) {
            runs[nruns].count--;
        }
        sec_size += runs[nruns].size * runs[nruns].count;
        nruns++;
    }
    struct ifu_sim_config sc = {runs, nruns, g->write_size, 0xff, 0, 1};
    struct ifu_sim sim;
    if (ifu_sim_init(&sim, &sc) != 0) {
        return 1;
    }
    struct ifu_boot_config cfg = {.primary = {&sim.flash, 0, pri_size},
                                  .secondary = {&sim.flash, pri_size, sec_size},
                                  .keys = ring};
    struct ifu_boot_layout lay;
    int err = ifu_boot_layout(&cfg, &lay);
    if (err) {
        printf("boot %-9s %-18s layout refused: %s\n", mode_name(), g->name, ifu_strerror(err));
        ifu_sim_free(&sim);
        return 0;
    }
    uint32_t total = lay.max_image_size / 10 * 9;
    uint32_t l1;
    uint32_t l2;
    uint8_t *v1 = make_image(total, 1, &l1);
    uint8_t *v2 = make_image(total, 2, &l2);
    if (v1 == NULL || v2 == NULL) {
        return 1;
    }
    uint32_t n = 0;
    for (uint32_t off = 0; off < l2; n++) {
        uint32_t start;
        uint32_t size;
        ifu_area_sector(&cfg.primary, off, &start, &size);
        off = start + size;
    }
    static struct ifu_boot b;
    struct ifu_boot_result res;
    uint32_t *before = calloc(sim.sector_count, sizeof *before);
    struct counts c;

    /* Factory image, then a plain boot: the engine's cost without an update. */
    ifu_sim_poke(&sim, 0, v1, l1);
    if (ifu_boot_mode() == IFU_BOOT_MODE_XIP) {
        stage(&cfg, 0, v1, l1); /* XIP: slot B holds the same image */
    }
    double t[21];
    double tv[21];
    struct mem_reader mr = {sim.mem, pri_size};
    struct ifu_image_reader rd = {mem_read, &mr};
    for (int i = 0; i < 21; i++) {
        struct ifu_image_info info;
        double t0 = bench_now_ms();
        err = ifu_boot_go(&b, &cfg, &res);
        t[i] = bench_now_ms() - t0;
        t0 = bench_now_ms();
        int verr = ifu_image_verify(&rd, pri_size, ring, 0, IFU_HASHSET(IFU_HASH_SHA256), &info);
        tv[i] = bench_now_ms() - t0;
        err = err ? err : verr;
    }
    if (err) {
        printf("boot %-9s %-18s plain boot failed: %s\n", mode_name(), g->name, ifu_strerror(err));
        return 1;
    }
    ifu_sim_reset_stats(&sim);
    memcpy(before, sim.sector_erases, sim.sector_count * sizeof *before);
    ifu_boot_go(&b, &cfg, &res);
    counters(&sim, before, &c);
    /* Best of 21, each boot next to a verification of the same image: under
     * load the minimum is the figure that repeats; medians of the two drift
     * apart by more than the engine's own time. */
    double t_boot = min_of(t, 21);
    /* XIP verifies both slots on every boot. */
    double t_verify = min_of(tv, 21) * (ifu_boot_mode() == IFU_BOOT_MODE_XIP ? 2 : 1);
    printf("boot %-9s %-18s plain    boot %.3f ms, verify alone %.3f ms, engine %.3f ms "
           "(best of 21); reads=%llu calls, %llu B (image %u B)\n",
           mode_name(), g->name, t_boot, t_verify, t_boot - t_verify, (unsigned long long)c.reads,
           (unsigned long long)c.read_bytes, l1);

    /* The update: stage v2 (the download; not counted), request, reset. */
    uint32_t at = ifu_boot_mode() == IFU_BOOT_MODE_XIP ? 0 : lay.headroom;
    if (stage(&cfg, at, v2, l2) != 0 ||
        ifu_boot_request(&cfg, ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE
                                   ? IFU_BOOT_REQ_PERMANENT
                                   : IFU_BOOT_REQ_TEST) != 0) {
        return 1;
    }
    ifu_sim_reset_stats(&sim);
    memcpy(before, sim.sector_erases, sim.sector_count * sizeof *before);
    err = ifu_boot_go(&b, &cfg, &res);
    counters(&sim, before, &c);
    if (err || res.info.hdr.version.major != 2) {
        printf("boot %-9s %-18s install failed: %s\n", mode_name(), g->name, ifu_strerror(err));
        return 1;
    }
    /* Swap verifies the staged, the running and the installed image; overwrite the staged and
     * the installed one; XIP both slots. */
    uint64_t verified = ifu_boot_mode() == IFU_BOOT_MODE_SWAP        ? 2ull * l2 + l1
                        : ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE ? 2ull * l2
                                                                     : (uint64_t)l1 + l2;
    print_counts(mode_name(), g->name, "install", n, &c, verified);
    if (ifu_boot_mode() == IFU_BOOT_MODE_SWAP && g->uniform) {
        compare_mcuboot(g, n, &c, MCUBOOT_OP_TEST, "upgrade");
    }
    if (ifu_boot_mode() != IFU_BOOT_MODE_OVERWRITE) {
        /* No confirm: the next reset reverts. */
        ifu_sim_reset_stats(&sim);
        memcpy(before, sim.sector_erases, sim.sector_count * sizeof *before);
        err = ifu_boot_go(&b, &cfg, &res);
        counters(&sim, before, &c);
        if (err || res.info.hdr.version.major != 1) {
            printf("boot %-9s %-18s revert failed: %s\n", mode_name(), g->name, ifu_strerror(err));
            return 1;
        }
        /* Swap: the saved image, then the restored one; XIP: the slot left
         * (the failed trial is rejected unread). */
        verified = ifu_boot_mode() == IFU_BOOT_MODE_SWAP ? 2ull * l1 : l1;
        print_counts(mode_name(), g->name, "revert", n, &c, verified);
        if (ifu_boot_mode() == IFU_BOOT_MODE_SWAP && g->uniform) {
            compare_mcuboot(g, n, &c, MCUBOOT_OP_REVERT, "revert");
        }
    }
    free(before);
    free(v1);
    free(v2);
    ifu_sim_free(&sim);
    return 0;
}

int main(int argc, char **argv)
{
    char cmd[1024];
    char path[512];
    uint32_t pub_len;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_boot IFU_CLI WORKDIR\n");
        return 2;
    }
    cli = argv[1];
    work = argv[2];
    if (mcuboot_model_selfcheck() != 0) {
        fprintf(stderr, "bench_boot: the MCUboot model does not reproduce its anchors\n");
        return 1;
    }
    snprintf(
        cmd, sizeof cmd,
        "mkdir -p '%s' && rm -f '%s/key.pem' && '%s' keygen -t ed25519 -k '%s/key.pem' && '%s' "
        "getpub -k '%s/key.pem' -e raw -o '%s/pub.bin'",
        work, work, cli, work, cli, work, work);
    if (bench_run("bench_boot", cmd) != 0) {
        return 1;
    }
    snprintf(path, sizeof path, "%s/pub.bin", work);
    uint8_t *pub = bench_read_file(path, &pub_len);
    if (pub == NULL) {
        return 1;
    }
    struct ifu_key key = {pub, pub_len, NULL};
    struct ifu_keyring ring = {&key, 1};
    int status = 0;
    for (size_t i = 0; i < sizeof geometries / sizeof geometries[0]; i++) {
        status |= bench_geometry(&geometries[i], &ring);
    }
    free(pub);
    return status;
}
