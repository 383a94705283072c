/* Fault-injection simulation of the verify -> boot path (docs/SECURITY.md §5).
 *
 * This program links the device sources built with -DIFU_FAULT_TEST
 * (tests/fault.cmake), so every guarded comparison, IFU_FI(site, cond) in
 * src/, calls ifu_fault_hook() below. The hook can force one evaluation of
 * one site to the wrong outcome: the effect of an instruction skip or a
 * glitched branch at that point. One program per boot mode
 * (test_fault_overwrite, _swap, _xip).
 *
 * For every scenario (a bad image in the primary, a bad image staged with a
 * request, and in swap mode a revert to a tampered saved image) and every
 * kind of bad image (tampered payload, wrong hash TLV, tampered payload with
 * a recomputed hash, forged signature, untrusted key by KEYHASH and by
 * PUBKEY), the test runs the engine once without a fault to learn which sites
 * are evaluated and how often, then once per (site, evaluation), and once per
 * site with every evaluation forced. A run "accepts" a bad image if
 * ifu_boot_go() returns 0, ifu_boot_check() returns 0 (the port's last check
 * before its jump) and the named slot does not hold a good image; a run
 * "installs" one if the primary ends up holding it. Both must stay 0. The
 * streaming verifier gets the same treatment on its own. Pairs of faults are
 * run too and reported, not asserted: two faults are outside the model.
 *
 * Output, one line per part:
 *   fault verify: <sites> sites, <runs> runs, <n> accepted
 *   fault <mode>: <sites> sites, <runs> runs, <n> accepted, <m> installed
 *   fault <mode> pairs: <runs> runs, <n> accepted
 * With IFU_FAULT_VERBOSE set in the environment, each accepted pair is
 * printed too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault_priv.h"
#include "ifu/boot.h"
#include "ifu/errors.h"
#include "testutil.h"
#include "tu_boot.h"
#include "tu_image.h"

/* ---- the hook ---------------------------------------------------------- */

#define SITE_NAME_(name) #name,
static const char *const site_names[IFU_FI_SITE_COUNT] = {IFU_FI_SITES(SITE_NAME_)};

struct fault {
    int site;     /* -1: none */
    unsigned occ; /* 1-based evaluation to flip; 0: every evaluation */
};

static struct fault armed[2];
static unsigned hits[IFU_FI_SITE_COUNT];
static unsigned fired;

int ifu_fault_hook(int site, int cond)
{
    unsigned n = ++hits[site];
    for (unsigned i = 0; i < 2; i++) {
        if (armed[i].site == site && (armed[i].occ == 0 || armed[i].occ == n)) {
            fired++;
            return !cond;
        }
    }
    return cond;
}

static void arm(struct fault a, struct fault b)
{
    armed[0] = a;
    armed[1] = b;
    memset(hits, 0, sizeof hits);
    fired = 0;
}

static const struct fault no_fault = {-1, 0};

/* ---- images ------------------------------------------------------------ */

enum kind {
    K_GOOD,             /* trusted key, KEYHASH */
    K_GOOD_PUBKEY,      /* trusted key, carried in a PUBKEY TLV */
    K_TAMPERED,         /* one payload byte changed */
    K_WRONG_HASH,       /* one byte of the hash TLV changed (payload intact) */
    K_REHASHED,         /* payload changed and the hash TLV recomputed to match */
    K_FORGED_SIG,       /* one signature byte changed */
    K_UNTRUSTED,        /* signed by a key not in the keyring, named by KEYHASH */
    K_UNTRUSTED_PUBKEY, /* the same, carrying its key in a PUBKEY TLV */
    K_COUNT
};

static const char *const kind_names[K_COUNT] = {
    "good",     "good-pubkey", "tampered-payload", "wrong-hash",
    "rehashed", "forged-sig",  "untrusted-key",    "untrusted-pubkey",
};

struct img {
    uint8_t *data;
    uint32_t len;
};

