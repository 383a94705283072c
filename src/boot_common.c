/* The boot engine's shared half: trailer fields, verification of a slot,
 * the application API and the entry point. The mode file decides; this file
 * reads and writes. See include/ifu/boot.h and docs/DESIGN.md §7. */
#include <string.h>

#include "boot_priv.h"
#include "fault_priv.h"
#include "image_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

IFU_STATIC_ASSERT(IFU_BOOT_BUF_SIZE % IFU_FLASH_MAX_WRITE_SIZE == 0, boot_buf_multiple_of_32);
IFU_STATIC_ASSERT(IFU_BOOT_BUF_SIZE >= 64, boot_buf_at_least_64);

/* MCUboot's magic for BOOT_MAX_ALIGN == 8, and the tail of the one for other
 * alignments, which starts with the alignment as a 16-bit little-endian
 * number (FORMAT.md §6.1). */
static const uint8_t magic_a8[BOOT_MAGIC_SIZE] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                                  0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
static const uint8_t magic_tail[BOOT_MAGIC_SIZE - 2] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                                        0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};

static void magic_of(const struct tr_geo *g, uint8_t out[BOOT_MAGIC_SIZE])
{
    if (g->align == 8) {
        memcpy(out, magic_a8, BOOT_MAGIC_SIZE);
    } else {
        ifu_put_le16(out, (uint16_t)g->align);
        memcpy(out + 2, magic_tail, sizeof magic_tail);
    }
}

void tr_geo_of(const struct ifu_area *a, struct tr_geo *g)
{
    uint32_t w = a->flash->write_size;
    g->write = w;
    g->align = w > 8 ? w : 8;
    g->magic = g->align > BOOT_MAGIC_SIZE ? g->align : BOOT_MAGIC_SIZE;
    g->record = (JOURNAL_RECORD_LEN + g->align - 1) / g->align * g->align;
    g->erased = a->flash->erased_val;
}

uint32_t tr_fixed_size(const struct tr_geo *g)
{
    return g->magic + TR_FLAG_FIELDS * g->align;
}

uint32_t tr_field_off(const struct ifu_area *a, const struct tr_geo *g, enum tr_field f)
{
    return a->size - g->magic - (uint32_t)f * g->align;
}

/* 1 if any of the n bytes differs from the erased value. */
static int any_programmed(const uint8_t *p, uint32_t n, uint8_t erased)
{
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] != erased) {
            return 1;
        }
    }
    return 0;
}

int tr_read(const struct ifu_area *a, struct trailer *t)
{
    struct tr_geo g;
    uint8_t buf[IFU_FLASH_MAX_WRITE_SIZE];
    uint8_t want[BOOT_MAGIC_SIZE];

    tr_geo_of(a, &g);
    memset(t, 0, sizeof *t);
    int err = ifu_area_read(a, a->size - BOOT_MAGIC_SIZE, buf, BOOT_MAGIC_SIZE);
    if (err) {
        return err;
    }
    magic_of(&g, want);
    if (memcmp(buf, want, BOOT_MAGIC_SIZE) == 0) {
        t->magic = 1;
    } else {
        t->magic = any_programmed(buf, BOOT_MAGIC_SIZE, g.erased) ? -1 : 0;
    }
    static const enum tr_field flags[] = {TR_IMAGE_OK, TR_COPY_DONE, TR_TRIAL, TR_REJECTED,
                                          TR_SWAP_INFO};
    uint8_t set[sizeof flags / sizeof flags[0]];
    for (uint32_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        /* A flag is one write unit; rejected is written as its whole A-byte
         * field (flag and reason), so a tear may land bits in the reason
         * only: any of them counts. */
        uint32_t n = flags[i] == TR_REJECTED ? g.align : g.write;
        err = ifu_area_read(a, tr_field_off(a, &g, flags[i]), buf, n);
        if (err) {
            return err;
        }
        set[i] = (uint8_t)any_programmed(buf, n, g.erased);
    }
    t->image_ok = set[0];
    t->copy_done = set[1];
    t->trial = set[2];
    t->rejected = set[3];
    if (t->rejected) {
        uint8_t why[2];
        err = ifu_area_read(a, tr_field_off(a, &g, TR_REJECTED), why, sizeof why);
        if (err) {
            return err;
        }
        /* The reason is stored negated; a torn or foreign value reads as
         * "invalid". */
        t->reject_err = why[1] >= 1 && why[1] <= 127 ? -(int)why[1] : IFU_EINVAL;
    }
    /* swap_info: the last field read; buf still holds it. */
    uint8_t type = (uint8_t)(buf[0] & 0x0fu);
    t->swap_type =
        set[4] && type >= BOOT_SWAP_TYPE_TEST && type <= BOOT_SWAP_TYPE_REVERT ? type : 0;
    return 0;
}

