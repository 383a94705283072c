/* see smp_server.h; the protocol subset and its sources: docs/SMP.md */
#include "smp_server.h"

#include <string.h>

#include "ifu/crypto.h"
#include "ifu/errors.h"
#include "ifu/image.h"
#include "smp_cbor.h"

/* A handler returns an SMP status: SMP_RC_OK after writing its response map,
 * else the code (and *rsn, optional) of the error map smp_server_handle writes. */
typedef enum smp_rc (*handler_fn)(struct smp_server *s, struct smp_cbor_dec *d,
                                  struct smp_cbor_enc *e, const char **rsn);

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}

/* see smp_server.h */
enum smp_rc smp_rc_of(int err)
{
    switch (err) {
    case IFU_OK:
        return SMP_RC_OK;
    case IFU_ENOHASH:
    case IFU_EHASH:
    case IFU_ENOKEY:
    case IFU_ENOSIG:
    case IFU_ESIG:
        return SMP_RC_ECORRUPT;
    case IFU_EROLLBACK:
        return SMP_RC_EACCESSDENIED;
    case IFU_ESTATE:
    case IFU_ECANCELED:
        return SMP_RC_EBADSTATE;
    case IFU_EUNSUPPORTED:
        return SMP_RC_ENOTSUP;
    case IFU_ENOSPC:
        return SMP_RC_ENOMEM;
    case IFU_EIO:
    case IFU_ECRYPTO:
    case IFU_ELAYOUT:
    case IFU_ENOIMAGE:
        return SMP_RC_EUNKNOWN;
    default:
        /* Format errors, and EINVAL, EGAP, EMISMATCH, ERANGE: the request was wrong. */
        return SMP_RC_EINVAL;
    }
}

/* see smp_server.h */
int smp_server_init(struct smp_server *s, const struct smp_server_config *cfg)
{
    struct ifu_boot_layout lay;

    /* Trusted keys come from the keyring or, when set, the keystore
     * (include/ifu/boot.h: the keyring is then ignored). */
    if (s == NULL || cfg == NULL || cfg->boot == NULL ||
        (cfg->boot->keys == NULL && cfg->boot->keystore == NULL)) {
        return IFU_EINVAL;
    }
    int err = ifu_boot_layout(cfg->boot, &lay);
    if (err) {
        return err;
    }
    memset(s, 0, sizeof *s);
    s->boot = cfg->boot;
    if (cfg->policy != NULL) {
        s->policy = *cfg->policy;
    }
    s->buf_size = cfg->buf_size;
    /* Direct-XIP stages at offset 0 of the other slot (include/ifu/update.h). */
    s->headroom = ifu_boot_mode() == IFU_BOOT_MODE_XIP ? 0 : lay.headroom;
    return 0;
}

/* see smp_server.h */
int smp_server_reset_pending(const struct smp_server *s)
{
    return s->reset_pending;
}

/* A request body: an empty body reads as an empty map; anything after the
 * map is refused (one packet, one map). */
static int read_body(struct smp_cbor_dec *d, struct smp_cbor_field *f, uint32_t n)
{
    if (d->p == d->end) {
        for (uint32_t i = 0; i < n; i++) {
            f[i].found = 0;
        }
        return 0;
    }
    int err = smp_cbor_read_map(d, f, n);
    if (!err && d->p != d->end) {
        err = SMP_CBOR_EBAD;
    }
    return err;
}

/* ---- group 0: echo, reset, parameters ---- */

static enum smp_rc os_echo(struct smp_server *s, struct smp_cbor_dec *d, struct smp_cbor_enc *e,
                           const char **rsn)
{
    struct smp_cbor_str text = {NULL, 0};
    struct smp_cbor_field f[] = {{"d", SMP_CBOR_T_TSTR, &text, 0}};
    (void)s;
    if (read_body(d, f, 1) != 0 || !f[0].found) {
        *rsn = "want {\"d\": text}";
        return SMP_RC_EINVAL;
    }
    smp_cbor_put_map(e, 1);
    smp_cbor_put_tstr(e, "r");
    smp_cbor_put_tstrn(e, text.p, text.len);
    return SMP_RC_OK;
}