static struct img images[K_COUNT]; /* the update, version 2.0.0, in each kind */
static struct img running;         /* image A, version 1.0.0, good */

static uint32_t tlv_off(const uint8_t *d)
{
    uint32_t hdr = (uint32_t)d[8] | (uint32_t)d[9] << 8;
    uint32_t prot = (uint32_t)d[10] | (uint32_t)d[11] << 8;
    uint32_t img =
        (uint32_t)d[12] | (uint32_t)d[13] << 8 | (uint32_t)d[14] << 16 | (uint32_t)d[15] << 24;
    return hdr + img + prot;
}

/* Offset of the value of the first unprotected TLV of type, or fail. */
static uint32_t find_tlv(const struct img *im, uint16_t type, uint16_t *len)
{
    uint32_t start = tlv_off(im->data);
    uint32_t end = start + ((uint32_t)im->data[start + 2] | (uint32_t)im->data[start + 3] << 8);
    for (uint32_t p = start + 4; p + 4 <= end;) {
        uint16_t t = (uint16_t)(im->data[p] | im->data[p + 1] << 8);
        uint16_t l = (uint16_t)(im->data[p + 2] | im->data[p + 3] << 8);
        if (t == type) {
            *len = l;
            return p + 4;
        }
        p += 4u + l;
    }
    fail_msg("no TLV 0x%x", type);
    return 0;
}

static struct img copy_img(const struct tu_image *t)
{
    struct img im = {malloc(t->len), t->len};
    assert_non_null(im.data);
    memcpy(im.data, t->data, t->len);
    return im;
}

/* The unprotected area is outside the signed bytes, so its KEYHASH TLV can
 * be swapped for a PUBKEY TLV holding the key itself without touching the
 * signature: what an attacker who signs with their own key would send. */
static struct img with_pubkey(const struct img *src, const uint8_t *key, uint32_t key_len)
{
    uint16_t hlen;
    uint32_t kh = find_tlv(src, IFU_TLV_KEYHASH, &hlen);
    struct img im = {malloc(src->len + key_len), src->len - hlen + key_len};
    assert_non_null(im.data);
    uint32_t start = tlv_off(src->data);
    memcpy(im.data, src->data, kh - 4);
    im.data[kh - 4] = IFU_TLV_PUBKEY;
    im.data[kh - 3] = 0;
    im.data[kh - 2] = (uint8_t)key_len;
    im.data[kh - 1] = (uint8_t)(key_len >> 8);
    memcpy(im.data + kh, key, key_len);
    memcpy(im.data + kh + key_len, src->data + kh + hlen, src->len - kh - hlen);
    uint32_t tot = im.len - start;
    im.data[start + 2] = (uint8_t)tot;
    im.data[start + 3] = (uint8_t)(tot >> 8);
    return im;
}

static void make_images(void)
{
    struct tu_image_spec untrusted = {
        .key = TU_KEY_UNTRUSTED, .payload = 36000, .version = "2.0.0"};
    const struct tu_image *b = tu_image(36000, "2.0.0");
    uint32_t klen;
    const uint8_t *key;
    uint16_t len;

    running = copy_img(tu_image(30000, "1.0.0"));
    images[K_GOOD] = copy_img(b);
    key = tu_image_pub(TU_KEY_TRUSTED, &klen);
    images[K_GOOD_PUBKEY] = with_pubkey(&images[K_GOOD], key, klen);

    images[K_TAMPERED] = copy_img(b);
    images[K_TAMPERED].data[TU_IMAGE_HDR_SIZE + 1000] ^= 0x01;

    images[K_WRONG_HASH] = copy_img(b);
    images[K_WRONG_HASH].data[find_tlv(&images[K_WRONG_HASH], IFU_TLV_SHA256, &len) + 7] ^= 0x80;

    images[K_REHASHED] = copy_img(b);
    images[K_REHASHED].data[TU_IMAGE_HDR_SIZE + 1000] ^= 0x01;
    uint32_t h = find_tlv(&images[K_REHASHED], IFU_TLV_SHA256, &len);
    assert_int_equal(ifu_hash_oneshot(IFU_HASH_SHA256, images[K_REHASHED].data,
                                      tlv_off(images[K_REHASHED].data),
                                      images[K_REHASHED].data + h),
                     0);

    images[K_FORGED_SIG] = copy_img(b);
    images[K_FORGED_SIG].data[find_tlv(&images[K_FORGED_SIG], IFU_TLV_ED25519, &len) + 20] ^= 0x04;

    images[K_UNTRUSTED] = copy_img(tu_image_get(&untrusted));
    key = tu_image_pub(TU_KEY_UNTRUSTED, &klen);
    images[K_UNTRUSTED_PUBKEY] = with_pubkey(&images[K_UNTRUSTED], key, klen);
}

