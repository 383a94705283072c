/* RAM and time of the streaming update API (include/ifu/update.h) on the
 * flash simulator:
 * - sizeof(struct ifu_update) and its parts on this host;
 * - peak stack of ifu_update_begin, ifu_update_write (a whole transfer, per
 *   chunk size), ifu_update_finish (ECDSA P-256 and Ed25519) and a resuming
 *   begin, by stack painting: each runs on a painted stack of its own
 *   (ucontext), and the lowest byte that changed marks the peak;
 * - throughput of a whole transfer (begin, writes of N bytes, finish) against
 *   a raw copy of the same bytes into flash through ifu_area_prog in the same
 *   chunks (after erasing the sectors they cover), and against the raw copy
 *   plus SHA-256 of the bytes (what any verifying updater must do), as
 *   ratios measured in one run, round-robin, with the flash operation counts.
 *
 * Usage: bench_update IFU_CLI WORKDIR [RUNS]
 * Signs its images with the ifu CLI (fresh keys in WORKDIR). Host only. */
#define _XOPEN_SOURCE 600 /* ucontext: getcontext, makecontext, swapcontext */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "bench_time.h"
#include "bench_util.h"
#include "ifu/boot.h"
#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/update.h"
#include "ifu_sim.h"

#define SECTOR      4096u
#define PRI_SECS    272u /* 1,088 KiB: a 1 MiB payload and its TLVs fit */
#define SEC_SECS    273u /* swap: one more, the headroom */
#define PAYLOAD     1048576u
#define STACK_SIZE  (256u * 1024u)
#define PAINT       0xa5u
#define MAX_RUNS    101
#define CHUNK_SIZES 4

static const uint32_t chunks[CHUNK_SIZES] = {17, 256, 4096, 65536};

static const char *cli;
static const char *work;

/* A key of type alg and an image of PAYLOAD pseudo-random bytes signed with
 * it; the public key (getpub -e raw) in *pub. */
static uint8_t *make_image(const char *alg, uint32_t *len, uint8_t **pub, uint32_t *pub_len)
{
    char cmd[2048];
    char path[512];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && rm -f '%s/%s.pem' && '%s' keygen -t %s -k '%s/%s.pem' && "
             "'%s' getpub -k '%s/%s.pem' -e raw -o '%s/%s.pub' && "
             "head -c %u /dev/urandom > '%s/payload' && '%s' sign -k '%s/%s.pem' --version 2.0.0 "
             "--header-size 32 --pad-header -S %u '%s/payload' '%s/%s.bin' >/dev/null",
             work, work, alg, cli, alg, work, alg, cli, work, alg, work, alg, PAYLOAD, work, cli,
             work, alg, PRI_SECS * SECTOR, work, work, alg);
    if (bench_run("bench_update", cmd) != 0) {
        return NULL;
    }
    snprintf(path, sizeof path, "%s/%s.pub", work, alg);
    *pub = bench_read_file(path, pub_len);
    snprintf(path, sizeof path, "%s/%s.bin", work, alg);
    return *pub == NULL ? NULL : bench_read_file(path, len);
}

/* ---- the device ------------------------------------------------------------------------ */

static struct ifu_sim sim;
static struct ifu_boot_config cfg;
static struct ifu_boot_layout lay;
static struct ifu_update up;

static int device_init(void)
{
    static const struct ifu_sector_run runs[] = {{SECTOR, PRI_SECS + SEC_SECS}};
    struct ifu_sim_config sc = {
        .sectors = runs, .sector_runs = 1, .write_size = 8, .erased_val = 0xff, .seed = 1};
    int err = ifu_sim_init(&sim, &sc);
    if (err) {
        return err;
    }
    cfg.primary = (struct ifu_area){&sim.flash, 0, PRI_SECS * SECTOR};
    cfg.secondary = (struct ifu_area){&sim.flash, PRI_SECS * SECTOR, SEC_SECS * SECTOR};
    return ifu_boot_layout(&cfg, &lay);
}