/* Program one flag field unless it is already programmed (so every trailer
 * write can be repeated after a power cut). */
int tr_set_flag(const struct ifu_area *a, enum tr_field f, uint8_t value)
{
    struct tr_geo g;
    uint8_t unit[IFU_FLASH_MAX_WRITE_SIZE];

    tr_geo_of(a, &g);
    uint32_t off = tr_field_off(a, &g, f);
    int err = ifu_area_read(a, off, unit, g.write);
    if (err) {
        return err;
    }
    if (any_programmed(unit, g.write, g.erased)) {
        return 0;
    }
    memset(unit, g.erased, g.write);
    unit[0] = value;
    return ifu_area_prog(a, off, unit, g.write);
}

/* Program the rejected field in one write of its A bytes: 0x01, then the
 * error code negated (DESIGN.md §7.2). Skipped if already programmed. */
int tr_mark_rejected(const struct ifu_area *a, int why)
{
    struct tr_geo g;
    uint8_t field[IFU_FLASH_MAX_WRITE_SIZE];

    tr_geo_of(a, &g);
    uint32_t off = tr_field_off(a, &g, TR_REJECTED);
    int r = ifu_area_is_erased(a, off, g.align);
    if (r <= 0) {
        return r;
    }
    memset(field, g.erased, g.align);
    field[0] = BOOT_FLAG_SET;
    field[1] = (uint8_t)(why < 0 && why >= -127 ? -why : -IFU_EINVAL);
    return ifu_area_prog(a, off, field, g.align);
}

/* Program the magic field (M bytes ending at the slot end) if it is erased.
 * If it holds something other than the magic: strict (a request) gives
 * IFU_ESTATE; otherwise (the bootloader finishing an operation, after which
 * only its own torn write can be there) the write counts as made. */
int tr_write_magic(const struct ifu_area *a, int strict)
{
    struct tr_geo g;
    uint8_t field[IFU_FLASH_MAX_WRITE_SIZE > BOOT_MAGIC_SIZE ? IFU_FLASH_MAX_WRITE_SIZE
                                                             : BOOT_MAGIC_SIZE];
    struct trailer t;

    int err = tr_read(a, &t);
    if (err || t.magic == 1) {
        return err;
    }
    tr_geo_of(a, &g);
    /* With A = 32 the field is 32 bytes and the magic its last 16: all of
     * it must be erased, since ifu never programs over programmed bytes. */
    int r = t.magic == 0 ? ifu_area_is_erased(a, a->size - g.magic, g.magic) : 0;
    if (r < 0) {
        return r;
    }
    if (r == 0) {
        return strict ? IFU_ESTATE : 0;
    }
    memset(field, g.erased, g.magic);
    magic_of(&g, field + g.magic - BOOT_MAGIC_SIZE);
    return ifu_area_prog(a, a->size - g.magic, field, g.magic);
}

int boot_last_sector(const struct ifu_area *a, uint32_t *start, uint32_t *size)
{
    return ifu_area_sector(a, a->size - 1, start, size);
}

static int overlap(const struct ifu_area *x, const struct ifu_area *y)
{
    return x->flash == y->flash && x->off < y->off + y->size && y->off < x->off + x->size;
}

