/* Fuzz target: the swap-mode boot engine over fuzzed flash.
 *
 * Two signed Ed25519 images from shared/vectors/imgtool (when present) are
 * planted where the input's first byte says (primary, staged in the
 * secondary, saved at secondary offset 0); then the input patches arbitrary
 * bytes of the flash (trailers, journal, headers, payloads), may arm a power
 * cut, and the engine boots up to three times. The oracle is invariant B1:
 * whenever ifu_boot_go names a slot, the bytes there verify on their own
 * (a fresh verification, not the engine's). Also: no crash, no hang, no
 * misuse of the flash (prog over programmed bytes, misaligned requests).
 *
 * Bit 3 of the plan byte maps the flash (ifu_sim_set_mapped): the engine then
 * hashes the slots in place, and the oracle is unchanged.
 *
 * Input: [plan] [cut_lo] [cut_hi] [cut_mode] then (off_lo, off_hi, value)*.
 * Geometry: 512-byte sectors, primary 4 sectors, secondary 5, write size 8. */
#include <stdlib.h>
#include <string.h>

#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu_sim.h"

#include "fuzz_keys.h"
#include "fuzz_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECTOR   512u
#define PRI_SECS 4u
#define SEC_SECS 5u

static uint8_t img[2][2048];
static uint32_t img_len[2];
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ifu_sector_run runs[] = {{SECTOR, PRI_SECS + SEC_SECS}};
    static struct ifu_boot boot;
    struct ifu_sim sim;
    struct ifu_boot_result res;
    struct ifu_boot_layout lay;

    if (!loaded) {
        img_len[0] = fuzz_load_vector("ed25519-full-scauto.bin", img[0], sizeof img[0]);
        img_len[1] = fuzz_load_vector("ed25519-pure.bin", img[1], sizeof img[1]);
        loaded = 1;
    }
    if (size < 4 || size > 4096) {
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
    uint8_t plan = data[0];
    ifu_sim_set_mapped(&sim, (plan & 8) != 0);
    if ((plan & 1) && img_len[0]) {
        ifu_sim_poke(&sim, 0, img[0], img_len[0]);
    }
    if ((plan & 2) && img_len[1]) {
        ifu_sim_poke(&sim, cfg.secondary.off + lay.headroom, img[1], img_len[1]);
    }
    if ((plan & 4) && img_len[plan >> 7]) {
        ifu_sim_poke(&sim, cfg.secondary.off, img[plan >> 7], img_len[plan >> 7]);
    }
    for (size_t i = 4; i + 3 <= size; i += 3) {
        uint32_t off = (data[i] | (uint32_t)data[i + 1] << 8) % sim.size;
        ifu_sim_poke(&sim, off, &data[i + 2], 1);
    }
    uint32_t cut = data[1] | (uint32_t)data[2] << 8;
    if (cut != 0) {
        ifu_sim_arm_cut(&sim, cut, (enum ifu_sim_cut)(data[3] % IFU_SIM_CUT_MODES));
    }
    for (int n = 0; n < 3; n++) {
        int err = ifu_boot_go(&boot, &cfg, &res);
        if (ifu_sim_cut_fired(&sim)) {
            ifu_sim_power_on(&sim);
            continue;
        }
        if (err == 0) {
            /* B1: the named slot verifies on its own. */
            struct fuzz_sim_reader r = {&sim, res.image_off};
            struct ifu_image_reader rd = {fuzz_sim_read, &r};
            struct ifu_image_info info;
            uint32_t room = res.slot == 0 ? cfg.primary.size : cfg.secondary.size;
            if (res.slot != 0 || res.image_off != cfg.primary.off ||
                ifu_image_verify(&rd, room, &fuzz_keyring, 0, IFU_HASHSET_ALL, &info) != 0 ||
                res.entry_off != res.image_off + info.hdr.hdr_size) {
                abort();
            }
        } else if (err != IFU_ENOIMAGE) {
            abort(); /* no cut, no bad config: only "nothing to boot" is allowed */
        }
        if (sim.stats.prog_over != 0 || sim.stats.misuse != 0) {
            abort(); /* the engine programmed over data or broke alignment */
        }
    }
    ifu_sim_free(&sim);
    return 0;
}