static enum smp_rc os_reset(struct smp_server *s, struct smp_cbor_dec *d, struct smp_cbor_enc *e,
                            const char **rsn)
{
    (void)d;
    (void)rsn;
    s->reset_pending = 1; /* the caller resets once the response is out */
    smp_cbor_put_map(e, 0);
    return SMP_RC_OK;
}

static enum smp_rc os_params(struct smp_server *s, struct smp_cbor_dec *d, struct smp_cbor_enc *e,
                             const char **rsn)
{
    (void)d;
    (void)rsn;
    smp_cbor_put_map(e, 2);
    smp_cbor_put_tstr(e, "buf_size");
    smp_cbor_put_uint(e, s->buf_size);
    smp_cbor_put_tstr(e, "buf_count");
    smp_cbor_put_uint(e, 1);
    return SMP_RC_OK;
}

/* ---- group 1: image state ---- */

struct slot_view {
    struct ifu_image_header hdr;
    uint8_t hash[IFU_HASH_MAX_SIZE]; /* the image's hash TLV value */
    uint32_t hash_len;
};

/* Header and hash TLV of the image at area offset base, read from flash
 * without verifying (what MCUmgr's list shows). Returns 0 or an IFU_E*. */
static int slot_read(const struct ifu_area *a, uint32_t base, struct slot_view *v)
{
    uint8_t raw[IFU_IMAGE_HEADER_SIZE];
    int err = ifu_area_read(a, base, raw, sizeof raw);
    if (!err) {
        err = ifu_image_parse_header(&v->hdr, raw);
    }
    if (err) {
        return err;
    }
    uint64_t pos = (uint64_t)base + ifu_image_tlv_off(&v->hdr);
    if (pos + IFU_TLV_INFO_SIZE > a->size) {
        return IFU_ETRUNC;
    }
    uint8_t info[IFU_TLV_INFO_SIZE];
    err = ifu_area_read(a, (uint32_t)pos, info, sizeof info);
    if (err) {
        return err;
    }
    if (get_le16(info) != IFU_TLV_INFO_MAGIC) {
        return IFU_ETLVINFO;
    }
    uint64_t end = pos + get_le16(info + 2);
    if (end > a->size) {
        return IFU_ETRUNC;
    }
    pos += IFU_TLV_INFO_SIZE;
    /* Each pass moves at least 4 bytes through a bounded area. */
    while (pos + IFU_TLV_HDR_SIZE <= end) {
        uint8_t th[IFU_TLV_HDR_SIZE];
        err = ifu_area_read(a, (uint32_t)pos, th, sizeof th);
        if (err) {
            return err;
        }
        uint16_t type = get_le16(th);
        uint16_t len = get_le16(th + 2);
        pos += IFU_TLV_HDR_SIZE;
        if (pos + len > end) {
            return IFU_ETLVBOUNDS;
        }
        uint32_t want = type == IFU_TLV_SHA256   ? 32u
                        : type == IFU_TLV_SHA384 ? 48u
                        : type == IFU_TLV_SHA512 ? 64u
                                                 : 0u;
        if (want != 0 && len == want) {
            v->hash_len = want;
            return ifu_area_read(a, (uint32_t)pos, v->hash, want);
        }
        pos += len;
    }
    return IFU_ENOHASH;
}