int boot_slots_check(const struct ifu_boot_config *cfg)
{
    if (cfg == NULL) {
        return IFU_EINVAL;
    }
    int err = ifu_area_check(&cfg->primary);
    if (!err) {
        err = ifu_area_check(&cfg->secondary);
    }
    if (err) {
        return err;
    }
    const struct ifu_flash *p = cfg->primary.flash;
    const struct ifu_flash *s = cfg->secondary.flash;
    /* One trailer geometry for both slots: MCUboot's layout depends on it. */
    if (overlap(&cfg->primary, &cfg->secondary) || p->write_size != s->write_size ||
        p->erased_val != s->erased_val) {
        return IFU_EINVAL;
    }
    return 0;
}

void boot_emit(const struct boot_run *run, enum ifu_boot_event ev, unsigned slot, int err)
{
    if (run->cfg->event != NULL) {
        run->cfg->event(run->cfg->hook_ctx, ev, slot, err);
    }
}

/* Verify the image at area offset off: hash, signature, trusted key, and an
 * end no further than max_size bytes from off. */
int boot_verify(struct boot_run *run, const struct ifu_area *a, uint32_t off, uint32_t max_size,
                struct ifu_image_info *info)
{
    struct ifu_verify *v = &run->b->verify;
    const struct ifu_boot_config *cfg = run->cfg;
    uint32_t hashset = cfg->hashset != 0 ? cfg->hashset : IFU_HASHSET(IFU_HASH_SHA256);
    struct boot_proof *p = &run->proof[a == &cfg->secondary];

    p->off = off;
    p->err = IFU_ESTATE;
    p->verdict = IFU_FI_VERDICT_BAD;
    memset(info, 0, sizeof *info);
    if (run->keys == NULL || max_size == 0 || off > a->size || max_size > a->size - off) {
        return IFU_EINVAL;
    }
    int err = boot_verify_begin(v, run->keys, run->revoked, hashset, max_size);
    if (!err) {
        /* In place if the flash is mapped, else through the engine's buffer. */
        err = ifu_verify_feed_area(v, a, off, max_size, run->b->buf, IFU_BOOT_BUF_SIZE);
    }
    if (err) {
        ifu_verify_abort(v);
        return err;
    }
    err = ifu_verify_finish_area(v, a, off, info);
    if (!err) {
        err = boot_counter_admit(run, info);
    }
    p->err = err;
    p->verdict = v->verdict;
    memcpy(p->digest, info->digest, sizeof p->digest);
    return err;
}

int boot_proof_check(const struct boot_run *run, const struct ifu_area *a, uint32_t off,
                     const struct ifu_image_info *info)
{
    const struct boot_proof *p = &run->proof[a == &run->cfg->secondary];
    uint32_t n = ifu_hash_size(info->hash_alg);
    int ok = 1;

    /* Each line stops acting on an image whose refusal a fault skipped. */
    IFU_FAULT_DELAY();
    ok &= IFU_FI(PROOF_ERR, p->err == 0);
    ok &= IFU_FI(PROOF_VERDICT, p->verdict == IFU_FI_VERDICT_OK);
    ok &= IFU_FI(PROOF_OFF, p->off == off);
    ok &= IFU_FI(PROOF_DIGEST, n != 0 && ifu_ct_memcmp(p->digest, info->digest, n) == 0);
    /* The anti-rollback rule R1, a second time (boot_verify applied it once). */
    ok &= IFU_FI(PROOF_COUNTER, run->cfg->counter == NULL || info->sec_cnt >= run->ctr_value);
    return ok ? 0 : IFU_EFAULT;
}

/* A word that binds the result's fields (what the port jumps to) to each
 * other; ifu_boot_result.check is it XOR the verdict's complement. */
static uint32_t result_mix(const struct ifu_boot_result *res)
{
    uint32_t words[] = {res->slot,
                        res->image_off,
                        res->entry_off,
                        res->info.total_size,
                        res->info.hdr.load_addr,
                        res->info.hdr.img_size,
                        (uint32_t)res->state,
                        (uint32_t)res->info.hash_alg};
    uint32_t h = 0x811c9dc5u;
    for (uint32_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        h = (h ^ words[i]) * 0x01000193u;
    }
    for (uint32_t i = 0; i < sizeof res->info.digest; i++) {
        h = (h ^ res->info.digest[i]) * 0x01000193u;
    }
    return h;
}

