/* The streaming update API: stage an image in the secondary slot as its
 * bytes arrive. See include/ifu/update.h; the on-flash rules and the
 * power-loss argument are in docs/DESIGN.md §8 (invariants U1-U6).
 *
 * Erase order of one session (a begin and the writes after it):
 *   1. the slot's last sector (trailer, journal): voids an earlier request
 *      or verdict before any image byte changes;
 *   2. the sectors from `first` (the image start, or the resume sector)
 *      upwards, one at a time; a sector is programmed only once the sector
 *      after it has been erased in this session (the look-ahead), so the
 *      sector after the last programmed one always reads erased (U3);
 *   3. the image's unprotected TLV area, its last part, is accepted only
 *      when every sector to the slot end is erased, so a complete image
 *      always sits in a clean slot and finish never erases. */
#include "ifu/update.h"

#include <string.h>

#include "boot_priv.h"
#include "image_priv.h"
#include "ifu/errors.h"
#include "util_priv.h"

#define REREAD_CHUNK 64u /* stack buffer of begin's scan and of repeat checks */
#define INT_MAX_TAKE 0x7fffffffu

IFU_STATIC_ASSERT(IFU_FLASH_MAX_WRITE_SIZE >= IFU_IMAGE_HEADER_SIZE, pend_holds_the_header);

static const struct ifu_area *sec_of(const struct ifu_update *up)
{
    return &up->cfg->secondary;
}

static uint32_t wsize(const struct ifu_update *up)
{
    return up->cfg->secondary.flash->write_size;
}

/* Every staging sector from `first` to the slot end erased in this session. */
static int all_erased(const struct ifu_update *up)
{
    return up->tail_done && up->next >= up->last;
}

/* Secondary offset below which programming is allowed: inside the sectors
 * erased in this session, and never in the newest of them (U3: its
 * successor is not erased yet), unless every sector is. */
static int prog_limit(const struct ifu_update *up, uint32_t *limit)
{
    uint32_t start;
    uint32_t size;

    if (all_erased(up)) {
        *limit = sec_of(up)->size;
        return 0;
    }
    if (up->next == up->first) {
        *limit = up->first;
        return 0;
    }
    int err = ifu_area_sector(sec_of(up), up->next - 1, &start, &size);
    *limit = start;
    return err;
}

/* The one erase a write call may make: the last sector first, then the next
 * sector upwards. */
static int erase_one(struct ifu_update *up)
{
    const struct ifu_area *a = sec_of(up);
    uint32_t start;
    uint32_t size;

    int err = 0;
    if (!up->tail_done) {
        start = up->last;
        size = a->size - up->last;
    } else {
        err = ifu_area_sector(a, up->next, &start, &size);
    }
    if (err) {
        return err;
    }
    up->touched = 1;
    err = ifu_area_erase(a, start, size);
    if (!err) {
        /* U3 needs the erase durable before anything below it is programmed. */
        err = ifu_area_sync(a);
    }
    if (err) {
        return err;
    }
    up->erases++;
    if (!up->tail_done) {
        up->tail_done = 1;
    } else {
        up->next = start + size;
    }
    return 0;
}

/* Sticky failure. An image verdict in a session that changed the slot is
 * also written to the slot's rejected field (B5's field), so the request is
 * void, the slot is not resumed, and status shows why after a reset. */
static int fail(struct ifu_update *up, int err)
{
    up->state = IFU_UPDATE_FAILED;
    up->err = err;
    ifu_verify_abort(&up->verify);
    if (up->touched && !boot_is_flash_error(err)) {
        int e = tr_mark_rejected(sec_of(up), err);
        if (!e) {
            (void)ifu_area_sync(sec_of(up));
        }
    }
    return err;
}

/* Where the image would execute: ROM_FIXED images carry that address. */
static uint32_t exec_addr(const struct ifu_update *up)
{
    const struct ifu_area *a =
        ifu_boot_mode() == IFU_BOOT_MODE_XIP ? &up->cfg->secondary : &up->cfg->primary;
    return a->flash->map_addr + a->off;
}