/* "major.minor.revision", and ".build" when build is not 0, as MCUmgr prints it. */
static void version_text(const struct ifu_image_version *ver, char out[32])
{
    const uint32_t parts[4] = {ver->major, ver->minor, ver->revision, ver->build};
    uint32_t count = ver->build != 0 ? 4u : 3u;
    uint32_t o = 0;
    for (uint32_t i = 0; i < count; i++) {
        char digits[10];
        uint32_t n = 0;
        uint32_t v = parts[i];
        do {
            digits[n++] = (char)('0' + v % 10u);
            v /= 10u;
        } while (v != 0);
        if (i > 0) {
            out[o++] = '.';
        }
        while (n > 0) {
            out[o++] = digits[--n];
        }
    }
    out[o] = '\0';
}

struct slot_flags {
    uint8_t bootable, pending, confirmed, active, permanent;
};

static void put_slot(struct smp_cbor_enc *e, unsigned slot, const struct slot_view *v,
                     const struct slot_flags *fl)
{
    char ver[32];
    uint32_t pairs = 3u + fl->bootable + fl->pending + fl->confirmed + fl->active + fl->permanent;
    version_text(&v->hdr.version, ver);
    smp_cbor_put_map(e, pairs);
    smp_cbor_put_tstr(e, "slot");
    smp_cbor_put_uint(e, slot);
    smp_cbor_put_tstr(e, "version");
    smp_cbor_put_tstr(e, ver);
    smp_cbor_put_tstr(e, "hash");
    smp_cbor_put_bstr(e, v->hash, v->hash_len);
    /* False flags are left out, as the protocol allows. */
    static const char *const names[] = {"bootable", "pending", "confirmed", "active", "permanent"};
    const uint8_t vals[] = {fl->bootable, fl->pending, fl->confirmed, fl->active, fl->permanent};
    for (unsigned i = 0; i < 5; i++) {
        if (vals[i]) {
            smp_cbor_put_tstr(e, names[i]);
            smp_cbor_put_bool(e, 1);
        }
    }
}

/* Both slots as the application sees them. have[i] is 1 where a slot shows
 * an image: a header that parses and a hash TLV; a staged image the
 * bootloader or finish refused is not shown. */
static int read_slots(const struct smp_server *s, struct ifu_boot_status *st, struct slot_view v[2],
                      int have[2])
{
    int err = ifu_boot_state(s->boot, st);
    if (err) {
        return err;
    }
    have[0] = slot_read(&s->boot->primary, 0, &v[0]) == 0;
    have[1] = st->staged_err == 0 && slot_read(&s->boot->secondary, s->headroom, &v[1]) == 0;
    return 0;
}

static enum smp_rc put_state(struct smp_server *s, struct smp_cbor_enc *e, const char **rsn)
{
    struct ifu_boot_status st;
    struct slot_view v[2];
    int have[2];
    int err = read_slots(s, &st, v, have);
    if (err) {
        *rsn = ifu_strerror(err);
        return smp_rc_of(err);
    }
    smp_cbor_put_map(e, 1);
    smp_cbor_put_tstr(e, "images");
    smp_cbor_put_array(e, (uint32_t)(have[0] + have[1]));
    if (have[0]) {
        struct slot_flags fl = {0};
        fl.bootable = (v[0].hdr.flags & IFU_IMAGE_F_NON_BOOTABLE) == 0;
        fl.active = 1;
        fl.confirmed = st.running != IFU_BOOT_STATE_TESTING;
        put_slot(e, 0, &v[0], &fl);
    }
    if (have[1]) {
        struct slot_flags fl = {0};
        fl.bootable = (v[1].hdr.flags & IFU_IMAGE_F_NON_BOOTABLE) == 0;
        fl.pending = st.pending != IFU_BOOT_STATE_NONE;
        fl.permanent = st.pending == IFU_BOOT_STATE_INSTALL_PERMANENT;
        put_slot(e, 1, &v[1], &fl);
    }
    return SMP_RC_OK;
}

static int same_hash(const struct smp_cbor_str *h, const uint8_t *want, uint32_t len)
{
    return h->len == len && len > 0 && memcmp(h->p, want, len) == 0;
}