int boot_counter_admit(const struct boot_run *run, const struct ifu_image_info *info)
{
    /* R1: never boot, install or revert into an older security epoch. */
    if (run->cfg->counter != NULL && info->sec_cnt < run->ctr_value) {
        return IFU_EROLLBACK;
    }
    return 0;
}

int boot_counter_fits(const struct boot_run *run, const struct ifu_image_info *info)
{
    /* An image the counter could never be raised to is refused before it
     * installs: its confirm could not commit it (OTP exhausted). */
    if (run->cfg->counter != NULL && info->sec_cnt > run->ctr_max) {
        return IFU_ECOUNTER;
    }
    return 0;
}

/* R2: called only for an image that is confirmed (or installed for good),
 * verified in this call. A cut inside leaves the counter between the old
 * value and sec_cnt, and the next boot commits again. */
int boot_counter_commit(struct boot_run *run, const struct ifu_image_info *info)
{
    if (run->cfg->counter == NULL || info->sec_cnt <= run->ctr_value ||
        info->sec_cnt > run->ctr_max) {
        return 0;
    }
    int err = ifu_counter_advance(run->cfg->counter, info->sec_cnt);
    if (err) {
        return err;
    }
    run->ctr_value = info->sec_cnt;
    run->res->actions |= IFU_BOOT_DID_COUNTER;
    return 0;
}

int boot_install_policy(struct boot_run *run, const struct ifu_image_info *staged,
                        const struct ifu_image_info *running, int running_confirmed, int *why)
{
    *why = 0;
    if (run->cfg->counter == NULL) {
        return 0;
    }
    /* A running image confirmed since the last reset has not been
     * committed yet: commit it first, so a staged image between the stored
     * counter and the running image's SEC_CNT is still a downgrade. */
    if (running != NULL && running_confirmed) {
        int err = boot_counter_commit(run, running);
        if (err) {
            return err;
        }
    }
    *why = boot_counter_admit(run, staged);
    if (*why == 0) {
        *why = boot_counter_fits(run, staged);
    }
    /* Optional: an older version is a downgrade too. */
    if (*why == 0 && (run->cfg->counter->flags & IFU_COUNTER_F_VERSION) != 0 && running != NULL &&
        ifu_image_version_cmp(&staged->hdr.version, &running->hdr.version) < 0) {
        *why = IFU_EROLLBACK;
    }
    return 0;
}

/* The primary's magic is written by the bootloader only, last in a finish
 * that the journal repeats until done; a torn one still counts (magic != 0). */
enum ifu_boot_state boot_running_state(const struct trailer *t)
{
    if (t->magic != 0 && !t->image_ok && t->copy_done) {
        return IFU_BOOT_STATE_TESTING;
    }
    if (t->magic != 0 && t->image_ok && t->rejected) {
        return IFU_BOOT_STATE_REVERTED;
    }
    return IFU_BOOT_STATE_CONFIRMED;
}

enum ifu_boot_state boot_pending_state(const struct trailer *t)
{
    if (t->magic != 1 || t->rejected) {
        return IFU_BOOT_STATE_NONE;
    }
    return t->image_ok ? IFU_BOOT_STATE_INSTALL_PERMANENT : IFU_BOOT_STATE_INSTALL_TEST;
}