static int is_good(enum kind k)
{
    return k == K_GOOD || k == K_GOOD_PUBKEY;
}

/* ---- the streaming verifier --------------------------------------------- */

static int verify_stream(const struct img *im)
{
    struct ifu_verify v;
    struct tu_mem mem = {im->data, im->len};
    const struct ifu_image_reader reader = {tu_mem_read, &mem};

    int err = ifu_verify_begin(&v, tu_image_keyring(), 0, IFU_HASHSET(IFU_HASH_SHA256), 0, NULL);
    for (uint32_t off = 0; !err && off < im->len; off += 4096) {
        uint32_t n = im->len - off < 4096 ? im->len - off : 4096;
        err = ifu_verify_update(&v, im->data + off, n);
    }
    if (err) {
        ifu_verify_abort(&v);
        return err;
    }
    return ifu_verify_finish(&v, &reader, NULL);
}

/* Sites evaluated by the last run, and how often. */
static void snapshot_hits(unsigned out[IFU_FI_SITE_COUNT])
{
    memcpy(out, hits, sizeof hits);
}

static void test_verifier_refuses_bad_images_under_any_single_fault(void **state)
{
    unsigned base[IFU_FI_SITE_COUNT];
    unsigned reached[IFU_FI_SITE_COUNT] = {0};
    unsigned runs = 0;
    unsigned accepted = 0;
    unsigned false_alarms = 0;
    (void)state;

    for (int k = 0; k < K_COUNT; k++) {
        arm(no_fault, no_fault);
        int want_ok = is_good((enum kind)k);
        int got = verify_stream(&images[k]);
        if ((got == 0) != want_ok) {
            fail_msg("verify %s without a fault: %s", kind_names[k], ifu_strerror(got));
        }
        snapshot_hits(base);
        for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
            reached[s] += base[s];
            for (unsigned occ = 0; occ <= base[s] && base[s] != 0; occ++) {
                arm((struct fault){s, occ}, no_fault);
                got = verify_stream(&images[k]);
                runs++;
                if (got == 0 && !want_ok) {
                    accepted++;
                    print_error("verify %s accepted with %s#%u flipped\n", kind_names[k],
                                site_names[s], occ);
                }
                false_alarms += got != 0 && want_ok;
            }
        }
    }
    unsigned sites = 0;
    for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
        sites += reached[s] != 0;
    }
    printf("fault verify: %u sites, %u runs, %u accepted (%u refusals of a good image)\n", sites,
           runs, accepted, false_alarms);
    /* Every guarded site of the verifier was exercised. */
    for (int s = IFU_FI_VERIFY_KEYHASH_MATCH; s <= IFU_FI_VERIFY_AGREE_VERDICT; s++) {
        if (reached[s] == 0) {
            fail_msg("verifier site %s never evaluated", site_names[s]);
        }
    }
    assert_int_equal(accepted, 0);
}

/* ---- the boot engine ----------------------------------------------------- */

static enum ifu_boot_mode mode;

