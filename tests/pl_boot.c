/* The power-loss matrix of the boot engine (docs/DESIGN.md §7.3-7.8), one
 * program per mode: test_powerloss_overwrite, _swap, _xip.
 *
 * For each geometry and scenario (a list of application actions and boots),
 * the scenario runs once uncut to count its flash operations N; then for
 * every cut k in 1..N and every cut mode (clean, done, torn) the start image
 * is restored, power is cut at operation k, the device "reboots" and
 * ifu_boot_go runs until it returns 0 (on a sampled subset it is cut again,
 * one or two more times, during that recovery), and the scenario continues.
 * Checked after every boot and at the end:
 *   B1  the named slot holds, byte for byte, one of the known signed images
 *       (nothing unverified is named), and a boot never fails;
 *   B5  a boot that refused a staged image left the primary's image bytes alone;
 *   B6  an image once seen confirmed stays confirmed (and the same image)
 *       until the application asks for another install;
 *   the final image and state are among those the scenario allows for a cut
 *   in that step; the simulator never saw a program over programmed bytes or
 *   a misaligned request; uncut, no sector is erased twice in one boot (B3).
 *
 * Default: a covering set of geometries (every sector map, write size 1, 8
 * and 32, erased 0xff and 0x00); IFU_PL_FULL=1 or --full runs the full cross
 * product; IFU_PL_SAMPLE=N cuts only at every N-th operation (for slow
 * sanitizer builds). A failure prints the case and the command line that
 * reruns it:
 *   test_powerloss_<mode> --geom G --scenario S --k K --cut clean|done|torn --nest N
 * which runs that one case with a trace of each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "tu_boot.h"
#include "tu_image.h"

#define KIB TU_KIB

/* ---- images and outcomes ---- */

enum img_id { IMG_A, IMG_B, IMG_C, IMG_COUNT };
enum st_id { ST_CONFIRMED, ST_REVERTED, ST_TESTING, ST_COUNT };

#define OUT(img, st) (1u << ((img)*ST_COUNT + (st)))
#define AC           OUT(IMG_A, ST_CONFIRMED)
#define AR           OUT(IMG_A, ST_REVERTED)
#define BC           OUT(IMG_B, ST_CONFIRMED)
#define BR           OUT(IMG_B, ST_REVERTED)
#define CC           OUT(IMG_C, ST_CONFIRMED)

static const char *outcome_name(int o)
{
    static const char *names[] = {"A confirmed", "A reverted", "A testing",
                                  "B confirmed", "B reverted", "B testing",
                                  "C confirmed", "C reverted", "C testing"};
    return o >= 0 && o < IMG_COUNT * ST_COUNT ? names[o] : "none";
}

/* ---- geometries ---- */

enum shape { SHAPE_U4K, SHAPE_F4, SHAPE_U128K, SHAPE_COUNT };

struct shape_def {
    const char *name;
    struct tu_geom geom; /* write size and erased value filled per variant */
    uint32_t payload[IMG_COUNT];
};

static const struct shape_def shapes[SHAPE_COUNT] = {
    /* 4 KiB sectors: primary 14, secondary 15; images of about 9-11 sectors. */
    {"u4k",
     {.runs = {{4 * KIB, 29}},
      .run_count = 1,
      .pri_size = 14 * 4 * KIB,
      .sec_off = 14 * 4 * KIB,
      .sec_size = 15 * 4 * KIB},
     {40000, 44000, 36000}},
    /* STM32F4-like: primary {16K,4},{64K,1},{128K,3}, secondary {128K,5}. */
    {"f4",
     {.runs = {{16 * KIB, 4}, {64 * KIB, 1}, {128 * KIB, 8}},
      .run_count = 3,
      .pri_size = 512 * KIB,
      .sec_off = 512 * KIB,
      .sec_size = 640 * KIB},
     {36000, 52000, 20000}},
    /* 128 KiB sectors: primary 4, secondary 5; images under one sector. */
    {"u128k",
     {.runs = {{128 * KIB, 9}},
      .run_count = 1,
      .pri_size = 4 * 128 * KIB,
      .sec_off = 4 * 128 * KIB,
      .sec_size = 5 * 128 * KIB},
     {24000, 32000, 16000}},
};