/* Fill the result for the image about to be booted. */
int boot_finish_go(struct boot_run *run, unsigned slot, const struct ifu_area *a,
                   const struct ifu_image_info *info, enum ifu_boot_state state)
{
    struct ifu_boot_result *res = run->res;
    /* B1 against faults: the decision that led here is checked once more. */
    int err = boot_proof_check(run, a, 0, info);
    if (IFU_FI(PROOF_PASSED, err != 0)) {
        return err;
    }
    /* R2: a confirmed image is committed before it runs; one on trial is
     * not, so its revert stays possible. */
    if (state != IFU_BOOT_STATE_TESTING) {
        err = boot_counter_commit(run, info);
        if (err) {
            return err;
        }
    }
    struct ifu_keystore *ks = run->cfg->keystore;
    if (ks != NULL) {
        /* Rotation: only an image that is confirmed (not one on trial, which
         * may still be reverted) retires the keys below its own. */
        if ((ks->flags & IFU_KEYS_F_REVOKE_BELOW) != 0 && state != IFU_BOOT_STATE_TESTING &&
            info->key_index > 0) {
            int n = ifu_keys_revoke_below(ks, (uint32_t)info->key_index);
            if (n < 0) {
                return n;
            }
        }
        /* The last keystore write is behind us: the application gets the
         * store read-only (docs/KEYS.md §2.3). */
        err = ifu_keys_lock(ks);
        if (err) {
            return err;
        }
    }
    res->slot = slot;
    res->image_off = a->off;
    res->entry_off = a->off + info->hdr.hdr_size;
    res->info = *info;
    res->state = state;
    res->verdict = run->proof[a == &run->cfg->secondary].verdict;
    res->check = result_mix(res) ^ ~res->verdict;
    boot_emit(run, IFU_BOOT_EV_BOOT, slot, 0);
    return 0;
}

int boot_is_flash_error(int err)
{
    /* A cut, a failing part, a bad configuration or a crypto backend fault:
     * stop this boot. Anything else is a verdict on an image. */
    /* IFU_EFAULT (redundant checks disagreed) stops it too, before any
     * write: a glitch must not be able to mark a good image rejected. */
    return err == IFU_EIO || err == IFU_EINVAL || err == IFU_ECRYPTO || err == IFU_EFAULT;
}

/* B5: refusing a staged image programs only its rejected field, with the
 * reason, so the application can read why after the reset; the request is
 * void from then on and nothing installed changes. */
int boot_reject(struct boot_run *run, int why)
{
    run->res->actions |= IFU_BOOT_DID_REJECT;
    run->res->reject_err = why;
    boot_emit(run, IFU_BOOT_EV_REJECTED, 1, why);
    int err = tr_mark_rejected(&run->cfg->secondary, why);
    if (!err) {
        err = ifu_area_sync(&run->cfg->secondary);
    }
    return err;
}

int boot_no_image(struct boot_run *run, int err)
{
    boot_emit(run, IFU_BOOT_EV_NO_IMAGE, 0, err);
    if (run->cfg->recovery != NULL) {
        run->cfg->recovery(run->cfg->hook_ctx, IFU_ENOIMAGE);
    }
    return IFU_ENOIMAGE;
}

/* The keyring to verify with: cfg->keys, or with a keystore its keyring,
 * read now. IFU_EINVAL if it is empty: a keystore with no VALID slot and no
 * REVOKED one is not provisioned, and verifying against it would refuse
 * (and mark) images that are fine. A keystore whose every key is revoked is
 * provisioned; every image then fails with IFU_EREVOKED. */
int boot_keyring(const struct ifu_boot_config *cfg, const struct ifu_keyring **keys,
                 uint32_t *revoked)
{
    *keys = NULL;
    *revoked = 0;
    if (cfg->keystore == NULL) {
        *keys = cfg->keys;
        return 0;
    }
    const struct ifu_keyring *ring;
    int n = ifu_keys_load(cfg->keystore, &ring, revoked);
    if (n < 0) {
        return n;
    }
    if (n == 0 && *revoked == 0) {
        return IFU_EINVAL;
    }
    *keys = ring;
    return 0;
}

/* ifu_verify_begin, then the keystore's revocations (none without one). */
int boot_verify_begin(struct ifu_verify *v, const struct ifu_keyring *keys, uint32_t revoked,
                      uint32_t hashset, uint32_t max_size)
{
    int err = ifu_verify_begin(v, keys, 0, hashset, max_size, NULL);
    if (!err && revoked != 0) {
        err = ifu_verify_set_revoked(v, revoked);
    }
    return err;
}