/* Header first: every check that needs only the 32 bytes, before anything
 * is erased (U1). */
static int check_header(const struct ifu_update *up, const uint8_t raw[IFU_IMAGE_HEADER_SIZE],
                        uint32_t *tlv_off)
{
    struct ifu_image_header h;
    const struct ifu_update_policy *p = &up->policy;

    int err = ifu_image_parse_header(&h, raw);
    if (err) {
        return err; /* not an image: a wrong file, a wrong offset */
    }
    /* Formats no boot mode here can run: position-independent, encrypted,
     * compressed, RAM-loaded or non-bootable images. */
    const uint32_t unsupported = IFU_IMAGE_F_PIC | IFU_IMAGE_F_ENCRYPTED_AES128 |
                                 IFU_IMAGE_F_ENCRYPTED_AES256 | IFU_IMAGE_F_COMPRESSED_LZMA1 |
                                 IFU_IMAGE_F_COMPRESSED_LZMA2 | IFU_IMAGE_F_COMPRESSED_ARM |
                                 IFU_IMAGE_F_RAM_LOAD | IFU_IMAGE_F_NON_BOOTABLE;
    if ((h.flags & unsupported) != 0) {
        return IFU_EUNSUPPORTED;
    }
    /* An image linked for another address would be refused at boot. */
    if ((h.flags & IFU_IMAGE_F_ROM_FIXED) != 0 && h.load_addr != exec_addr(up)) {
        return IFU_EHEADER;
    }
    /* Too big for the slot: refuse now, not after the transfer. */
    uint32_t off = ifu_image_tlv_off(&h);
    if ((uint64_t)off + IFU_TLV_INFO_SIZE > up->max_size) {
        return IFU_ENOSPC;
    }
    /* Version policy: stops a rollback to an older, perhaps vulnerable, build. */
    struct ifu_image_version zero = {0, 0, 0, 0};
    if (ifu_image_version_cmp(&p->min_version, &zero) != 0 &&
        ifu_image_version_cmp(&h.version, &p->min_version) < 0) {
        return IFU_EROLLBACK;
    }
    /* The bootloader's version rule (IFU_COUNTER_F_VERSION), applied here
     * as it will be there: not older (overwrite, swap), newer (direct-XIP). */
    uint32_t flags = p->flags;
    const struct ifu_counter *ctr = up->cfg->counter;
    if (ctr != NULL && (ctr->flags & IFU_COUNTER_F_VERSION) != 0) {
        flags |= ifu_boot_mode() == IFU_BOOT_MODE_XIP ? IFU_UPDATE_P_NEWER_ONLY
                                                      : IFU_UPDATE_P_NO_DOWNGRADE;
    }
    if (up->have_running && (flags & (IFU_UPDATE_P_NO_DOWNGRADE | IFU_UPDATE_P_NEWER_ONLY))) {
        int c = ifu_image_version_cmp(&h.version, &up->running);
        if (c < 0 || (c == 0 && (flags & IFU_UPDATE_P_NEWER_ONLY) != 0)) {
            return IFU_EROLLBACK;
        }
    }
    if (p->check != NULL) {
        err = p->check(p->check_ctx, &h);
        if (err) {
            return err < 0 ? err : IFU_EINVAL; /* fail closed on a positive return */
        }
    }
    if (tlv_off != NULL) {
        *tlv_off = off;
    }
    return 0;
}

/* Feed accepted bytes [pos, pos+n) to the verifier and note the unprotected
 * TLV info header, which gives the image's end. */
static int accept(struct ifu_update *up, const uint8_t *b, uint32_t n)
{
    int err = ifu_verify_update(&up->verify, b, n);
    if (err) {
        return err;
    }
    for (uint32_t j = 0; j < IFU_TLV_INFO_SIZE; j++) {
        uint32_t at = up->tlv_off + j;
        if (at >= up->pos && at - up->pos < n) {
            up->info[j] = b[at - up->pos];
        }
    }
    up->pos += n;
    if (up->end == 0 && up->pos >= up->tlv_off + IFU_TLV_INFO_SIZE) {
        /* The verifier accepted the info header: magic and length are sane. */
        up->end = up->tlv_off + ifu_get_le16(up->info + 2);
    }
    return 0;
}