static const uint32_t write_sizes[] = {1, 8, 32};
static const uint8_t erased_vals[] = {0xff, 0x00};

struct variant {
    enum shape shape;
    uint32_t write_size;
    uint8_t erased;
};

/* Default: every map, every write size, both erased values at least once. */
static const struct variant covering[] = {
    {SHAPE_U4K, 8, 0xff}, {SHAPE_U4K, 1, 0x00},   {SHAPE_U4K, 32, 0xff},
    {SHAPE_F4, 8, 0x00},  {SHAPE_U128K, 1, 0xff},
};

static void variant_name(const struct variant *v, char *out, size_t n)
{
    snprintf(out, n, "%s-w%u-%02x", shapes[v->shape].name, (unsigned)v->write_size, v->erased);
}

/* ---- scenarios ---- */

enum act { ACT_REQ_TEST, ACT_REQ_PERM, ACT_CONFIRM, ACT_BOOT, ACT_STAGE_C };

static const char *act_name(enum act a)
{
    static const char *names[] = {"request-test", "request-permanent", "confirm", "boot",
                                  "stage-C"};
    return names[a];
}

#define MAX_STEPS   8
#define M_OVERWRITE (1u << IFU_BOOT_MODE_OVERWRITE)
#define M_SWAP      (1u << IFU_BOOT_MODE_SWAP)
#define M_XIP       (1u << IFU_BOOT_MODE_XIP)

struct scenario {
    const char *name;
    unsigned modes;
    unsigned nsteps;
    enum act steps[MAX_STEPS];
    uint32_t uncut;              /* the outcome without a cut */
    uint32_t allowed[MAX_STEPS]; /* final outcomes allowed when the cut fell in step i */
};

/* A runs, B is staged (at the start), C is staged later by the application. */
static const struct scenario scenarios[] = {
    {"test-confirm",
     M_SWAP | M_XIP,
     4,
     {ACT_REQ_TEST, ACT_BOOT, ACT_CONFIRM, ACT_BOOT},
     BC,
     /* A cut request that completed is installed by the recovery boot, so
      * the next boot is the trial's second: it reverts. */
     {AC | BC | AR, BC | AR, BC | AR, BC}},
    {"test-revert",
     M_SWAP | M_XIP,
     4,
     {ACT_REQ_TEST, ACT_BOOT, ACT_BOOT, ACT_BOOT},
     AR,
     {AC | AR, AR, AR, AR}},
    {"permanent",
     M_SWAP | M_XIP | M_OVERWRITE,
     3,
     {ACT_REQ_PERM, ACT_BOOT, ACT_BOOT},
     BC,
     {AC | BC, BC, BC}},
    /* An update cut anywhere (mid-install, mid-trial, mid-confirm), then a
     * new image staged and requested after recovery; a cut while staging
     * leaves a partial image that is then requested and must be refused. */
    {"restage",
     M_SWAP,
     7,
     {ACT_REQ_TEST, ACT_BOOT, ACT_CONFIRM, ACT_STAGE_C, ACT_REQ_PERM, ACT_BOOT, ACT_BOOT},
     CC,
     {CC, CC, CC, BC | AR | CC, BC | AR | CC, CC, CC}},
    /* XIP: staging C erases the other slot, which may clear a rejection;
     * a requested slot that fails verification is marked rejected, and the
     * image in the other slot then reads as REVERTED. */
    {"restage",
     M_XIP,
     7,
     {ACT_REQ_TEST, ACT_BOOT, ACT_CONFIRM, ACT_STAGE_C, ACT_REQ_PERM, ACT_BOOT, ACT_BOOT},
     CC,
     {CC, CC, CC, BC | BR | AR | AC | CC, BC | BR | AR | AC | CC, CC, CC}},
    {"restage",
     M_OVERWRITE,
     6,
     {ACT_REQ_PERM, ACT_BOOT, ACT_STAGE_C, ACT_REQ_PERM, ACT_BOOT, ACT_BOOT},
     CC,
     {CC, CC, BC | CC, BC | CC, CC, CC}},
};
#define SCENARIO_COUNT (sizeof scenarios / sizeof scenarios[0])