/* see include/ifu/boot.h */
int ifu_boot_layout(const struct ifu_boot_config *cfg, struct ifu_boot_layout *out)
{
    if (out == NULL) {
        return IFU_EINVAL;
    }
    memset(out, 0, sizeof *out);
    int err = boot_slots_check(cfg);
    if (err) {
        return err;
    }
    return boot_mode_layout(cfg, out);
}

/* see include/ifu/boot.h */
int ifu_boot_go(struct ifu_boot *b, const struct ifu_boot_config *cfg, struct ifu_boot_result *res)
{
    struct boot_run run;

    if (b == NULL || res == NULL) {
        return IFU_EINVAL;
    }
    memset(res, 0, sizeof *res);
    int err = ifu_boot_layout(cfg, &run.lay);
    if (err) {
        return err;
    }
    /* Checked before any flash is touched: with an empty keyring or hash
     * set nothing could verify, and the engine would refuse (and mark)
     * images that are fine. The bootloader never boots unverified code. */
    uint32_t hashset = cfg->hashset != 0 ? cfg->hashset : IFU_HASHSET(IFU_HASH_SHA256);
    uint32_t hashes = 0;
    for (uint32_t bits = hashset; bits != 0; bits &= bits - 1) {
        hashes++;
    }
    err = boot_keyring(cfg, &run.keys, &run.revoked);
    if (err) {
        return err;
    }
    if (run.keys == NULL || run.keys->keys == NULL || run.keys->count == 0 ||
        (hashset & ~(uint32_t)IFU_HASHSET_ALL) != 0 || hashes > IFU_VERIFY_MAX_HASHES) {
        return IFU_EINVAL;
    }
    run.b = b;
    run.cfg = cfg;
    run.res = res;
    for (unsigned i = 0; i < 2; i++) {
        run.proof[i].err = IFU_ENOIMAGE;
        run.proof[i].verdict = IFU_FI_VERDICT_BAD;
    }
    run.ctr_value = 0;
    run.ctr_max = 0xffffffffu;
    if (cfg->counter != NULL) {
        /* Read once, before any slot is touched; a counter that cannot be
         * read stops the boot (never "no counter"). */
        struct ifu_counter_state cs;
        err = ifu_counter_get(cfg->counter, &cs);
        if (err) {
            return err;
        }
        run.ctr_value = cs.value;
        run.ctr_max = cs.max;
    }
    err = boot_mode_go(&run);
    ifu_wipe(b, sizeof *b);
    /* B1 against faults: a slot is named only if the verdict and the check
     * word written with it agree with the return value. */
    IFU_FAULT_DELAY();
    if (IFU_FI(GO_RESULT, err == 0)) {
        int ok = IFU_FI(GO_VERDICT, res->verdict == IFU_FI_VERDICT_OK);
        ok &= IFU_FI(GO_TOKEN, (res->check ^ result_mix(res)) == IFU_FI_VERDICT_BAD);
        err = ok ? 0 : IFU_EFAULT;
    }
    if (err != 0) {
        res->verdict = IFU_FI_VERDICT_BAD;
        res->check = 0;
    }
    return err;
}

/* see include/ifu/boot.h */
int ifu_boot_check(const struct ifu_boot_result *res)
{
    if (res == NULL) {
        return IFU_EINVAL;
    }
    IFU_FAULT_DELAY();
    int ok = IFU_FI(CHECK_VERDICT, res->verdict == IFU_FI_VERDICT_OK);
    IFU_FAULT_DELAY();
    ok &= IFU_FI(CHECK_TOKEN, (res->check ^ result_mix(res)) == IFU_FI_VERDICT_BAD);
    return ok ? 0 : IFU_EFAULT;
}

/* Request in the MCUboot way: image_ok first (permanent only), the magic
 * last, so the magic commits the request. */
