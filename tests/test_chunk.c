/* The small-chunk link example (examples/small_chunk/) end to end: the host
 * sender and lossy link model (chunk_link.c) against the device receiver
 * (chunk_rx.c), which feeds the update API, over the flash simulator. One
 * program per boot mode (test_chunk_overwrite, _swap, _xip). Images are
 * signed by the project's CLI (tests/support/tu_image.c).
 *
 * The reference for "the flash ends right" is a one-shot transfer of the
 * same image on a second simulator: begin, ifu_update_write of the whole image
 * (continued after partial takes), finish, install. After a transfer through
 * the link, the whole device must be byte-identical to it, and the bootloader
 * must boot the new image. The update image is larger than 64 KiB, so the
 * 16-bit byte sequence numbers wrap during every transfer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/tu_assert.h"

#include "chunk_link.h"
#include "chunk_rx.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "ifu/update.h"
#include "ifu_sim.h"
#include "tu_boot.h"
#include "tu_image.h"

#define KIB      1024u
#define SECTOR   (4 * KIB)
#define PRI_SECS 40u
#define SEC_SECS 41u
#define MAP_ADDR 0x08000000u

/* One device: primary (XIP: slot A) 40 sectors at 0, secondary (slot B) 41
 * sectors after it, write size 8, NOR (0xff). */
struct rig {
    struct tu_rig rig; /* sim, cfg, lay */
    struct ifu_update up;
    struct chunk_rx rx;
};

static const struct tu_geom geom = {
    .name = "chunk",
    .runs = {{SECTOR, PRI_SECS + SEC_SECS}},
    .run_count = 1,
    .pri_off = 0,
    .pri_size = PRI_SECS * SECTOR,
    .sec_off = PRI_SECS * SECTOR,
    .sec_size = SEC_SECS * SECTOR,
    .write_size = 8,
    .erased = 0xff,
    .map_addr = MAP_ADDR,
};

static struct rig *rig_new(uint64_t seed)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_ifu(tu_rig_init(&r->rig, &geom, seed), 0);
    assert_ifu(r->rig.layout_err, 0);
    return r;
}

static void rig_free(struct rig *r)
{
    tu_rig_free(&r->rig);
    free(r);
}

/* The running image (factory-programmed) and the update: > 64 KiB. */
static const struct tu_image *img_run(void)
{
    return tu_image(30000, "1.0.0");
}

static const struct tu_image *img_new(void)
{
    return tu_image(100000, "2.0.0");
}

static struct rig *device(uint64_t seed)
{
    struct rig *r = rig_new(seed);
    ifu_sim_poke(&r->rig.sim, r->rig.cfg.primary.off, img_run()->data, img_run()->len);
    return r;
}

/* Overwrite mode cannot test-boot. */
static enum ifu_boot_request_kind install_kind(void)
{
    return ifu_boot_mode() == IFU_BOOT_MODE_OVERWRITE ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST;
}

/* The reference: the image in one write (continued after partial takes). */
static struct rig *one_shot(const struct tu_image *img)
{
    struct rig *r = device(1);
    assert_ifu(ifu_update_begin(&r->up, &r->rig.cfg, NULL, NULL, NULL), 0);
    for (uint32_t off = 0; off < img->len;) {
        int n = ifu_update_write(&r->up, off, img->data + off, img->len - off);
        assert_true(n >= 0);
        off += (uint32_t)n;
    }
    assert_ifu(ifu_update_finish(&r->up, NULL), 0);
    assert_ifu(ifu_update_install(&r->up, install_kind()), 0);
    return r;
}

static void assert_same_flash(const struct rig *got, const struct rig *want, const char *what)
{
    assert_int_equal(got->rig.sim.size, want->rig.sim.size);
    for (uint32_t i = 0; i < got->rig.sim.size; i++) {
        if (got->rig.sim.mem[i] != want->rig.sim.mem[i]) {
            fail_msg("%s: flash differs from the one-shot write at 0x%x (sector %d): 0x%02x, want "
                     "0x%02x",
                     what, i, ifu_sim_sector_index(&got->rig.sim, i), got->rig.sim.mem[i],
                     want->rig.sim.mem[i]);
        }
    }
}

/* Reset and run the bootloader: it must name img. */
static void assert_boots(struct rig *r, const struct tu_image *img)
{
    struct ifu_boot_result res;
    assert_ifu(ifu_boot_go(&r->rig.boot, &r->rig.cfg, &res), 0);
    const uint8_t *at = r->rig.sim.mem + res.image_off;
    if (res.info.total_size != img->len || memcmp(at, img->data, img->len) != 0) {
        fail_msg("booted slot %u (version %u.%u.%u), not the expected image", res.slot,
                 res.info.hdr.version.major, res.info.hdr.version.minor,
                 res.info.hdr.version.revision);
    }
}