/* The 32nd byte is in: check the header, then start the digest with it. */
static int take_header(struct ifu_update *up)
{
    int err = check_header(up, up->hdr, &up->tlv_off);
    if (!err) {
        err = ifu_verify_update(&up->verify, up->hdr, IFU_IMAGE_HEADER_SIZE);
    }
    if (!err) {
        up->hdr_ok = 1;
    }
    return err;
}

/* Program the pending whole write units (final: also the last partial one,
 * padded with the erased value). Returns 0, 1 if blocked on an erase this
 * call may no longer make, or a flash error. */
static int flush(struct ifu_update *up, int *budget, int final)
{
    const struct ifu_area *a = sec_of(up);
    uint32_t w = wsize(up);

    while (up->hdr_ok) {
        uint32_t have = up->pos - up->prog;
        uint32_t n = have / w * w;
        if (final && n < have) {
            n += w;
        }
        if (n == 0) {
            return 0;
        }
        uint32_t o = up->base + up->prog;
        uint32_t limit;
        uint32_t start;
        uint32_t size;
        int err = prog_limit(up, &limit);
        if (err) {
            return err;
        }
        if (o >= limit) {
            if (!*budget) {
                return 1;
            }
            *budget = 0;
            err = erase_one(up);
            if (err) {
                return err;
            }
            continue;
        }
        err = ifu_area_sector(a, o, &start, &size);
        if (err) {
            return err;
        }
        uint32_t m = IFU_MIN(n, IFU_MIN(start + size - o, limit - o));
        if (m > have) {
            memset(up->pend + have, a->flash->erased_val, m - have);
        }
        up->touched = 1;
        err = ifu_area_prog(a, o, up->pend, m);
        if (err) {
            return err;
        }
        if (m >= have) {
            up->prog = up->pos;
        } else {
            memmove(up->pend, up->pend + m, have - m);
            up->prog += m;
        }
    }
    return 0;
}

/* Take new bytes at pos: returns how many were taken, or a negative error
 * (already made sticky). */
static int stream(struct ifu_update *up, const uint8_t *data, uint32_t n)
{
    uint32_t w = wsize(up);
    uint32_t done = 0;
    int budget = 1;

    for (;;) {
        int r = flush(up, &budget, 0);
        if (r < 0) {
            return fail(up, r);
        }
        if (r == 1 || done == n) {
            break;
        }
        uint32_t p = up->pos;
        uint32_t k = n - done;
        if (!up->hdr_ok) {
            /* U1: nothing is erased or programmed before the header passes. */
            uint32_t m = IFU_MIN(k, IFU_IMAGE_HEADER_SIZE - p);
            memcpy(up->hdr + p, data + done, m);
            memcpy(up->pend + p, data + done, m);
            up->pos += m;
            done += m;
            if (up->pos == IFU_IMAGE_HEADER_SIZE) {
                int err = take_header(up);
                if (err) {
                    return fail(up, err);
                }
            }
            continue;
        }
        if (up->end != 0) {
            k = IFU_MIN(k, up->end - p); /* nothing past the image's end */
            if (k == 0) {
                break;
            }
        }
        if (!all_erased(up)) {
            if (p >= up->tlv_off) {
                /* The image's last part waits for a clean slot (U4). */
                if (!budget) {
                    break;
                }
                budget = 0;
                int err = erase_one(up);
                if (err) {
                    return fail(up, err);
                }
                continue;
            }
            k = IFU_MIN(k, up->tlv_off - p);
        }
        if (p == up->prog && k >= w) {
            /* Whole units straight from the caller's buffer. */
            uint32_t o = up->base + p;
            uint32_t limit;
            uint32_t start;
            uint32_t size;
            int err = prog_limit(up, &limit);
            if (!err && o >= limit) {
                if (!budget) {
                    break;
                }
                budget = 0;
                err = erase_one(up);
                if (err) {
                    return fail(up, err);
                }
                continue;
            }
            if (!err) {
                err = ifu_area_sector(sec_of(up), o, &start, &size);
            }
            if (err) {
                return fail(up, err);
            }
            uint32_t m = IFU_MIN(k / w * w, IFU_MIN(start + size - o, limit - o));
            /* Verified bytes first: a malformed image stops before it is written. */
            err = accept(up, data + done, m);
            if (err) {
                return fail(up, err);
            }
            up->touched = 1;
            err = ifu_area_prog(sec_of(up), o, data + done, m);
            if (err) {
                return fail(up, err);
            }
            up->prog += m;
            done += m;
            continue;
        }
        /* A partial unit: gather it in pend. */
        uint32_t have = p - up->prog;
        uint32_t m = IFU_MIN(k, w - have);
        memcpy(up->pend + have, data + done, m);
        int err = accept(up, up->pend + have, m);
        if (err) {
            return fail(up, err);
        }
        done += m;
    }
    if (up->end != 0 && up->pos == up->end && up->prog < up->pos) {
        /* The last, partial unit; U4 made every sector erased by now. */
        int one = 1;
        int r = flush(up, &one, 1);
        if (r != 0) {
            return fail(up, r < 0 ? r : IFU_ESTATE);
        }
    }
    if (budget && up->hdr_ok && !all_erased(up)) {
        /* A spare erase ahead of need, so the image's end finds a clean slot. */
        int err = erase_one(up);
        if (err) {
            return fail(up, err);
        }
    }
    return (int)done;
}