int boot_request_common(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind)
{
    struct trailer t;
    const struct ifu_area *s = &cfg->secondary;

    int err = tr_read(s, &t);
    if (err) {
        return err;
    }
    if (t.magic == -1 || t.rejected) {
        return IFU_ESTATE; /* trailer holds something else: stage the image again */
    }
    if (t.magic == 0) {
        /* The magic must be writable before image_ok is: with A = 32 its
         * field is larger than the magic, and a refused request must leave
         * no half of itself (direct-XIP boots an image with image_ok). */
        struct tr_geo g;
        tr_geo_of(s, &g);
        int r = ifu_area_is_erased(s, s->size - g.magic, g.magic);
        if (r <= 0) {
            return r < 0 ? r : IFU_ESTATE;
        }
    }
    if (t.image_ok != (kind == IFU_BOOT_REQ_PERMANENT)) {
        if (t.image_ok) {
            return IFU_ESTATE; /* a permanent request (or its first half) is recorded */
        }
        if (t.magic == 1) {
            return IFU_ESTATE; /* a test request is recorded */
        }
        err = tr_set_flag(s, TR_IMAGE_OK, BOOT_FLAG_SET);
        if (err) {
            return err;
        }
    }
    err = ifu_area_sync(s);
    if (!err) {
        err = tr_write_magic(s, 1);
    }
    if (!err) {
        err = ifu_area_sync(s);
    }
    return err;
}

/* see include/ifu/boot.h */
int ifu_boot_request(const struct ifu_boot_config *cfg, enum ifu_boot_request_kind kind)
{
    if (kind != IFU_BOOT_REQ_TEST && kind != IFU_BOOT_REQ_PERMANENT) {
        return IFU_EINVAL;
    }
    int err = boot_slots_check(cfg);
    if (!err) {
        err = boot_mode_request_ok(cfg, kind);
    }
    if (!err) {
        err = boot_request_common(cfg, kind);
    }
    return err;
}

/* see include/ifu/boot.h */
int ifu_boot_confirm(const struct ifu_boot_config *cfg)
{
    struct trailer t;

    int err = boot_slots_check(cfg);
    if (!err) {
        err = tr_read(&cfg->primary, &t);
    }
    if (err) {
        return err;
    }
    if (t.magic == 0 || t.image_ok) {
        return 0; /* no trailer (factory image) or already confirmed */
    }
    err = tr_set_flag(&cfg->primary, TR_IMAGE_OK, BOOT_FLAG_SET);
    if (!err) {
        err = ifu_area_sync(&cfg->primary);
    }
    return err;
}

/* see include/ifu/boot.h */
int ifu_boot_state(const struct ifu_boot_config *cfg, struct ifu_boot_status *st)
{
    if (st == NULL) {
        return IFU_EINVAL;
    }
    memset(st, 0, sizeof *st);
    int err = boot_slots_check(cfg);
    if (err) {
        return err;
    }
    return boot_mode_state(cfg, st);
}

/* see include/ifu/boot.h */
int ifu_boot_inspect(const struct ifu_boot_config *cfg, struct ifu_boot_trailer_info trailers[2],
                     struct ifu_boot_journal_info *journal)
{
    struct ifu_boot_layout lay;
    struct trailer t;
    struct journal j;
    int open = 0;

    if (trailers == NULL) {
        return IFU_EINVAL;
    }
    int err = ifu_boot_layout(cfg, &lay);
    for (unsigned i = 0; i < 2 && !err; i++) {
        err = tr_read(i == 0 ? &cfg->primary : &cfg->secondary, &t);
        if (!err) {
            trailers[i].magic = t.magic;
            trailers[i].image_ok = t.image_ok;
            trailers[i].copy_done = t.copy_done;
            trailers[i].trial = t.trial;
            trailers[i].rejected = t.rejected;
            trailers[i].swap_type = t.swap_type;
            trailers[i].reject_err = t.reject_err;
        }
    }
    if (err || journal == NULL) {
        return err;
    }
    memset(journal, 0, sizeof *journal);
    if (lay.max_steps == 0) {
        return 0; /* XIP keeps no journal */
    }
    err = journal_read(cfg, &lay, &j, &open);
    if (!err && open && !j.closed) {
        journal->open = 1;
        journal->op = (uint8_t)j.op;
        journal->old_size = j.old_size;
        journal->new_size = j.new_size;
        journal->steps_done = j.steps_done;
    }
    return err;
}