/* The transfer under test, in steps that the stack probe can run one by one. */
static const uint8_t *img;
static uint32_t img_len;
static uint32_t chunk;
static uint32_t stop_at; /* write stops here (a resume test); img_len for all */
static int step_err;

static void step_begin(void)
{
    step_err = ifu_update_begin(&up, &cfg, NULL, NULL, NULL);
}

static void step_resume(void)
{
    uint32_t resume;
    step_err = ifu_update_begin(&up, &cfg, NULL, img, &resume);
    if (!step_err && resume == 0) {
        step_err = IFU_ESTATE; /* the probe wants the re-hash path */
    }
}

static void step_write(void)
{
    for (uint32_t off = 0; off < stop_at;) {
        uint32_t n = stop_at - off < chunk ? stop_at - off : chunk;
        int got = ifu_update_write(&up, off, img + off, n);
        if (got < 0) {
            step_err = got;
            return;
        }
        off += (uint32_t)got;
    }
    step_err = 0;
}

static void step_finish(void)
{
    step_err = ifu_update_finish(&up, NULL);
}

static void step_nothing(void)
{
    step_err = 0;
}

/* ---- stack painting -------------------------------------------------------------------- */

static ucontext_t main_ctx;
static ucontext_t probe_ctx;
static uint8_t *probe_stack;
static void (*probe_fn)(void);

static void trampoline(void)
{
    probe_fn();
}

/* Bytes of the probe stack that fn touched (the stack grows down). */
static uint32_t stack_peak(void (*fn)(void))
{
    memset(probe_stack, PAINT, STACK_SIZE);
    if (getcontext(&probe_ctx) != 0) {
        return 0;
    }
    probe_ctx.uc_stack.ss_sp = probe_stack;
    probe_ctx.uc_stack.ss_size = STACK_SIZE;
    probe_ctx.uc_link = &main_ctx;
    makecontext(&probe_ctx, trampoline, 0);
    probe_fn = fn;
    if (swapcontext(&main_ctx, &probe_ctx) != 0) {
        return 0;
    }
    uint32_t low = 0;
    while (low < STACK_SIZE && probe_stack[low] == PAINT) {
        low++;
    }
    return STACK_SIZE - low;
}

/* ---- the raw copy ---------------------------------------------------------------------- */

/* Erase the sectors [at, at + len) covers, then program the bytes in chunks
 * of `chunk`, as a copier without verification would: whole write units
 * straight from the chunk, a partial unit kept until the next chunk fills it.
 * With hash set, SHA-256 over every chunk too. */
