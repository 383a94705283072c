/* Tamper census (issue 9): for a small imgtool-signed image of each
 * algorithm, flip every single bit of the whole image (header, header
 * padding, payload, protected and unprotected TLVs: offsets 0 to the end of
 * the TLV area) and hand each variant to
 *   1. the verifier through a slot reader (ifu_image_verify, as the boot
 *      engine reads a slot);
 *   2. the streaming update API (ifu_update_begin / write / finish) of a
 *      simulated device, as a transport delivers it;
 *   3. the boot engine (ifu_boot_go): the variant staged in the secondary
 *      slot (XIP: slot B) of a simulated device whose other slot is erased,
 *      with an install requested (ifu_boot_request, PERMANENT).
 * A variant is accepted by 1 if the verifier returns 0, by 2 if
 * ifu_update_finish returns 0, by 3 if ifu_boot_go returns 0 (nothing else
 * is on the device, so any boot is a boot of the variant). Each image
 * untouched passes all three first, so the census is not vacuous.
 *
 * Output, one line per algorithm, then a detail line:
 *   tamper <alg>: <variants> variants, <accepted> accepted
 *     <mode>: reader <a>, update API <b>, boot engine <c> accepted; <bits> bits
 * (a variant counts as accepted if any of the three accepts it). The test
 * fails unless every count is 0. One program per boot mode
 * (test_tamper_census_<mode>).
 *
 * IFU_TAMPER_SAMPLE=N (environment): test only the bits whose index is a
 * multiple of N (N is made odd, so every bit position of a byte is still
 * hit); the detail line then says "1 in N bits". Default: every bit, except
 * in a sanitizer build (IFU_SANITIZE=ON), where tests/census.cmake makes
 * it 1 in 7 so that CI's ASan stage stays short; IFU_TAMPER_SAMPLE=1 there
 * runs every bit.
 *
 * Images come from MCUboot's imgtool (shared/vectors/imgtool); without them
 * the program exits 77 (skipped) with a message. */
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
#include "ifu/image.h"
#include "ifu/update.h"
#include "ifu_sim.h"
#include "testutil.h"

struct census {
    const char *alg;
    const char *image;
    const char *key;
};

/* The smallest good image of each algorithm in the vectors. */
static const struct census images[] = {
    {"rsa2048-pss", "good/rsa2048-basic.bin", "keys/rsa-2048.pub.pem"},
    {"rsa3072-pss", "good/rsa3072-confirm-pad.bin", "keys/rsa-3072.pub.pem"},
    {"ecdsa-p256", "good/p256-1byte.bin", "keys/ecdsa-p256.pub.pem"},
    {"ecdsa-p384", "good/p384-full-pad-align32.bin", "keys/ecdsa-p384.pub.pem"},
    {"ed25519", "good/ed25519-full-scauto.bin", "keys/ed25519.pub.pem"},
    {"ed25519-pure", "good/ed25519-pure.bin", "keys/ed25519.pub.pem"},
};

/* The device: 4 KiB sectors, primary (XIP: A) 4 sectors at 0, secondary
 * (XIP: B) 5 sectors after it (swap needs one sector of headroom), write
 * size 8, NOR. Every image above fits. */
#define SECTOR   4096u
#define PRI_SECS 4u
#define SEC_SECS 5u

static const struct ifu_sector_run runs[] = {{SECTOR, PRI_SECS + SEC_SECS}};

struct device {
    struct ifu_sim sim;
    struct ifu_boot_config cfg;
    struct ifu_boot_layout lay;
    struct ifu_key key;
    struct ifu_keyring ring;
    struct ifu_sim_snapshot *erased; /* every byte erased */
    struct ifu_boot boot;
    struct ifu_update up;
};

static const char *mode_name(void)
{
    switch (ifu_boot_mode()) {
    case IFU_BOOT_MODE_SWAP:
        return "swap";
    case IFU_BOOT_MODE_XIP:
        return "xip";
    default:
        return "overwrite";
    }
}

static void device_init(struct device *d, const uint8_t *key, uint32_t key_len)
{
    struct ifu_sim_config sc = {
        .sectors = runs,
        .sector_runs = 1,
        .write_size = 8,
        .erased_val = 0xff,
        .seed = 1,
    };
    memset(d, 0, sizeof *d);
    assert_int_equal(ifu_sim_init(&d->sim, &sc), 0);
    d->key.pub = key;
    d->key.pub_len = key_len;
    d->ring.keys = &d->key;
    d->ring.count = 1;
    d->cfg.primary = (struct ifu_area){&d->sim.flash, 0, PRI_SECS * SECTOR};
    d->cfg.secondary = (struct ifu_area){&d->sim.flash, PRI_SECS * SECTOR, SEC_SECS * SECTOR};
    d->cfg.keys = &d->ring;
    d->cfg.hashset = IFU_HASHSET_ALL;
    assert_int_equal(ifu_boot_layout(&d->cfg, &d->lay), 0);
    d->erased = ifu_sim_save(&d->sim);
    assert_non_null(d->erased);
}