static void show(const char *what, uint64_t seed, const struct chunk_link_stats *st,
                 const struct chunk_rx *rx)
{
    print_message("%s seed %llu: %llu rounds, %llu frames (%llu data, %llu image bytes for %u), "
                  "dropped %llu, duplicated %llu, reordered %llu, timeouts %llu, fast "
                  "retransmits %llu, spurious %llu; device: %u taken, %u repeats, %u gaps, %u "
                  "write calls (%u took 0)\n",
                  what, (unsigned long long)seed, (unsigned long long)st->rounds,
                  (unsigned long long)st->frames, (unsigned long long)st->data_frames,
                  (unsigned long long)st->data_bytes, img_new()->len,
                  (unsigned long long)st->dropped, (unsigned long long)st->duplicated,
                  (unsigned long long)st->reordered, (unsigned long long)st->timeouts,
                  (unsigned long long)st->fast_retransmits, (unsigned long long)st->spurious,
                  rx->counts.taken, rx->counts.repeats, rx->counts.gaps, rx->counts.calls,
                  rx->counts.zero_calls);
}

/* Transfer img through the link with cfg into a fresh device; returns it. */
static struct rig *transfer(const struct tu_image *img, struct chunk_link_config *cfg,
                            const struct ifu_update_policy *pol, struct chunk_link_stats *st,
                            int want)
{
    struct rig *r = device(cfg->seed);
    chunk_rx_init(&r->rx, &r->rig.cfg, pol);
    cfg->install = (uint8_t)install_kind();
    assert_ifu(chunk_link_run(cfg, &r->rx, img->data, img->len, st), want);
    return r;
}

/* 20-byte frames (17 image bytes each) over a link that loses 10% of the
 * frames each way, duplicates 5% and reorders 10%: the device ends with the
 * same flash as after a one-shot write, and the image boots. */
static void test_chunk_ble_frames_survive_loss_and_match_one_shot(void **state)
{
    (void)state;
    struct rig *ref = one_shot(img_new());
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct chunk_link_config cfg = {.frame_max = CHUNK_BLE_FRAME,
                                        .drop = 0.10,
                                        .dup = 0.05,
                                        .reorder = 0.10,
                                        .reorder_reach = 4,
                                        .seed = seed};
        struct chunk_link_stats st;
        struct rig *r = transfer(img_new(), &cfg, NULL, &st, 0);
        show("20-byte frames", seed, &st, &r->rx);
        assert_true(st.dropped > 0 && st.duplicated > 0 && st.reordered > 0);
        assert_true(st.timeouts + st.fast_retransmits > 0);
        assert_true(r->rx.counts.gaps > 0 && r->rx.counts.repeats > 0);
        assert_int_equal(r->rx.counts.refused, 0);
        assert_int_equal(r->rx.next, img_new()->len);
        assert_same_flash(r, ref, "20-byte frames");
        assert_boots(r, img_new());
        rig_free(r);
    }
    rig_free(ref);
}

/* Chunks of 1..4096 bytes, a fifth of the frames duplicated, a fifth
 * reordered, 5% lost, and half of the rounds resend a random range below the
 * last ack on other boundaries: the repeats are compared and accepted, and
 * the flash matches the one-shot write. */
static void test_chunk_random_sizes_with_retransmits_and_duplicates_match_one_shot(void **state)
{
    (void)state;
    struct rig *ref = one_shot(img_new());
    for (uint64_t seed = 1; seed <= 8; seed++) {
        struct chunk_link_config cfg = {.frame_max = CHUNK_DATA_HDR + 4096,
                                        .chunk_min = 1,
                                        .chunk_max = 4096,
                                        .window = 16 * KIB,
                                        .drop = 0.05,
                                        .dup = 0.20,
                                        .reorder = 0.20,
                                        .reorder_reach = 3,
                                        .spurious = 0.5,
                                        .seed = seed};
        struct chunk_link_stats st;
        struct rig *r = transfer(img_new(), &cfg, NULL, &st, 0);
        show("1..4096-byte chunks", seed, &st, &r->rx);
        assert_true(st.spurious > 0 && st.duplicated > 0 && st.reordered > 0);
        assert_true(r->rx.counts.repeats > 0);
        assert_int_equal(r->rx.counts.refused, 0);
        assert_same_flash(r, ref, "random chunks");
        assert_boots(r, img_new());
        rig_free(r);
    }
    rig_free(ref);
}