static int raw_copy(const struct ifu_area *a, uint32_t at, int hash)
{
    uint8_t pend[IFU_FLASH_MAX_WRITE_SIZE];
    uint32_t have = 0;
    uint32_t w = a->flash->write_size;
    uint32_t start;
    uint32_t size;
    struct ifu_hash h;
    uint8_t digest[IFU_HASH_MAX_SIZE];

    for (uint32_t o = at; o < at + img_len; o = start + size) {
        int err = ifu_area_sector(a, o, &start, &size);
        if (!err) {
            err = ifu_area_erase(a, start, size);
        }
        if (err) {
            return err;
        }
    }
    if (hash && ifu_hash_init(&h, IFU_HASH_SHA256) != 0) {
        return IFU_ECRYPTO;
    }
    uint32_t dst = at;
    for (uint32_t off = 0; off < img_len;) {
        uint32_t n = img_len - off < chunk ? img_len - off : chunk;
        const uint8_t *p = img + off;
        uint32_t left = n;
        int err = hash ? ifu_hash_update(&h, p, n) : 0;
        if (have > 0) {
            uint32_t m = w - have < left ? w - have : left;
            memcpy(pend + have, p, m);
            have += m;
            p += m;
            left -= m;
            if (have == w) {
                err = err ? err : ifu_area_prog(a, dst, pend, w);
                dst += w;
                have = 0;
            }
        }
        uint32_t whole = left / w * w;
        if (whole > 0) {
            err = err ? err : ifu_area_prog(a, dst, p, whole);
            dst += whole;
        }
        memcpy(pend, p + whole, left - whole);
        have += left - whole;
        if (err) {
            return err;
        }
        off += n;
    }
    if (have > 0) {
        memset(pend + have, a->flash->erased_val, w - have);
        int err = ifu_area_prog(a, dst, pend, w);
        if (err) {
            return err;
        }
    }
    return hash ? ifu_hash_finish(&h, digest) : 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static int transfer(void)
{
    stop_at = img_len;
    step_begin();
    if (!step_err) {
        step_write();
    }
    if (!step_err) {
        step_finish();
    }
    return step_err;
}

static void print_ops(const char *what)
{
    printf("  ops %-22s erases=%llu progs=%llu prog_bytes=%llu reads=%llu read_bytes=%llu\n", what,
           (unsigned long long)sim.stats.erases, (unsigned long long)sim.stats.progs,
           (unsigned long long)sim.stats.prog_bytes, (unsigned long long)sim.stats.reads,
           (unsigned long long)sim.stats.read_bytes);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_update IFU_CLI WORKDIR [RUNS]\n");
        return 2;
    }
    cli = argv[1];
    work = argv[2];
    int runs = argc > 3 ? atoi(argv[3]) : 21;
    runs = runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs;

    printf("update sizeof struct ifu_update=%zu struct ifu_verify=%zu update_own=%zu "
           "(host, default config.h; IFU_VERIFY_MAX_HASHES=%d, IFU_FLASH_MAX_WRITE_SIZE=%u)\n",
           sizeof(struct ifu_update), sizeof(struct ifu_verify),
           sizeof(struct ifu_update) - sizeof(struct ifu_verify), IFU_VERIFY_MAX_HASHES,
           IFU_FLASH_MAX_WRITE_SIZE);

    uint8_t *pub[2];
    uint32_t pub_len[2];
    uint32_t len[2];
    uint8_t *image[2];
    const char *algs[2] = {"ecdsa-p256", "ed25519"};
    for (int i = 0; i < 2; i++) {
        image[i] = make_image(algs[i], &len[i], &pub[i], &pub_len[i]);
        if (image[i] == NULL) {
            return 1;
        }
    }
    struct ifu_key keys[2] = {{pub[0], pub_len[0], NULL}, {pub[1], pub_len[1], NULL}};
    struct ifu_keyring ring = {keys, 2};
    int err = device_init();
    if (err) {
        fprintf(stderr, "bench_update: simulator: %s\n", ifu_strerror(err));
        return 1;
    }
    cfg.keys = &ring;
    printf("update geometry: 4 KiB sectors, primary %u, secondary %u, write size 8; images: "
           "%s %u B, %s %u B (payload %u B)\n",
           PRI_SECS, SEC_SECS, algs[0], len[0], algs[1], len[1], PAYLOAD);

    /* Stack. */
    probe_stack = malloc(STACK_SIZE);
    if (probe_stack == NULL) {
        return 1;
    }
    /* A warm-up transfer of each image first: the first call of a shared-library function
     * goes through the dynamic linker's lazy binding, whose own stack use (it saves the vector
     * registers) would otherwise be counted. */
    for (int i = 0; i < 2; i++) {
        img = image[i];
        img_len = len[i];
        chunk = 17;
        if (transfer() != 0) {
            fprintf(stderr, "bench_update: warm-up %s: %s\n", algs[i], ifu_strerror(step_err));
            return 1;
        }
    }
    uint32_t base = stack_peak(step_nothing);
    printf("update stack: painted probe, bytes beyond the probe's own %u (x86-64, this build)\n",
           base);
    for (int i = 0; i < 2; i++) {
        img = image[i];
        img_len = len[i];
        stop_at = img_len;
        for (int c = 0; c < CHUNK_SIZES; c++) {
            chunk = chunks[c];
            uint32_t sb = stack_peak(step_begin);
            uint32_t sw = step_err ? 0 : stack_peak(step_write);
            uint32_t sf = step_err ? 0 : stack_peak(step_finish);
            if (step_err) {
                fprintf(stderr, "bench_update: %s transfer: %s\n", algs[i], ifu_strerror(step_err));
                return 1;
            }
            printf("update stack %-10s chunk=%-5u begin=%u write=%u finish=%u\n", algs[i], chunk,
                   sb - base, sw - base, sf - base);
        }
        /* Resume: half a transfer, then begin with the header re-hashes the kept part. */
        chunk = 4096;
        stop_at = img_len / 2;
        step_begin();
        step_write();
        uint32_t sr = stack_peak(step_resume);
        if (step_err) {
            fprintf(stderr, "bench_update: resume: %s\n", ifu_strerror(step_err));
            return 1;
        }
        struct ifu_update_status us;
        ifu_update_status(&up, NULL, &us);
        printf("update stack %-10s resume begin=%u (re-hashed %u B)\n", algs[i], sr - base,
               us.resumed);
        ifu_update_abort(&up);
    }

    /* Throughput: ECDSA P-256, round-robin over the cases so load hits them alike. */
    img = image[0];
    img_len = len[0];
    static double t[CHUNK_SIZES][3][MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        for (int c = 0; c < CHUNK_SIZES; c++) {
            chunk = chunks[c];
            double t0 = bench_now_ms();
            err = transfer();
            t[c][0][r] = bench_now_ms() - t0;
            t0 = bench_now_ms();
            err = err ? err : raw_copy(&cfg.secondary, lay.headroom, 0);
            t[c][1][r] = bench_now_ms() - t0;
            t0 = bench_now_ms();
            err = err ? err : raw_copy(&cfg.secondary, lay.headroom, 1);
            t[c][2][r] = bench_now_ms() - t0;
            if (err) {
                fprintf(stderr, "bench_update: run %d chunk %u: %s\n", r, chunk, ifu_strerror(err));
                return 1;
            }
        }
    }
    /* Finish alone (the signature check), for the breakdown. */
    double tf[MAX_RUNS];
    chunk = 4096;
    for (int r = 0; r < runs; r++) {
        stop_at = img_len;
        step_begin();
        step_write();
        double t0 = bench_now_ms();
        step_finish();
        tf[r] = bench_now_ms() - t0;
    }
    double mib = (double)img_len / (1024.0 * 1024.0);
    printf("update throughput: %s image %u B, best / median of %d runs, round-robin\n", algs[0],
           img_len, runs);
    for (int c = 0; c < CHUNK_SIZES; c++) {
        double best[3];
        double med[3];
        for (int k = 0; k < 3; k++) {
            best[k] = t[c][k][0];
            for (int r = 1; r < runs; r++) {
                best[k] = t[c][k][r] < best[k] ? t[c][k][r] : best[k];
            }
            med[k] = bench_median(t[c][k], runs);
        }
        printf("result chunk=%-5u update best_ms=%.3f median_ms=%.3f MiB/s=%.0f | raw best_ms=%.3f "
               "median_ms=%.3f MiB/s=%.0f | raw+sha256 best_ms=%.3f median_ms=%.3f | "
               "update/raw=%.3f update/raw+sha256=%.3f (throughput ratios, best)\n",
               chunks[c], best[0], med[0], mib / best[0] * 1000.0, best[1], med[1],
               mib / best[1] * 1000.0, best[2], med[2], best[1] / best[0], best[2] / best[0]);
    }
    printf("result finish (%s: signature check) median_ms=%.3f\n", algs[0], bench_median(tf, runs));

    /* Flash operations of one of each, 4 KiB chunks (exact). */
    chunk = 4096;
    ifu_sim_reset_stats(&sim);
    transfer();
    print_ops("update (4 KiB chunks)");
    ifu_sim_reset_stats(&sim);
    raw_copy(&cfg.secondary, lay.headroom, 0);
    print_ops("raw copy (4 KiB chunks)");
    chunk = 17;
    ifu_sim_reset_stats(&sim);
    transfer();
    print_ops("update (17 B chunks)");
    ifu_sim_reset_stats(&sim);
    raw_copy(&cfg.secondary, lay.headroom, 0);
    print_ops("raw copy (17 B chunks)");

    free(probe_stack);
    ifu_sim_free(&sim);
    for (int i = 0; i < 2; i++) {
        free(image[i]);
        free(pub[i]);
    }
    return 0;
}