enum scenario {
    SC_PRIMARY, /* the image alone in the primary (XIP: slot A) */
    SC_STAGED,  /* image A runs; the image is staged and requested */
    SC_REVERT,  /* swap: B on trial, not confirmed; the saved A is the image */
    SC_COUNT
};

static const char *const scenario_names[SC_COUNT] = {"primary", "staged", "revert"};

static struct tu_image poke_of(const struct img *im)
{
    struct tu_image t;
    memset(&t, 0, sizeof t);
    t.data = im->data;
    t.len = im->len;
    return t;
}

static struct img saved_bad; /* SC_REVERT: the tampered copy of A planted as the saved image */

/* Build the flash for scenario sc with image k; returns the snapshot, or
 * NULL if the scenario does not apply to this mode. *bad is set to the bytes
 * of the bad image the run must never boot or install (NULL for a good k). */
static struct ifu_sim_snapshot *setup_flash(struct tu_rig *r, enum scenario sc, enum kind k,
                                            const struct img **bad)
{
    struct ifu_boot_config app;
    struct ifu_boot_result res;
    struct tu_image t;
    uint16_t len;

    *bad = is_good(k) ? NULL : &images[k];
    memset(r->sim.mem, r->sim.flash.erased_val, r->sim.size);
    switch (sc) {
    case SC_PRIMARY:
        t = poke_of(&images[k]);
        tu_rig_poke_image(r, 0, 0, &t);
        break;
    case SC_STAGED:
        t = poke_of(&running);
        tu_rig_poke_image(r, 0, 0, &t);
        t = poke_of(&images[k]);
        assert_int_equal(tu_rig_stage(r, 1, tu_rig_stage_off(r), &t), 0);
        tu_rig_app_cfg(r, 0, &app);
        assert_int_equal(ifu_boot_request(&app, mode == IFU_BOOT_MODE_OVERWRITE
                                                    ? IFU_BOOT_REQ_PERMANENT
                                                    : IFU_BOOT_REQ_TEST),
                         0);
        break;
    default: /* SC_REVERT: swap only; the untrusted kinds are no revert attack */
        if (mode != IFU_BOOT_MODE_SWAP || k == K_UNTRUSTED || k == K_UNTRUSTED_PUBKEY ||
            k == K_GOOD_PUBKEY) {
            return NULL;
        }
        t = poke_of(&running);
        tu_rig_poke_image(r, 0, 0, &t);
        t = poke_of(&images[K_GOOD]);
        assert_int_equal(tu_rig_stage(r, 1, tu_rig_stage_off(r), &t), 0);
        tu_rig_app_cfg(r, 0, &app);
        assert_int_equal(ifu_boot_request(&app, IFU_BOOT_REQ_TEST), 0);
        arm(no_fault, no_fault);
        assert_int_equal(tu_rig_go(r, &res), 0); /* installs B; its trial starts */
        assert_int_equal(res.state, IFU_BOOT_STATE_TESTING);
        /* The saved A sits at secondary offset 0: damage it as image k is
         * damaged. The next boot ends B's trial and must not restore it. */
        if (!is_good(k)) {
            free(saved_bad.data);
            saved_bad.len = running.len;
            saved_bad.data = malloc(running.len);
            assert_non_null(saved_bad.data);
            memcpy(saved_bad.data, running.data, running.len);
            if (k == K_WRONG_HASH) {
                saved_bad.data[find_tlv(&saved_bad, IFU_TLV_SHA256, &len) + 7] ^= 0x80;
            } else if (k == K_FORGED_SIG) {
                saved_bad.data[find_tlv(&saved_bad, IFU_TLV_ED25519, &len) + 20] ^= 0x04;
            } else {
                saved_bad.data[TU_IMAGE_HDR_SIZE + 1000] ^= 0x01;
            }
            if (k == K_REHASHED) {
                uint32_t h = find_tlv(&saved_bad, IFU_TLV_SHA256, &len);
                assert_int_equal(ifu_hash_oneshot(IFU_HASH_SHA256, saved_bad.data,
                                                  tlv_off(saved_bad.data), saved_bad.data + h),
                                 0);
            }
            ifu_sim_poke(&r->sim, r->cfg.secondary.off, saved_bad.data, saved_bad.len);
            *bad = &saved_bad;
        }
        break;
    }
    return ifu_sim_save(&r->sim);
}