/* The image's end, if the chunk [off, off+len) or earlier bytes hold the
 * whole unprotected TLV info header and it looks valid; else 0 (unknown). */
static uint32_t peek_end(const struct ifu_update *up, uint32_t off, const uint8_t *data,
                         uint32_t len)
{
    uint8_t info[IFU_TLV_INFO_SIZE];

    if (up->end != 0) {
        return up->end;
    }
    if (!up->hdr_ok && off + len < IFU_IMAGE_HEADER_SIZE) {
        return 0;
    }
    if (!up->hdr_ok) {
        return 0; /* tlv_off unknown until the header is in; the header check bounds it */
    }
    for (uint32_t j = 0; j < IFU_TLV_INFO_SIZE; j++) {
        uint32_t at = up->tlv_off + j;
        if (at < up->pos) {
            info[j] = up->info[j];
        } else if (at >= off && at - off < len) {
            info[j] = data[at - off];
        } else {
            return 0;
        }
    }
    uint16_t tot = ifu_get_le16(info + 2);
    if (ifu_get_le16(info) != IFU_TLV_INFO_MAGIC || tot < IFU_TLV_INFO_SIZE) {
        return 0; /* the verifier rejects it when it arrives */
    }
    return up->tlv_off + tot;
}

/* Compare a repeated range [off, off+n) (n <= pos - off) with the bytes
 * already accepted: on flash below prog, in pend above. Returns 0, 1 if they
 * differ, or a flash error. */
static int differs(const struct ifu_update *up, uint32_t off, const uint8_t *data, uint32_t n)
{
    uint8_t buf[REREAD_CHUNK];

    while (n > 0) {
        uint32_t m;
        if (off < up->prog) {
            m = IFU_MIN(n, IFU_MIN(up->prog - off, (uint32_t)sizeof buf));
            int err = ifu_area_read(sec_of(up), up->base + off, buf, m);
            if (err) {
                return err;
            }
            if (memcmp(buf, data, m) != 0) {
                return 1;
            }
        } else {
            m = n;
            if (memcmp(up->pend + (off - up->prog), data, m) != 0) {
                return 1;
            }
        }
        off += m;
        data += m;
        n -= m;
    }
    return 0;
}