/* ---- the run ---- */

static enum ifu_boot_mode mode;
static const char *mode_name;

struct options {
    int full;
    int verbose;
    const char *geom;     /* NULL: all */
    const char *scenario; /* NULL: all */
    long k;               /* 0: all */
    int cut;              /* -1: all */
    int nest;             /* 0: the sampled default */
    long sample;          /* cut at every sample-th operation only (IFU_PL_SAMPLE); 1: all */
};
static struct options opt = {.cut = -1, .sample = 1};

struct totals {
    uint64_t cases, cuts, torn, nested, failures;
};
static struct totals tot;

/* What the scenario runner remembers between steps. */
struct pl_state {
    unsigned running; /* slot of the last boot */
    unsigned target;  /* slot the application stages into and requests */
    int tracker;      /* outcome that must persist (B6), -1 for none */
    int last;         /* outcome of the last boot, -1 before the first */
};

struct pl_case {
    struct tu_rig *r;
    const struct scenario *sc;
    const char *geom;
    const struct tu_image *img[IMG_COUNT];
    uint32_t check_len; /* primary bytes compared for B5 */
    uint8_t *pri_before;
    char why[256];
    int failed;
    int cut_seen; /* a cut fell earlier in this case */
};

static void failf(struct pl_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void failf(struct pl_case *c, const char *fmt, ...)
{
    if (c->failed) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    c->failed = 1;
}

static void trace(const char *fmt, ...)
{
    if (!opt.verbose) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* The flag fields and the magic of both slots, for a traced rerun. */
static void trace_trailers(const struct tu_rig *r)
{
    if (!opt.verbose) {
        return;
    }
    uint32_t al = r->sim.flash.write_size > 8 ? r->sim.flash.write_size : 8;
    uint32_t m = al > 16 ? al : 16;
    static const char *fields[] = {"image_ok",  "copy_done", "swap_info",
                                   "swap_size", "trial",     "rejected"};
    for (unsigned s = 0; s < 2; s++) {
        const struct ifu_area *a = tu_rig_slot(r, s);
        const uint8_t *p = tu_rig_bytes(r, s);
        printf("      slot %u: magic %02x%02x..%02x", s, p[a->size - 16], p[a->size - 15],
               p[a->size - 1]);
        for (unsigned f = 0; f < 6; f++) {
            printf(" %s=%02x", fields[f], p[a->size - m - (f + 1) * al]);
        }
        printf("\n");
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    return x ^ (x >> 33);
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    while (*s != '\0') {
        h = (h ^ (uint8_t)*s++) * 0x100000001b3u;
    }
    return h;
}

static int state_index(enum ifu_boot_state s)
{
    return s == IFU_BOOT_STATE_CONFIRMED  ? ST_CONFIRMED
           : s == IFU_BOOT_STATE_REVERTED ? ST_REVERTED
           : s == IFU_BOOT_STATE_TESTING  ? ST_TESTING
                                          : -1;
}

/* B1, B5, B6 for one boot that returned 0. */
static void check_boot(struct pl_case *c, struct pl_state *ps, const struct ifu_boot_result *res)
{
    struct tu_rig *r = c->r;
    int img = -1;
    for (int i = 0; i < IMG_COUNT; i++) {
        if (res->slot <= 1 && res->info.total_size == c->img[i]->len &&
            tu_rig_holds(r, res->slot, 0, c->img[i])) {
            img = i;
        }
    }
    if (img < 0) {
        failf(c, "B1: boot named slot %u, which holds none of the signed images", res->slot);
        return;
    }
    if (res->image_off != tu_rig_slot(r, res->slot)->off) {
        failf(c, "boot named image_off 0x%x for slot %u", (unsigned)res->image_off, res->slot);
        return;
    }
    int st = state_index(res->state);
    if (st < 0) {
        failf(c, "boot reported state %d", (int)res->state);
        return;
    }
    int o = img * ST_COUNT + st;
    trace("    boot: slot %u, %s, actions 0x%02x, reject %d\n", res->slot, outcome_name(o),
          (unsigned)res->actions, res->reject_err);
    trace_trailers(r);
    if ((res->actions & IFU_BOOT_DID_REJECT) != 0 && mode != IFU_BOOT_MODE_XIP &&
        memcmp(tu_rig_bytes(r, 0), c->pri_before, c->check_len) != 0) {
        failf(c, "B5: a boot that refused an image changed the primary");
        return;
    }
    /* B6 is about image_ok: CONFIRMED and REVERTED both have it. (XIP
     * reports REVERTED once the other slot is marked rejected, also when that
     * slot was a refused request; see test_boot_xip_refused_request_...) */
    if (ps->tracker >= 0 &&
        (img != ps->tracker / ST_COUNT || (st != ST_CONFIRMED && st != ST_REVERTED))) {
        failf(c, "B6: %s became %s without a request", outcome_name(ps->tracker), outcome_name(o));
        return;
    }
    if (st == ST_CONFIRMED || st == ST_REVERTED) {
        ps->tracker = o;
    }
    ps->running = res->slot;
    ps->last = o;
}

static void before_boot(struct pl_case *c)
{
    if (mode != IFU_BOOT_MODE_XIP) {
        memcpy(c->pri_before, tu_rig_bytes(c->r, 0), c->check_len);
    }
}

/* One step. Returns 0, or the error the step got (a cut gives IFU_EIO). */
static int run_step(struct pl_case *c, struct pl_state *ps, enum act a)
{
    struct tu_rig *r = c->r;
    struct ifu_boot_config app;
    struct ifu_boot_result res;
    int err = 0;

    trace("  %s\n", act_name(a));
    switch (a) {
    case ACT_REQ_TEST:
    case ACT_REQ_PERM:
        ps->tracker = -1;
        tu_rig_app_cfg(r, 1 - ps->target, &app);
        err =
            ifu_boot_request(&app, a == ACT_REQ_TEST ? IFU_BOOT_REQ_TEST : IFU_BOOT_REQ_PERMANENT);
        /* After a cut, the trailer may hold a torn write: the application
         * is told to stage again, and this scenario goes on without it. */
        if (err == IFU_ESTATE && c->cut_seen) {
            trace("    request refused: %s\n", ifu_strerror(err));
            err = 0;
        }
        break;
    case ACT_CONFIRM:
        tu_rig_app_cfg(r, ps->running, &app);
        err = ifu_boot_confirm(&app);
        break;
    case ACT_STAGE_C:
        ps->tracker = -1;
        ps->target = mode == IFU_BOOT_MODE_XIP ? 1 - ps->running : 1;
        err = tu_rig_stage(r, ps->target, ps->target == 1 ? tu_rig_stage_off(r) : 0, c->img[IMG_C]);
        break;
    case ACT_BOOT:
        before_boot(c);
        err = tu_rig_go(r, &res);
        if (err == 0) {
            check_boot(c, ps, &res);
        }
        break;
    }
    return err;
}

/* Nested cut for recovery level `level`: count the ops an uncut recovery
 * takes from here, then arm a cut at a position derived from the seed. */
static int arm_nested(struct pl_case *c, uint64_t seed, int level, enum ifu_sim_cut *cm)
{
    struct tu_rig *r = c->r;
    struct ifu_boot_result res;
    struct ifu_sim_snapshot *snap = ifu_sim_save(&r->sim);
    if (snap == NULL) {
        failf(c, "out of memory");
        return 0;
    }
    uint64_t ops0 = r->sim.stats.ops;
    int err = tu_rig_go(r, &res);
    uint64_t n = r->sim.stats.ops - ops0;
    ifu_sim_restore(&r->sim, snap);
    ifu_sim_snapshot_free(snap);
    if (err != 0 || n == 0) {
        return 0; /* the real run reports the error; nothing to cut */
    }
    uint64_t h = mix(seed ^ (uint64_t)level * 0x9e3779b97f4a7c15u);
    *cm = (enum ifu_sim_cut)((h >> 32) % IFU_SIM_CUT_MODES);
    uint64_t k = 1 + h % n;
    trace("    nested cut %d at op %llu of %llu, mode %d\n", level, (unsigned long long)k,
          (unsigned long long)n, (int)*cm);
    r->sim.rng = mix(h); /* torn bytes from the case's seed, so a rerun replays */
    ifu_sim_arm_cut(&r->sim, k, *cm);
    return 1;
}

/* After a cut: power on and boot until a boot returns 0, cutting again
 * during recovery until `nest` cuts have fallen. */
static void recover(struct pl_case *c, struct pl_state *ps, uint64_t seed, int nest)
{
    struct tu_rig *r = c->r;
    struct ifu_boot_result res;
    int cuts = 1;

    for (;;) {
        ifu_sim_power_on(&r->sim);
        enum ifu_sim_cut cm = IFU_SIM_CUT_CLEAN;
        int armed = cuts < nest && arm_nested(c, seed, cuts + 1, &cm);
        before_boot(c);
        trace("  boot (recovery)\n");
        int err = tu_rig_go(r, &res);
        if (armed && ifu_sim_cut_fired(&r->sim)) {
            cuts++;
            tot.cuts++;
            tot.nested++;
            tot.torn += cm == IFU_SIM_CUT_TORN;
            continue;
        }
        ifu_sim_arm_cut(&r->sim, 0, IFU_SIM_CUT_CLEAN);
        if (err != 0) {
            failf(c, "B1: recovery boot failed: %s", ifu_strerror(err));
            return;
        }
        check_boot(c, ps, &res);
        return;
    }
}

/* Geometry-wide context: the rig, the start image and the reference run. */
struct pl_ref {
    struct ifu_sim_snapshot *snap[MAX_STEPS + 1];
    struct pl_state state[MAX_STEPS + 1];
    uint64_t ops_before[MAX_STEPS + 1];
};

static void start_image(struct pl_case *c)
{
    struct tu_rig *r = c->r;
    uint8_t one = 0x01;
    uint8_t erased[64];
    memset(erased, r->sim.flash.erased_val, sizeof erased);
    /* Start from erased slots, then plant A (running) and B (staged). */
    for (unsigned s = 0; s < 2; s++) {
        const struct ifu_area *a = tu_rig_slot(r, s);
        for (uint32_t off = 0; off < a->size; off += sizeof erased) {
            ifu_sim_poke(&r->sim, a->off + off, erased, sizeof erased);
        }
    }
    tu_rig_poke_image(r, 0, 0, c->img[IMG_A]);
    tu_rig_poke_image(r, 1, tu_rig_stage_off(r), c->img[IMG_B]);
    if (mode == IFU_BOOT_MODE_XIP) {
        /* Slot A as a confirmed earlier test update left it: magic, trial
         * (S - M - 5A) and image_ok (S - M - A), MCUboot's A and M. */
        const struct ifu_area *a = tu_rig_slot(r, 0);
        uint32_t al = r->sim.flash.write_size > 8 ? r->sim.flash.write_size : 8;
        uint32_t m = al > 16 ? al : 16;
        struct ifu_boot_config app;
        tu_rig_app_cfg(r, 1, &app); /* primary = B, secondary = A */
        if (ifu_boot_request(&app, IFU_BOOT_REQ_PERMANENT) != 0) {
            failf(c, "cannot write slot A's trailer");
        }
        ifu_sim_poke(&r->sim, a->off + a->size - m - 5 * al, &one, 1);
    }
}

static void run_case(struct pl_case *c, const struct pl_ref *ref, uint64_t k, int cm, int nest,
                     uint64_t seed)
{
    struct tu_rig *r = c->r;
    const struct scenario *sc = c->sc;
    unsigned i = 0;
    while (i + 1 < sc->nsteps && ref->ops_before[i + 1] < k) {
        i++;
    }
    struct pl_state ps = ref->state[i];
    ifu_sim_restore(&r->sim, ref->snap[i]);
    ifu_sim_reset_stats(&r->sim);
    c->failed = 0;
    c->cut_seen = 0;
    trace("from step %u (%s), cut at op %llu of the step\n", i, act_name(sc->steps[i]),
          (unsigned long long)(k - ref->ops_before[i]));
    r->sim.rng = mix(seed); /* torn bytes from the case's seed, so a rerun replays */
    ifu_sim_arm_cut(&r->sim, k - ref->ops_before[i], (enum ifu_sim_cut)cm);
    int err = run_step(c, &ps, sc->steps[i]);
    if (!ifu_sim_cut_fired(&r->sim)) {
        failf(c, "the cut did not fall in step %u (%s): %s", i, act_name(sc->steps[i]),
              ifu_strerror(err));
        return;
    }
    trace_trailers(r);
    tot.cuts++;
    tot.torn += cm == IFU_SIM_CUT_TORN;
    c->cut_seen = 1;
    recover(c, &ps, seed, nest);
    for (unsigned j = i + 1; j < sc->nsteps && !c->failed; j++) {
        err = run_step(c, &ps, sc->steps[j]);
        if (err) {
            failf(c, "step %u (%s) after the cut: %s", j, act_name(sc->steps[j]),
                  ifu_strerror(err));
        }
    }
    if (!c->failed && (ps.last < 0 || (sc->allowed[i] & (1u << ps.last)) == 0)) {
        failf(c, "ends with %s, not allowed after a cut in step %u (%s)", outcome_name(ps.last), i,
              act_name(sc->steps[i]));
    }
    if (!c->failed && (r->sim.stats.prog_over != 0 || r->sim.stats.misuse != 0)) {
        failf(c, "the sim refused %llu programs over programmed bytes, %llu misuses",
              (unsigned long long)r->sim.stats.prog_over, (unsigned long long)r->sim.stats.misuse);
    }
}

static const char *cut_names[IFU_SIM_CUT_MODES] = {"clean", "done", "torn"};

static void report(struct pl_case *c, uint64_t k, int cm, int nest)
{
    tot.failures++;
    if (tot.failures <= 20) {
        printf("FAIL powerloss mode=%s geom=%s scenario=%s k=%llu cut=%s nest=%d: %s\n", mode_name,
               c->geom, c->sc->name, (unsigned long long)k, cut_names[cm], nest, c->why);
        printf("  rerun: test_powerloss_%s --geom %s --scenario %s --k %llu --cut %s --nest %d\n",
               mode_name, c->geom, c->sc->name, (unsigned long long)k, cut_names[cm], nest);
    }
}

/* The uncut reference run: snapshots before each step, N, and checks. */
static int reference(struct pl_case *c, struct pl_ref *ref)
{
    struct tu_rig *r = c->r;
    const struct scenario *sc = c->sc;
    struct pl_state ps = {.running = 0, .target = 1, .tracker = -1, .last = -1};
    uint32_t *erases = malloc(r->sim.sector_count * sizeof *erases);
    if (erases == NULL) {
        return -1;
    }

    start_image(c);
    ps.tracker = IMG_A * ST_COUNT + ST_CONFIRMED; /* A runs, confirmed */
    ifu_sim_reset_stats(&r->sim);
    c->failed = 0;
    c->cut_seen = 0;
    trace("reference run\n");
    for (unsigned i = 0; i < sc->nsteps && !c->failed; i++) {
        ref->snap[i] = ifu_sim_save(&r->sim);
        ref->state[i] = ps;
        ref->ops_before[i] = r->sim.stats.ops;
        memcpy(erases, r->sim.sector_erases, r->sim.sector_count * sizeof *erases);
        int err = run_step(c, &ps, sc->steps[i]);
        if (err) {
            failf(c, "uncut step %u (%s): %s", i, act_name(sc->steps[i]), ifu_strerror(err));
        }
        for (uint32_t s = 0; s < r->sim.sector_count && sc->steps[i] == ACT_BOOT; s++) {
            if (r->sim.sector_erases[s] - erases[s] > 1) {
                failf(c, "B3: uncut step %u erased sector %u %u times", i, (unsigned)s,
                      (unsigned)(r->sim.sector_erases[s] - erases[s]));
            }
        }
    }
    ref->ops_before[sc->nsteps] = r->sim.stats.ops;
    ref->snap[sc->nsteps] = NULL;
    free(erases);
    if (!c->failed && (ps.last < 0 || (sc->uncut & (1u << ps.last)) == 0)) {
        failf(c, "uncut run ends with %s", outcome_name(ps.last));
    }
    return c->failed ? -1 : 0;
}

static void run_scenario(struct tu_rig *r, const char *geom, const struct shape_def *sh,
                         const struct scenario *sc)
{
    struct pl_case c = {.r = r, .sc = sc, .geom = geom};
    struct pl_ref ref;
    static const char *versions[IMG_COUNT] = {"1.0.0", "2.0.0", "3.0.0"};
    memset(&ref, 0, sizeof ref);
    for (int i = 0; i < IMG_COUNT; i++) {
        c.img[i] = tu_image(sh->payload[i], versions[i]);
        c.check_len = c.img[i]->len > c.check_len ? c.img[i]->len : c.check_len;
    }
    c.pri_before = malloc(c.check_len);
    if (c.pri_before == NULL) {
        fail_msg("out of memory");
    }
    if (reference(&c, &ref) != 0) {
        tot.failures++;
        printf("FAIL powerloss mode=%s geom=%s scenario=%s uncut: %s\n", mode_name, geom, sc->name,
               c.why);
    } else {
        uint64_t n = ref.ops_before[sc->nsteps];
        trace("%s %s: %llu ops\n", geom, sc->name, (unsigned long long)n);
        uint64_t base = str_hash(geom) ^ mix(str_hash(sc->name)) ^ (uint64_t)mode << 60;
        for (uint64_t k = 1; k <= n; k++) {
            if (opt.k != 0 && (uint64_t)opt.k != k) {
                continue;
            }
            if (opt.k == 0 && (k - 1) % (uint64_t)opt.sample != 0) {
                continue;
            }
            for (int cm = 0; cm < IFU_SIM_CUT_MODES; cm++) {
                if (opt.cut >= 0 && opt.cut != cm) {
                    continue;
                }
                /* Nesting: 1 always; 2 on every 7th cut; 3 on every 21st. */
                for (int nest = 1; nest <= 3; nest++) {
                    if (opt.nest != 0 ? nest != opt.nest
                                      : (nest == 2 && k % 7 != 0) || (nest == 3 && k % 21 != 0)) {
                        continue;
                    }
                    uint64_t seed =
                        mix(base ^ k * 0x100000001b3u ^ (uint64_t)cm << 56 ^ (uint64_t)nest << 52);
                    tot.cases++;
                    run_case(&c, &ref, k, cm, nest, seed);
                    if (c.failed) {
                        report(&c, k, cm, nest);
                    }
                }
            }
        }
    }
    for (unsigned i = 0; i <= sc->nsteps; i++) {
        ifu_sim_snapshot_free(ref.snap[i]);
    }
    free(c.pri_before);
}

static void run_variant(const struct variant *v)
{
    char name[32];
    struct tu_rig r;
    const struct shape_def *sh = &shapes[v->shape];
    struct tu_geom g = sh->geom;

    variant_name(v, name, sizeof name);
    if (opt.geom != NULL && strcmp(opt.geom, name) != 0) {
        return;
    }
    g.name = name;
    g.write_size = v->write_size;
    g.erased = v->erased;
    if (tu_rig_init(&r, &g, str_hash(name)) != 0 || r.layout_err != 0) {
        fail_msg("%s: rig: layout %s", name, ifu_strerror(r.layout_err));
    }
    for (size_t i = 0; i < SCENARIO_COUNT; i++) {
        const struct scenario *sc = &scenarios[i];
        if ((sc->modes & (1u << mode)) == 0 ||
            (opt.scenario != NULL && strcmp(opt.scenario, sc->name) != 0)) {
            continue;
        }
        run_scenario(&r, name, sh, sc);
    }
    tu_rig_free(&r);
}

static void test_boot_survives_power_cut_at_every_flash_op(void **state)
{
    (void)state;
    if (opt.full) {
        for (int s = 0; s < SHAPE_COUNT; s++) {
            for (size_t w = 0; w < sizeof write_sizes / sizeof write_sizes[0]; w++) {
                for (size_t e = 0; e < sizeof erased_vals / sizeof erased_vals[0]; e++) {
                    struct variant v = {(enum shape)s, write_sizes[w], erased_vals[e]};
                    run_variant(&v);
                }
            }
        }
    } else if (opt.geom != NULL) {
        /* Any variant by name, covering set or not. */
        for (int s = 0; s < SHAPE_COUNT; s++) {
            for (size_t w = 0; w < sizeof write_sizes / sizeof write_sizes[0]; w++) {
                for (size_t e = 0; e < sizeof erased_vals / sizeof erased_vals[0]; e++) {
                    struct variant v = {(enum shape)s, write_sizes[w], erased_vals[e]};
                    run_variant(&v);
                }
            }
        }
    } else {
        for (size_t i = 0; i < sizeof covering / sizeof covering[0]; i++) {
            run_variant(&covering[i]);
        }
    }
    if (opt.sample > 1) {
        printf("powerloss %s: sampling every %ldth flash operation (IFU_PL_SAMPLE)\n", mode_name,
               opt.sample);
    }
    printf("powerloss %s: %llu cuts, %llu torn, %llu nested, %llu failures\n", mode_name,
           (unsigned long long)tot.cuts, (unsigned long long)tot.torn,
           (unsigned long long)tot.nested, (unsigned long long)tot.failures);
    if (tot.cases == 0) {
        fail_msg("no case matched the options");
    }
    if (tot.failures != 0) {
        fail_msg("%llu power-loss failures", (unsigned long long)tot.failures);
    }
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--full] [--geom NAME] [--scenario NAME] [--k K] "
            "[--cut clean|done|torn] [--nest 1|2|3] [-v]\n"
            "  NAME of a geometry: {u4k,f4,u128k}-w{1,8,32}-{ff,00}\n",
            prog);
    exit(2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_survives_power_cut_at_every_flash_op),
    };
    const char *env = getenv("IFU_PL_FULL");

    mode = ifu_boot_mode();
    mode_name = mode == IFU_BOOT_MODE_SWAP        ? "swap"
                : mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
                                                  : "xip";
    opt.full = env != NULL && strcmp(env, "1") == 0;
    /* IFU_PL_SAMPLE=N: cut at operations 1, N+1, 2N+1, ... only (the
     * sanitizer stage of scripts/run.sh uses it; the plain build cuts at
     * every operation). */
    const char *sample = getenv("IFU_PL_SAMPLE");
    if (sample != NULL && strtol(sample, NULL, 10) > 1) {
        opt.sample = strtol(sample, NULL, 10);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--full") == 0) {
            opt.full = 1;
        } else if (strcmp(a, "-v") == 0) {
            opt.verbose = 1;
        } else if (val == NULL) {
            usage(argv[0]);
        } else if (strcmp(a, "--geom") == 0) {
            opt.geom = val;
            i++;
        } else if (strcmp(a, "--scenario") == 0) {
            opt.scenario = val;
            i++;
        } else if (strcmp(a, "--k") == 0) {
            opt.k = strtol(val, NULL, 10);
            i++;
        } else if (strcmp(a, "--nest") == 0) {
            opt.nest = (int)strtol(val, NULL, 10);
            i++;
        } else if (strcmp(a, "--cut") == 0) {
            opt.cut = -1;
            for (int m = 0; m < IFU_SIM_CUT_MODES; m++) {
                if (strcmp(val, cut_names[m]) == 0) {
                    opt.cut = m;
                }
            }
            if (opt.cut < 0) {
                usage(argv[0]);
            }
            i++;
        } else {
            usage(argv[0]);
        }
    }
    /* One case named on the command line: trace it. */
    if (opt.k != 0 && opt.cut >= 0 && opt.geom != NULL && opt.scenario != NULL) {
        opt.verbose = 1;
    }
    return cmocka_run_group_tests_name(mode_name, tests, NULL, NULL);
}