/* The device resets half-way (RAM and frames in flight lost, flash kept):
 * the sender opens a new session, the receiver's begin recognises the staged
 * start of the same image, and the transfer goes on from there instead of 0. */
static void test_chunk_resumes_after_device_reset(void **state)
{
    (void)state;
    struct rig *ref = one_shot(img_new());
    struct chunk_link_config cfg = {.frame_max = CHUNK_BLE_FRAME,
                                    .drop = 0.05,
                                    .dup = 0.05,
                                    .reorder = 0.05,
                                    .reset_after = 4000, /* ~60 KiB in */
                                    .seed = 7};
    struct chunk_link_stats st;
    struct rig *r = transfer(img_new(), &cfg, NULL, &st, 0);
    show("reset and resume", cfg.seed, &st, &r->rx);
    print_message("resumed at %u of %u\n", r->rx.resumed, img_new()->len);
    assert_int_equal(st.resets, 1);
    assert_int_equal(st.sessions, 2);
    assert_true(r->rx.resumed >= 32 * KIB);
    assert_int_equal(r->rx.resumed % SECTOR, 0);
    assert_same_flash(r, ref, "resumed");
    assert_boots(r, img_new());
    rig_free(r);
    rig_free(ref);
}

/* An image signed with a key the device does not trust arrives whole, END
 * fails (IFU_ENOKEY), the sender gets the reason, the slot says why after a
 * reset, and the running image still boots. */
static void test_chunk_untrusted_image_fails_at_end_and_old_image_boots(void **state)
{
    (void)state;
    struct tu_image_spec spec = {.key = TU_KEY_UNTRUSTED, .payload = 40000, .version = "2.0.0"};
    const struct tu_image *bad = tu_image_get(&spec);
    struct chunk_link_config cfg = {.drop = 0.05, .seed = 3};
    struct chunk_link_stats st;
    struct rig *r = transfer(bad, &cfg, NULL, &st, IFU_ENOKEY);
    assert_int_equal(r->rx.state, CHUNK_RX_FAILED);
    assert_int_equal(r->rx.next, bad->len);
    struct ifu_update_status us;
    assert_ifu(ifu_update_status(NULL, &r->rig.cfg, &us), 0);
    assert_ifu(us.boot.staged_err, IFU_ENOKEY);
    assert_int_equal(us.boot.pending, IFU_BOOT_STATE_NONE);
    assert_boots(r, img_run());
    rig_free(r);
}

/* A downgrade is refused on the header's 32nd byte, two frames in, before
 * anything is erased or programmed. */
static void test_chunk_downgrade_is_refused_on_the_header_before_any_erase(void **state)
{
    (void)state;
    struct ifu_update_policy pol = {.flags = IFU_UPDATE_P_NO_DOWNGRADE};
    const struct tu_image *old = tu_image(9000, "0.9.0");
    struct chunk_link_config cfg = {.seed = 5};
    struct chunk_link_stats st;
    struct rig *r = transfer(old, &cfg, &pol, &st, IFU_EROLLBACK);
    assert_int_equal(r->rx.state, CHUNK_RX_FAILED);
    assert_int_equal(r->rig.sim.stats.erases, 0);
    assert_int_equal(r->rig.sim.stats.progs, 0);
    assert_boots(r, img_run());
    rig_free(r);
}

static uint32_t input(struct rig *r, const uint8_t *f, uint32_t len, uint8_t ack[CHUNK_ACK_SIZE])
{
    memset(ack, 0xee, CHUNK_ACK_SIZE);
    return chunk_rx_input(&r->rx, f, len, ack);
}

static int ack_status(const uint8_t *ack)
{
    return ack[7] >= 128 ? (int)ack[7] - 256 : (int)ack[7];
}

static uint32_t data_frame(uint8_t *f, const struct tu_image *img, uint32_t off, uint32_t n)
{
    f[0] = CHUNK_DATA;
    chunk_put_le16(f + 1, off & 0xffffu);
    memcpy(f + CHUNK_DATA_HDR, img->data + off, n);
    return CHUNK_DATA_HDR + n;
}

/* Frames the receiver must answer without harm: empty, truncated, unknown,
 * session 0, data before START, a gap, a repeat with a changed byte, END
 * before the last byte or with the wrong size; none of them fails the
 * transfer, which then completes. */