/* see include/ifu/update.h */
int ifu_update_write(struct ifu_update *up, uint32_t off, const uint8_t *data, uint32_t len)
{
    if (up == NULL) {
        return IFU_EINVAL;
    }
    if (up->state == IFU_UPDATE_FAILED) {
        return up->err;
    }
    if (up->state != IFU_UPDATE_RECEIVING) {
        return IFU_ESTATE;
    }
    if (len > 0 && data == NULL) {
        return IFU_EINVAL;
    }
    len = IFU_MIN(len, INT_MAX_TAKE);
    /* A gap would leave bytes the digest never saw; the transport resends. */
    if (off > up->pos) {
        return IFU_EGAP;
    }
    uint32_t window = up->max_size;
    uint32_t end = peek_end(up, off, data, len);
    if (end != 0) {
        window = IFU_MIN(window, end);
    }
    /* cppcheck-suppress knownConditionTrueFalse ; false positive: cppcheck 2.10 loses window */
    if (off > window || len > window - off) {
        return IFU_ERANGE;
    }
    uint32_t old = IFU_MIN(len, up->pos - off);
    if (old > 0) {
        /* A repeat must be the same bytes: anything else is another image. */
        int r = differs(up, off, data, old);
        if (r < 0) {
            return fail(up, r);
        }
        if (r) {
            return IFU_EMISMATCH;
        }
    }
    /* Even with nothing new (all repeats, or len 0 with data NULL, so no
     * pointer arithmetic on it) stream runs: it does the look-ahead erase
     * a call may owe. */
    /* cppcheck-suppress knownConditionTrueFalse ; false positive: old < len for new bytes */
    const uint8_t *rest = old < len ? data + old : data;
    int taken = stream(up, rest, len - old);
    if (taken < 0) {
        return taken;
    }
    return (int)old + taken;
}

/* U5: find where an interrupted transfer can go on. The staged bytes are
 * trusted only up to the start of the sector before the first sector that
 * reads entirely erased (U3 makes that sector exist right after the last
 * programmed one); 0 if there is none. */
static int find_resume(const struct ifu_update *up, uint32_t *resume)
{
    const struct ifu_area *a = sec_of(up);
    uint32_t prev = up->base;
    uint32_t start;
    uint32_t size;

    *resume = 0;
    for (uint32_t o = up->base; o < a->size; o = start + size) {
        int err = ifu_area_sector(a, o, &start, &size);
        if (err) {
            return err;
        }
        int r = ifu_area_is_erased(a, start, size);
        if (r < 0) {
            return r;
        }
        if (r == 1) {
            *resume = prev - up->base;
            return 0;
        }
        prev = start;
    }
    return 0; /* nothing reads erased: no way to tell where the bytes end */
}

/* Re-hash [0, n) from the slot, as if it had just been written. */
static int rehash(struct ifu_update *up, uint32_t n)
{
    uint8_t buf[REREAD_CHUNK];

    int err = take_header(up);
    up->pos = IFU_IMAGE_HEADER_SIZE;
    while (!err && up->pos < n) {
        uint32_t m = IFU_MIN(n - up->pos, (uint32_t)sizeof buf);
        err = ifu_area_read(sec_of(up), up->base + up->pos, buf, m);
        if (!err) {
            err = accept(up, buf, m);
        }
    }
    if (!err && up->end != 0 && up->end <= n) {
        /* Resume leaves at least one byte to send, so the end passes U4. */
        err = IFU_ERANGE;
    }
    return err;
}

static int read_running(struct ifu_update *up)
{
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header h;

    int err = ifu_area_read(&up->cfg->primary, 0, raw, sizeof raw);
    if (err) {
        return err;
    }
    if (ifu_image_parse_header(&h, raw) == 0) {
        up->have_running = 1;
        up->running = h.version;
    }
    return 0;
}

static int verify_start(struct ifu_update *up)
{
    uint32_t hashset = up->cfg->hashset != 0 ? up->cfg->hashset : IFU_HASHSET(IFU_HASH_SHA256);
    const struct ifu_keyring *keys;
    uint32_t revoked;
    int err = boot_keyring(up->cfg, &keys, &revoked);
    if (err) {
        return err;
    }
    return boot_verify_begin(&up->verify, keys, revoked, hashset, up->max_size);
}