static void device_free(struct device *d)
{
    ifu_sim_snapshot_free(d->erased);
    ifu_sim_free(&d->sim);
}

/* The update API takes img[0..len) on the erased device: 0 if finish
 * accepts it, else the first error. */
static int through_update(struct device *d, const uint8_t *img, uint32_t len)
{
    ifu_sim_restore(&d->sim, d->erased);
    int err = ifu_update_begin(&d->up, &d->cfg, NULL, NULL, NULL);
    for (uint32_t off = 0; !err && off < len;) {
        int n = ifu_update_write(&d->up, off, img + off, len - off);
        if (n < 0) {
            err = n;
        }
        off += n > 0 ? (uint32_t)n : 0;
    }
    if (!err) {
        err = ifu_update_finish(&d->up, NULL);
    }
    if (err) {
        (void)ifu_update_abort(&d->up);
    }
    return err;
}

/* The boot engine on the erased device with img staged in the secondary and
 * an install requested: 0 if it boots something (it can only be img). */
static int through_boot(struct device *d, const uint8_t *img, uint32_t len)
{
    struct ifu_boot_result res;
    ifu_sim_restore(&d->sim, d->erased);
    ifu_sim_poke(&d->sim, d->cfg.secondary.off + d->lay.headroom, img, len);
    int err = ifu_boot_request(&d->cfg, IFU_BOOT_REQ_PERMANENT);
    if (!err) {
        err = ifu_boot_go(&d->boot, &d->cfg, &res);
    }
    return err;
}

/* The build's default for IFU_TAMPER_SAMPLE (tests/census.cmake). */
#ifndef IFU_TAMPER_SAMPLE_DEFAULT
#define IFU_TAMPER_SAMPLE_DEFAULT 1
#endif

static uint32_t sample_every(void)
{
    const char *s = getenv("IFU_TAMPER_SAMPLE");
    unsigned long n = s != NULL && s[0] != '\0' ? strtoul(s, NULL, 10) : IFU_TAMPER_SAMPLE_DEFAULT;
    if (n <= 1) {
        return 1;
    }
    return (uint32_t)(n | 1u);
}

static void
test_tamper_census_every_bit_flip_rejected_by_verifier_update_api_and_boot_engine(void **state)
{
    uint32_t every = sample_every();
    unsigned total_accepted = 0;
    (void)state;

    printf("tamper census, boot mode %s%s\n", mode_name(),
           every > 1 ? " (IFU_TAMPER_SAMPLE: a sample of the bits)" : "");
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        const struct census *c = &images[i];
        uint32_t file_len = 0, key_len = 0;
        uint8_t *img = tu_read_file(tu_vector_path("imgtool", c->image), &file_len);
        uint8_t *key = tu_load_pubkey(tu_vector_path("imgtool", c->key), &key_len);
        struct ifu_image_info info;
        struct device *d = malloc(sizeof *d);

        assert_non_null(img);
        assert_non_null(key);
        assert_non_null(d);
        device_init(d, key, key_len);
        /* The untouched image passes every path: the census is not vacuous. */
        assert_int_equal(tu_verify_reader(img, file_len, key, key_len, &info), 0);
        uint32_t len = info.total_size; /* padding and trailer are not the image */
        assert_true(len <= file_len && len <= d->lay.max_image_size);
        assert_int_equal(through_update(d, img, len), 0);
        assert_int_equal(through_boot(d, img, len), 0);

        unsigned variants = 0, accepted = 0, by_reader = 0, by_update = 0, by_boot = 0;
        for (uint32_t bit = 0; bit < len * 8; bit += every) {
            uint8_t mask = (uint8_t)(1u << (bit % 8));
            img[bit / 8] ^= mask;
            int r = tu_verify_reader(img, len, key, key_len, NULL) == 0;
            int u = through_update(d, img, len) == 0;
            int b = through_boot(d, img, len) == 0;
            img[bit / 8] ^= mask;
            variants++;
            by_reader += (unsigned)r;
            by_update += (unsigned)u;
            by_boot += (unsigned)b;
            if (r || u || b) {
                printf("  accepted: %s with bit %u flipped (reader %d, update API %d, boot %d)\n",
                       c->image, (unsigned)bit, r, u, b);
                accepted++;
            }
        }
        printf("tamper %s: %u variants, %u accepted\n", c->alg, variants, accepted);
        printf("  %s: reader %u, update API %u, boot engine %u accepted; %u-byte image, ",
               mode_name(), by_reader, by_update, by_boot, (unsigned)len);
        if (every > 1) {
            printf("1 in %u bits\n", (unsigned)every);
        } else {
            printf("every bit\n");
        }
        total_accepted += accepted;
        device_free(d);
        free(d);
        free(key);
        free(img);
    }
    assert_int_equal(total_accepted, 0);
}

int main(void)
{
    tu_require_vectors("imgtool");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_tamper_census_every_bit_flip_rejected_by_verifier_update_api_and_boot_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