static enum smp_rc img_state(struct smp_server *s, struct smp_cbor_dec *d, struct smp_cbor_enc *e,
                             const char **rsn)
{
    (void)d;
    return put_state(s, e, rsn);
}

static enum smp_rc img_state_write(struct smp_server *s, struct smp_cbor_dec *d,
                                   struct smp_cbor_enc *e, const char **rsn)
{
    struct smp_cbor_str hash = {NULL, 0};
    int confirm = 0;
    struct smp_cbor_field f[] = {
        {"hash", SMP_CBOR_T_BSTR, &hash, 0},
        {"confirm", SMP_CBOR_T_BOOL, &confirm, 0},
    };
    if (read_body(d, f, 2) != 0) {
        *rsn = "want {\"hash\": bytes, \"confirm\": bool}";
        return SMP_RC_EINVAL;
    }
    int err;
    if (!f[0].found) {
        if (!confirm) {
            *rsn = "a test needs the image's hash";
            return SMP_RC_EINVAL;
        }
        err = ifu_boot_confirm(s->boot); /* the running image declares itself good */
    } else {
        struct ifu_boot_status st;
        struct slot_view v[2];
        int have[2];
        err = read_slots(s, &st, v, have);
        if (!err && have[0] && same_hash(&hash, v[0].hash, v[0].hash_len)) {
            if (!confirm) {
                *rsn = "that image is already running";
                return SMP_RC_EBADSTATE;
            }
            err = ifu_boot_confirm(s->boot);
        } else if (!err && have[1] && same_hash(&hash, v[1].hash, v[1].hash_len)) {
            enum ifu_boot_request_kind kind = confirm ? IFU_BOOT_REQ_PERMANENT : IFU_BOOT_REQ_TEST;
            /* An image this session verified goes through the update API; one
             * staged before a reset is requested directly: the bootloader
             * verifies it before installing either way. */
            if (s->staged_ok && same_hash(&hash, s->staged_digest, s->staged_digest_len)) {
                err = ifu_update_install(&s->up, kind);
            } else {
                err = ifu_boot_request(s->boot, kind);
            }
        } else if (!err) {
            *rsn = "no image with that hash";
            return SMP_RC_ENOENT;
        }
    }
    if (err) {
        s->last_err = err;
        *rsn = ifu_strerror(err);
        return smp_rc_of(err);
    }
    return put_state(s, e, rsn);
}

/* ---- group 1: upload ---- */

/* Give all of data to the update API: a call may take only part of it (it
 * spent its one sector erase), even nothing; the next call goes on. */
static int write_all(struct smp_server *s, uint32_t off, const uint8_t *data, uint32_t len)
{
    uint32_t idle = 0;
    int sectors = ifu_area_sector_count(&s->boot->secondary);
    while (len > 0) {
        int n = ifu_update_write(&s->up, off, data, len);
        if (n < 0) {
            return n;
        }
        /* The API returns 0 at most once per staging sector plus once in a
         * whole transfer; more in a row would be a bug, not progress. */
        idle = n == 0 ? idle + 1 : 0;
        if (sectors < 0 || idle > (uint32_t)sectors + 1u) {
            return IFU_EIO;
        }
        off += (uint32_t)n;
        data += n;
        len -= (uint32_t)n;
    }
    return 0;
}

static void put_off(struct smp_cbor_enc *e, uint32_t off)
{
    smp_cbor_put_map(e, 1);
    smp_cbor_put_tstr(e, "off");
    smp_cbor_put_uint(e, off);
}

static enum smp_rc upload_fail(struct smp_server *s, int err, const char **rsn)
{
    s->last_err = err;
    *rsn = ifu_strerror(err);
    return smp_rc_of(err);
}