/* see include/ifu/update.h */
int ifu_update_begin(struct ifu_update *up, const struct ifu_boot_config *cfg,
                     const struct ifu_update_policy *policy,
                     const uint8_t hdr[IFU_IMAGE_HEADER_SIZE], uint32_t *resume_off)
{
    struct ifu_boot_layout lay;
    struct ifu_boot_status bs;
    uint32_t size;

    if (resume_off != NULL) {
        *resume_off = 0;
    }
    if (up == NULL) {
        return IFU_EINVAL;
    }
    ifu_wipe(up, sizeof *up);
    if (cfg == NULL || (cfg->keys == NULL && cfg->keystore == NULL)) {
        return IFU_EINVAL; /* V6: no keyring never means "accept" */
    }
    int err = ifu_boot_layout(cfg, &lay);
    if (!err) {
        err = ifu_boot_state(cfg, &bs);
    }
    if (err) {
        return err;
    }
    /* Staging over the slot a revert needs would leave a trial image with
     * nothing to go back to. */
    if (bs.in_progress ||
        (bs.running == IFU_BOOT_STATE_TESTING && ifu_boot_mode() != IFU_BOOT_MODE_OVERWRITE)) {
        return IFU_ESTATE;
    }
    up->cfg = cfg;
    if (policy != NULL) {
        up->policy = *policy;
    }
    up->base = lay.headroom;
    up->max_size = lay.max_image_size;
    err = boot_last_sector(&cfg->secondary, &up->last, &size);
    if (!err) {
        err = read_running(up);
    }
    if (!err) {
        err = verify_start(up);
    }
    if (err) {
        ifu_wipe(up, sizeof *up);
        return err;
    }
    up->first = up->base;
    up->next = up->base;
    up->state = IFU_UPDATE_RECEIVING;
    if (hdr == NULL) {
        return 0;
    }
    err = check_header(up, hdr, NULL);
    if (err) {
        return fail(up, err); /* touched is 0: nothing is written */
    }
    /* U5: resume only the same header, from a slot nobody refused. */
    struct trailer t;
    uint8_t on_flash[IFU_IMAGE_HEADER_SIZE];
    uint32_t resume = 0;
    err = tr_read(&cfg->secondary, &t);
    if (!err) {
        err = ifu_area_read(&cfg->secondary, up->base, on_flash, sizeof on_flash);
    }
    if (!err && !t.rejected && memcmp(on_flash, hdr, sizeof on_flash) == 0) {
        err = find_resume(up, &resume);
    }
    if (err) {
        return fail(up, err);
    }
    if (resume >= IFU_IMAGE_HEADER_SIZE && resume <= up->max_size) {
        memcpy(up->hdr, hdr, IFU_IMAGE_HEADER_SIZE);
        err = rehash(up, resume);
        if (boot_is_flash_error(err)) {
            return fail(up, err);
        }
        if (err) {
            /* The kept bytes are not a valid start: begin from scratch. */
            resume = 0;
            memset(up->hdr, 0, sizeof up->hdr);
            memset(up->info, 0, sizeof up->info);
            up->hdr_ok = 0;
            up->pos = 0;
            up->end = 0;
            err = verify_start(up);
            if (err) {
                return fail(up, err);
            }
        }
    } else {
        resume = 0;
    }
    up->pos = resume;
    up->prog = resume;
    up->resumed = resume;
    up->first = up->base + resume;
    up->next = up->first;
    if (resume_off != NULL) {
        *resume_off = resume;
    }
    return 0;
}