/* 1 if slot holds, at offset 0, one of the good images. */
static int holds_good(const struct tu_rig *r, unsigned slot)
{
    const uint8_t *p = tu_rig_bytes(r, slot);
    const struct img *good[] = {&running, &images[K_GOOD], &images[K_GOOD_PUBKEY]};
    for (unsigned i = 0; i < 3; i++) {
        if (memcmp(p, good[i]->data, good[i]->len) == 0) {
            return 1;
        }
    }
    return 0;
}

struct tally {
    unsigned runs;
    unsigned accepted;  /* a bad image named and passed by ifu_boot_check */
    unsigned installed; /* a bad image copied into the primary */
    unsigned refused;   /* runs that booted nothing (IFU_EFAULT, IFU_ENOIMAGE, ...) */
};

struct run_ctx {
    struct tu_rig *r;
    const struct ifu_sim_snapshot *snap;
    const struct img *bad; /* the bad image; NULL for a good one */
    int watch_primary;     /* 1 if bad must never be copied into the primary */
    const char *name;      /* mode scenario/kind */
};

static void fault_desc(char *out, size_t n, struct fault a, struct fault b)
{
    if (a.site < 0) {
        snprintf(out, n, "no fault");
    } else if (b.site < 0) {
        snprintf(out, n, "%s#%u", site_names[a.site], a.occ);
    } else {
        snprintf(out, n, "%s#%u + %s#%u", site_names[a.site], a.occ, site_names[b.site], b.occ);
    }
}

/* One run from the snapshot with faults a and b armed: the engine, then the
 * port's last check. Returns 1 if an image was booted. */
static int boot_once(const struct run_ctx *c, struct fault a, struct fault b, struct tally *t,
                     int quiet)
{
    struct ifu_boot_result res;
    char what[160];

    ifu_sim_restore(&c->r->sim, c->snap);
    arm(a, b);
    int rc = tu_rig_go(c->r, &res);
    int booted = rc == 0 && ifu_boot_check(&res) == 0;
    t->runs++;
    t->refused += !booted;
    if (booted && !holds_good(c->r, res.slot)) {
        t->accepted++;
        if (!quiet || getenv("IFU_FAULT_VERBOSE") != NULL) {
            fault_desc(what, sizeof what, a, b);
            print_error("%s: booted a bad image from slot %u with %s\n", c->name, res.slot, what);
        }
    }
    if (c->bad != NULL && c->watch_primary &&
        memcmp(tu_rig_bytes(c->r, 0), c->bad->data, c->bad->len) == 0) {
        t->installed++;
        if (!quiet) {
            fault_desc(what, sizeof what, a, b);
            print_error("%s: the bad image reached the primary with %s\n", c->name, what);
        }
    }
    return booted;
}

static const char *mode_name(void)
{
    return mode == IFU_BOOT_MODE_OVERWRITE ? "overwrite"
           : mode == IFU_BOOT_MODE_SWAP    ? "swap"
                                           : "xip";
}