static enum smp_rc img_upload(struct smp_server *s, struct smp_cbor_dec *d, struct smp_cbor_enc *e,
                              const char **rsn)
{
    uint64_t image = 0, len = 0, off = 0;
    struct smp_cbor_str data = {NULL, 0}, sha = {NULL, 0};
    int upgrade = 0;
    struct smp_cbor_field f[] = {
        {"image", SMP_CBOR_T_UINT, &image, 0}, {"len", SMP_CBOR_T_UINT, &len, 0},
        {"off", SMP_CBOR_T_UINT, &off, 0},     {"sha", SMP_CBOR_T_BSTR, &sha, 0},
        {"data", SMP_CBOR_T_BSTR, &data, 0},   {"upgrade", SMP_CBOR_T_BOOL, &upgrade, 0},
    };
    enum { F_IMAGE, F_LEN, F_OFF, F_SHA, F_DATA };
    struct ifu_update_status st;
    int err;

    if (read_body(d, f, 6) != 0 || !f[F_OFF].found || !f[F_DATA].found) {
        *rsn = "want {\"off\": uint, \"data\": bytes, ...}";
        return SMP_RC_EINVAL;
    }
    if (image != 0) {
        *rsn = "only image 0";
        return SMP_RC_ENOENT;
    }
    if (off == 0) {
        if (!f[F_LEN].found || len == 0 || len > UINT32_MAX) {
            *rsn = "the first chunk needs \"len\"";
            return SMP_RC_EINVAL;
        }
        if (f[F_SHA].found && sha.len != sizeof s->sha) {
            *rsn = "\"sha\" is a SHA-256";
            return SMP_RC_EINVAL;
        }
        /* Same len and sha as the open session: the client started over
         * (a lost response); the bytes are compared, nothing restarts. */
        int same = s->uploading && len == s->upload_len && f[F_SHA].found == s->have_sha &&
                   (!s->have_sha || memcmp(sha.p, s->sha, sizeof s->sha) == 0);
        if (!same) {
            struct ifu_update_policy pol = s->policy;
            uint32_t resume = 0;
            if (upgrade) {
                pol.flags |= IFU_UPDATE_P_NEWER_ONLY;
            }
            s->uploading = 0;
            s->staged_ok = 0;
            /* With the header in hand, begin checks it before any erase and
             * finds a transfer of this image a reset interrupted. */
            err = ifu_update_begin(&s->up, s->boot, &pol,
                                   data.len >= IFU_IMAGE_HEADER_SIZE ? data.p : NULL, &resume);
            if (err) {
                return upload_fail(s, err, rsn);
            }
            s->uploading = 1;
            s->upload_len = (uint32_t)len;
            s->have_sha = f[F_SHA].found;
            if (s->have_sha) {
                memcpy(s->sha, sha.p, sizeof s->sha);
            }
        }
    } else if (!s->uploading) {
        /* No session (the device reset): offset 0 asks the client to send
         * the first chunk again, with len and sha. */
        put_off(e, 0);
        return SMP_RC_OK;
    }
    if (off > s->upload_len || data.len > s->upload_len - off) {
        *rsn = "chunk past \"len\"";
        return SMP_RC_EINVAL;
    }
    err = write_all(s, (uint32_t)off, data.p, data.len);
    if (err == IFU_EGAP) {
        err = 0; /* bytes missing before off: the response says where to go on */
    }
    if (!err) {
        err = ifu_update_status(&s->up, NULL, &st);
    }
    if (err) {
        /* An image or flash error is sticky: the next chunk at 0 starts over. */
        if (ifu_update_status(&s->up, NULL, &st) != 0 || st.state == IFU_UPDATE_FAILED) {
            s->uploading = 0;
        }
        return upload_fail(s, err, rsn);
    }
    if (st.offset == s->upload_len) {
        struct ifu_image_info info;
        s->uploading = 0;
        /* One signature check; a failure marks the staging slot rejected. */
        err = ifu_update_finish(&s->up, &info);
        if (err) {
            return upload_fail(s, err, rsn);
        }
        s->staged_ok = 1;
        s->staged_digest_len = ifu_hash_size(info.hash_alg);
        memcpy(s->staged_digest, info.digest, s->staged_digest_len);
    }
    put_off(e, st.offset);
    return SMP_RC_OK;
}