/* see include/ifu/update.h */
int ifu_update_finish(struct ifu_update *up, struct ifu_image_info *info)
{
    if (info != NULL) {
        memset(info, 0, sizeof *info);
    }
    if (up == NULL) {
        return IFU_EINVAL;
    }
    if (up->state == IFU_UPDATE_FAILED) {
        return up->err;
    }
    if (up->state == IFU_UPDATE_COMPLETE || up->state == IFU_UPDATE_INSTALLED) {
        if (info != NULL) {
            *info = up->result;
        }
        return 0;
    }
    if (up->state != IFU_UPDATE_RECEIVING) {
        return IFU_ESTATE;
    }
    /* A transfer that stopped early is no image (U6). */
    if (up->end == 0 || up->pos != up->end || up->prog != up->pos || !all_erased(up)) {
        return fail(up, IFU_ETRUNC);
    }
    /* The second pass of a pure signature reads the staged bytes back. */
    int err = ifu_verify_finish_area(&up->verify, sec_of(up), up->base, &up->result);
    if (!err && up->policy.min_sec_cnt != 0 && up->result.sec_cnt < up->policy.min_sec_cnt) {
        err = IFU_EROLLBACK; /* an older security epoch */
    }
    if (!err && up->cfg->counter != NULL) {
        /* The bootloader's counter: refuse now what it would refuse
         * (IFU_EROLLBACK) or could never commit (IFU_ECOUNTER), before an
         * install is requested. A storage error fails the transfer too. */
        err = ifu_counter_check(up->cfg->counter, up->result.sec_cnt);
    }
    if (!err) {
        err = ifu_area_sync(sec_of(up));
    }
    if (err) {
        return fail(up, err);
    }
    up->state = IFU_UPDATE_COMPLETE;
    if (info != NULL) {
        *info = up->result;
    }
    return 0;
}

/* see include/ifu/update.h */
int ifu_update_install(struct ifu_update *up, enum ifu_boot_request_kind kind)
{
    if (up == NULL) {
        return IFU_EINVAL;
    }
    if (up->state == IFU_UPDATE_FAILED) {
        return up->err;
    }
    if (up->state != IFU_UPDATE_COMPLETE && up->state != IFU_UPDATE_INSTALLED) {
        return IFU_ESTATE; /* only a verified, complete image is requested */
    }
    int err = ifu_boot_request(up->cfg, kind);
    if (!err) {
        up->state = IFU_UPDATE_INSTALLED;
    }
    return err;
}

/* see include/ifu/update.h */
int ifu_update_abort(struct ifu_update *up)
{
    int err = 0;

    if (up == NULL) {
        return IFU_EINVAL;
    }
    if (up->cfg != NULL &&
        (up->touched || up->state == IFU_UPDATE_COMPLETE || up->state == IFU_UPDATE_INSTALLED)) {
        err = tr_mark_rejected(sec_of(up), IFU_ECANCELED);
        if (!err) {
            err = ifu_area_sync(sec_of(up));
        }
    }
    ifu_verify_abort(&up->verify);
    ifu_wipe(up, sizeof *up);
    return err;
}

/* see include/ifu/update.h */
int ifu_update_status(const struct ifu_update *up, const struct ifu_boot_config *cfg,
                      struct ifu_update_status *st)
{
    struct ifu_boot_layout lay;
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    struct ifu_image_header h;

    if (st == NULL) {
        return IFU_EINVAL;
    }
    memset(st, 0, sizeof *st);
    if (cfg == NULL && up != NULL) {
        cfg = up->cfg;
    }
    if (cfg == NULL) {
        return IFU_EINVAL;
    }
    if (up != NULL) {
        st->state = up->state;
        st->err = up->state == IFU_UPDATE_FAILED ? up->err : 0;
        st->offset = up->pos;
        st->resumed = up->resumed;
        st->image_size = up->end;
    }
    int err = ifu_boot_layout(cfg, &lay);
    if (!err) {
        st->max_image_size = lay.max_image_size;
        err = ifu_boot_state(cfg, &st->boot);
    }
    if (!err) {
        err = ifu_area_read(&cfg->primary, 0, raw, sizeof raw);
    }
    if (err) {
        return err;
    }
    if (ifu_image_parse_header(&h, raw) == 0) {
        st->running_valid = 1;
        st->running_version = h.version;
    }
    return 0;
}