static void test_chunk_rx_answers_bad_frames_without_harm(void **state)
{
    (void)state;
    const struct tu_image *img = tu_image(9000, "2.0.0");
    struct rig *r = device(11);
    uint8_t ack[CHUNK_ACK_SIZE];
    uint8_t f[CHUNK_BLE_FRAME];
    chunk_rx_init(&r->rx, &r->rig.cfg, NULL);

    assert_int_equal(input(r, f, 0, ack), 0);
    f[0] = CHUNK_DATA;
    assert_int_equal(input(r, f, CHUNK_DATA_HDR, ack), CHUNK_ACK_SIZE); /* no payload */
    assert_ifu(ack_status(ack), IFU_EINVAL);
    f[0] = 0x55;
    assert_int_equal(input(r, f, 5, ack), CHUNK_ACK_SIZE);
    assert_ifu(ack_status(ack), IFU_EINVAL);
    data_frame(f, img, 0, 17);
    assert_int_equal(input(r, f, 20, ack), CHUNK_ACK_SIZE);
    assert_int_equal(ack[8], CHUNK_RX_IDLE); /* no session yet: the sender must START */
    uint8_t start[CHUNK_START_SIZE] = {CHUNK_START, 0, 0};
    input(r, start, sizeof start, ack);
    assert_ifu(ack_status(ack), IFU_EINVAL); /* session id 0 is "none" */
    chunk_put_le16(start + 1, 0x1234);
    input(r, start, sizeof start, ack);
    assert_int_equal(ack[8], CHUNK_RX_HEADER);
    assert_int_equal(chunk_get_le16(ack + 1), 0x1234);

    uint32_t off = 0;
    while (off < img->len) {
        uint32_t n = img->len - off < 17 ? img->len - off : 17;
        if (off == 34) {
            /* A gap: the ack repeats the next offset. */
            input(r, f, data_frame(f, img, off + 17, 17), ack);
            assert_int_equal(chunk_get_le32(ack + 3), off);
            assert_int_equal(ack[8], CHUNK_RX_DATA);
            /* A repeat of accepted bytes with one changed: refused, nothing taken. */
            data_frame(f, img, off - 10, 17);
            f[CHUNK_DATA_HDR + 2] ^= 0x40;
            input(r, f, CHUNK_DATA_HDR + 17, ack);
            assert_ifu(ack_status(ack), IFU_EMISMATCH);
            assert_int_equal(chunk_get_le32(ack + 3), off);
            /* END too early: says what is missing, does not fail. */
            uint8_t end[CHUNK_END_SIZE] = {CHUNK_END};
            chunk_put_le32(end + 1, img->len);
            input(r, end, sizeof end, ack);
            assert_ifu(ack_status(ack), IFU_ETRUNC);
            assert_int_equal(ack[8], CHUNK_RX_DATA);
            /* A duplicate START of the open session changes nothing. */
            input(r, start, sizeof start, ack);
            assert_int_equal(chunk_get_le32(ack + 3), off);
        }
        input(r, f, data_frame(f, img, off, n), ack);
        assert_ifu(ack_status(ack), 0);
        off += n;
        assert_int_equal(chunk_get_le32(ack + 3), off);
    }
    uint8_t end[CHUNK_END_SIZE] = {CHUNK_END};
    chunk_put_le32(end + 1, img->len + 1);
    input(r, end, sizeof end, ack);
    assert_ifu(ack_status(ack), IFU_ETRUNC); /* the size is wrong: not finished, not failed */
    assert_int_equal(ack[8], CHUNK_RX_DATA);
    chunk_put_le32(end + 1, img->len);
    end[5] = (uint8_t)install_kind();
    input(r, end, sizeof end, ack);
    assert_ifu(ack_status(ack), 0);
    assert_int_equal(ack[8], CHUNK_RX_DONE);
    input(r, end, sizeof end, ack); /* the same END again: its ack was lost */
    assert_int_equal(ack[8], CHUNK_RX_DONE);
    input(r, f, data_frame(f, img, 0, 17), ack); /* a late duplicate */
    assert_int_equal(ack[8], CHUNK_RX_DONE);
    assert_int_equal(r->rx.counts.bad, 3);
    assert_boots(r, img);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_rx_answers_bad_frames_without_harm),
        cmocka_unit_test(test_chunk_downgrade_is_refused_on_the_header_before_any_erase),
        cmocka_unit_test(test_chunk_untrusted_image_fails_at_end_and_old_image_boots),
        cmocka_unit_test(test_chunk_ble_frames_survive_loss_and_match_one_shot),
        cmocka_unit_test(test_chunk_random_sizes_with_retransmits_and_duplicates_match_one_shot),
        cmocka_unit_test(test_chunk_resumes_after_device_reset),
    };
    const char *name = ifu_boot_mode() == IFU_BOOT_MODE_SWAP  ? "test_chunk_swap"
                       : ifu_boot_mode() == IFU_BOOT_MODE_XIP ? "test_chunk_xip"
                                                              : "test_chunk_overwrite";
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