/* ---- dispatch ---- */

struct route {
    uint16_t group;
    uint8_t id;
    handler_fn read;  /* op 0, or NULL */
    handler_fn write; /* op 2, or NULL */
};

static const struct route routes[] = {
    {SMP_GROUP_OS, SMP_OS_ECHO, os_echo, os_echo},
    {SMP_GROUP_OS, SMP_OS_RESET, NULL, os_reset},
    {SMP_GROUP_OS, SMP_OS_PARAMS, os_params, NULL},
    {SMP_GROUP_IMAGE, SMP_IMG_STATE, img_state, img_state_write},
    {SMP_GROUP_IMAGE, SMP_IMG_UPLOAD, NULL, img_upload},
};

/* see smp_server.h */
int smp_server_handle(struct smp_server *s, const uint8_t *req, uint32_t len, uint8_t *rsp,
                      uint32_t rsp_size)
{
    struct smp_cbor_dec d;
    struct smp_cbor_enc e;
    const char *rsn = NULL;
    enum smp_rc rc = SMP_RC_ENOTSUP;

    if (len < SMP_HDR_SIZE || rsp_size < 64) {
        return 0;
    }
    uint8_t op = req[0] & 7u;
    uint8_t ver = (uint8_t)(req[0] >> 3 & 3u);
    if (op != SMP_OP_READ && op != SMP_OP_WRITE) {
        return 0; /* a response, or a reserved op: never answer those */
    }
    uint16_t body = get_be16(req + 2);
    uint16_t group = get_be16(req + 4);
    uint8_t id = req[7];
    if (rsp_size > SMP_SERVER_RSP_MAX) {
        rsp_size = SMP_SERVER_RSP_MAX;
    }
    smp_cbor_enc_init(&e, rsp + SMP_HDR_SIZE, rsp_size - SMP_HDR_SIZE);
    smp_cbor_dec_init(&d, req + SMP_HDR_SIZE, len - SMP_HDR_SIZE);
    if (body != len - SMP_HDR_SIZE) {
        rc = SMP_RC_ECORRUPT;
        rsn = "header length differs from the packet";
    } else {
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            if (routes[i].group == group && routes[i].id == id) {
                handler_fn h = op == SMP_OP_READ ? routes[i].read : routes[i].write;
                if (h != NULL) {
                    rc = h(s, &d, &e, &rsn);
                }
                break;
            }
        }
    }
    if (rc == SMP_RC_OK && e.err) {
        rc = SMP_RC_EMSGSIZE;
        rsn = NULL;
    }
    if (rc != SMP_RC_OK) {
        /* The SMP version 1 error form; version 2 clients accept it too. */
        smp_cbor_enc_init(&e, rsp + SMP_HDR_SIZE, rsp_size - SMP_HDR_SIZE);
        smp_cbor_put_map(&e, rsn != NULL ? 2u : 1u);
        smp_cbor_put_tstr(&e, "rc");
        smp_cbor_put_uint(&e, (uint64_t)rc);
        if (rsn != NULL) {
            smp_cbor_put_tstr(&e, "rsn");
            smp_cbor_put_tstr(&e, rsn);
        }
    }
    rsp[0] = (uint8_t)((ver <= 1 ? ver : 0) << 3 | (op + 1u));
    rsp[1] = req[1];
    rsp[2] = (uint8_t)(e.len >> 8);
    rsp[3] = (uint8_t)e.len;
    rsp[4] = req[4];
    rsp[5] = req[5];
    rsp[6] = req[6];
    rsp[7] = id;
    return (int)(SMP_HDR_SIZE + e.len);
}
