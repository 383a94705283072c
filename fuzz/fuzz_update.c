/* Fuzz target: random sequences of streaming-update calls (include/ifu/update.h)
 * over the simulator, swap mode.
 *
 * A signed Ed25519 image from shared/vectors/imgtool (when present) runs in
 * the primary; the input is a program of operations: begin (fresh or with
 * the header, with a random policy), writes of the image or of mutated
 * bytes at fuzzed offsets and sizes, finish, install, abort, status, power
 * cuts, and boots. Oracles:
 *  - no crash, no hang, no misuse of the flash (prog over programmed bytes,
 *    misaligned or out-of-range requests);
 *  - no write call erases more than one sector, none returns more bytes
 *    than it was given;
 *  - the primary slot is never changed by the update API (only ifu_boot_go
 *    may change it);
 *  - when finish returns 0, the staging slot holds an image that verifies
 *    on its own (a fresh verification, not the context's).
 *
 * Input: a sequence of 6-byte records [op, a, b, c, d, e].
 * Geometry: 512-byte sectors, primary 8, secondary 9, write size 8. */
#include <stdlib.h>
#include <string.h>

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/update.h"
#include "ifu_sim.h"

#include "fuzz_keys.h"
#include "fuzz_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR   512u
#define PRI_SECS 8u
#define SEC_SECS 9u
#define MAX_IMG  4096u

static uint8_t img[2][MAX_IMG];
static uint32_t img_len[2];
static int loaded;

static uint64_t sum_of(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603u;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211u;
    }
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ifu_sector_run runs[] = {{SECTOR, PRI_SECS + SEC_SECS}};
    static struct ifu_update up;
    static struct ifu_boot boot;
    static uint8_t buf[MAX_IMG];
    struct ifu_sim sim;
    struct ifu_boot_layout lay;
    struct ifu_boot_result res;
    struct ifu_update_status st;

    if (!loaded) {
        img_len[0] = fuzz_load_vector("ed25519-full-scauto.bin", img[0], sizeof img[0]);
        img_len[1] = fuzz_load_vector("ed25519-pure.bin", img[1], sizeof img[1]);
        loaded = 1;
    }
    if (size > 6 * 512) {
        return 0;
    }
    const struct ifu_sim_config sc = {
        .sectors = runs, .sector_runs = 1, .write_size = 8, .erased_val = 0xff, .seed = size};
    if (ifu_sim_init(&sim, &sc) != 0) {
        abort();
    }
    const struct ifu_boot_config cfg = {
        .primary = {&sim.flash, 0, PRI_SECS * SECTOR},
        .secondary = {&sim.flash, PRI_SECS * SECTOR, SEC_SECS * SECTOR},
        .keys = &fuzz_keyring,
        .hashset = IFU_HASHSET_ALL,
    };
    if (ifu_boot_layout(&cfg, &lay) != 0) {
        abort();
    }
    if (img_len[0] != 0) {
        ifu_sim_poke(&sim, 0, img[0], img_len[0]);
    }
    const uint8_t *src = img[1];
    uint32_t src_len = img_len[1] != 0 ? img_len[1] : 64;
    memcpy(buf, src, src_len);
    uint64_t primary = sum_of(sim.mem, cfg.primary.size);
    memset(&up, 0, sizeof up);

    for (size_t i = 0; i + 6 <= size; i += 6) {
        const uint8_t *r = data + i;
        uint32_t a = r[1] | (uint32_t)r[2] << 8;
        uint32_t b = r[3] | (uint32_t)r[4] << 8;
        int err = 0;
        switch (r[0] % 10) {
        case 0:
        case 1: {
            struct ifu_update_policy pol = {.flags = r[5] & 3u};
            pol.min_version.major = (uint8_t)(r[5] >> 6);
            uint32_t resume = 0;
            err = ifu_update_begin(&up, &cfg, (r[5] & 4) ? &pol : NULL, r[0] % 10 ? buf : NULL,
                                   &resume);
            if (!err && resume > lay.max_image_size) {
                abort();
            }
            break;
        }
        case 2:
        case 3:
        case 4: {
            /* Mostly in order: the offset is the status offset plus a small
             * signed delta; sizes up to a few sectors. */
            if (ifu_update_status(&up, &cfg, &st) != 0 && !ifu_sim_cut_fired(&sim)) {
                abort();
            }
            uint32_t off = st.offset + (uint32_t)(int8_t)r[5];
            if (r[0] & 0x80) {
                off = a;
            }
            uint32_t len = b % (3 * SECTOR);
            uint64_t erases = sim.stats.erases;
            const uint8_t *p = buf;
            static uint8_t big[MAX_IMG + 3 * SECTOR];
            if (off < MAX_IMG) {
                memset(big, 0, sizeof big);
                memcpy(big, buf + off, MAX_IMG - off);
                p = big;
            }
            err = ifu_update_write(&up, off, p, len);
            if (sim.stats.erases - erases > 1 || err > (int)len) {
                abort(); /* bounded work, and no more taken than given */
            }
            break;
        }
        case 5: {
            struct ifu_image_info info;
            err = ifu_update_finish(&up, &info);
            if (err == 0 && !ifu_sim_cut_fired(&sim)) {
                /* A finished image verifies on its own, where it was staged. */
                struct fuzz_sim_reader rd = {&sim, cfg.secondary.off + lay.headroom};
                struct ifu_image_reader reader = {fuzz_sim_read, &rd};
                struct ifu_image_info check;
                if (ifu_image_verify(&reader, lay.max_image_size, &fuzz_keyring, 0, IFU_HASHSET_ALL,
                                     &check) != 0 ||
                    check.total_size != info.total_size) {
                    abort();
                }
            }
            break;
        }
        case 6:
            err = ifu_update_install(&up, (r[5] & 1) ? IFU_BOOT_REQ_TEST : IFU_BOOT_REQ_PERMANENT);
            break;
        case 7:
            err = ifu_update_abort(&up);
            break;
        case 8:
            /* Flip one byte of what will be sent, or arm a power cut. */
            if (r[5] & 1) {
                buf[a % src_len] ^= (uint8_t)(b | 1);
            } else {
                ifu_sim_arm_cut(&sim, 1 + a % 64, (enum ifu_sim_cut)(b % IFU_SIM_CUT_MODES));
            }
            break;
        default:
            /* A reset: power on, the context is lost, the bootloader runs. */
            ifu_sim_power_on(&sim);
            memset(&up, 0, sizeof up);
            err = ifu_boot_go(&boot, &cfg, &res);
            (void)err;
            primary = sum_of(sim.mem, cfg.primary.size);
            break;
        }
        (void)err;
        if (ifu_sim_cut_fired(&sim) && (r[5] & 0x10)) {
            ifu_sim_power_on(&sim);
            memset(&up, 0, sizeof up);
        }
        if (sim.stats.prog_over != 0 || sim.stats.misuse != 0) {
            abort(); /* programmed over data or broke alignment */
        }
        if (sum_of(sim.mem, cfg.primary.size) != primary) {
            abort(); /* the update API touched the running image */
        }
    }
    ifu_sim_free(&sim);
    return 0;
}