static void test_boot_refuses_bad_images_under_any_single_fault(void **state)
{
    struct tu_rig r;
    unsigned base[IFU_FI_SITE_COUNT];
    unsigned reached[IFU_FI_SITE_COUNT] = {0};
    struct tally single = {0};
    struct tally pairs = {0};
    char name[64];
    (void)state;

    assert_int_equal(tu_rig_init(&r, &tu_geom_u4k, 1), 0);
    assert_int_equal(r.layout_err, 0);
    for (int sc = 0; sc < SC_COUNT; sc++) {
        for (int k = 0; k < K_COUNT; k++) {
            const struct img *bad;
            struct ifu_sim_snapshot *snap = setup_flash(&r, (enum scenario)sc, (enum kind)k, &bad);
            if (snap == NULL) {
                continue;
            }
            snprintf(name, sizeof name, "%s %s/%s", mode_name(), scenario_names[sc], kind_names[k]);
            struct run_ctx c = {&r, snap, bad, sc != SC_PRIMARY, name};
            struct tally plain = {0};
            /* Without a fault: a good image boots, a bad one never does. */
            int booted = boot_once(&c, no_fault, no_fault, &plain, 0);
            if (plain.accepted != 0 || plain.installed != 0) {
                fail_msg("%s: bad image accepted without a fault", name);
            }
            if (is_good((enum kind)k) && !booted) {
                fail_msg("%s: good image not booted without a fault", name);
            }
            snapshot_hits(base);
            /* Every single fault: each evaluation of each site, then each
             * site at every evaluation. */
            for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
                reached[s] += base[s];
                for (unsigned occ = 0; occ <= base[s] && base[s] != 0; occ++) {
                    boot_once(&c, (struct fault){s, occ}, no_fault, &single, 0);
                }
            }
            /* Pairs, for bad images in the primary: the first fault from the
             * plain run, the second from the run with the first fault. */
            if (sc == SC_PRIMARY && bad != NULL) {
                unsigned after[IFU_FI_SITE_COUNT];
                for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
                    for (unsigned occ = 1; occ <= base[s]; occ++) {
                        struct fault f1 = {s, occ};
                        struct tally scratch = {0};
                        boot_once(&c, f1, no_fault, &scratch, 1);
                        snapshot_hits(after);
                        for (int s2 = 0; s2 < IFU_FI_SITE_COUNT; s2++) {
                            for (unsigned o2 = 1; o2 <= after[s2]; o2++) {
                                if (s2 == s && o2 == occ) {
                                    continue;
                                }
                                boot_once(&c, f1, (struct fault){s2, o2}, &pairs, 1);
                            }
                        }
                    }
                }
            }
            ifu_sim_snapshot_free(snap);
        }
    }
    tu_rig_free(&r);

    unsigned sites = 0;
    for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
        sites += reached[s] != 0;
    }
    printf("fault %s: %u sites, %u runs, %u accepted, %u installed (%u runs booted nothing)\n",
           mode_name(), sites, single.runs, single.accepted, single.installed, single.refused);
    printf("fault %s pairs: %u runs, %u accepted (two faults: outside the model, "
           "docs/SECURITY.md)\n",
           mode_name(), pairs.runs, pairs.accepted);

    /* Every site this mode evaluates was faulted: a guard that a refactor
     * bypasses shows up here. */
    for (int s = 0; s < IFU_FI_SITE_COUNT; s++) {
        int used = 1;
        if (s == IFU_FI_MODE_SLOT_VERIFIED || s == IFU_FI_MODE_PICK_VALID) {
            used = mode == IFU_BOOT_MODE_XIP;
        } else if (s == IFU_FI_MODE_STAGED_VERIFIED || s == IFU_FI_MODE_PRIMARY_VERIFIED) {
            used = mode != IFU_BOOT_MODE_XIP;
        } else if (s == IFU_FI_MODE_SAVED_VERIFIED) {
            used = mode == IFU_BOOT_MODE_SWAP;
        }
        if (used && reached[s] == 0) {
            fail_msg("site %s never evaluated in %s mode", site_names[s], mode_name());
        }
    }
    assert_int_equal(single.accepted, 0);
    assert_int_equal(single.installed, 0);
}

static int setup(void **state)
{
    (void)state;
    mode = ifu_boot_mode();
    make_images();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int k = 0; k < K_COUNT; k++) {
        free(images[k].data);
    }
    free(running.data);
    free(saved_bad.data);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verifier_refuses_bad_images_under_any_single_fault),
        cmocka_unit_test(test_boot_refuses_bad_images_under_any_single_fault),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
